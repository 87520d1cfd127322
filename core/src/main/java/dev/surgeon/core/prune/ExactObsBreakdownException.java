package dev.surgeon.core.prune;

/**
 * The running inverse Hessian of an ExactOBS/OBQ row (or SparseGPT's Cholesky factor) lost positive
 * definiteness: a pivot [H⁻¹]_pp was not positive. The layer-wise Hessian is too ill-conditioned for the
 * arithmetic; the message names the coordinate and the fix (damping, more calibration samples).
 */
public final class ExactObsBreakdownException extends ArithmeticException {
    private static final long serialVersionUID = 1L;

    public ExactObsBreakdownException(String message) {
        super(message);
    }
}
