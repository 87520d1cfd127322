package dev.surgeon.core.prune;

import dev.surgeon.core.curvature.ParameterSubset;

/** The removed weights are set to 0; nothing else changes. Predicted increase ½ w_QᵀC_QQ w_Q when a model exists. */
final class NoUpdate implements Updater {
    @Override
    public String name() {
        return "none";
    }

    @Override
    public double apply(PruningContext ctx, Saliency saliency, int[] removed) {
        QuadraticModel model = saliency.model();
        double predicted = Double.NaN;
        if (model != null && model.supportsMultiply()) {
            ParameterSubset s = model.subset();
            double[] before = Corrections.weights(ctx, s);
            double[] after = before.clone();
            for (int q : removed) {
                after[s.local(q)] = 0;
            }
            predicted = Corrections.predicted(model, before, after);
        }
        ctx.prune(removed);
        return predicted;
    }
}
