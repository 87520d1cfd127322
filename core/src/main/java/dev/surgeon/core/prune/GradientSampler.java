package dev.surgeon.core.prune;

import dev.surgeon.core.curvature.MemoryBudget;
import dev.surgeon.core.curvature.ParameterSubset;
import dev.surgeon.core.data.Dataset;
import dev.surgeon.core.nn.Loss;
import dev.surgeon.core.nn.Mask;
import dev.surgeon.core.nn.Network;
import dev.surgeon.core.nn.ParameterLayout;
import dev.surgeon.core.nn.ParameterTensor;
import dev.surgeon.core.nn.Workspace;
import dev.surgeon.core.progress.Progress;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Collects m loss gradients over a parameter subset at the current weights, in evaluation mode, each the gradient of
 * the mean loss over a mini-batch of b training samples at their data labels (the empirical Fisher's vectors; WoodFisher's
 * {@code fisher-mini-bsz}, M-FAC's batch of 32, CBS's single samples). The m·b samples are drawn without replacement
 * from a derived seed (with fresh permutations when m·b exceeds the training set) and recorded as calibration indices.
 * Gradients of pruned coordinates are set to 0 (WoodFisher: "multiply each gradient by the current mask").
 * Per-sample gradients (b = 1) come from one batched backward pass per 64 samples ({@link Network#sampleGradients});
 * mini-batch means from one vector-Jacobian product per mini-batch.
 */
final class GradientSampler {
    private static final int PER_SAMPLE_BATCH = 64;

    private GradientSampler() {
    }

    /**
     * The gradients coordinate-major: {@code gt[local·m + i]} is gradient i at the subset's local coordinate.
     *
     * @param stage name under which the calibration indices are recorded
     */
    static double[] collect(PruningContext ctx, ParameterSubset subset, int m, int miniBatch, String stage) {
        if (m < 1 || miniBatch < 1) {
            throw new IllegalArgumentException("need at least one gradient of at least one sample, got " + m + " of " + miniBatch);
        }
        MemoryBudget.defaultBudget().require(stage + ": " + m + " gradients over " + subset.describe(), 8L * subset.dim() * m,
                (long) subset.dim() * m, "the d × m gradient matrix (double)", List.of(new MemoryBudget.Alternative(
                        "fewer gradients (" + Math.max(1, m / 4) + ")", 8L * subset.dim() * Math.max(1, m / 4))));
        Dataset data = ctx.train();
        int[] indices = draw(ctx.random("gradients:" + stage), data.size(), Math.multiplyExact(m, miniBatch));
        ctx.recordCalibration(stage + " (" + m + " gradients of " + miniBatch + ")", indices);
        Network net = ctx.network();
        Loss loss = ctx.loss();
        ParameterLayout layout = net.layout();
        int dim = subset.dim();
        int k = net.outputSize();
        // Whole layers: Network.sampleGradients writes only layers whose weight and bias both lie in the range.
        int from = layout.tensorsOf(layout.tensorAt(subset.rangeFrom(0)).layerIndex()).get(0).offset();
        List<ParameterTensor> last = layout.tensorsOf(layout.tensorAt(subset.rangeTo(subset.rangeCount() - 1) - 1).layerIndex());
        int to = last.get(last.size() - 1).end();
        int width = to - from;
        double[] gt = new double[Math.multiplyExact(dim, m)];
        Mask mask = ctx.mask();
        Progress progress = ctx.progress();
        progress.start("gradients", m);
        if (miniBatch == 1) {
            int cap = Math.min(PER_SAMPLE_BATCH, m);
            Workspace ws = net.workspace(cap);
            float[] seeds = new float[cap * k];
            float[] rows = new float[cap * width];
            for (int i0 = 0; i0 < m; i0 += cap) {
                int b = Math.min(cap, m - i0);
                ws.load(data, indices, i0, b);
                net.forward(ws, false);
                net.lossSeeds(ws, loss, null, seeds, 0);
                net.sampleGradients(ws, seeds, 0, from, to, rows, 0, width);
                for (int r = 0; r < b; r++) {
                    scatter(subset, mask, rows, r * width - from, gt, m, i0 + r);
                }
                progress.advance(b);
            }
        } else {
            Workspace ws = net.workspace(miniBatch);
            float[] seeds = new float[miniBatch * k];
            float[] full = new float[net.parameterCount()];
            for (int i = 0; i < m; i++) {
                ws.load(data, indices, i * miniBatch, miniBatch);
                net.forward(ws, false);
                net.lossSeeds(ws, loss, null, seeds, 0);
                for (int j = 0; j < seeds.length; j++) {
                    seeds[j] /= miniBatch;
                }
                net.vectorJacobianProduct(ws, seeds, 0, full);
                scatter(subset, mask, full, 0, gt, m, i);
                progress.advance(1);
            }
        }
        progress.finish();
        return gt;
    }

    /** Writes one gradient (flat index q at {@code src[base + q]}) into column i of the coordinate-major matrix. */
    private static void scatter(ParameterSubset subset, Mask mask, float[] src, int base, double[] gt, int m, int i) {
        for (int r = 0; r < subset.rangeCount(); r++) {
            int local = subset.rangeLocal(r);
            for (int q = subset.rangeFrom(r); q < subset.rangeTo(r); q++, local++) {
                gt[local * m + i] = mask.isPruned(q) ? 0 : src[base + q];
            }
        }
    }

    /** count indices of [0, n): a seeded permutation, continued with fresh permutations when count > n. */
    static int[] draw(SplittableRandom random, int n, int count) {
        int[] out = new int[count];
        int[] perm = new int[n];
        for (int i = 0; i < n; i++) {
            perm[i] = i;
        }
        int filled = 0;
        while (filled < count) {
            int take = Math.min(n, count - filled);
            for (int i = 0; i < take; i++) {
                int j = i + random.nextInt(n - i);
                int t = perm[i];
                perm[i] = perm[j];
                perm[j] = t;
            }
            System.arraycopy(perm, 0, out, filled, take);
            filled += take;
        }
        return out;
    }
}
