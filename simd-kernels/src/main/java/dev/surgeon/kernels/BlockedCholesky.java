package dev.surgeon.kernels;

/**
 * Cholesky factorization, inverse and solve by recursive halving (Gustavson 1997, "Recursion leads to
 * automatic variable blocking for dense linear-algebra algorithms", IBM J. Res. Dev. 41(6); Elmroth et
 * al. 2004, SIAM Review 46(1)). For the lower factor, A = [[A11, ·], [A21, A22]]:
 *
 * <pre>
 *   L11 = chol(A11);   L21 = A21·L11⁻ᵀ (trsm);   A22 ← A22 − L21·L21ᵀ (syrk);   L22 = chol(A22)
 * </pre>
 *
 * so that all but O(n·BASE²) of the n³/3 multiply-adds run in the packed, threaded {@code syrk} and
 * {@code gemm}. The upper factor (A = UᵀU, U = Lᵀ) runs the transposed steps. The inverse from the factor
 * is LAPACK's {@code potri}: the triangle is inverted in place ({@link BlockedTriangular#invert}) and
 * then multiplied by its own transpose ({@code lauum}: A⁻¹ = L⁻ᵀ·L⁻¹ = U⁻¹·U⁻ᵀ), again recursively with
 * {@code syrk} and a triangular multiply for the off-diagonal block.
 */
final class BlockedCholesky {
    /** Order below which the factorization is unblocked: n·BASE² work against n³/3 in total. */
    static final int BASE = 32;

    private BlockedCholesky() {
    }

    /**
     * Factors the {@code uplo} triangle of the n×n A in place.
     *
     * @param pivotBase index of A's first row in the matrix the caller sees, for the exception
     * @throws NotPositiveDefiniteException at the first pivot that is not positive (or NaN)
     */
    static <A> void factor(PrecisionOps<A> o, Uplo uplo, int n, A a, int aOff, int lda, int pivotBase) {
        if (n <= BASE) {
            if (uplo == Uplo.LOWER) {
                factorLowerBase(o, n, a, aOff, lda, pivotBase);
            } else {
                factorUpperBase(o, n, a, aOff, lda, pivotBase);
            }
            return;
        }
        int n1 = BlockedTriangular.split(n);
        int n2 = n - n1;
        int a22 = aOff + n1 * lda + n1;
        factor(o, uplo, n1, a, aOff, lda, pivotBase);
        if (uplo == Uplo.LOWER) {
            int a21 = aOff + n1 * lda;
            BlockedTriangular.right(o, false, true, false, n2, n1, a, aOff, lda, a, a21, lda); // X·L11ᵀ = A21
            o.syrk(Uplo.LOWER, false, n2, n1, -1, a, a21, lda, 1, a, a22, lda);
        } else {
            int a12 = aOff + n1;
            BlockedTriangular.left(o, true, true, false, n1, n2, a, aOff, lda, a, a12, lda); // U11ᵀ·X = A12
            o.syrk(Uplo.UPPER, true, n2, n1, -1, a, a12, lda, 1, a, a22, lda);
        }
        factor(o, uplo, n2, a, a22, lda, pivotBase + n1);
    }

    /** Left-looking on the rows of L: every inner product runs along two contiguous rows. */
    private static <A> void factorLowerBase(PrecisionOps<A> o, int n, A a, int aOff, int lda, int pivotBase) {
        for (int j = 0; j < n; j++) {
            int rj = aOff + j * lda;
            double d = o.get(a, rj + j) - o.dot(j, a, rj, a, rj);
            if (!(d > 0)) {
                throw new NotPositiveDefiniteException(pivotBase + j, d);
            }
            double ljj = Math.sqrt(d);
            o.set(a, rj + j, ljj);
            for (int i = j + 1; i < n; i++) {
                int ri = aOff + i * lda;
                o.set(a, ri + j, (o.get(a, ri + j) - o.dot(j, a, ri, a, rj)) / ljj);
            }
        }
    }

    /** Right-looking on the rows of U: row j is scaled, then subtracted from the trailing rows. */
    private static <A> void factorUpperBase(PrecisionOps<A> o, int n, A a, int aOff, int lda, int pivotBase) {
        for (int j = 0; j < n; j++) {
            int rj = aOff + j * lda;
            double d = o.get(a, rj + j);
            if (!(d > 0)) {
                throw new NotPositiveDefiniteException(pivotBase + j, d);
            }
            double ujj = Math.sqrt(d);
            o.set(a, rj + j, ujj);
            o.scal(n - j - 1, 1 / ujj, a, rj + j + 1);
            for (int i = j + 1; i < n; i++) {
                o.axpy(n - i, -o.get(a, rj + i), a, rj + i, a, aOff + i * lda + i);
            }
        }
    }

