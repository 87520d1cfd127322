package dev.surgeon.core.curvature;

/**
 * What a {@link CurvatureOperator} can compute. An operator declares its capabilities in
 * {@link CurvatureOperator#capabilities()}; calling an operation it does not declare throws
 * {@link UnsupportedOperationException} naming the operator and what to use instead. docs/FEATURES.md is
 * checked against these declarations by a test.
 */
public enum Capability {
    /** {@code out = C v}. */
    MULTIPLY("multiply", "every operator supports it"),
    /** {@code out = C⁻¹ v}. */
    INVERSE_MULTIPLY("inverseMultiply",
            "build an invertible approximation instead: Curvature.fisher/denseHessian/denseGaussNewton (small d), "
                    + "blockDiagonal, kfac, mfac or a diagonal operator"),
    /** {@code diag(C)}. */
    DIAGONAL("diagonal", "use Curvature.diagonal (Fisher or exact Gauss-Newton), beckerLeCunDiagonal or "
            + "hutchinsonDiagonal (Rademacher probes of this operator's products)"),
    /** {@code diag(C⁻¹)}. */
    INVERSE_DIAGONAL("inverseDiagonal", "use an operator that declares INVERSE_DIAGONAL (dense, block-diagonal, "
            + "K-FAC, M-FAC, diagonal)"),
    /** The dense d × d matrix (small d only). */
    DENSE("toDense", "multiply the unit vectors yourself, or use a structured operator");

    private final String method;
    private final String instead;

    Capability(String method, String instead) {
        this.method = method;
        this.instead = instead;
    }

    /** The {@link CurvatureOperator} method this capability stands for. */
    public String method() {
        return method;
    }

    /** The exception an operator throws when asked for this capability it lacks. */
    public UnsupportedOperationException unsupportedBy(CurvatureOperator op, String instead) {
        return new UnsupportedOperationException(op.name() + " does not support " + method + "(): "
                + (instead == null ? this.instead : instead));
    }

    /** The same, with the generic advice for this capability. */
    public UnsupportedOperationException unsupportedBy(CurvatureOperator op) {
        return unsupportedBy(op, null);
    }
}
