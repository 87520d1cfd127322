package dev.surgeon.kernels;

/**
 * Triangular solve ({@code trsm}), triangular multiply and triangular inverse by recursive halving, so
 * that almost all the work is done by the packed {@code gemm} (Elmroth, Gustavson, Jonsson &amp; Kågström
 * 2004, "Recursive blocked algorithms and hybrid data structures for dense matrix library software",
 * SIAM Review 46(1), §3). Splitting the triangle T = [[T11, 0], [T21, T22]] of {@code op(A)·X = B} gives
 *
 * <pre>
 *   X1 = T11⁻¹·B1,   B2 ← B2 − T21·X1 (gemm),   X2 = T22⁻¹·B2
 * </pre>
 *
 * and likewise for the upper and right-sided cases. Below {@value #BASE} rows the base case substitutes
 * row by row with vector {@code axpy}s over the rows of B. A right-sided base case {@code X·op(T) = B}
 * has one independent right-hand side per row of B but only ~32 unknowns in each: it is solved on groups
 * of rows at once, one vector per column of the group ({@link PrecisionOps#solveRowsSmall}).
 * Cost: (m²n or mn²) multiply-adds as in BLAS; the base cases do O(BASE/m) of them.
 *
 * <p>Rows are divided by a diagonal entry as a multiplication by its reciprocal (at most one extra
 * rounding against the scalar reference's division); a zero on a non-unit diagonal still yields inf/NaN,
 * as in BLAS.
 */
final class BlockedTriangular {
    /** Base-case order: small enough that the row-substitution work is a small share of the total. */
    static final int BASE = 32;

    private BlockedTriangular() {
    }

    /** Where recursion splits n: about half, rounded to a multiple of 16 so panels stay aligned. */
    static int split(int n) {
        int half = (n / 2 + 15) & ~15;
        return Math.min(half, n - 1);
    }

    /** Offset of op(A)[r][c] where A is stored at aOff with row stride lda. */
    private static int opAt(boolean transA, int aOff, int lda, int r, int c) {
        return transA ? aOff + c * lda + r : aOff + r * lda + c;
    }

    // ------------------------------------------------------------------------------------------------
    // trsm

    /** The full BLAS {@code trsm}: B ← alpha·B, then solve in place. Arguments already checked. */
    static <A> void trsm(PrecisionOps<A> o, Side side, Uplo uplo, Trans transA, Diag diag, int m, int n,
                         double alpha, A a, int aOff, int lda, A b, int bOff, int ldb) {
        for (int i = 0; i < m; i++) {
            o.scaleOrZero(n, alpha, b, bOff + i * ldb);
        }
        if (alpha == 0 || m == 0 || n == 0) {
            return;
        }
        boolean trans = transA == Trans.T;
        boolean opLower = (uplo == Uplo.LOWER) != trans;
        boolean unit = diag == Diag.UNIT;
        if (side == Side.LEFT) {
            left(o, opLower, trans, unit, m, n, a, aOff, lda, b, bOff, ldb);
        } else {
            right(o, opLower, trans, unit, m, n, a, aOff, lda, b, bOff, ldb);
        }
    }

    /** {@code op(A)·X = B} for the m×m triangle op(A) (lower when opLower), X overwriting the m×n B. */
    static <A> void left(PrecisionOps<A> o, boolean opLower, boolean trans, boolean unit, int m, int n,
                         A a, int aOff, int lda, A b, int bOff, int ldb) {
        if (n == 1) {
            solveVector(o, opLower, trans, unit, m, a, aOff, lda, b, bOff, ldb);
            return;
        }
        if (m <= BASE) {
            leftBase(o, opLower, trans, unit, m, n, a, aOff, lda, b, bOff, ldb);
            return;
        }
        int m1 = split(m);
        int m2 = m - m1;
        int a22 = aOff + m1 * lda + m1;
        int b2 = bOff + m1 * ldb;
        if (opLower) {
            left(o, true, trans, unit, m1, n, a, aOff, lda, b, bOff, ldb);
            o.gemm(trans, false, m2, n, m1, -1, a, opAt(trans, aOff, lda, m1, 0), lda, b, bOff, ldb, 1, b, b2, ldb);
            left(o, true, trans, unit, m2, n, a, a22, lda, b, b2, ldb);
        } else {
            left(o, false, trans, unit, m2, n, a, a22, lda, b, b2, ldb);
            o.gemm(trans, false, m1, n, m2, -1, a, opAt(trans, aOff, lda, 0, m1), lda, b, b2, ldb, 1, b, bOff, ldb);
            left(o, false, trans, unit, m1, n, a, aOff, lda, b, bOff, ldb);
        }
    }