    /** The {@code uplo} triangle of the factor from {@link #factor} is replaced by that triangle of A⁻¹. */
    static <A> void invert(PrecisionOps<A> o, Uplo uplo, int n, A a, int aOff, int lda) {
        BlockedTriangular.invert(o, uplo, n, a, aOff, lda);
        productWithTranspose(o, uplo, n, a, aOff, lda);
    }

    /**
     * LAPACK's {@code lauum}: the lower triangle M becomes the lower triangle of Mᵀ·M, or the upper
     * triangle N becomes the upper triangle of N·Nᵀ. With M = [[M11, 0], [M21, M22]]:
     * (MᵀM)11 = M11ᵀM11 + M21ᵀM21, (MᵀM)21 = M22ᵀM21, (MᵀM)22 = M22ᵀM22.
     */
    static <A> void productWithTranspose(PrecisionOps<A> o, Uplo uplo, int n, A a, int aOff, int lda) {
        if (n <= BASE) {
            productWithTransposeBase(o, uplo, n, a, aOff, lda);
            return;
        }
        int n1 = BlockedTriangular.split(n);
        int n2 = n - n1;
        int a22 = aOff + n1 * lda + n1;
        productWithTranspose(o, uplo, n1, a, aOff, lda);
        if (uplo == Uplo.LOWER) {
            int a21 = aOff + n1 * lda;
            o.syrk(Uplo.LOWER, true, n1, n2, 1, a, a21, lda, 1, a, aOff, lda);
            BlockedTriangular.lowerTransposeTimes(o, n2, n1, a, a22, lda, a, a21, lda);
        } else {
            int a12 = aOff + n1;
            o.syrk(Uplo.UPPER, false, n1, n2, 1, a, a12, lda, 1, a, aOff, lda);
            BlockedTriangular.timesUpperTranspose(o, n1, n2, a, a22, lda, a, a12, lda);
        }
        productWithTranspose(o, uplo, n2, a, a22, lda);
    }

    /**
     * Row i of the result needs rows ≥ i of the input only, so rows are replaced in ascending order, each
     * built in scratch first because its own input row is read while it is formed.
     */
    private static <A> void productWithTransposeBase(PrecisionOps<A> o, Uplo uplo, int n, A a, int aOff, int lda) {
        PackingBuffers.Lease lease = PackingBuffers.acquire(PackingBuffers.Slot.SCRATCH);
        try {
            A t = o.scratch(lease, n);
            for (int i = 0; i < n; i++) {
                int ri = aOff + i * lda;
                if (uplo == Uplo.LOWER) {
                    // (MᵀM)[i][0..i] = Σ_{p≥i} M[p][i]·M[p][0..i]
                    o.scaleOrZero(i + 1, 0, t, 0);
                    for (int p = i; p < n; p++) {
                        int rp = aOff + p * lda;
                        o.axpy(i + 1, o.get(a, rp + i), a, rp, t, 0);
                    }
                    for (int j = 0; j <= i; j++) {
                        o.set(a, ri + j, o.get(t, j));
                    }
                } else {
                    // (NNᵀ)[i][j] = Σ_{p≥j} N[i][p]·N[j][p] for j ≥ i
                    for (int j = i; j < n; j++) {
                        o.set(t, j - i, o.dot(n - j, a, ri + j, a, aOff + j * lda + j));
                    }
                    for (int j = i; j < n; j++) {
                        o.set(a, ri + j, o.get(t, j - i));
                    }
                }
            }
        } finally {
            lease.release();
        }
    }

    /** Solves A·X = B in place of the n×nrhs B from the factor: two triangular solves, as LAPACK's potrs. */
    static <A> void solve(PrecisionOps<A> o, Uplo uplo, int n, int nrhs, A a, int aOff, int lda,
                          A b, int bOff, int ldb) {
        if (n == 0 || nrhs == 0) {
            return;
        }
        if (uplo == Uplo.LOWER) {
            BlockedTriangular.left(o, true, false, false, n, nrhs, a, aOff, lda, b, bOff, ldb);  // L·Y = B
            BlockedTriangular.left(o, false, true, false, n, nrhs, a, aOff, lda, b, bOff, ldb);  // Lᵀ·X = Y
        } else {
            BlockedTriangular.left(o, true, true, false, n, nrhs, a, aOff, lda, b, bOff, ldb);   // Uᵀ·Y = B
            BlockedTriangular.left(o, false, false, false, n, nrhs, a, aOff, lda, b, bOff, ldb); // U·X = Y
        }
    }
}
