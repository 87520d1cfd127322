package dev.surgeon.core.curvature;

/**
 * A damped curvature matrix stayed non positive definite after every retry of {@link DampedCholesky} (or has
 * non-finite entries). The message names the block, the largest λ tried and the fix.
 */
public final class CurvatureNotPositiveDefiniteException extends ArithmeticException {
    private static final long serialVersionUID = 1L;

    private final String block;
    private final double lastLambda;

    CurvatureNotPositiveDefiniteException(String message, String block, double lastLambda) {
        super(message);
        this.block = block;
        this.lastLambda = lastLambda;
    }

    /** The block or layer that failed. */
    public String block() {
        return block;
    }

    /** The largest damping tried. */
    public double lastLambda() {
        return lastLambda;
    }
}
