package dev.surgeon.kernels;

import static dev.surgeon.kernels.KernelArguments.len;

/**
 * The Vector API provider ({@code jdk.incubator.vector}): every {@link Kernels} operation with SIMD
 * kernels and, for the large ones, fork/join parallelism bounded by {@link #threads()}.
 *
 * <ul>
 *   <li>Levels 1–2 ({@link VectorBlas1}, {@link VectorBlas2}): several accumulators, {@code loopBound}
 *       loops with scalar tails, FMA only where the JIT emits it ({@link VectorOps#FMA}). Matrix-vector
 *       streams take four rows per pass; {@code gemv}, {@code rowDots} and {@code rowCombination} split
 *       large matrices among the threads (rows, resp. column ranges).</li>
 *   <li>Level 3: {@code gemm} and {@code syrk} run the packed, cache-blocked product
 *       ({@link PackedProduct}, micro-kernels in {@link FloatGemm}/{@link DoubleGemm}); {@code trsm},
 *       {@code potrf}, {@code potri}, {@code potrs} and {@code getrfNoPivot} recurse onto them
 *       ({@link BlockedTriangular}, {@link BlockedCholesky}, {@link BlockedLu}).</li>
 *   <li>{@code syev}: the reference {@link SymmetricEigensolver} in double with vectorized row loops
 *       ({@link VectorEigenRows}).</li>
 *   <li>The fused curvature forms are rank-1 updates of a full matrix (one vector {@code axpy} per row)
 *       and the row streams above.</li>
 * </ul>
 *
 * Results agree with {@link ScalarKernels} up to the reassociation and FMA rounding of the reductions.
 * Loaded only after {@link VectorProvider} has found the module; every class it uses that names a vector
 * type is loaded with it.
 */
public final class VectorKernels implements Kernels {
    /** Below this many matrix elements per thread, a stream is not worth splitting. */
    private static final long MIN_STREAM_ELEMENTS_PER_TASK = 1L << 18;
    /** Tile edge of the blocked transpose in {@code symmetrize}. */
    private static final int TILE = 32;

    private final int threads;
    private final FloatOps floats;
    private final DoubleOps doubles;

