package dev.surgeon.kernels;

/**
 * A matrix factorization met a pivot it cannot use. {@link #pivot()} is the 0-based index of the failing
 * row/column; {@link #pivotValue()} is the value found there (may be NaN). Callers typically retry with
 * more damping: see {@link NotPositiveDefiniteException}.
 */
public class FactorizationException extends ArithmeticException {
    private static final long serialVersionUID = 1L;
    private final int pivot;
    private final double pivotValue;

    public FactorizationException(String message, int pivot, double pivotValue) {
        super(message);
        this.pivot = pivot;
        this.pivotValue = pivotValue;
    }

    /** 0-based index of the pivot that failed. */
    public int pivot() {
        return pivot;
    }

    /** The value found on the diagonal at {@link #pivot()} when the factorization stopped. */
    public double pivotValue() {
        return pivotValue;
    }
}