    /** {@code X·op(A) = B} for the n×n triangle op(A), X overwriting the m×n B. */
    static <A> void right(PrecisionOps<A> o, boolean opLower, boolean trans, boolean unit, int m, int n,
                          A a, int aOff, int lda, A b, int bOff, int ldb) {
        if (n <= BASE) {
            rightBase(o, opLower, trans, unit, m, n, a, aOff, lda, b, bOff, ldb);
            return;
        }
        int n1 = split(n);
        int n2 = n - n1;
        int a22 = aOff + n1 * lda + n1;
        int b2 = bOff + n1;
        if (opLower) {
            // [X1 X2]·[[T11, 0], [T21, T22]] = [B1 B2]: X2 first, then B1 −= X2·T21.
            right(o, true, trans, unit, m, n2, a, a22, lda, b, b2, ldb);
            o.gemm(false, trans, m, n1, n2, -1, b, b2, ldb, a, opAt(trans, aOff, lda, n1, 0), lda, 1, b, bOff, ldb);
            right(o, true, trans, unit, m, n1, a, aOff, lda, b, bOff, ldb);
        } else {
            right(o, false, trans, unit, m, n1, a, aOff, lda, b, bOff, ldb);
            o.gemm(false, trans, m, n2, n1, -1, b, bOff, ldb, a, opAt(trans, aOff, lda, 0, n1), lda, 1, b, b2, ldb);
            right(o, false, trans, unit, m, n2, a, a22, lda, b, b2, ldb);
        }
    }

    /**
     * Row substitution for a small triangle: {@code X_i = (B_i − Σ_k op(A)[i][k]·X_k) / op(A)[i][i]},
     * each term an axpy over a row of B.
     */
    private static <A> void leftBase(PrecisionOps<A> o, boolean opLower, boolean trans, boolean unit, int m, int n,
                                     A a, int aOff, int lda, A b, int bOff, int ldb) {
        for (int t = 0; t < m; t++) {
            int i = opLower ? t : m - 1 - t;
            int bi = bOff + i * ldb;
            int kFrom = opLower ? 0 : i + 1;
            int kTo = opLower ? i : m;
            for (int k = kFrom; k < kTo; k++) {
                o.axpy(n, -o.get(a, opAt(trans, aOff, lda, i, k)), b, bOff + k * ldb, b, bi);
            }
            if (!unit) {
                o.scal(n, 1 / o.get(a, aOff + i * lda + i), b, bi);
            }
        }
    }

    /**
     * {@code X·op(A) = B} for a small n×n triangle: op(A) is written out once in elimination form (row j =
     * the multiples of x_j to subtract from the later entries of a solution row, see
     * {@link PrecisionOps#solveRowsSmall}), whatever the storage and transpose of A.
     */
    private static <A> void rightBase(PrecisionOps<A> o, boolean opLower, boolean trans, boolean unit, int m, int n,
                                      A a, int aOff, int lda, A b, int bOff, int ldb) {
        PackingBuffers.Lease lease = PackingBuffers.acquire(PackingBuffers.Slot.SCRATCH);
        try {
            A e = o.scratch(lease, n * n + n);
            o.scaleOrZero(n * n, 0, e, 0);
            for (int j = 0; j < n; j++) {
                int from = opLower ? 0 : j + 1;
                int to = opLower ? j : n;
                for (int c = from; c < to; c++) {
                    o.set(e, j * n + c, o.get(a, opAt(trans, aOff, lda, j, c)));
                }
                o.set(e, n * n + j, unit ? 1 : 1 / o.get(a, aOff + j * lda + j));
            }
            o.solveRowsSmall(!opLower, m, n, e, b, bOff, ldb, lease);
        } finally {
            lease.release();
        }
    }

