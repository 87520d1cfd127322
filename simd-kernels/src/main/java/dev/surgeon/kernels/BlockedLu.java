package dev.surgeon.kernels;

/**
 * LU factorization without pivoting by recursive halving (Toledo 1997, "Locality of reference in LU
 * decomposition with partial pivoting", SIAM J. Matrix Anal. Appl. 18(4), without the pivoting): with
 * A = [[A11, A12], [A21, A22]],
 *
 * <pre>
 *   L11·U11 = A11;   U12 = L11⁻¹·A12;   L21 = A21·U11⁻¹;   A22 ← A22 − L21·U12 (gemm);   recurse on A22
 * </pre>
 *
 * L is unit lower (strictly below the diagonal), U upper, as the scalar reference stores them. The base
 * case is the right-looking elimination with a vector {@code axpy} per row.
 */
final class BlockedLu {
    static final int BASE = 32;

    private BlockedLu() {
    }

    /**
     * Factors the n×n A in place.
     *
     * @param pivotBase index of A's first row in the matrix the caller sees, for the exception
     * @throws ZeroPivotException at the first zero or NaN pivot
     */
    static <A> void factor(PrecisionOps<A> o, int n, A a, int aOff, int lda, int pivotBase) {
        if (n <= BASE) {
            factorBase(o, n, a, aOff, lda, pivotBase);
            return;
        }
        int n1 = BlockedTriangular.split(n);
        int n2 = n - n1;
        int a12 = aOff + n1;
        int a21 = aOff + n1 * lda;
        int a22 = a21 + n1;
        factor(o, n1, a, aOff, lda, pivotBase);
        BlockedTriangular.left(o, true, false, true, n1, n2, a, aOff, lda, a, a12, lda);
        BlockedTriangular.right(o, false, false, false, n2, n1, a, aOff, lda, a, a21, lda);
        o.gemm(false, false, n2, n2, n1, -1, a, a21, lda, a, a12, lda, 1, a, a22, lda);
        factor(o, n2, a, a22, lda, pivotBase + n1);
    }

    private static <A> void factorBase(PrecisionOps<A> o, int n, A a, int aOff, int lda, int pivotBase) {
        for (int k = 0; k < n; k++) {
            int rk = aOff + k * lda;
            double piv = o.get(a, rk + k);
            if (piv == 0 || Double.isNaN(piv)) {
                throw new ZeroPivotException(pivotBase + k, piv);
            }
            for (int i = k + 1; i < n; i++) {
                int ri = aOff + i * lda;
                o.set(a, ri + k, o.get(a, ri + k) / piv);
                o.axpy(n - k - 1, -o.get(a, ri + k), a, rk + k + 1, a, ri + k + 1);
            }
        }
    }
}
