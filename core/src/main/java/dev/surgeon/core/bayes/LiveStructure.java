package dev.surgeon.core.bayes;

import dev.surgeon.core.nn.Layer;
import dev.surgeon.core.nn.LayerSpec;
import dev.surgeon.core.nn.Mask;
import dev.surgeon.core.nn.Network;
import dev.surgeon.core.nn.ParameterTensor;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntPredicate;

/**
 * What is left of a network's structure when some parameters are removed: input lines, hidden units and
 * parameters still in use. For the first dense layer an input line is live when at least one weight from it
 * is. A hidden unit (every layer with parameters but the last) is live when at least one of its outgoing weights
 * and at least one of its incoming weights or its bias are; convolution channels, and units feeding a layer
 * that is not dense, count as live. The counts FMS, OBS and weight decay are compared by (METHODS E3: "units,
 * weights and input lines it prunes") and the units MacKay's symmetry term counts ({@link HiddenUnitSymmetry}).
 * Notation: docs/NOTATION.md.
 *
 * @param inputs      live input lines (all inputs when the first layer is not dense)
 * @param totalInputs input lines of the network
 * @param units       live hidden units per hidden layer, in order
 * @param totalUnits  hidden units per hidden layer
 * @param parameters  parameters in use
 */
public record LiveStructure(int inputs, int totalInputs, int[] units, int[] totalUnits, int parameters) {

    public LiveStructure {
        units = units.clone();
        totalUnits = totalUnits.clone();
    }

    /** The structure left by a pruning mask (null: nothing pruned). */
    public static LiveStructure of(Network network, Mask mask) {
        return of(network, q -> mask == null || !mask.isPruned(q));
    }

    /** The structure left when only the parameters q with {@code inUse.test(q)} are in the model. */
    public static LiveStructure of(Network network, IntPredicate inUse) {
        List<Layer> parametric = new ArrayList<>();
        for (Layer l : network.layers()) {
            if (l.hasParameters()) {
                parametric.add(l);
            }
        }
        int parameters = 0;
        for (int q = 0; q < network.parameterCount(); q++) {
            if (inUse.test(q)) {
                parameters++;
            }
        }
        Layer first = parametric.get(0);
        int totalInputs = network.inputShape().size();
        int inputs = totalInputs;
        if (first.spec().kind() == LayerSpec.Kind.DENSE) {
            ParameterTensor w = first.parameters().get(0);
            inputs = 0;
            for (int j = 0; j < w.columns(); j++) {
                boolean live = false;
                for (int i = 0; i < w.rows() && !live; i++) {
                    live = inUse.test(w.offset() + i * w.columns() + j);
                }
                if (live) {
                    inputs++;
                }
            }
        }
        int hidden = parametric.size() - 1;
        int[] units = new int[hidden];
        int[] total = new int[hidden];
        for (int p = 0; p < hidden; p++) {
            Layer layer = parametric.get(p);
            Layer next = parametric.get(p + 1);
            total[p] = layer.parameters().get(0).rows();
            boolean dense = layer.spec().kind() == LayerSpec.Kind.DENSE && next.spec().kind() == LayerSpec.Kind.DENSE;
            units[p] = dense ? liveUnits(layer, next, inUse) : total[p];
        }
        return new LiveStructure(inputs, totalInputs, units, total, parameters);
    }

    private static int liveUnits(Layer layer, Layer next, IntPredicate inUse) {
        ParameterTensor w = layer.parameters().get(0);
        ParameterTensor b = layer.parameters().size() > 1 ? layer.parameters().get(1) : null;
        ParameterTensor out = next.parameters().get(0);
        int count = w.rows();
        int live = 0;
        for (int i = 0; i < count; i++) {
            boolean incoming = b != null && inUse.test(b.offset() + i);
            for (int j = 0; j < w.columns() && !incoming; j++) {
                incoming = inUse.test(w.offset() + i * w.columns() + j);
            }
            boolean outgoing = false;
            for (int r = 0; r < out.rows() && !outgoing; r++) {
                outgoing = inUse.test(out.offset() + r * count + i);
            }
            if (incoming && outgoing) {
                live++;
            }
        }
        return live;
    }

    /** Live hidden units over all hidden layers. */
    public int liveUnits() {
        int s = 0;
        for (int u : units) {
            s += u;
        }
        return s;
    }

    @Override
    public int[] units() {
        return units.clone();
    }

    @Override
    public int[] totalUnits() {
        return totalUnits.clone();
    }

    @Override
    public String toString() {
        return inputs + "/" + totalInputs + " inputs, units " + java.util.Arrays.toString(units) + " of "
                + java.util.Arrays.toString(totalUnits) + ", " + parameters + " parameters";
    }
}