    /**
     * One right-hand side (a column of B with stride ldb): the triangular solve as dots with contiguous
     * rows of A (when op(A) = A) or axpys along them (when op(A) = Aᵀ), on a contiguous copy of the column.
     */
    private static <A> void solveVector(PrecisionOps<A> o, boolean opLower, boolean trans, boolean unit, int m,
                                        A a, int aOff, int lda, A b, int bOff, int ldb) {
        PackingBuffers.Lease lease = ldb == 1 ? null : PackingBuffers.acquire(PackingBuffers.Slot.SCRATCH);
        try {
            A x = b;
            int xOff = bOff;
            if (lease != null) {
                x = o.scratch(lease, m);
                xOff = 0;
                for (int i = 0; i < m; i++) {
                    o.set(x, i, o.get(b, bOff + i * ldb));
                }
            }
            for (int t = 0; t < m; t++) {
                int i = opLower ? t : m - 1 - t;
                int row = aOff + i * lda;
                if (!trans) {
                    // x_i = (b_i − A[i, range]·x[range]) / A_ii with the range left (lower) or right (upper) of i.
                    int from = opLower ? 0 : i + 1;
                    int len = opLower ? i : m - i - 1;
                    double s = o.get(x, xOff + i) - o.dot(len, a, row + from, x, xOff + from);
                    o.set(x, xOff + i, unit ? s : s / o.get(a, row + i));
                } else {
                    // op(A) = Aᵀ: x_i is final here; eliminate it from the rest with row i of A.
                    double xi = o.get(x, xOff + i);
                    if (!unit) {
                        xi /= o.get(a, row + i);
                        o.set(x, xOff + i, xi);
                        xi = o.get(x, xOff + i);
                    }
                    if (opLower) {
                        o.axpy(m - i - 1, -xi, a, row + i + 1, x, xOff + i + 1);
                    } else {
                        o.axpy(i, -xi, a, row, x, xOff);
                    }
                }
            }
            if (lease != null) {
                for (int i = 0; i < m; i++) {
                    o.set(b, bOff + i * ldb, o.get(x, i));
                }
            }
        } finally {
            if (lease != null) {
                lease.release();
            }
        }
    }

    // ------------------------------------------------------------------------------------------------
    // Triangular multiply (the two forms the Cholesky inverse needs)

    /** {@code B ← Lᵀ·B} for the m×m lower triangle L and the m×n B. */
    static <A> void lowerTransposeTimes(PrecisionOps<A> o, int m, int n, A l, int lOff, int ldl,
                                        A b, int bOff, int ldb) {
        if (m <= BASE) {
            // Row i of the result is Σ_{k≥i} L[k][i]·B_k: ascending i reads only rows not yet replaced.
            for (int i = 0; i < m; i++) {
                int bi = bOff + i * ldb;
                o.scal(n, o.get(l, lOff + i * ldl + i), b, bi);
                for (int k = i + 1; k < m; k++) {
                    o.axpy(n, o.get(l, lOff + k * ldl + i), b, bOff + k * ldb, b, bi);
                }
            }
            return;
        }
        int m1 = split(m);
        int m2 = m - m1;
        int b2 = bOff + m1 * ldb;
        // [[L11ᵀ, L21ᵀ], [0, L22ᵀ]]·[B1; B2] = [L11ᵀB1 + L21ᵀB2; L22ᵀB2]
        lowerTransposeTimes(o, m1, n, l, lOff, ldl, b, bOff, ldb);
        o.gemm(true, false, m1, n, m2, 1, l, lOff + m1 * ldl, ldl, b, b2, ldb, 1, b, bOff, ldb);
        lowerTransposeTimes(o, m2, n, l, lOff + m1 * ldl + m1, ldl, b, b2, ldb);
    }

