package dev.surgeon.kernels;

/**
 * Cholesky ({@code potrf}) found a non-positive (or NaN) pivot: the matrix is not numerically symmetric
 * positive definite. The usual remedy for a curvature matrix is to add more damping {@code λI} and retry.
 */
public final class NotPositiveDefiniteException extends FactorizationException {
    private static final long serialVersionUID = 1L;

    public NotPositiveDefiniteException(int pivot, double pivotValue) {
        super("matrix is not positive definite: Cholesky pivot " + pivot + " is " + pivotValue
                + " (add damping, e.g. λ·I with λ ≈ 1e-4·mean(diag), and retry)", pivot, pivotValue);
    }
}
