package dev.surgeon.core.bayes;

import java.util.Arrays;

/**
 * The hyperparameters of MacKay's evidence framework: one prior precision α_c per {@link WeightClasses weight
 * class} and the noise precision β (1 and not estimated for classification likelihoods). METHODS E1.
 * Notation: docs/NOTATION.md.
 *
 * @param alpha α_c > 0, one per class (a class with no parameters keeps its value and plays no part)
 * @param beta  β > 0
 */
public record Hyperparameters(double[] alpha, double beta) {

    public Hyperparameters {
        alpha = alpha.clone();
        for (double a : alpha) {
            if (!(a > 0) || Double.isInfinite(a)) {
                throw new IllegalArgumentException("every α_c must be finite and > 0, got " + Arrays.toString(alpha));
            }
        }
        if (!(beta > 0) || Double.isInfinite(beta)) {
            throw new IllegalArgumentException("β must be finite and > 0, got " + beta);
        }
    }

    /** The same α for every one of {@code classes} classes. */
    public static Hyperparameters uniform(int classes, double alpha, double beta) {
        double[] a = new double[classes];
        Arrays.fill(a, alpha);
        return new Hyperparameters(a, beta);
    }

    @Override
    public double[] alpha() {
        return alpha.clone();
    }

    public double alpha(int c) {
        return alpha[c];
    }

    /** Number of classes. */
    public int classes() {
        return alpha.length;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Hyperparameters h && h.beta == beta && Arrays.equals(h.alpha, alpha);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(alpha) + Double.hashCode(beta);
    }

    @Override
    public String toString() {
        return "Hyperparameters[α=" + Arrays.toString(alpha) + ", β=" + beta + "]";
    }
}