    /** {@code B ← B·Uᵀ} for the n×n upper triangle U and the m×n B. */
    static <A> void timesUpperTranspose(PrecisionOps<A> o, int m, int n, A u, int uOff, int ldu,
                                        A b, int bOff, int ldb) {
        if (n <= BASE) {
            // Entry j of a result row is Σ_{k≥j} x_k·U[j][k]: ascending j reads only entries not yet replaced.
            for (int r = 0; r < m; r++) {
                int row = bOff + r * ldb;
                for (int j = 0; j < n; j++) {
                    o.set(b, row + j, o.dot(n - j, b, row + j, u, uOff + j * ldu + j));
                }
            }
            return;
        }
        int n1 = split(n);
        int n2 = n - n1;
        int b2 = bOff + n1;
        // [B1 B2]·[[U11ᵀ, 0], [U12ᵀ, U22ᵀ]] = [B1U11ᵀ + B2U12ᵀ, B2U22ᵀ]
        timesUpperTranspose(o, m, n1, u, uOff, ldu, b, bOff, ldb);
        o.gemm(false, true, m, n1, n2, 1, b, b2, ldb, u, uOff + n1, ldu, 1, b, bOff, ldb);
        timesUpperTranspose(o, m, n2, u, uOff + n1 * ldu + n1, ldu, b, b2, ldb);
    }

    // ------------------------------------------------------------------------------------------------
    // Triangular inverse

    /** The {@code uplo} triangle of the n×n A (non-unit) is replaced by its inverse. */
    static <A> void invert(PrecisionOps<A> o, Uplo uplo, int n, A a, int aOff, int lda) {
        if (n <= BASE) {
            invertBase(o, uplo, n, a, aOff, lda);
            return;
        }
        int n1 = split(n);
        int n2 = n - n1;
        int a22 = aOff + n1 * lda + n1;
        if (uplo == Uplo.LOWER) {
            // L⁻¹ = [[L11⁻¹, 0], [−L22⁻¹·L21·L11⁻¹, L22⁻¹]]: the off-diagonal block from the factors.
            int a21 = aOff + n1 * lda;
            right(o, true, false, false, n2, n1, a, aOff, lda, a, a21, lda);
            negate(o, n2, n1, a, a21, lda);
            left(o, true, false, false, n2, n1, a, a22, lda, a, a21, lda);
        } else {
            // U⁻¹ = [[U11⁻¹, −U11⁻¹·U12·U22⁻¹], [0, U22⁻¹]]
            int a12 = aOff + n1;
            left(o, false, false, false, n1, n2, a, aOff, lda, a, a12, lda);
            negate(o, n1, n2, a, a12, lda);
            right(o, false, false, false, n1, n2, a, a22, lda, a, a12, lda);
        }
        invert(o, uplo, n1, a, aOff, lda);
        invert(o, uplo, n2, a, a22, lda);
    }

    private static <A> void negate(PrecisionOps<A> o, int rows, int cols, A a, int aOff, int lda) {
        for (int i = 0; i < rows; i++) {
            o.scal(cols, -1, a, aOff + i * lda);
        }
    }

    /**
     * Small triangular inverse, row by row: for lower L, row i of M = L⁻¹ is
     * {@code −(1/L_ii)·Σ_{p<i} L[i][p]·M_p} (rows of M above i are final), accumulated in scratch because
     * row i of L is still being read; upper runs the mirror image from the bottom row up.
     */
    private static <A> void invertBase(PrecisionOps<A> o, Uplo uplo, int n, A a, int aOff, int lda) {
        PackingBuffers.Lease lease = PackingBuffers.acquire(PackingBuffers.Slot.SCRATCH);
        try {
            A t = o.scratch(lease, n);
            for (int s = 0; s < n; s++) {
                int i = uplo == Uplo.LOWER ? s : n - 1 - s;
                int row = aOff + i * lda;
                int from = uplo == Uplo.LOWER ? 0 : i + 1;
                int len = uplo == Uplo.LOWER ? i : n - i - 1;
                o.scaleOrZero(len, 0, t, 0);
                for (int p = from; p < from + len; p++) {
                    // Row p of M is nonzero on [0, p] (lower) or [p, n) (upper).
                    int pFrom = uplo == Uplo.LOWER ? 0 : p;
                    int pLen = uplo == Uplo.LOWER ? p + 1 : n - p;
                    o.axpy(pLen, o.get(a, row + p), a, aOff + p * lda + pFrom, t, pFrom - from);
                }
                double inv = 1 / o.get(a, row + i);
                o.set(a, row + i, inv);
                for (int j = 0; j < len; j++) {
                    o.set(a, row + from + j, -inv * o.get(t, j));
                }
            }
        } finally {
            lease.release();
        }
    }
}
