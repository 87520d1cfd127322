package dev.surgeon.core.bayes;

import dev.surgeon.core.data.Dataset;
import dev.surgeon.core.nn.Network;
import dev.surgeon.core.optim.DifferentiableFunction;
import dev.surgeon.core.train.FullBatchObjective;

/**
 * MacKay's objective M(w) = β E_D(w) + Σ_c α_c E_W^(c)(w) over the whole data set (METHODS E1), the negative log
 * posterior up to a constant, for a full-batch optimizer. E_D and its gradient come from {@link FullBatchObjective}
 * with the likelihood's summed loss; parameters in no weight class (pruned) get no prior term and must be kept at
 * zero by the optimizer's mask.
 * Notation: docs/NOTATION.md.
 */
final class PosteriorObjective implements DifferentiableFunction {
    private final FullBatchObjective data;
    private final WeightClasses classes;
    private Hyperparameters h;

    PosteriorObjective(Network network, Likelihood likelihood, Dataset dataset, WeightClasses classes, Hyperparameters h) {
        this.data = new FullBatchObjective(network, likelihood.loss(), dataset, LaplaceApproximation.BATCH, 0);
        this.classes = classes;
        this.h = h;
    }

    void setHyperparameters(Hyperparameters h) {
        this.h = h;
    }

    @Override
    public double valueAndGradient(float[] x, float[] gradient) {
        double value = h.beta() * data.valueAndGradient(x, gradient);
        float beta = (float) h.beta();
        for (int q = 0; q < x.length; q++) {
            int c = classes.classOf(q);
            double prior = c < 0 ? 0 : h.alpha(c);
            value += 0.5 * prior * x[q] * x[q];
            gradient[q] = beta * gradient[q] + (float) (prior * x[q]);
        }
        return value;
    }
}
