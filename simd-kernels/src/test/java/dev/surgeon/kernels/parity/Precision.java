package dev.surgeon.kernels.parity;

import dev.surgeon.kernels.*;

/**
 * The two working precisions of the {@link Kernels} SPI, with the constants of floating-point error
 * analysis used to derive test tolerances (Higham, "Accuracy and Stability of Numerical Algorithms",
 * 2nd ed., §2.1 and §3.1).
 */
public enum Precision {
    FLOAT(0x1p-24),
    DOUBLE(0x1p-53);

    /** Unit roundoff u: the largest relative error of one correctly rounded operation. */
    public final double unitRoundoff;

    Precision(double unitRoundoff) {
        this.unitRoundoff = unitRoundoff;
    }

    /**
     * γ_k = k·u / (1 − k·u): the relative error bound of a chain of k roundings. The classic result used
     * throughout the suite: a sum of n products computed in ANY order (several accumulators, blocking,
     * FMA) satisfies |fl(Σ x_i y_i) − Σ x_i y_i| ≤ γ_n Σ |x_i y_i| (Higham eq. 3.5), so reassociation by
     * an optimized provider never needs a looser tolerance than this.
     */
    public double gamma(int k) {
        double ku = k * unitRoundoff;
        if (ku >= 0.5) {
            throw new IllegalArgumentException("γ_" + k + " is meaningless in " + this);
        }
        return ku / (1 - ku);
    }

    /** v rounded to this precision (the value a float[] or double[] element would hold). */
    public double round(double v) {
        return this == FLOAT ? (float) v : v;
    }

    @Override
    public String toString() {
        return this == FLOAT ? "float" : "double";
    }
}
