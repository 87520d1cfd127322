package dev.surgeon.blas;

import dev.surgeon.kernels.NotPositiveDefiniteException;
import dev.surgeon.kernels.Uplo;
import java.lang.foreign.MemorySegment;

/**
 * Cholesky ({@code potrf}, {@code potri}, {@code potrs}), the symmetric eigendecomposition and LU without
 * pivoting, on LAPACK and level-3 BLAS, critical on the caller's arrays or on one off-heap copy for the
 * whole factorization.
 *
 * <p>LAPACK is column-major. A row-major n×n array read column-major is the transpose, so the row-major
 * {@code uplo} triangle of a symmetric matrix is the column-major opposite triangle of the same matrix:
 * LAPACK is called with the opposite {@code uplo} and no data is moved (the row-major LAPACKE path would
 * transpose in and out, ~1.5× slower). The Cholesky factor comes back in the same triangle: column-major
 * {@code A = UᵀU} with U upper is row-major {@code A = L·Lᵀ} with L = Uᵀ lower, as the SPI wants.
 *
 * <p>There is no LAPACK routine for LU without pivoting ({@code ?getrf} pivots, and its factors are not
 * the ones M-FAC needs), so {@link #getrfNoPivot} is the recursive formulation of Toledo (1997, "Locality
 * of reference in LU decomposition with partial pivoting", without the pivoting): factor the leading half,
 * two triangular solves for the off-diagonal blocks, one gemm for the Schur complement, recurse on it. Nearly
 * all of the 2n³/3 flops are in large trsm and gemm calls.
 */
final class Factorizations {
    /** Blocks of at most this order are factorized by the unblocked Java loop. */
    static final int LU_LEAF = 16;

    private Factorizations() {
    }

    /**
     * Cholesky in place of the {@code uplo} triangle; n ≥ 1. The first failing pivot is reported as the SPI
     * says: LAPACK's {@code info} for a non-positive pivot (whose value LAPACK leaves on the diagonal), or the
     * first NaN on the diagonal, because OpenBLAS's {@code ?potrf} only tests {@code ajj <= 0} and runs on
     * through a NaN pivot with {@code info = 0}.
     */
    static void potrf(Precision p, int threads, CallPolicy.Route route, Uplo uplo, int n,
                      MemorySegment a, long aOff, int lda) {
        int info = cholesky(p, threads, route, false, uplo, n, a, aOff, lda);
        int nan = SegmentOps.firstNaNOnDiagonal(p, info > 0 ? info - 1 : n, a, aOff, lda);
        if (nan >= 0) {
            throw new NotPositiveDefiniteException(nan, Double.NaN);
        }
        if (info > 0) {
            throw new NotPositiveDefiniteException(info - 1, p.get(a, aOff + (long) (info - 1) * (lda + 1)));
        }
    }

    /** Inverse from the Cholesky factor; n ≥ 1 and the factor's diagonal has no zero (checked by the caller). */
    static void potri(Precision p, int threads, CallPolicy.Route route, Uplo uplo, int n,
                      MemorySegment a, long aOff, int lda) {
        int info = cholesky(p, threads, route, true, uplo, n, a, aOff, lda);
        if (info > 0) {
            throw new IllegalStateException("?potri found a zero on the diagonal of the factor at " + (info - 1)
                    + " after the bridge had checked there was none");
        }
    }

    /** {@code ?potrf} or ({@code inverse}) {@code ?potri} on the caller's array or an off-heap copy; returns info ≥ 0. */
    private static int cholesky(Precision p, int threads, CallPolicy.Route route, boolean inverse, Uplo uplo, int n,
                                MemorySegment a, long aOff, int lda) {
        int info;
        NativeThreads.enter(threads);
        try (OffHeap.Frame f = OffHeap.frame(OffHeap.ARGS_BYTES + copyBytes(p, route, n, n))) {
            LapackArgs args = f.lapackArgs();
            if (route == CallPolicy.Route.CRITICAL) {
                info = NativeBlas.cholesky(p, true, inverse, args, columnMajor(uplo), n, p.from(a, aOff), lda);
            } else {
                OffHeap.countCopiedCall();
                MemorySegment na = OffHeap.copyIn(f, p, a, aOff, n, n, lda);
                info = NativeBlas.cholesky(p, false, inverse, args, columnMajor(uplo), n, na, n);
                OffHeap.copyOutTriangle(p, uplo, na, n, a, aOff, lda);
            }
        } finally {
            NativeThreads.exit();
        }
        checkArguments(inverse ? "potri" : "potrf", info);
        return info;
    }

