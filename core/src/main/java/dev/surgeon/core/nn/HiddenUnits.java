package dev.surgeon.core.nn;

import java.util.ArrayList;
import java.util.List;

/**
 * The hidden units of a sequential network — the output neurons of every dense layer and the output channels
 * (filters) of every convolution except the last layer with parameters — and how each one is wired: its
 * incoming parameters (its row of the layer's weight and its bias) and its outgoing parameters (the matching
 * input columns of the next layer with parameters, reached through activations, pools, dropout and flatten).
 *
 * <p>Outgoing columns: a convolution's channel c feeds the next convolution's weight entries
 * {@code [i][c][ky][kx]} (k² consecutive columns of row i) and, through {@code flatten}, a dense layer's columns
 * {@code c·h·w … (c+1)·h·w − 1} (NCHW flattening is channel-major); a dense unit c feeds column c of the next
 * dense layer. In every case a unit owns {@link Link#columnsPerUnit()} consecutive columns of every row of the
 * next weight, starting at {@code c·columnsPerUnit}.
 *
 * <p>This is the wiring both {@link Network#shrink()} and structured pruning work on.
 */
public final class HiddenUnits {

    /**
     * One layer of hidden units and its link to the next layer with parameters.
     *
     * @param layer          index of the layer owning the units
     * @param units          number of units (dense outputs or conv filters)
     * @param next           index of the next layer with parameters
     * @param columnsPerUnit consecutive columns a unit owns in every row of the next layer's weight
     * @param zeroPreserving whether every layer between them maps an all-zero channel to an all-zero channel
     *                       (relu, tanh, pools, flatten, dropout — not sigmoid), so a unit whose row and bias are 0
     *                       feeds the next layer exactly 0
     */
    public record Link(int layer, int units, int next, int columnsPerUnit, boolean zeroPreserving) {
    }

    private final Network network;
    private final List<Link> links;

    private HiddenUnits(Network network, List<Link> links) {
        this.network = network;
        this.links = List.copyOf(links);
    }

    /** The hidden units of the network. */
    public static HiddenUnits of(Network network) {
        List<Layer> layers = network.layers();
        List<Link> links = new ArrayList<>();
        int previous = -1;
        boolean zeroPreserving = true;
        for (Layer l : layers) {
            if (l.hasParameters()) {
                if (previous >= 0) {
                    int units = layers.get(previous).spec().units();
                    int columns = l.parameters().get(0).columns();
                    int perUnit = l.spec().kind() == LayerSpec.Kind.CONV ? l.spec().kernel() * l.spec().kernel() : columns / units;
                    links.add(new Link(previous, units, l.index(), perUnit, zeroPreserving));
                }
                previous = l.index();
                zeroPreserving = true;
            } else if (l.spec().kind() == LayerSpec.Kind.SIGMOID) {
                zeroPreserving = false;
            }
        }
        return new HiddenUnits(network, links);
    }

    public Network network() {
        return network;
    }

    /** One link per layer with hidden units, in layer order. */
    public List<Link> links() {
        return links;
    }

    /** The link of layer {@code layer}, or null if it has no hidden units (no parameters, or the last such layer). */
    public Link linkOf(int layer) {
        for (Link k : links) {
            if (k.layer() == layer) {
                return k;
            }
        }
        return null;
    }

    /** Flat indices of unit {@code unit}'s row of the layer's weight followed by its bias (if any). */
    public int[] incoming(Link link, int unit) {
        List<ParameterTensor> p = network.layers().get(link.layer()).parameters();
        ParameterTensor w = p.get(0);
        int cols = w.columns();
        int[] out = new int[cols + (p.size() > 1 ? 1 : 0)];
        for (int j = 0; j < cols; j++) {
            out[j] = w.offset() + unit * cols + j;
        }
        if (p.size() > 1) {
            out[cols] = p.get(1).offset() + unit;
        }
        return out;
    }

    /** Flat indices of unit {@code unit}'s columns in the next layer's weight, row by row. */
    public int[] outgoing(Link link, int unit) {
        ParameterTensor w = network.layers().get(link.next()).parameters().get(0);
        int cols = w.columns();
        int per = link.columnsPerUnit();
        int[] out = new int[w.rows() * per];
        int k = 0;
        for (int i = 0; i < w.rows(); i++) {
            int base = w.offset() + i * cols + unit * per;
            for (int j = 0; j < per; j++) {
                out[k++] = base + j;
            }
        }
        return out;
    }

    /**
     * Whether removing the unit leaves the network's function unchanged: all its outgoing weights are exactly 0, or
     * its row and bias are exactly 0 and the path to the next layer is {@link Link#zeroPreserving()}.
     */
    public boolean isRemovable(Link link, int unit) {
        float[] w = network.parameters();
        if (allZero(w, outgoing(link, unit))) {
            return true;
        }
        return link.zeroPreserving() && allZero(w, incoming(link, unit));
    }

    private static boolean allZero(float[] w, int[] idx) {
        for (int q : idx) {
            if (w[q] != 0f) {
                return false;
            }
        }
        return true;
    }
}
