package dev.surgeon.core.prune;

import dev.surgeon.core.curvature.ParameterSubset;

/**
 * The exact multi-weight OBS correction (Hassibi and Stork 1993; METHODS 1.3; CBS-U of Yu et al. 2022): minimizes
 * ½δwᵀCδw subject to every pruned weight (removed now or before) ending at exactly 0, by
 * {@link QuadraticModel#constrainedCorrection}. The predicted increase is the minimum, ½ w_Pᵀ([C⁻¹]_PP)⁻¹ w_P. A scale
 * other than 1 multiplies the correction of the free weights (the CBS scripts' 0.9); the prediction is then ½ΔᵀCΔ of the
 * applied change when the model can multiply.
 */
final class JointObsUpdate implements Updater {
    private final double scale;

    JointObsUpdate(double scale) {
        if (!Double.isFinite(scale)) {
            throw new IllegalArgumentException("update scale must be finite, got " + scale);
        }
        this.scale = scale;
    }

    @Override
    public String name() {
        return scale == 1 ? "joint OBS" : "joint OBS (scale " + scale + ")";
    }

    @Override
    public double apply(PruningContext ctx, Saliency saliency, int[] removed) {
        QuadraticModel model = Corrections.requireModel(this, saliency);
        ParameterSubset s = model.subset();
        int n = s.dim();
        double[] w = Corrections.weights(ctx, s);
        boolean[] pruned = Corrections.prunedFlags(ctx, s, removed);
        double[] delta = new double[n];
        double value = model.constrainedCorrection(pruned, w, delta);
        double[] after = new double[n];
        for (int i = 0; i < n; i++) {
            after[i] = pruned[i] ? 0 : w[i] + scale * delta[i];
        }
        double predicted = scale == 1 ? value : Corrections.predicted(model, w, after);
        Corrections.commit(ctx, s, after, pruned, removed);
        return predicted;
    }
}
