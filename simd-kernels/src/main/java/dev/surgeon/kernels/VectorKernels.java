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

    // ================================================================================================
    // Level 1 — float

    @Override
    public float dot(int n, float[] x, int xOff, float[] y, int yOff) {
        KernelArguments.vector("x", x, xOff, n);
        KernelArguments.vector("y", y, yOff, n);
        return VectorBlas1.dot(n, x, xOff, y, yOff);
    }

    @Override
    public void axpy(int n, float alpha, float[] x, int xOff, float[] y, int yOff) {
        KernelArguments.vector("x", x, xOff, n);
        KernelArguments.vector("y", y, yOff, n);
        VectorBlas1.axpy(n, alpha, x, xOff, y, yOff);
    }

    @Override
    public void scal(int n, float alpha, float[] x, int xOff) {
        KernelArguments.vector("x", x, xOff, n);
        VectorBlas1.scal(n, alpha, x, xOff);
    }

    @Override
    public float nrm2(int n, float[] x, int xOff) {
        return (float) Math.sqrt(sumOfSquares(n, x, xOff));
    }

    @Override
    public float asum(int n, float[] x, int xOff) {
        KernelArguments.vector("x", x, xOff, n);
        return VectorBlas1.asum(n, x, xOff);
    }

    @Override
    public int iamax(int n, float[] x, int xOff) {
        KernelArguments.vector("x", x, xOff, n);
        return VectorBlas1.iamax(n, x, xOff);
    }

    @Override
    public float sumOfSquares(int n, float[] x, int xOff) {
        KernelArguments.vector("x", x, xOff, n);
        return VectorBlas1.sumOfSquares(n, x, xOff);
    }

    @Override
    public void mul(int n, float[] x, int xOff, float[] y, int yOff, float[] z, int zOff) {
        KernelArguments.vector("x", x, xOff, n);
        KernelArguments.vector("y", y, yOff, n);
        KernelArguments.vector("z", z, zOff, n);
        VectorBlas1.mul(n, x, xOff, y, yOff, z, zOff);
    }

    @Override
    public void add(int n, float[] x, int xOff, float[] y, int yOff, float[] z, int zOff) {
        KernelArguments.vector("x", x, xOff, n);
        KernelArguments.vector("y", y, yOff, n);
        KernelArguments.vector("z", z, zOff, n);
        VectorBlas1.add(n, x, xOff, y, yOff, z, zOff);
    }

    // ================================================================================================
    // Level 2 — float

    @Override
    public void gemv(Trans trans, int m, int n, float alpha, float[] a, int aOff, int lda,
                     float[] x, int xOff, float beta, float[] y, int yOff) {
        KernelArguments.gemv(trans, m, n, len(a), aOff, lda, len(x), xOff, len(y), yOff);
        VectorBlas1.scaleOrZero(trans == Trans.N ? m : n, beta, y, yOff);
        if (alpha == 0) {
            return;
        }
        if (trans == Trans.N) {
            addRowDots(m, n, alpha, a, aOff, lda, x, xOff, y, yOff);
        } else {
            addRowCombination(m, n, alpha, x, xOff, a, aOff, lda, y, yOff);
        }
    }

    @Override
    public void ger(int m, int n, float alpha, float[] x, int xOff, float[] y, int yOff, float[] a, int aOff, int lda) {
        KernelArguments.ger(m, n, len(x), xOff, len(y), yOff, len(a), aOff, lda);
        for (int i = 0; i < m; i++) {
            VectorBlas1.axpy(n, alpha * x[xOff + i], y, yOff, a, aOff + i * lda);
        }
    }

    @Override
    public void symv(Uplo uplo, int n, float alpha, float[] a, int aOff, int lda,
                     float[] x, int xOff, float beta, float[] y, int yOff) {
        KernelArguments.symmetric2(uplo, n, len(a), aOff, lda, len(x), xOff, len(y), yOff);
        VectorBlas1.scaleOrZero(n, beta, y, yOff);
        if (alpha == 0) {
            return;
        }
        VectorBlas2.symv(uplo, n, alpha, a, aOff, lda, x, xOff, y, yOff);
    }

    @Override
    public void syr(Uplo uplo, int n, float alpha, float[] x, int xOff, float[] a, int aOff, int lda) {
        KernelArguments.symmetric2(uplo, n, len(a), aOff, lda, len(x), xOff, Integer.MIN_VALUE, 0);
        VectorBlas2.syr(uplo, n, alpha, x, xOff, a, aOff, lda);
    }

    // ================================================================================================
    // Level 3 — float

    @Override
    public void gemm(Trans transA, Trans transB, int m, int n, int k, float alpha, float[] a, int aOff, int lda,
                     float[] b, int bOff, int ldb, float beta, float[] c, int cOff, int ldc) {
        KernelArguments.gemm(transA, transB, m, n, k, len(a), aOff, lda, len(b), bOff, ldb, len(c), cOff, ldc);
        floats.gemm(transA == Trans.T, transB == Trans.T, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta,
                c, cOff, ldc);
    }

    @Override
    public void syrk(Uplo uplo, Trans trans, int n, int k, float alpha, float[] a, int aOff, int lda,
                     float beta, float[] c, int cOff, int ldc) {
        KernelArguments.syrk(uplo, trans, n, k, len(a), aOff, lda, len(c), cOff, ldc);
        floats.syrk(uplo, trans == Trans.T, n, k, alpha, a, aOff, lda, beta, c, cOff, ldc);
    }

    @Override
    public void trsm(Side side, Uplo uplo, Trans transA, Diag diag, int m, int n, float alpha,
                     float[] a, int aOff, int lda, float[] b, int bOff, int ldb) {
        KernelArguments.trsm(side, uplo, transA, diag, m, n, len(a), aOff, lda, len(b), bOff, ldb);
        BlockedTriangular.trsm(floats, side, uplo, transA, diag, m, n, alpha, a, aOff, lda, b, bOff, ldb);
    }

    @Override
    public void symmetrize(Uplo stored, int n, float[] a, int aOff, int lda) {
        KernelArguments.square(stored, n, len(a), aOff, lda);
        // Square tiles along the diagonal, so the strided side of the copy stays within a few pages.
        for (int i0 = 0; i0 < n; i0 += TILE) {
            for (int j0 = 0; j0 <= i0; j0 += TILE) {
                for (int i = i0; i < Math.min(n, i0 + TILE); i++) {
                    for (int j = j0; j < Math.min(i, j0 + TILE); j++) {
                        if (stored == Uplo.LOWER) {
                            a[aOff + j * lda + i] = a[aOff + i * lda + j];
                        } else {
                            a[aOff + i * lda + j] = a[aOff + j * lda + i];
                        }
                    }
                }
            }
        }
    }

    // ================================================================================================
    // Factorizations — float

    @Override
    public void potrf(Uplo uplo, int n, float[] a, int aOff, int lda) {
        KernelArguments.square(uplo, n, len(a), aOff, lda);
        BlockedCholesky.factor(floats, uplo, n, a, aOff, lda, 0);
    }

    @Override
    public void potri(Uplo uplo, int n, float[] a, int aOff, int lda) {
        KernelArguments.square(uplo, n, len(a), aOff, lda);
        BlockedCholesky.invert(floats, uplo, n, a, aOff, lda);
    }

    @Override
    public void potrs(Uplo uplo, int n, int nrhs, float[] a, int aOff, int lda, float[] b, int bOff, int ldb) {
        KernelArguments.potrs(uplo, n, nrhs, len(a), aOff, lda, len(b), bOff, ldb);
        BlockedCholesky.solve(floats, uplo, n, nrhs, a, aOff, lda, b, bOff, ldb);
    }

    @Override
    public void getrfNoPivot(int n, float[] a, int aOff, int lda) {
        KernelArguments.size("n", n);
        KernelArguments.matrix("A", a, aOff, n, n, lda);
        BlockedLu.factor(floats, n, a, aOff, lda, 0);
    }

    // ================================================================================================
    // Fused curvature forms — float

    @Override
    public float shermanMorrisonUpdate(int n, float c, float[] x, int xOff, float[] hInv, int hOff, int ldh,
                                       float[] work, int workOff) {
        KernelArguments.inverseUpdate(n, len(hInv), hOff, ldh, len(work), workOff);
        KernelArguments.vector("x", x, xOff, n);
        java.util.Arrays.fill(work, workOff, workOff + n, 0f);
        addRowDots(n, n, 1f, hInv, hOff, ldh, x, xOff, work, workOff); // u = H⁻¹x
        float den = c + VectorBlas1.dot(n, x, xOff, work, workOff);
        for (int i = 0; i < n; i++) {
            VectorBlas1.axpy(n, -work[workOff + i] / den, work, workOff, hInv, hOff + i * ldh);
        }
        return den;
    }

    @Override
    public float eliminateCoordinate(int n, int p, float[] hInv, int hOff, int ldh, float[] work, int workOff) {
        KernelArguments.inverseUpdate(n, len(hInv), hOff, ldh, len(work), workOff);
        KernelArguments.index("p", p, n);
        int rowP = hOff + p * ldh;
        float piv = hInv[rowP + p];
        System.arraycopy(hInv, rowP, work, workOff, n);
        for (int i = 0; i < n; i++) {
            if (i != p) {
                int row = hOff + i * ldh;
                VectorBlas1.axpy(n, -(hInv[row + p] / piv), work, workOff, hInv, row);
                hInv[row + p] = 0;
            }
        }
        java.util.Arrays.fill(hInv, rowP, rowP + n, 0f);
        return piv;
    }

    @Override
    public void rowDots(int m, int d, float[] g, int gOff, int ldg, float[] x, int xOff, float[] y, int yOff) {
        KernelArguments.rows(m, d, len(g), gOff, ldg, "x", len(x), xOff, "y", len(y), yOff);
        java.util.Arrays.fill(y, yOff, yOff + m, 0f);
        addRowDots(m, d, 1f, g, gOff, ldg, x, xOff, y, yOff);
    }

    @Override
    public void rowCombination(int m, int d, float[] c, int cOff, float[] g, int gOff, int ldg,
                               float beta, float[] x, int xOff) {
        KernelArguments.rows(m, d, len(g), gOff, ldg, "x", len(x), xOff, "c", len(c), cOff);
        VectorBlas1.scaleOrZero(d, beta, x, xOff);
        addRowCombination(m, d, 1f, c, cOff, g, gOff, ldg, x, xOff);
    }

    /** {@code y[i] += alpha·(G_i·x)}, row blocks split among the threads when the matrix is large. */
    private void addRowDots(int m, int d, float alpha, float[] g, int gOff, int ldg, float[] x, int xOff,
                            float[] y, int yOff) {
        int tasks = streamTasks(m, d);
        if (tasks == 1) {
            VectorBlas2.addRowDots(m, d, alpha, g, gOff, ldg, x, xOff, y, yOff);
            return;
        }
        int chunk = rowChunk(m, tasks);
        KernelPool.run(tasks, t -> {
            int from = t * chunk;
            int rows = Math.min(chunk, m - from);
            if (rows > 0) {
                VectorBlas2.addRowDots(rows, d, alpha, g, gOff + from * ldg, ldg, x, xOff, y, yOff + from);
            }
        });
    }

    /** {@code x += alpha·Σ c[i]·G_i}, column ranges of x split among the threads when G is large. */
    private void addRowCombination(int m, int d, float alpha, float[] c, int cOff, float[] g, int gOff, int ldg,
                                   float[] x, int xOff) {
        int tasks = streamTasks(m, d);
        if (tasks == 1) {
            VectorBlas2.addRowCombination(m, d, alpha, c, cOff, g, gOff, ldg, x, xOff);
            return;
        }
        int chunk = columnChunk(d, tasks);
        KernelPool.run(tasks, t -> {
            int from = t * chunk;
            int cols = Math.min(chunk, d - from);
            if (cols > 0) {
                VectorBlas2.addRowCombination(m, cols, alpha, c, cOff, g, gOff + from, ldg, x, xOff + from);
            }
        });
    }

    @Override
    public void syev(Uplo uplo, int n, float[] a, int aOff, int lda, float[] w, int wOff) {
        KernelArguments.square(uplo, n, len(a), aOff, lda);
        KernelArguments.vector("w", w, wOff, n);
        // In double, as the reference: eigenvectors of clustered eigenvalues need the precision.
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

    // ================================================================================================
    // Level 1 — double

    @Override
    public double dot(int n, double[] x, int xOff, double[] y, int yOff) {
        KernelArguments.vector("x", x, xOff, n);
        KernelArguments.vector("y", y, yOff, n);
        return VectorBlas1.dot(n, x, xOff, y, yOff);
    }

    @Override
    public void axpy(int n, double alpha, double[] x, int xOff, double[] y, int yOff) {
        KernelArguments.vector("x", x, xOff, n);
        KernelArguments.vector("y", y, yOff, n);
        VectorBlas1.axpy(n, alpha, x, xOff, y, yOff);
    }

    @Override
    public void scal(int n, double alpha, double[] x, int xOff) {
        KernelArguments.vector("x", x, xOff, n);
        VectorBlas1.scal(n, alpha, x, xOff);
    }

    @Override
    public double nrm2(int n, double[] x, int xOff) {
        return Math.sqrt(sumOfSquares(n, x, xOff));
    }

    @Override
    public double asum(int n, double[] x, int xOff) {
        KernelArguments.vector("x", x, xOff, n);
        return VectorBlas1.asum(n, x, xOff);
    }

    @Override
    public int iamax(int n, double[] x, int xOff) {
        KernelArguments.vector("x", x, xOff, n);
        return VectorBlas1.iamax(n, x, xOff);
    }

    @Override
    public double sumOfSquares(int n, double[] x, int xOff) {
        KernelArguments.vector("x", x, xOff, n);
        return VectorBlas1.sumOfSquares(n, x, xOff);
    }

    @Override
    public void mul(int n, double[] x, int xOff, double[] y, int yOff, double[] z, int zOff) {
        KernelArguments.vector("x", x, xOff, n);
        KernelArguments.vector("y", y, yOff, n);
        KernelArguments.vector("z", z, zOff, n);
        VectorBlas1.mul(n, x, xOff, y, yOff, z, zOff);
    }

    @Override
    public void add(int n, double[] x, int xOff, double[] y, int yOff, double[] z, int zOff) {
        KernelArguments.vector("x", x, xOff, n);
        KernelArguments.vector("y", y, yOff, n);
        KernelArguments.vector("z", z, zOff, n);
        VectorBlas1.add(n, x, xOff, y, yOff, z, zOff);
    }

    // ================================================================================================
    // Level 2 — double

    @Override
    public void gemv(Trans trans, int m, int n, double alpha, double[] a, int aOff, int lda,
                     double[] x, int xOff, double beta, double[] y, int yOff) {
        KernelArguments.gemv(trans, m, n, len(a), aOff, lda, len(x), xOff, len(y), yOff);
        VectorBlas1.scaleOrZero(trans == Trans.N ? m : n, beta, y, yOff);
        if (alpha == 0) {
            return;
        }
        if (trans == Trans.N) {
            addRowDots(m, n, alpha, a, aOff, lda, x, xOff, y, yOff);
        } else {
            addRowCombination(m, n, alpha, x, xOff, a, aOff, lda, y, yOff);
        }
    }

    @Override
    public void ger(int m, int n, double alpha, double[] x, int xOff, double[] y, int yOff, double[] a, int aOff, int lda) {
        KernelArguments.ger(m, n, len(x), xOff, len(y), yOff, len(a), aOff, lda);
        for (int i = 0; i < m; i++) {
            VectorBlas1.axpy(n, alpha * x[xOff + i], y, yOff, a, aOff + i * lda);
        }
    }

    @Override
    public void symv(Uplo uplo, int n, double alpha, double[] a, int aOff, int lda,
                     double[] x, int xOff, double beta, double[] y, int yOff) {
        KernelArguments.symmetric2(uplo, n, len(a), aOff, lda, len(x), xOff, len(y), yOff);
        VectorBlas1.scaleOrZero(n, beta, y, yOff);
        if (alpha == 0) {
            return;
        }
        VectorBlas2.symv(uplo, n, alpha, a, aOff, lda, x, xOff, y, yOff);
    }

    @Override
    public void syr(Uplo uplo, int n, double alpha, double[] x, int xOff, double[] a, int aOff, int lda) {
        KernelArguments.symmetric2(uplo, n, len(a), aOff, lda, len(x), xOff, Integer.MIN_VALUE, 0);
        VectorBlas2.syr(uplo, n, alpha, x, xOff, a, aOff, lda);
    }

    // ================================================================================================
    // Level 3 — double

    @Override
    public void gemm(Trans transA, Trans transB, int m, int n, int k, double alpha, double[] a, int aOff, int lda,
                     double[] b, int bOff, int ldb, double beta, double[] c, int cOff, int ldc) {
        KernelArguments.gemm(transA, transB, m, n, k, len(a), aOff, lda, len(b), bOff, ldb, len(c), cOff, ldc);
        doubles.gemm(transA == Trans.T, transB == Trans.T, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta,
                c, cOff, ldc);
    }

    @Override
    public void syrk(Uplo uplo, Trans trans, int n, int k, double alpha, double[] a, int aOff, int lda,
                     double beta, double[] c, int cOff, int ldc) {
        KernelArguments.syrk(uplo, trans, n, k, len(a), aOff, lda, len(c), cOff, ldc);
        doubles.syrk(uplo, trans == Trans.T, n, k, alpha, a, aOff, lda, beta, c, cOff, ldc);
    }

    @Override
    public void trsm(Side side, Uplo uplo, Trans transA, Diag diag, int m, int n, double alpha,
                     double[] a, int aOff, int lda, double[] b, int bOff, int ldb) {
        KernelArguments.trsm(side, uplo, transA, diag, m, n, len(a), aOff, lda, len(b), bOff, ldb);
        BlockedTriangular.trsm(doubles, side, uplo, transA, diag, m, n, alpha, a, aOff, lda, b, bOff, ldb);
    }

    @Override
    public void symmetrize(Uplo stored, int n, double[] a, int aOff, int lda) {
        KernelArguments.square(stored, n, len(a), aOff, lda);
        // Square tiles along the diagonal, so the strided side of the copy stays within a few pages.
        for (int i0 = 0; i0 < n; i0 += TILE) {
            for (int j0 = 0; j0 <= i0; j0 += TILE) {
                for (int i = i0; i < Math.min(n, i0 + TILE); i++) {
                    for (int j = j0; j < Math.min(i, j0 + TILE); j++) {
                        if (stored == Uplo.LOWER) {
                            a[aOff + j * lda + i] = a[aOff + i * lda + j];
                        } else {
                            a[aOff + i * lda + j] = a[aOff + j * lda + i];
                        }
                    }
                }
            }
        }
    }

    // ================================================================================================
    // Factorizations — double

    @Override
    public void potrf(Uplo uplo, int n, double[] a, int aOff, int lda) {
        KernelArguments.square(uplo, n, len(a), aOff, lda);
        BlockedCholesky.factor(doubles, uplo, n, a, aOff, lda, 0);
    }

    @Override
    public void potri(Uplo uplo, int n, double[] a, int aOff, int lda) {
        KernelArguments.square(uplo, n, len(a), aOff, lda);
        BlockedCholesky.invert(doubles, uplo, n, a, aOff, lda);
    }

    @Override
    public void potrs(Uplo uplo, int n, int nrhs, double[] a, int aOff, int lda, double[] b, int bOff, int ldb) {
        KernelArguments.potrs(uplo, n, nrhs, len(a), aOff, lda, len(b), bOff, ldb);
        BlockedCholesky.solve(doubles, uplo, n, nrhs, a, aOff, lda, b, bOff, ldb);
    }

    @Override
    public void getrfNoPivot(int n, double[] a, int aOff, int lda) {
        KernelArguments.size("n", n);
        KernelArguments.matrix("A", a, aOff, n, n, lda);
        BlockedLu.factor(doubles, n, a, aOff, lda, 0);
    }

    // ================================================================================================
    // Fused curvature forms — double

    @Override
    public double shermanMorrisonUpdate(int n, double c, double[] x, int xOff, double[] hInv, int hOff, int ldh,
                                       double[] work, int workOff) {
        KernelArguments.inverseUpdate(n, len(hInv), hOff, ldh, len(work), workOff);
        KernelArguments.vector("x", x, xOff, n);
        java.util.Arrays.fill(work, workOff, workOff + n, 0.0);
        addRowDots(n, n, 1.0, hInv, hOff, ldh, x, xOff, work, workOff); // u = H⁻¹x
        double den = c + VectorBlas1.dot(n, x, xOff, work, workOff);
        for (int i = 0; i < n; i++) {
            VectorBlas1.axpy(n, -work[workOff + i] / den, work, workOff, hInv, hOff + i * ldh);
        }
        return den;
    }

    @Override
    public double eliminateCoordinate(int n, int p, double[] hInv, int hOff, int ldh, double[] work, int workOff) {
        KernelArguments.inverseUpdate(n, len(hInv), hOff, ldh, len(work), workOff);
        KernelArguments.index("p", p, n);
        int rowP = hOff + p * ldh;
        double piv = hInv[rowP + p];
        System.arraycopy(hInv, rowP, work, workOff, n);
        for (int i = 0; i < n; i++) {
            if (i != p) {
                int row = hOff + i * ldh;
                VectorBlas1.axpy(n, -(hInv[row + p] / piv), work, workOff, hInv, row);
                hInv[row + p] = 0;
            }
        }
        java.util.Arrays.fill(hInv, rowP, rowP + n, 0.0);
        return piv;
    }

    @Override
    public void rowDots(int m, int d, double[] g, int gOff, int ldg, double[] x, int xOff, double[] y, int yOff) {
        KernelArguments.rows(m, d, len(g), gOff, ldg, "x", len(x), xOff, "y", len(y), yOff);
        java.util.Arrays.fill(y, yOff, yOff + m, 0.0);
        addRowDots(m, d, 1.0, g, gOff, ldg, x, xOff, y, yOff);
    }

    @Override
    public void rowCombination(int m, int d, double[] c, int cOff, double[] g, int gOff, int ldg,
                               double beta, double[] x, int xOff) {
        KernelArguments.rows(m, d, len(g), gOff, ldg, "x", len(x), xOff, "c", len(c), cOff);
        VectorBlas1.scaleOrZero(d, beta, x, xOff);
        addRowCombination(m, d, 1.0, c, cOff, g, gOff, ldg, x, xOff);
    }

    /** {@code y[i] += alpha·(G_i·x)}, row blocks split among the threads when the matrix is large. */
    private void addRowDots(int m, int d, double alpha, double[] g, int gOff, int ldg, double[] x, int xOff,
                            double[] y, int yOff) {
        int tasks = streamTasks(m, d);
        if (tasks == 1) {
            VectorBlas2.addRowDots(m, d, alpha, g, gOff, ldg, x, xOff, y, yOff);
            return;
        }
        int chunk = rowChunk(m, tasks);
        KernelPool.run(tasks, t -> {
            int from = t * chunk;
            int rows = Math.min(chunk, m - from);
            if (rows > 0) {
                VectorBlas2.addRowDots(rows, d, alpha, g, gOff + from * ldg, ldg, x, xOff, y, yOff + from);
            }
        });
    }

    /** {@code x += alpha·Σ c[i]·G_i}, column ranges of x split among the threads when G is large. */
    private void addRowCombination(int m, int d, double alpha, double[] c, int cOff, double[] g, int gOff, int ldg,
                                   double[] x, int xOff) {
        int tasks = streamTasks(m, d);
        if (tasks == 1) {
            VectorBlas2.addRowCombination(m, d, alpha, c, cOff, g, gOff, ldg, x, xOff);
            return;
        }
        int chunk = columnChunk(d, tasks);
        KernelPool.run(tasks, t -> {
            int from = t * chunk;
            int cols = Math.min(chunk, d - from);
            if (cols > 0) {
                VectorBlas2.addRowCombination(m, cols, alpha, c, cOff, g, gOff + from, ldg, x, xOff + from);
            }
        });
    }

    @Override
    public void syev(Uplo uplo, int n, double[] a, int aOff, int lda, double[] w, int wOff) {
        KernelArguments.square(uplo, n, len(a), aOff, lda);
        KernelArguments.vector("w", w, wOff, n);
        SymmetricEigensolver.decompose(uplo, n, a, aOff, lda, w, wOff, VectorEigenRows.INSTANCE);
    }
}
