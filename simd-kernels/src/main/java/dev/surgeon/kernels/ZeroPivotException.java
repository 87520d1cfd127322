package dev.surgeon.kernels;

/** LU factorization without pivoting ({@code getrfNoPivot}) met a zero (or NaN) pivot. */
public final class ZeroPivotException extends FactorizationException {
    private static final long serialVersionUID = 1L;

    public ZeroPivotException(int pivot, double pivotValue) {
        super("LU without pivoting met a zero pivot at " + pivot + " (value " + pivotValue
                + "); the matrix is singular or needs pivoting", pivot, pivotValue);
    }
}
