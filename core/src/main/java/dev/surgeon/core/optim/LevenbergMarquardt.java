package dev.surgeon.core.optim;

/**
 * The Levenberg–Marquardt adaptation of a damping λ from the reduction ratio (Martens and Grosse 2015, "Optimizing
 * neural networks with Kronecker-factored approximate curvature", section 6.5; METHODS A7):
 * <pre>
 * ρ = (h(w + δ) − h(w)) / (M(δ) − M(0)),      M(δ) = ∇hᵀδ + ½ δᵀ(F + (λ + wd) I) δ,
 * ρ &gt; 3/4: λ ← ω₁ λ (the model predicts well: trust it more);   ρ &lt; 1/4: λ ← λ / ω₁ (a poor step: damp more);
 * </pre>
 * ω₁ = (19/20)^{T₁} for an adjustment every T₁ steps (T₁ = 5 in the paper). With ω₁ &lt; 1 a bad step
 * <em>increases</em> λ (the rule some code states backwards). A non-negative predicted reduction (M(δ) ≥ 0, no
 * descent predicted) or a non-finite ratio leaves λ unchanged. λ is kept within [1e-8, 1e8], a safeguard of
 * this library against runaway damping on degenerate batches.
 * Notation: docs/NOTATION.md.
 */
public final class LevenbergMarquardt {
    /** Smallest and largest λ the rule produces. */
    public static final double MIN = 1e-8;
    public static final double MAX = 1e8;

    private final double omega;

    /** ω₁ = (19/20)^{period}. */
    public LevenbergMarquardt(int period) {
        if (period < 1) {
            throw new IllegalArgumentException("the adjustment period T₁ must be >= 1, got " + period);
        }
        this.omega = Math.pow(19.0 / 20.0, period);
    }

    /** ω₁. */
    public double omega() {
        return omega;
    }

    /** ρ from the change of h and the model's predicted change M(δ) − M(0) = M(δ); NaN when M(δ) ≥ 0. */
    public static double ratio(double actualChange, double predictedChange) {
        return predictedChange < 0 ? actualChange / predictedChange : Double.NaN;
    }

    /** The damping after a step with reduction ratio ρ. */
    public double update(double lambda, double rho) {
        double next = lambda;
        if (rho > 0.75) {
            next = lambda * omega;
        } else if (rho < 0.25) {
            next = lambda / omega;
        }
        return Double.isNaN(rho) ? lambda : Math.min(MAX, Math.max(MIN, next));
    }
}
