package dev.surgeon.core.prune;

import dev.surgeon.core.curvature.ParameterSubset;

/**
 * The exact multi-weight OBS correction (Hassibi and Stork 1993; METHODS 1.3; CBS-U of Yu et al. 2022): minimizes
 * ½δwᵀCδw subject to every pruned weight (removed now or before) ending at exactly 0, by
 * {@link QuadraticModel#constrainedCorrection}. The predicted increase is the minimum, ½ w_Pᵀ([C⁻¹]_PP)⁻¹ w_P.
 */
final class JointObsUpdate implements Updater {
    @Override
    public String name() {
        return "joint OBS";
    }

    @Override
    public double apply(PruningContext ctx, Saliency saliency, int[] removed) {
        QuadraticModel model = Corrections.requireModel(this, saliency);
        ParameterSubset s = model.subset();
        int n = s.dim();
        double[] w = Corrections.weights(ctx, s);
        boolean[] pruned = Corrections.prunedFlags(ctx, s, removed);
        double[] delta = new double[n];
        double predicted = model.constrainedCorrection(pruned, w, delta);
        for (int i = 0; i < n; i++) {
            w[i] += delta[i];
        }
        Corrections.commit(ctx, s, w, pruned, removed);
        return predicted;
    }
}
