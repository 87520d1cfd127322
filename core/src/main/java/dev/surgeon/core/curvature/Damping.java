package dev.surgeon.core.curvature;

/**
 * The damping added to a curvature matrix before it is inverted, and what to do when the Cholesky
 * factorization still fails (METHODS 1.9, G.3).
 *
 * <p>λ = {@code absolute} + {@code relative}·mean(diag C): absolute damping (WoodFisher, M-FAC, CBS: λI added
 * to a Fisher) and relative damping (SparseGPT's p_damp = 0.01 of the mean diagonal) in one rule. If the
 * factorization of C + λI fails, λ is raised to {@code growth}·λ (or, from λ = 0, to 1e-8·mean|diag C|, and
 * to 1e-8 if that is 0) and the factorization retried, up to {@code maxAttempts} attempts in all; the λ that
 * worked is recorded ({@link DampingRecord}). OBC's "add 1·I if Cholesky fails" is the special case of an
 * absolute damping with one retry of a fixed size; here the retry grows geometrically so that badly scaled
 * matrices are also handled.
 *
 * @param absolute    absolute damping λ_abs ≥ 0
 * @param relative    relative damping p ≥ 0 (times mean(diag C))
 * @param growth      factor (&gt; 1) by which a failed λ is multiplied
 * @param maxAttempts total number of factorization attempts (1 = no retry)
 */
public record Damping(double absolute, double relative, double growth, int maxAttempts) {
    /** Default growth factor of the retry. */
    public static final double DEFAULT_GROWTH = 10;
    /** Default number of attempts (λ can grow by 10⁹ before giving up). */
    public static final int DEFAULT_ATTEMPTS = 10;

    public Damping {
        if (!(absolute >= 0) || !(relative >= 0) || Double.isInfinite(absolute) || Double.isInfinite(relative)) {
            throw new IllegalArgumentException("damping must be finite and >= 0, got absolute " + absolute
                    + ", relative " + relative);
        }
        if (!(growth > 1) || Double.isInfinite(growth)) {
            throw new IllegalArgumentException("damping growth factor must be > 1, got " + growth);
        }
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("at least one factorization attempt is needed, got " + maxAttempts);
        }
    }

    /** No damping (λ = 0), with the default retry if the matrix is not positive definite. */
    public static Damping none() {
        return new Damping(0, 0, DEFAULT_GROWTH, DEFAULT_ATTEMPTS);
    }

    /** λ = lambda (absolute), default retry. */
    public static Damping absolute(double lambda) {
        return new Damping(lambda, 0, DEFAULT_GROWTH, DEFAULT_ATTEMPTS);
    }

    /** λ = p·mean(diag C) (relative), default retry. */
    public static Damping relative(double p) {
        return new Damping(0, p, DEFAULT_GROWTH, DEFAULT_ATTEMPTS);
    }

    /** λ = absolute + relative·mean(diag C), default retry. */
    public static Damping of(double absolute, double relative) {
        return new Damping(absolute, relative, DEFAULT_GROWTH, DEFAULT_ATTEMPTS);
    }

    /** The same λ with another retry policy. */
    public Damping withRetry(double growthFactor, int attempts) {
        return new Damping(absolute, relative, growthFactor, attempts);
    }

    /** The same λ, failing at once if C + λI is not positive definite. */
    public Damping withoutRetry() {
        return new Damping(absolute, relative, growth, 1);
    }

    /** The requested λ for a matrix whose mean diagonal is {@code meanDiagonal}. */
    public double lambda(double meanDiagonal) {
        return absolute + relative * meanDiagonal;
    }

    /** The λ tried after λ failed, for a matrix with mean |diagonal| {@code meanAbsDiagonal}. */
    double next(double lambda, double meanAbsDiagonal) {
        if (lambda > 0) {
            return lambda * growth;
        }
        return meanAbsDiagonal > 0 ? 1e-8 * meanAbsDiagonal : 1e-8;
    }
}