    /**
     * Solves {@code A·X = B} from the Cholesky factor by two triangular solves, exactly what LAPACK's
     * {@code ?potrs} does; done through row-major CBLAS because a row-major n×nrhs B is, column-major, the
     * nrhs×n Bᵀ, which {@code ?potrs} (left-sided only) cannot take without a transposed copy. n, nrhs ≥ 1.
     */
    static void potrs(Precision p, int threads, CallPolicy.Route route, Uplo uplo, int n, int nrhs,
                      MemorySegment a, long aOff, int lda, MemorySegment b, long bOff, int ldb) {
        NativeThreads.enter(threads);
        try {
            if (route == CallPolicy.Route.CRITICAL) {
                solveWithFactor(p, true, uplo, n, nrhs, p.from(a, aOff), lda, p.from(b, bOff), ldb);
                return;
            }
            OffHeap.countCopiedCall();
            try (OffHeap.Frame f = OffHeap.frame(OffHeap.bytes(p, n, n) + OffHeap.bytes(p, n, nrhs))) {
                MemorySegment na = OffHeap.copyIn(f, p, a, aOff, n, n, lda);
                MemorySegment nb = OffHeap.copyIn(f, p, b, bOff, n, nrhs, ldb);
                solveWithFactor(p, false, uplo, n, nrhs, na, n, nb, nrhs);
                OffHeap.copyOut(p, nb, n, nrhs, b, bOff, ldb);
            }
        } finally {
            NativeThreads.exit();
        }
    }

    private static void solveWithFactor(Precision p, boolean critical, Uplo uplo, int n, int nrhs,
                                        MemorySegment a, int lda, MemorySegment b, int ldb) {
        int u = MatrixVector.cblasUplo(uplo);
        // LOWER: L·(Lᵀ·X) = B; UPPER: Uᵀ·(U·X) = B.
        int first = uplo == Uplo.LOWER ? NativeBlas.NO_TRANS : NativeBlas.TRANS;
        int second = uplo == Uplo.LOWER ? NativeBlas.TRANS : NativeBlas.NO_TRANS;
        NativeBlas.trsm(p, critical, NativeBlas.LEFT, u, first, NativeBlas.NON_UNIT, n, nrhs, 1, a, lda, b, ldb);
        NativeBlas.trsm(p, critical, NativeBlas.LEFT, u, second, NativeBlas.NON_UNIT, n, nrhs, 1, a, lda, b, ldb);
    }

    /**
     * Symmetric eigendecomposition with {@code ?syevd} (divide and conquer); n ≥ 1. LAPACK leaves eigenvector
     * j in column j of the column-major result, which is row j of our row-major array, so the array is
     * transposed in place afterwards (O(n²) against O(n³)). The referenced triangle is scanned first (O(n²)):
     * a NaN or an infinity yields all-NaN output, as the SPI says (the eigendecomposition is undefined), without
     * handing either to LAPACK, whose scaling by the matrix norm would turn them into a convergence failure
     * or garbage.
     */
    static void syev(Precision p, int threads, CallPolicy.Route route, Uplo uplo, int n,
                     MemorySegment a, long aOff, int lda, MemorySegment w, long wOff) {
        switch (SegmentOps.nonFiniteInTriangle(p, uplo, n, a, aOff, lda)) {
            case NAN, INFINITY -> {
                SegmentOps.fillNaN(p, n, n, a, aOff, lda);
                SegmentOps.fillNaN(p, 1, n, w, wOff, n);
                return;
            }
            case NONE -> {
            }
        }
        long lwork = LapackArgs.syevdWork(n);
        long liwork = LapackArgs.syevdIwork(n);
        if (lwork > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("syev: n = " + n + " needs a LAPACK workspace of " + lwork
                    + " elements, beyond the 32-bit LAPACK interface of OpenBLAS (n <= 32767)");
        }
        long capacity = OffHeap.ARGS_BYTES + OffHeap.bytes(p, lwork) + OffHeap.bytes(Precision.FLOAT, liwork)
                + copyBytes(p, route, n, n) + copyBytes(p, route, 1, n);
        int info;
        NativeThreads.enter(threads);
        try (OffHeap.Frame f = OffHeap.frame(capacity)) {
            LapackArgs args = f.lapackArgs();
            MemorySegment work = f.allocate(OffHeap.bytes(p, lwork));
            MemorySegment iwork = f.allocate(OffHeap.bytes(Precision.FLOAT, liwork)); // 4-byte Fortran integers
            if (route == CallPolicy.Route.CRITICAL) {
                info = NativeBlas.syevd(p, true, args, columnMajor(uplo), n, p.from(a, aOff), lda, p.from(w, wOff),
                        work, iwork);
            } else {
                OffHeap.countCopiedCall();
                MemorySegment na = OffHeap.copyIn(f, p, a, aOff, n, n, lda);
                MemorySegment nw = OffHeap.allocate(f, p, 1, n);
                info = NativeBlas.syevd(p, false, args, columnMajor(uplo), n, na, n, nw, work, iwork);
                OffHeap.copyOut(p, na, n, n, a, aOff, lda);
                OffHeap.copyOut(p, nw, 1, n, w, wOff, n);
            }
        } finally {
            NativeThreads.exit();
        }
        checkArguments("syevd", info);
        if (info > 0) {
            throw new ArithmeticException("?syevd failed to converge (info = " + info + ") on a finite "
                    + n + "×" + n + " matrix");
        }
        SegmentOps.transpose(p, n, a, aOff, lda);
    }

