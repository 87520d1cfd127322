package dev.surgeon.core.prune;

import dev.surgeon.core.curvature.DataSource;
import dev.surgeon.core.nn.Network;
import dev.surgeon.core.nn.Workspace;

/**
 * SNIP's connection sensitivity (Lee, Ajanthan and Torr 2019, "SNIP: Single-shot network pruning based on connection
 * sensitivity"; METHODS B11): with indicators c multiplying the weights, g_j = ∂L(c ⊙ w)/∂c_j at c = 1 equals
 * w_j ∂L/∂w_j; the sensitivity is s_j = |g_j| / Σ_k |g_k|, computed on one mini-batch of {@code batch} training samples
 * (drawn with the run's seed; 100 for MNIST in the paper) in evaluation mode. The κ most sensitive connections are
 * kept (lowest sensitivity pruned first, global). The normalization does not change the ranking. Cost: one forward and
 * backward pass.
 */
public final class SnipScorer implements Scorer {
    private final int batch;

    public SnipScorer(int batch) {
        if (batch < 1) {
            throw new IllegalArgumentException("SNIP needs a batch of at least 1 sample, got " + batch);
        }
        this.batch = batch;
    }

    @Override
    public String name() {
        return "SNIP connection sensitivity";
    }

    @Override
    public Saliency score(PruningContext ctx) {
        Network net = ctx.network();
        DataSource data = ctx.calibration("SNIP batch", batch, batch);
        Workspace ws = net.workspace(data.size());
        data.load(ws, 0);
        float[] grad = new float[net.parameterCount()];
        net.forward(ws, false);
        net.lossGradient(ws, ctx.loss(), grad);
        float[] w = net.parameters();
        double[] s = new double[w.length];
        double total = 0;
        for (int q = 0; q < w.length; q++) {
            if (ctx.isPrunable(q)) {
                s[q] = Math.abs((double) w[q] * grad[q]);
                total += s[q];
            }
        }
        if (total > 0) {
            for (int q = 0; q < s.length; q++) {
                s[q] /= total;
            }
        }
        return new Saliency(s, null);
    }
}
