package dev.surgeon.core.nn;

import java.util.ArrayList;
import java.util.List;

/**
 * Physical removal of hidden units ({@link Network#shrink()}): builds the smaller spec (fewer dense units or conv
 * filters) and copies the surviving rows, biases and input columns into a network with smaller tensors.
 *
 * <p>A unit is removed when removing it cannot change the network's function ({@link HiddenUnits#isRemovable}):
 * its outgoing weights are all exactly 0 (its output is multiplied by zeros), or its row and bias are exactly 0 and
 * only zero-preserving layers lie between it and the next weighted layer (its output is exactly 0). Structured
 * pruning in this library zeroes all three — row, bias and outgoing columns — so either rule applies; the bias of a
 * removed unit therefore never leaks a constant φ(b) into the next layer (METHODS D: "the outgoing connections go
 * with it"). A layer keeps at least one unit: if every unit of a layer is removable the lowest-indexed one stays
 * (it contributes exactly 0 to the next layer).
 *
 * <p>Exactness: every product the shrunk network skips is a product with an exact zero, so each output differs from
 * the masked network's only by the order in which non-zero terms are summed; with kernels that sum a dot product in
 * index order (the scalar kernels) the outputs are bit-identical.
 */
final class Shrinker {
    private Shrinker() {
    }

    static Network shrink(Network net) {
        HiddenUnits hidden = HiddenUnits.of(net);
        List<Layer> layers = net.layers();
        int[][] kept = new int[layers.size()][];
        for (HiddenUnits.Link link : hidden.links()) {
            List<Integer> keep = new ArrayList<>();
            for (int c = 0; c < link.units(); c++) {
                if (!hidden.isRemovable(link, c)) {
                    keep.add(c);
                }
            }
            if (keep.isEmpty()) {
                keep.add(0);
            }
            kept[link.layer()] = keep.stream().mapToInt(Integer::intValue).toArray();
        }
        List<LayerSpec> specs = new ArrayList<>();
        for (Layer l : layers) {
            LayerSpec s = l.spec();
            if (kept[l.index()] != null && kept[l.index()].length != s.units()) {
                s = new LayerSpec(s.kind(), kept[l.index()].length, s.kernel(), s.stride(), s.padding(), s.bias(), s.rate());
            }
            specs.add(s);
        }
        ArchitectureSpec spec = ArchitectureSpec.of(net.spec().inputShape(), specs);
        Network small = Network.create(spec, 0, net.kernels());
        float[] src = net.parameters();
        float[] dst = small.parameters();
        HiddenUnits.Link previous = null;
        for (Layer l : layers) {
            if (!l.hasParameters()) {
                continue;
            }
            int[] rows = kept[l.index()] != null ? kept[l.index()] : identity(l.spec().units());
            int[] inputs = previous == null ? null : kept[previous.layer()];
            int per = previous == null ? 0 : previous.columnsPerUnit();
            List<ParameterTensor> from = l.parameters();
            List<ParameterTensor> to = small.layers().get(l.index()).parameters();
            ParameterTensor w = from.get(0);
            ParameterTensor w2 = to.get(0);
            int cols = w.columns();
            int k = w2.offset();
            for (int r : rows) {
                int row = w.offset() + r * cols;
                if (inputs == null) {
                    System.arraycopy(src, row, dst, k, cols);
                    k += cols;
                } else {
                    for (int c : inputs) {
                        System.arraycopy(src, row + c * per, dst, k, per);
                        k += per;
                    }
                }
            }
            if (from.size() > 1) {
                int b = to.get(1).offset();
                for (int r : rows) {
                    dst[b++] = src[from.get(1).offset() + r];
                }
            }
            previous = hidden.linkOf(l.index());
        }
        return small;
    }

    private static int[] identity(int n) {
        int[] a = new int[n];
        for (int i = 0; i < n; i++) {
            a[i] = i;
        }
        return a;
    }
}