    /**
     * @param threads the most threads one call may use ({@code >= 1}); calls use at most as many as the
     *                JVM has processors
     */
    public VectorKernels(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be >= 1 but is " + threads);
        }
        this.threads = threads;
        this.floats = new FloatOps(threads);
        this.doubles = new DoubleOps(threads);
    }

    @Override
    public String name() {
        return "vector";
    }

    @Override
    public String description() {
        return "vector: FloatVector " + VectorOps.FLOATS.vectorBitSize() + "-bit (" + VectorOps.FLOAT_LANES
                + " lanes), FMA " + (VectorOps.FMA ? "on" : "off") + ", gemm tile " + FloatGemm.MR + "×"
                + FloatGemm.NR + ", " + threads + (threads == 1 ? " thread" : " threads");
    }

    @Override
    public int threads() {
        return threads;
    }

    @Override
    public Kernels withThreads(int n) {
        if (n < 1) {
            throw new IllegalArgumentException("threads must be >= 1 but is " + n);
        }
        return n == threads ? this : new VectorKernels(n);
    }

    // ================================================================================================
    // Level 1

    @Override
    public float dot(int n, float[] x, int xOff, float[] y, int yOff) {
        return (float) dot(floats, n, x, len(x), xOff, y, len(y), yOff);
    }

    @Override
    public double dot(int n, double[] x, int xOff, double[] y, int yOff) {
        return dot(doubles, n, x, len(x), xOff, y, len(y), yOff);
    }

    private static <A> double dot(PrecisionOps<A> o, int n, A x, int xLen, int xOff, A y, int yLen, int yOff) {
        KernelArguments.vector("x", xLen, xOff, n);
        KernelArguments.vector("y", yLen, yOff, n);
        return o.dot(n, x, xOff, y, yOff);
    }

    @Override
    public void axpy(int n, float alpha, float[] x, int xOff, float[] y, int yOff) {
        axpy(floats, n, alpha, x, len(x), xOff, y, len(y), yOff);
    }

    @Override
    public void axpy(int n, double alpha, double[] x, int xOff, double[] y, int yOff) {
        axpy(doubles, n, alpha, x, len(x), xOff, y, len(y), yOff);
    }

    private static <A> void axpy(PrecisionOps<A> o, int n, double alpha, A x, int xLen, int xOff, A y, int yLen,
                                 int yOff) {
        KernelArguments.vector("x", xLen, xOff, n);
        KernelArguments.vector("y", yLen, yOff, n);
        o.axpy(n, alpha, x, xOff, y, yOff);
    }

    @Override
    public void scal(int n, float alpha, float[] x, int xOff) {
        KernelArguments.vector("x", x, xOff, n);
        floats.scal(n, alpha, x, xOff);
    }

    @Override
    public void scal(int n, double alpha, double[] x, int xOff) {
        KernelArguments.vector("x", x, xOff, n);
        doubles.scal(n, alpha, x, xOff);
    }

    @Override
    public float nrm2(int n, float[] x, int xOff) {
        return (float) Math.sqrt(sumOfSquares(n, x, xOff));
    }

    @Override
    public double nrm2(int n, double[] x, int xOff) {
        return Math.sqrt(sumOfSquares(n, x, xOff));
    }

    @Override
    public float asum(int n, float[] x, int xOff) {
        KernelArguments.vector("x", x, xOff, n);
        return (float) floats.asum(n, x, xOff);
    }

    @Override
    public double asum(int n, double[] x, int xOff) {
        KernelArguments.vector("x", x, xOff, n);
        return doubles.asum(n, x, xOff);
    }

    @Override
    public int iamax(int n, float[] x, int xOff) {
        KernelArguments.vector("x", x, xOff, n);
        return floats.iamax(n, x, xOff);
    }

    @Override
    public int iamax(int n, double[] x, int xOff) {
        KernelArguments.vector("x", x, xOff, n);
        return doubles.iamax(n, x, xOff);
    }

    @Override
    public float sumOfSquares(int n, float[] x, int xOff) {
        KernelArguments.vector("x", x, xOff, n);
        return (float) floats.sumOfSquares(n, x, xOff);
    }

    @Override
    public double sumOfSquares(int n, double[] x, int xOff) {
        KernelArguments.vector("x", x, xOff, n);
        return doubles.sumOfSquares(n, x, xOff);
    }

    @Override
    public void mul(int n, float[] x, int xOff, float[] y, int yOff, float[] z, int zOff) {
        elementwise(floats, false, n, x, len(x), xOff, y, len(y), yOff, z, len(z), zOff);
    }

    @Override
    public void mul(int n, double[] x, int xOff, double[] y, int yOff, double[] z, int zOff) {
        elementwise(doubles, false, n, x, len(x), xOff, y, len(y), yOff, z, len(z), zOff);
    }

    @Override
    public void add(int n, float[] x, int xOff, float[] y, int yOff, float[] z, int zOff) {
        elementwise(floats, true, n, x, len(x), xOff, y, len(y), yOff, z, len(z), zOff);
    }

    @Override
    public void add(int n, double[] x, int xOff, double[] y, int yOff, double[] z, int zOff) {
        elementwise(doubles, true, n, x, len(x), xOff, y, len(y), yOff, z, len(z), zOff);
    }

    private static <A> void elementwise(PrecisionOps<A> o, boolean sum, int n, A x, int xLen, int xOff,
                                        A y, int yLen, int yOff, A z, int zLen, int zOff) {
        KernelArguments.vector("x", xLen, xOff, n);
        KernelArguments.vector("y", yLen, yOff, n);
        KernelArguments.vector("z", zLen, zOff, n);
        if (sum) {
            o.add(n, x, xOff, y, yOff, z, zOff);
        } else {
            o.mul(n, x, xOff, y, yOff, z, zOff);
        }
    }

    // ================================================================================================
    // Level 2

    @Override
    public void gemv(Trans trans, int m, int n, float alpha, float[] a, int aOff, int lda,
                     float[] x, int xOff, float beta, float[] y, int yOff) {
        gemv(floats, trans, m, n, alpha, a, len(a), aOff, lda, x, len(x), xOff, beta, y, len(y), yOff);
    }

    @Override
    public void gemv(Trans trans, int m, int n, double alpha, double[] a, int aOff, int lda,
                     double[] x, int xOff, double beta, double[] y, int yOff) {
        gemv(doubles, trans, m, n, alpha, a, len(a), aOff, lda, x, len(x), xOff, beta, y, len(y), yOff);
    }

    /** A·x as four-row dot streams, Aᵀ·x as four-row combinations; large matrices split among threads. */
    private <A> void gemv(PrecisionOps<A> o, Trans trans, int m, int n, double alpha, A a, int aLen, int aOff,
                          int lda, A x, int xLen, int xOff, double beta, A y, int yLen, int yOff) {
        KernelArguments.gemv(trans, m, n, aLen, aOff, lda, xLen, xOff, yLen, yOff);
        o.scaleOrZero(trans == Trans.N ? m : n, beta, y, yOff);
        if (alpha == 0) {
            return;
        }
        if (trans == Trans.N) {
            addRowDots(o, m, n, alpha, a, aOff, lda, x, xOff, y, yOff);
        } else {
            addRowCombination(o, m, n, alpha, x, xOff, a, aOff, lda, y, yOff);
        }
    }

    @Override
    public void ger(int m, int n, float alpha, float[] x, int xOff, float[] y, int yOff, float[] a, int aOff, int lda) {
        ger(floats, m, n, alpha, x, len(x), xOff, y, len(y), yOff, a, len(a), aOff, lda);
    }

    @Override
    public void ger(int m, int n, double alpha, double[] x, int xOff, double[] y, int yOff, double[] a, int aOff,
                    int lda) {
        ger(doubles, m, n, alpha, x, len(x), xOff, y, len(y), yOff, a, len(a), aOff, lda);
    }

    private static <A> void ger(PrecisionOps<A> o, int m, int n, double alpha, A x, int xLen, int xOff,
                                A y, int yLen, int yOff, A a, int aLen, int aOff, int lda) {
        KernelArguments.ger(m, n, xLen, xOff, yLen, yOff, aLen, aOff, lda);
        for (int i = 0; i < m; i++) {
            o.axpy(n, alpha * o.get(x, xOff + i), y, yOff, a, aOff + i * lda);
        }
    }

    @Override
    public void symv(Uplo uplo, int n, float alpha, float[] a, int aOff, int lda,
                     float[] x, int xOff, float beta, float[] y, int yOff) {
        symv(floats, uplo, n, alpha, a, len(a), aOff, lda, x, len(x), xOff, beta, y, len(y), yOff);
    }

    @Override
    public void symv(Uplo uplo, int n, double alpha, double[] a, int aOff, int lda,
                     double[] x, int xOff, double beta, double[] y, int yOff) {
        symv(doubles, uplo, n, alpha, a, len(a), aOff, lda, x, len(x), xOff, beta, y, len(y), yOff);
    }

    private static <A> void symv(PrecisionOps<A> o, Uplo uplo, int n, double alpha, A a, int aLen, int aOff, int lda,
                                 A x, int xLen, int xOff, double beta, A y, int yLen, int yOff) {
        KernelArguments.symmetric2(uplo, n, aLen, aOff, lda, xLen, xOff, yLen, yOff);
        o.scaleOrZero(n, beta, y, yOff);
        if (alpha != 0) {
            o.symv(uplo, n, alpha, a, aOff, lda, x, xOff, y, yOff);
        }
    }

    @Override
    public void syr(Uplo uplo, int n, float alpha, float[] x, int xOff, float[] a, int aOff, int lda) {
        KernelArguments.symmetric2(uplo, n, len(a), aOff, lda, len(x), xOff, Integer.MIN_VALUE, 0);
        floats.syr(uplo, n, alpha, x, xOff, a, aOff, lda);
    }

    @Override
    public void syr(Uplo uplo, int n, double alpha, double[] x, int xOff, double[] a, int aOff, int lda) {
        KernelArguments.symmetric2(uplo, n, len(a), aOff, lda, len(x), xOff, Integer.MIN_VALUE, 0);
        doubles.syr(uplo, n, alpha, x, xOff, a, aOff, lda);
    }

    // ================================================================================================
    // Level 3

    @Override
    public void gemm(Trans transA, Trans transB, int m, int n, int k, float alpha, float[] a, int aOff, int lda,
                     float[] b, int bOff, int ldb, float beta, float[] c, int cOff, int ldc) {
        KernelArguments.gemm(transA, transB, m, n, k, len(a), aOff, lda, len(b), bOff, ldb, len(c), cOff, ldc);
        if (transA == Trans.N && transB == Trans.T && m > 0 && n > 0 && alpha != 0 && DotProduct.suits(m, n, k)) {
            // A·Bᵀ with both operands contiguous along k and a small C (Winograd's ∇U_ξ = dM_ξ V_ξᵀ, 50 × 20 over
            // 64 columns): dot products read both in place, where packing would gather one of them per k step.
            DotProduct.multiply(m, n, k, alpha, a, aOff, lda, b, bOff, ldb, false, beta, c, cOff, ldc);
            return;
        }
        floats.gemm(transA == Trans.T, transB == Trans.T, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta,
                c, cOff, ldc);
    }

    @Override
    public void gemm(Trans transA, Trans transB, int m, int n, int k, double alpha, double[] a, int aOff, int lda,
                     double[] b, int bOff, int ldb, double beta, double[] c, int cOff, int ldc) {
        KernelArguments.gemm(transA, transB, m, n, k, len(a), aOff, lda, len(b), bOff, ldb, len(c), cOff, ldc);
        doubles.gemm(transA == Trans.T, transB == Trans.T, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta,
                c, cOff, ldc);
    }

    @Override
    public void syrk(Uplo uplo, Trans trans, int n, int k, float alpha, float[] a, int aOff, int lda,
                     float beta, float[] c, int cOff, int ldc) {
        KernelArguments.syrk(uplo, trans, n, k, len(a), aOff, lda, len(c), cOff, ldc);
        floats.syrk(uplo, trans == Trans.T, n, k, alpha, a, aOff, lda, beta, c, cOff, ldc);
    }

    @Override
    public void syrk(Uplo uplo, Trans trans, int n, int k, double alpha, double[] a, int aOff, int lda,
                     double beta, double[] c, int cOff, int ldc) {
        KernelArguments.syrk(uplo, trans, n, k, len(a), aOff, lda, len(c), cOff, ldc);
        doubles.syrk(uplo, trans == Trans.T, n, k, alpha, a, aOff, lda, beta, c, cOff, ldc);
    }

    @Override
    public void trsm(Side side, Uplo uplo, Trans transA, Diag diag, int m, int n, float alpha,
                     float[] a, int aOff, int lda, float[] b, int bOff, int ldb) {
        KernelArguments.trsm(side, uplo, transA, diag, m, n, len(a), aOff, lda, len(b), bOff, ldb);
        BlockedTriangular.trsm(floats, side, uplo, transA, diag, m, n, alpha, a, aOff, lda, b, bOff, ldb);
    }

    @Override
    public void trsm(Side side, Uplo uplo, Trans transA, Diag diag, int m, int n, double alpha,
                     double[] a, int aOff, int lda, double[] b, int bOff, int ldb) {
        KernelArguments.trsm(side, uplo, transA, diag, m, n, len(a), aOff, lda, len(b), bOff, ldb);
        BlockedTriangular.trsm(doubles, side, uplo, transA, diag, m, n, alpha, a, aOff, lda, b, bOff, ldb);
    }

    @Override
    public void symmetrize(Uplo stored, int n, float[] a, int aOff, int lda) {
        KernelArguments.square(stored, n, len(a), aOff, lda);
        symmetrize(floats, stored, n, a, aOff, lda);
    }

    @Override
    public void symmetrize(Uplo stored, int n, double[] a, int aOff, int lda) {
        KernelArguments.square(stored, n, len(a), aOff, lda);
        symmetrize(doubles, stored, n, a, aOff, lda);
    }

    /** Square tiles along the diagonal, so that the strided side of the copy stays within a few pages. */
    private static <A> void symmetrize(PrecisionOps<A> o, Uplo stored, int n, A a, int aOff, int lda) {
        for (int i0 = 0; i0 < n; i0 += TILE) {
            for (int j0 = 0; j0 <= i0; j0 += TILE) {
                for (int i = i0; i < Math.min(n, i0 + TILE); i++) {
                    for (int j = j0; j < Math.min(i, j0 + TILE); j++) {
                        int lower = aOff + i * lda + j;
                        int upper = aOff + j * lda + i;
                        if (stored == Uplo.LOWER) {
                            o.set(a, upper, o.get(a, lower));
                        } else {
                            o.set(a, lower, o.get(a, upper));
                        }
                    }
                }
            }
        }
    }

    // ================================================================================================
    // Factorizations

    @Override
    public void potrf(Uplo uplo, int n, float[] a, int aOff, int lda) {
        KernelArguments.square(uplo, n, len(a), aOff, lda);
        BlockedCholesky.factor(floats, uplo, n, a, aOff, lda, 0);
    }

    @Override
    public void potrf(Uplo uplo, int n, double[] a, int aOff, int lda) {
        KernelArguments.square(uplo, n, len(a), aOff, lda);
        BlockedCholesky.factor(doubles, uplo, n, a, aOff, lda, 0);
    }

    @Override
    public void potri(Uplo uplo, int n, float[] a, int aOff, int lda) {
        KernelArguments.square(uplo, n, len(a), aOff, lda);
        BlockedCholesky.invert(floats, uplo, n, a, aOff, lda);
    }

    @Override
    public void potri(Uplo uplo, int n, double[] a, int aOff, int lda) {
        KernelArguments.square(uplo, n, len(a), aOff, lda);
        BlockedCholesky.invert(doubles, uplo, n, a, aOff, lda);
    }

    @Override
    public void potrs(Uplo uplo, int n, int nrhs, float[] a, int aOff, int lda, float[] b, int bOff, int ldb) {
        KernelArguments.potrs(uplo, n, nrhs, len(a), aOff, lda, len(b), bOff, ldb);
        BlockedCholesky.solve(floats, uplo, n, nrhs, a, aOff, lda, b, bOff, ldb);
    }

    @Override
    public void potrs(Uplo uplo, int n, int nrhs, double[] a, int aOff, int lda, double[] b, int bOff, int ldb) {
        KernelArguments.potrs(uplo, n, nrhs, len(a), aOff, lda, len(b), bOff, ldb);
        BlockedCholesky.solve(doubles, uplo, n, nrhs, a, aOff, lda, b, bOff, ldb);
    }

    @Override
    public void getrfNoPivot(int n, float[] a, int aOff, int lda) {
        KernelArguments.size("n", n);
        KernelArguments.matrix("A", a, aOff, n, n, lda);
        BlockedLu.factor(floats, n, a, aOff, lda, 0);
    }

    @Override
    public void getrfNoPivot(int n, double[] a, int aOff, int lda) {
        KernelArguments.size("n", n);
        KernelArguments.matrix("A", a, aOff, n, n, lda);
        BlockedLu.factor(doubles, n, a, aOff, lda, 0);
    }

    @Override
    public void syev(Uplo uplo, int n, float[] a, int aOff, int lda, float[] w, int wOff) {
        KernelArguments.square(uplo, n, len(a), aOff, lda);
        KernelArguments.vector("w", w, wOff, n);
        // In double, as the reference: eigenvectors of close eigenvalues need the precision.
        double[] tmp = new double[n * n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                tmp[i * n + j] = a[aOff + i * lda + j];
            }
        }
        double[] wd = new double[n];
        SymmetricEigensolver.decompose(uplo, n, tmp, 0, n, wd, 0, VectorEigenRows.INSTANCE);
        for (int i = 0; i < n; i++) {
            w[wOff + i] = (float) wd[i];
            for (int j = 0; j < n; j++) {
                a[aOff + i * lda + j] = (float) tmp[i * n + j];
            }
        }
    }

    @Override
    public void syev(Uplo uplo, int n, double[] a, int aOff, int lda, double[] w, int wOff) {
        KernelArguments.square(uplo, n, len(a), aOff, lda);
        KernelArguments.vector("w", w, wOff, n);
        SymmetricEigensolver.decompose(uplo, n, a, aOff, lda, w, wOff, VectorEigenRows.INSTANCE);
    }

    // ================================================================================================
    // Fused curvature forms

    @Override
    public float shermanMorrisonUpdate(int n, float c, float[] x, int xOff, float[] hInv, int hOff, int ldh,
                                       float[] work, int workOff) {
        return (float) shermanMorrisonUpdate(floats, n, c, x, len(x), xOff, hInv, len(hInv), hOff, ldh,
                work, len(work), workOff);
    }

    @Override
    public double shermanMorrisonUpdate(int n, double c, double[] x, int xOff, double[] hInv, int hOff, int ldh,
                                        double[] work, int workOff) {
        return shermanMorrisonUpdate(doubles, n, c, x, len(x), xOff, hInv, len(hInv), hOff, ldh,
                work, len(work), workOff);
    }

    /** u = H⁻¹x as four-row dot streams, then the rank-1 update as one axpy per row of H⁻¹. */
    private <A> double shermanMorrisonUpdate(PrecisionOps<A> o, int n, double c, A x, int xLen, int xOff,
                                             A hInv, int hLen, int hOff, int ldh, A work, int workLen, int workOff) {
        KernelArguments.inverseUpdate(n, hLen, hOff, ldh, workLen, workOff);
        KernelArguments.vector("x", xLen, xOff, n);
        o.scaleOrZero(n, 0, work, workOff);
        addRowDots(o, n, n, 1, hInv, hOff, ldh, x, xOff, work, workOff);
        double den = o.round(c + o.dot(n, x, xOff, work, workOff));
        for (int i = 0; i < n; i++) {
            o.axpy(n, -o.get(work, workOff + i) / den, work, workOff, hInv, hOff + i * ldh);
        }
        return den;
    }

    @Override
    public float eliminateCoordinate(int n, int p, float[] hInv, int hOff, int ldh, float[] work, int workOff) {
        return (float) eliminateCoordinate(floats, n, p, hInv, len(hInv), hOff, ldh, work, len(work), workOff);
    }

    @Override
    public double eliminateCoordinate(int n, int p, double[] hInv, int hOff, int ldh, double[] work, int workOff) {
        return eliminateCoordinate(doubles, n, p, hInv, len(hInv), hOff, ldh, work, len(work), workOff);
    }

    /**
     * hInv ← hInv − hInv[:,p]·hInv[p,:]/hInv[p,p] as one axpy of the saved row p per row, row and column
     * p then set to exactly zero (row p itself would be reduced to zero, so it is only cleared).
     */
    private static <A> double eliminateCoordinate(PrecisionOps<A> o, int n, int p, A hInv, int hLen, int hOff,
                                                  int ldh, A work, int workLen, int workOff) {
        KernelArguments.inverseUpdate(n, hLen, hOff, ldh, workLen, workOff);
        KernelArguments.index("p", p, n);
        int rowP = hOff + p * ldh;
        double piv = o.get(hInv, rowP + p);
        o.copy(n, hInv, rowP, work, workOff);
        for (int i = 0; i < n; i++) {
            if (i != p) {
                int row = hOff + i * ldh;
                o.axpy(n, -(o.get(hInv, row + p) / piv), work, workOff, hInv, row);
                o.set(hInv, row + p, 0);
            }
        }
        o.scaleOrZero(n, 0, hInv, rowP);
        return piv;
    }

    @Override
    public void rowDots(int m, int d, float[] g, int gOff, int ldg, float[] x, int xOff, float[] y, int yOff) {
        rowDots(floats, m, d, g, len(g), gOff, ldg, x, len(x), xOff, y, len(y), yOff);
    }

    @Override
    public void rowDots(int m, int d, double[] g, int gOff, int ldg, double[] x, int xOff, double[] y, int yOff) {
        rowDots(doubles, m, d, g, len(g), gOff, ldg, x, len(x), xOff, y, len(y), yOff);
    }

    private <A> void rowDots(PrecisionOps<A> o, int m, int d, A g, int gLen, int gOff, int ldg, A x, int xLen,
                             int xOff, A y, int yLen, int yOff) {
        KernelArguments.rows(m, d, gLen, gOff, ldg, "x", xLen, xOff, "y", yLen, yOff);
        o.scaleOrZero(m, 0, y, yOff);
        addRowDots(o, m, d, 1, g, gOff, ldg, x, xOff, y, yOff);
    }

    @Override
    public void rowCombination(int m, int d, float[] c, int cOff, float[] g, int gOff, int ldg,
                               float beta, float[] x, int xOff) {
        rowCombination(floats, m, d, c, len(c), cOff, g, len(g), gOff, ldg, beta, x, len(x), xOff);
    }

    @Override
    public void rowCombination(int m, int d, double[] c, int cOff, double[] g, int gOff, int ldg,
                               double beta, double[] x, int xOff) {
        rowCombination(doubles, m, d, c, len(c), cOff, g, len(g), gOff, ldg, beta, x, len(x), xOff);
    }

    private <A> void rowCombination(PrecisionOps<A> o, int m, int d, A c, int cLen, int cOff, A g, int gLen, int gOff,
                                    int ldg, double beta, A x, int xLen, int xOff) {
        KernelArguments.rows(m, d, gLen, gOff, ldg, "x", xLen, xOff, "c", cLen, cOff);
        o.scaleOrZero(d, beta, x, xOff);
        addRowCombination(o, m, d, 1, c, cOff, g, gOff, ldg, x, xOff);
    }

    // ================================================================================================
    // Threaded streams

    /** {@code y[i] += alpha·(G_i·x)}, row blocks split among the threads when G is large. */
    private <A> void addRowDots(PrecisionOps<A> o, int m, int d, double alpha, A g, int gOff, int ldg, A x, int xOff,
                                A y, int yOff) {
        int tasks = streamTasks(m, d);
        if (tasks == 1) {
            o.addRowDots(m, d, alpha, g, gOff, ldg, x, xOff, y, yOff);
            return;
        }
        int chunk = rowChunk(m, tasks);
        KernelPool.run(tasks, t -> {
            int from = t * chunk;
            int rows = Math.min(chunk, m - from);
            if (rows > 0) {
                o.addRowDots(rows, d, alpha, g, gOff + from * ldg, ldg, x, xOff, y, yOff + from);
            }
        });
    }

    /** {@code x += alpha·Σ c[i]·G_i}, column ranges of x split among the threads when G is large. */
    private <A> void addRowCombination(PrecisionOps<A> o, int m, int d, double alpha, A c, int cOff, A g, int gOff,
                                       int ldg, A x, int xOff) {
        int tasks = streamTasks(m, d);
        if (tasks == 1) {
            o.addRowCombination(m, d, alpha, c, cOff, g, gOff, ldg, x, xOff);
            return;
        }
        int chunk = columnChunk(d, tasks);
        KernelPool.run(tasks, t -> {
            int from = t * chunk;
            int cols = Math.min(chunk, d - from);
            if (cols > 0) {
                o.addRowCombination(m, cols, alpha, c, cOff, g, gOff + from, ldg, x, xOff + from);
            }
        });
    }

    /** Tasks for a matrix stream over m×d elements: one per 2¹⁸ elements, at most threads(). */
    private int streamTasks(int m, int d) {
        long perTask = Math.max(1, (long) m * d / MIN_STREAM_ELEMENTS_PER_TASK);
        return (int) Math.min(Math.min(threads, KernelPool.processors()), perTask);
    }

    /** Rows per task, a multiple of the four rows a stream pass takes. */
    private static int rowChunk(int m, int tasks) {
        int rows = (m + tasks - 1) / tasks;
        return (rows + VectorBlas2.ROWS - 1) / VectorBlas2.ROWS * VectorBlas2.ROWS;
    }

    /** Columns per task, a multiple of 64 so every task's range starts on a cache line. */
    private static int columnChunk(int d, int tasks) {
        int cols = (d + tasks - 1) / tasks;
        return (cols + 63) & ~63;
    }

    @Override
    public void im2col(ConvolutionGeometry g, float[] x, int xOff, int from, int to, float[] cols, int colsOff,
                       int ld) {
        ConvolutionLayout.check(g, len(x), xOff, from, to, len(cols), colsOff, ld);
        VectorConvolutionLayout.im2col(g, x, xOff, from, to, cols, colsOff, ld);
    }

    @Override
    public void col2im(ConvolutionGeometry g, float[] cols, int colsOff, int ld, int from, int to, float[] x,
                       int xOff) {
        ConvolutionLayout.check(g, len(x), xOff, from, to, len(cols), colsOff, ld);
        VectorConvolutionLayout.col2im(g, cols, colsOff, ld, from, to, x, xOff);
    }

    /** col2im fused into the product ({@link Col2imSink}) where the geometry allows; otherwise the SPI default. */
    @Override
    public void col2imProduct(ConvolutionGeometry g, int from, int to, int k, float alpha, float[] a, int aOff,
                              int lda, float[] b, int bOff, int ldb, float[] x, int xOff, float[] scratch) {
        if (to <= from || k <= 0 || alpha == 0 || !Col2imSink.covers(g, k)) {
            Kernels.super.col2imProduct(g, from, to, k, alpha, a, aOff, lda, b, bOff, ldb, x, xOff, scratch);
            return;
        }
        int cols = (to - from) * g.positions();
        KernelArguments.gemm(Trans.T, Trans.N, g.patch(), cols, k, len(a), aOff, lda, len(b), bOff, ldb,
                Integer.MAX_VALUE, 0, cols);
        ConvolutionLayout.checkImage(g, len(x), xOff, from, to);
        Col2imSink sink = Col2imSink.of(g, x, xOff, from, alpha);
        try {
            FloatGemm.INSTANCE.multiply(true, g.patch(), cols, k, alpha, a, aOff, lda, b, bOff, ldb, sink,
                    floats.threads());
        } finally {
            sink.clear();
        }
    }

    @Override
    public void transpose(int rows, int cols, float[] a, int aOff, int lda, float[] b, int bOff, int ldb) {
        KernelArguments.matrix("A", a, aOff, rows, cols, lda);
        KernelArguments.matrix("B", b, bOff, cols, rows, ldb);
        VectorTransposition.transpose(rows, cols, a, aOff, lda, b, bOff, ldb);
    }

    @Override
    public void tileTransform(int p, int q, float[] l, int lOff, boolean accumulate, int groups, int lanes,
                              float[] x, int xOff, int xRow, int xCol, int xGroup,
                              float[] y, int yOff, int yRow, int yCol, int yGroup) {
        TileTransform.check(p, q, len(l), lOff, groups, lanes, len(x), xOff, xRow, xCol, xGroup, len(y), yOff, yRow,
                yCol, yGroup);
        VectorTileTransform.transform(p, q, l, lOff, accumulate, groups, lanes, x, xOff, xRow, xCol, xGroup, y, yOff,
                yRow, yCol, yGroup);
    }

    @Override
    public void maxPool2x2(int planes, int height, int width, float[] x, int xOff, float[] out, int outOff,
                           int[] argmax, int argOff) {
        MaxPooling.checkPool(planes, height, width, len(x), xOff, len(out), outOff, argmax.length, argOff);
        VectorPooling.pool(planes, height, width, x, xOff, out, outOff, argmax, argOff);
    }

    @Override
    public void maxUnpool2x2(int planes, int height, int width, float[] grad, int gradOff, int[] argmax, int argOff,
                             int argBase, float[] dx, int dxOff) {
        MaxPooling.checkUnpool(planes, height, width, len(grad), gradOff, argmax.length, argOff, len(dx), dxOff);
        VectorPooling.unpool(planes, height, width, grad, gradOff, argmax, argOff, dxOff - argBase, dx, dxOff);
    }

    /**
     * Implicit GEMM for stride 1 without padding: the B panels are gathered from the image
     * ({@link ConvolutionPanels}) and X is never written; other geometries unfold into {@code scratch}.
     */
    @Override
    public void im2colProduct(ConvolutionGeometry g, float[] x, int xOff, int from, int to, int m, float alpha,
                              float[] a, int aOff, int lda, float beta, float[] c, int cOff, int ldc, float[] scratch) {
        if (!implicit(g, m, from, to, alpha)) {
            Kernels.super.im2colProduct(g, x, xOff, from, to, m, alpha, a, aOff, lda, beta, c, cOff, ldc, scratch);
            return;
        }
        implicitProduct(g, x, xOff, from, to, false, false, m, alpha, a, aOff, lda, beta, c, cOff, ldc);
    }

    /** Implicit GEMM as in {@link #im2colProduct}, with op(B) = [X; 1]ᵀ gathered from the image. */
    @Override
    public void im2colTransposedProduct(ConvolutionGeometry g, float[] x, int xOff, int from, int to, boolean ones, int m,
                                        float alpha, float[] a, int aOff, int lda, float beta, float[] c, int cOff, int ldc,
                                        float[] scratch) {
        int cols = (to - from) * g.positions();
        int depth = g.patch() + (ones ? 1 : 0);
        if (m > 0 && to > from && alpha != 0 && DotProduct.suits(m, depth, cols)) {
            // A small C over a long k (a per-sample weight gradient): unfold once, then dot products of contiguous rows.
            KernelArguments.gemm(Trans.N, Trans.T, m, depth, cols, len(a), aOff, lda, Integer.MAX_VALUE, 0, cols, len(c),
                    cOff, ldc);
            ConvolutionLayout.check(g, len(x), xOff, from, to, len(scratch), 0, cols);
            VectorConvolutionLayout.im2col(g, x, xOff, from, to, scratch, 0, cols);
            DotProduct.multiply(m, g.patch(), cols, alpha, a, aOff, lda, scratch, 0, cols, ones, beta, c, cOff, ldc);
            return;
        }
        if (!implicit(g, m, from, to, alpha)) {
            Kernels.super.im2colTransposedProduct(g, x, xOff, from, to, ones, m, alpha, a, aOff, lda, beta, c, cOff, ldc,
                    scratch);
            return;
        }
        implicitProduct(g, x, xOff, from, to, true, ones, m, alpha, a, aOff, lda, beta, c, cOff, ldc);
    }

    /** Whether the implicit path applies: stride 1, no padding, and a product with work in it. */
    private static boolean implicit(ConvolutionGeometry g, int m, int from, int to, float alpha) {
        return g.stride() == 1 && g.padding() == 0 && m > 0 && to > from && alpha != 0;
    }

    /**
     * C ← αA·op(B) + βC with op(B) = X (forward, n = cols, k = d_col) or [X; 1]ᵀ / Xᵀ (transposed, n = d_col (+1),
     * k = cols), its panels gathered from the image.
     */
    private void implicitProduct(ConvolutionGeometry g, float[] x, int xOff, int from, int to, boolean transposed,
                                 boolean ones, int m, float alpha, float[] a, int aOff, int lda, float beta, float[] c,
                                 int cOff, int ldc) {
        int cols = (to - from) * g.positions();
        int depth = g.patch() + (ones ? 1 : 0);
        int n = transposed ? depth : cols;
        int k = transposed ? cols : g.patch();
        ConvolutionLayout.checkImage(g, len(x), xOff, from, to);
        KernelArguments.gemm(Trans.N, transposed ? Trans.T : Trans.N, m, n, k, len(a), aOff, lda, Integer.MAX_VALUE, 0,
                cols, len(c), cOff, ldc);
        ConvolutionPanels panels = ConvolutionPanels.of(g, x, xOff, from, transposed, ones);
        try {
            FloatGemm.INSTANCE.multiply(false, m, n, k, alpha, a, aOff, lda, panels, beta, c, cOff, ldc, floats.threads());
        } finally {
            panels.clear();
        }
    }
}
