package dev.surgeon.core.prune;

import dev.surgeon.core.nn.Layer;
import dev.surgeon.core.nn.LayerSpec;
import dev.surgeon.core.nn.Network;
import dev.surgeon.core.nn.ParameterTensor;

/**
 * Multiply-add counts of a network for one sample (batch 1), the convention of the pruning reports:
 * <ul>
 *   <li>dense layer: d_in · d_out multiply-adds (one per weight);</li>
 *   <li>convolution: c_out · c_in · k² · H_out · W_out (one per weight and output position);</li>
 *   <li>biases, activations, pooling and the loss are not counted;</li>
 *   <li>"effective" counts only weights that are not exactly zero (what a sparse kernel could skip; dense kernels do not
 *       get faster from it).</li>
 * </ul>
 */
public final class Flops {
    private Flops() {
    }

    /** Multiply-adds per weight of the tensor: 1 for a dense weight, H_out·W_out for a convolution, 0 for a bias. */
    public static long perWeight(Network net, ParameterTensor t) {
        if (t.role() != ParameterTensor.Role.WEIGHT) {
            return 0;
        }
        Layer layer = net.layers().get(t.layerIndex());
        if (layer.spec().kind() == LayerSpec.Kind.CONV) {
            return (long) layer.outputShape().height() * layer.outputShape().width();
        }
        return 1;
    }

    /** Multiply-adds of the tensor counting every weight. */
    public static long dense(Network net, ParameterTensor t) {
        return perWeight(net, t) * t.length();
    }

    /** Multiply-adds of the tensor counting non-zero weights only. */
    public static long effective(Network net, ParameterTensor t) {
        float[] p = net.parameters();
        long n = 0;
        for (int q = t.offset(); q < t.end(); q++) {
            n += p[q] != 0f ? 1 : 0;
        }
        return perWeight(net, t) * n;
    }

    /** Multiply-adds of the whole network, every weight counted. */
    public static long dense(Network net) {
        long s = 0;
        for (ParameterTensor t : net.layout().tensors()) {
            s += dense(net, t);
        }
        return s;
    }

    /** Multiply-adds of the whole network, non-zero weights only. */
    public static long effective(Network net) {
        long s = 0;
        for (ParameterTensor t : net.layout().tensors()) {
            s += effective(net, t);
        }
        return s;
    }
}
