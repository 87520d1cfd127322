package dev.surgeon.core.prune.structured;

import dev.surgeon.core.nn.HiddenUnits;
import dev.surgeon.core.nn.Layer;
import dev.surgeon.core.nn.LayerSpec;
import dev.surgeon.core.nn.Mask;
import dev.surgeon.core.nn.Network;
import dev.surgeon.core.nn.ParameterTensor;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The removable structures of a network ({@link Structure}), layer by layer, with the two operations every structured
 * method needs: projecting a parameter-space vector onto the gates (θ_sᵀv for all s) and removing a structure (its
 * row, bias and outgoing columns set to exactly 0 and masked, so fine-tuning keeps them 0 and
 * {@link Network#shrink()} drops them).
 *
 * <h2>Multiply-adds</h2>
 * {@link #macs(int[])} counts the network's multiply-adds at batch 1 for given layer widths with the convention of
 * {@link dev.surgeon.core.prune.Flops}: rows × columns × output positions per weight tensor, biases and
 * activations not counted. Removing a unit of layer l saves its row in layer l and its columns in the next layer;
 * removing units of two consecutive layers saves their shared weights once, which the width formula gets right.
 */
public final class Structures {
    private final Network network;
    private final HiddenUnits hidden;
    private final StructureKind kind;
    private final List<Structure> all;
    private final List<List<Structure>> byLink;
    private final List<String> layerNames;

    private Structures(Network network, StructureKind kind) {
        this.network = network;
        this.hidden = HiddenUnits.of(network);
        this.kind = kind;
        List<Structure> list = new ArrayList<>();
        List<List<Structure>> groups = new ArrayList<>();
        List<String> names = new ArrayList<>();
        for (HiddenUnits.Link link : hidden.links()) {
            Layer layer = network.layers().get(link.layer());
            String prefix = layerName(layer);
            names.add(prefix);
            boolean conv = layer.spec().kind() == LayerSpec.Kind.CONV;
            boolean wanted = kind == StructureKind.ALL || (conv ? kind == StructureKind.FILTERS : kind == StructureKind.NEURONS);
            List<Structure> group = new ArrayList<>();
            if (wanted) {
                Layer next = network.layers().get(link.next());
                int positions = next.spec().kind() == LayerSpec.Kind.CONV ? next.inputShape().height() * next.inputShape().width()
                        : link.columnsPerUnit();
                for (int c = 0; c < link.units(); c++) {
                    Structure s = new Structure(list.size(), link, c, prefix + "[" + c + "]", hidden.incoming(link, c),
                            hidden.outgoing(link, c), positions);
                    list.add(s);
                    group.add(s);
                }
            }
            groups.add(Collections.unmodifiableList(group));
        }
        if (list.isEmpty()) {
            throw new IllegalArgumentException(network.spec() + " has no " + kind + " to prune (hidden layers: " + names
                    + "); use " + (kind == StructureKind.FILTERS ? "neurons" : "filters") + " or all");
        }
        this.all = List.copyOf(list);
        this.byLink = List.copyOf(groups);
        this.layerNames = List.copyOf(names);
    }

    /** The structures of the given kind. */
    public static Structures of(Network network, StructureKind kind) {
        return new Structures(network, kind);
    }

    private static String layerName(Layer layer) {
        String n = layer.parameters().get(0).name();
        return n.substring(0, n.indexOf('.'));
    }

    public Network network() {
        return network;
    }

    public StructureKind kind() {
        return kind;
    }

    public HiddenUnits hidden() {
        return hidden;
    }

    /** All structures, layer by layer. */
    public List<Structure> all() {
        return all;
    }

    public int size() {
        return all.size();
    }

    public Structure get(int s) {
        return all.get(s);
    }

    /** Number of layers with hidden units (whether or not their units are of this kind). */
    public int linkCount() {
        return byLink.size();
    }

    /** The structures of link j (empty when the layer's units are not of this kind). */
    public List<Structure> ofLink(int j) {
        return byLink.get(j);
    }

    /** Link index (position in {@link HiddenUnits#links()}) of a structure. */
    public int linkIndex(Structure s) {
        return hidden.links().indexOf(s.link());
    }

    /** Link index of the layer with this index, or −1 (no hidden units: no parameters, or the last weighted layer). */
    public int linkIndexOfLayer(int layer) {
        List<HiddenUnits.Link> links = hidden.links();
        for (int j = 0; j < links.size(); j++) {
            if (links.get(j).layer() == layer) {
                return j;
            }
        }
        return -1;
    }

    /** Layer name of link j, e.g. {@code conv1}. */
    public String layerName(int j) {
        return layerNames.get(j);
    }

    /** θ_sᵀv = Σ_{q ∈ outgoing(s)} w_q v_q for every structure: gate-space coordinates of a parameter-space vector. */
    public double[] project(float[] v) {
        float[] w = network.parameters();
        double[] out = new double[all.size()];
        for (Structure s : all) {
            double acc = 0;
            for (int q : s.outgoing()) {
                acc += (double) w[q] * v[q];
            }
            out[s.index()] = acc;
        }
        return out;
    }

    /** θ_s as a full parameter vector (the outgoing weights of s, zeros elsewhere). */
    public float[] theta(Structure s) {
        float[] w = network.parameters();
        float[] t = new float[w.length];
        for (int q : s.outgoing()) {
            t[q] = w[q];
        }
        return t;
    }

    /** Whether the structure is already removed (its outgoing weights, or its row and bias, all zero; see HiddenUnits). */
    public boolean isRemoved(Structure s) {
        return hidden.isRemovable(s.link(), s.unit());
    }

    /** Removes the structure: row, bias and outgoing columns set to exactly 0 and marked pruned in the mask. */
    public void remove(Structure s, Mask mask) {
        float[] w = network.parameters();
        for (int q : s.incoming()) {
            w[q] = 0f;
            mask.prune(q);
        }
        for (int q : s.outgoing()) {
            w[q] = 0f;
            mask.prune(q);
        }
    }

    /** The current width (units not removed) of every link, in link order. */
    public int[] widths() {
        int[] width = new int[hidden.links().size()];
        for (int j = 0; j < width.length; j++) {
            HiddenUnits.Link link = hidden.links().get(j);
            for (int c = 0; c < link.units(); c++) {
                if (!hidden.isRemovable(link, c)) {
                    width[j]++;
                }
            }
            width[j] = Math.max(width[j], 1);
        }
        return width;
    }

    /** The original width of every link. */
    public int[] fullWidths() {
        int[] width = new int[hidden.links().size()];
        for (int j = 0; j < width.length; j++) {
            width[j] = hidden.links().get(j).units();
        }
        return width;
    }

    /** Multiply-adds of the network at batch 1 when link j has {@code widths[j]} units (see the class comment). */
    public long macs(int[] widths) {
        return count(widths, true);
    }

    /** Parameters (weights and biases) of the network when link j has {@code widths[j]} units. */
    public long parameters(int[] widths) {
        return count(widths, false);
    }

    /** Σ over weighted layers of rows × columns × (output positions, or 1 plus a bias per row). */
    private long count(int[] widths, boolean macs) {
        long total = 0;
        int previous = -1;
        List<HiddenUnits.Link> links = hidden.links();
        for (Layer l : network.layers()) {
            if (!l.hasParameters()) {
                continue;
            }
            int j = linkIndexOfLayer(l.index());
            ParameterTensor w = l.parameters().get(0);
            long rows = j >= 0 ? widths[j] : w.rows();
            long cols = previous >= 0 ? (long) widths[previous] * links.get(previous).columnsPerUnit() : w.columns();
            if (macs) {
                long positions = l.spec().kind() == LayerSpec.Kind.CONV ? (long) l.outputShape().height() * l.outputShape().width() : 1;
                total += rows * cols * positions;
            } else {
                total += rows * cols + (l.parameters().size() > 1 ? rows : 0);
            }
            previous = j;
        }
        return total;
    }
}