    /** LU without pivoting in place; n ≥ 1. Throws {@link dev.surgeon.kernels.ZeroPivotException} at the first zero or NaN pivot. */
    static void getrfNoPivot(Precision p, int threads, CallPolicy.Route route, int n, MemorySegment a, long aOff, int lda) {
        NativeThreads.enter(threads);
        try {
            if (route == CallPolicy.Route.CRITICAL) {
                lu(p, true, n, a, aOff, lda, 0);
                return;
            }
            OffHeap.countCopiedCall();
            try (OffHeap.Frame f = OffHeap.frame(OffHeap.bytes(p, n, n))) {
                MemorySegment na = OffHeap.copyIn(f, p, a, aOff, n, n, lda);
                try {
                    lu(p, false, n, na, 0, n, 0);
                } finally {
                    // On a zero pivot the matrix is partially factorized, as in the reference: copy that back too.
                    OffHeap.copyOut(p, na, n, n, a, aOff, lda);
                }
            }
        } finally {
            NativeThreads.exit();
        }
    }

    /**
     * Recursive LU of the n×n block at element {@code off}:
     * <pre>
     *   [A11 A12]   [L11    ] [U11 U12]      A11 = L11·U11 (recursively)
     *   [A21 A22] = [L21 L22]·[    U22],     U12 = L11⁻¹·A12,  L21 = A21·U11⁻¹,
     *                                        A22 − L21·U12 = L22·U22 (recursively)
     * </pre>
     * Pivots are met in order (the leading block is finished before the trailing one), so the first zero
     * pivot reported is the same as the unblocked algorithm's.
     */
    private static void lu(Precision p, boolean critical, int n, MemorySegment a, long off, int ld, int pivotBase) {
        if (n <= LU_LEAF) {
            SegmentOps.luLeaf(p, n, a, off, ld, pivotBase);
            return;
        }
        int n1 = n / 2;
        int n2 = n - n1;
        lu(p, critical, n1, a, off, ld, pivotBase);
        MemorySegment a11 = p.from(a, off);
        MemorySegment a12 = p.from(a, off + n1);
        MemorySegment a21 = p.from(a, off + (long) n1 * ld);
        MemorySegment a22 = p.from(a, off + (long) n1 * ld + n1);
        NativeBlas.trsm(p, critical, NativeBlas.LEFT, NativeBlas.LOWER, NativeBlas.NO_TRANS, NativeBlas.UNIT,
                n1, n2, 1, a11, ld, a12, ld);
        NativeBlas.trsm(p, critical, NativeBlas.RIGHT, NativeBlas.UPPER, NativeBlas.NO_TRANS, NativeBlas.NON_UNIT,
                n2, n1, 1, a11, ld, a21, ld);
        NativeBlas.gemm(p, critical, NativeBlas.NO_TRANS, NativeBlas.NO_TRANS, n2, n2, n1, -1, a21, ld, a12, ld,
                1, a22, ld);
        lu(p, critical, n2, a, off + (long) n1 * ld + n1, ld, pivotBase + n1);
    }

    /** The column-major LAPACK {@code uplo} naming the same stored triangle as the row-major one. */
    private static char columnMajor(Uplo uplo) {
        return uplo == Uplo.LOWER ? 'U' : 'L';
    }

    private static long copyBytes(Precision p, CallPolicy.Route route, int rows, int cols) {
        return route == CallPolicy.Route.OFF_HEAP ? OffHeap.bytes(p, rows, cols) : 0;
    }

    private static void checkArguments(String routine, int info) {
        if (info < 0) {
            throw new IllegalStateException("LAPACK ?" + routine + " rejected its argument " + (-info)
                    + " (a bug in the bridge: the SPI checks should have caught it)");
        }
    }
}
