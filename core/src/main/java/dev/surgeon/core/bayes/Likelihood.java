package dev.surgeon.core.bayes;

import dev.surgeon.core.data.Dataset;
import dev.surgeon.core.nn.Loss;
import dev.surgeon.core.nn.Network;

/**
 * The noise model of MacKay's evidence framework and the summed data error it implies (MacKay 1992, "A
 * practical Bayesian framework for backpropagation networks" for regression; MacKay 1992, "The evidence
 * framework applied to classification networks" for classification; METHODS E1). Errors are <b>summed</b> over
 * the data set (E1 pitfall), so every loss here has the SUM reduction.
 * <ul>
 *   <li>{@link #GAUSSIAN}: t = f(x) + noise of precision β; E_D = ½ Σ_n Σ_k (f_k(x_n) − t_nk)² ({@code mse-sum}),
 *       likelihood exp(−βE_D)/Z_D(β), Z_D = (2π/β)^{N_t/2}; β is re-estimated.</li>
 *   <li>{@link #BERNOULLI}: one logit a, P(t = 1) = sigmoid(a); E_D = G = Σ_n cross-entropy ({@code bce-sum});
 *       no β (it is fixed at 1 and has no Occam term).</li>
 *   <li>{@link #CATEGORICAL}: K logits, softmax; E_D = G ({@code cross-entropy-sum}); no β.</li>
 * </ul>
 * The classification likelihoods act on the network's outputs as logits: the last layer must be linear.
 * Notation: docs/NOTATION.md.
 */
public enum Likelihood {
    GAUSSIAN("mse-sum"), BERNOULLI("bce-sum"), CATEGORICAL("cross-entropy-sum");

    private final String lossName;

    Likelihood(String lossName) {
        this.lossName = lossName;
    }

    /** The summed loss E_D (or G) of this likelihood. */
    public Loss loss() {
        return Loss.named(lossName);
    }

    /** Whether the noise precision β is a hyperparameter (regression only). */
    public boolean hasNoisePrecision() {
        return this == GAUSSIAN;
    }

    /** Regression data → Gaussian; classes on one output → Bernoulli; on K outputs → categorical. */
    public static Likelihood of(Network network, Dataset data) {
        if (!data.isClassification()) {
            return GAUSSIAN;
        }
        return network.outputSize() == 1 ? BERNOULLI : CATEGORICAL;
    }
}
