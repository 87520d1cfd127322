package dev.surgeon.core.prune;

import dev.surgeon.core.curvature.ParameterSubset;

/**
 * The sum of independent single-weight OBS corrections (WoodFisher, Singh and Alistarh 2020, B5 step 4; the M-FAC
 * pruner, B6 step 5): t_q = −w_q/[C⁻¹]_qq for each removed q, 0 elsewhere; δw = scale · C⁻¹t; then every pruned weight
 * is set to exactly 0 (the sum does not zero them exactly when [C⁻¹]_QQ has off-diagonal entries, METHODS 1.3).
 * scale = 1 is the reference default; 0 reduces to no update. Cost: one inverse-diagonal and one inverse product.
 */
final class SummedObsUpdate implements Updater {
    private final double scale;

    SummedObsUpdate(double scale) {
        if (!Double.isFinite(scale)) {
            throw new IllegalArgumentException("update scale must be finite, got " + scale);
        }
        this.scale = scale;
    }

    @Override
    public String name() {
        return "summed OBS (scale " + scale + ")";
    }

    @Override
    public double apply(PruningContext ctx, Saliency saliency, int[] removed) {
        QuadraticModel model = Corrections.requireModel(this, saliency);
        ParameterSubset s = model.subset();
        int n = s.dim();
        double[] w = Corrections.weights(ctx, s);
        double[] inv = model.inverseDiagonal();
        double[] t = new double[n];
        for (int q : removed) {
            int i = s.local(q);
            t[i] = -w[i] / inv[i];
        }
        double[] delta = new double[n];
        model.inverseMultiply(t, delta);
        boolean[] pruned = Corrections.prunedFlags(ctx, s, removed);
        double[] after = new double[n];
        for (int i = 0; i < n; i++) {
            after[i] = pruned[i] ? 0 : w[i] + scale * delta[i];
        }
        double predicted = Corrections.predicted(model, w, after);
        Corrections.commit(ctx, s, after, pruned, removed);
        return predicted;
    }
}
