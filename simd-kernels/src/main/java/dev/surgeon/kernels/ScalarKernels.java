package dev.surgeon.kernels;

import static dev.surgeon.kernels.KernelArguments.len;

/**
 * The reference provider: every operation as the plainest correct loop, single-threaded, accumulating in
 * the working precision. Every other provider is tested against it (and it against float64 loops). It
 * is also the fallback when the Vector API module is absent, so loops are ordered to walk memory
 * contiguously, but nothing is blocked, packed or unrolled.
 *
 * <p>The symmetric eigendecomposition runs in double for both precisions ({@link SymmetricEigensolver}).
 */
public final class ScalarKernels implements Kernels {

    @Override
    public String name() {
        return "scalar";
    }

    @Override
    public int threads() {
        return 1;
    }

    @Override
    public Kernels withThreads(int n) {
        if (n < 1) {
            throw new IllegalArgumentException("threads must be >= 1 but is " + n);
        }
        return this;
    }

    @Override
    public void syev(Uplo uplo, int n, float[] a, int aOff, int lda, float[] w, int wOff) {
        KernelArguments.square(uplo, n, len(a), aOff, lda);
        KernelArguments.vector("w", w, wOff, n);
        double[] tmp = new double[n * n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                tmp[i * n + j] = a[aOff + i * lda + j];
            }
        }
        double[] wd = new double[n];
        SymmetricEigensolver.decompose(uplo, n, tmp, 0, n, wd, 0);
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
        SymmetricEigensolver.decompose(uplo, n, a, aOff, lda, w, wOff);
    }

    // ================================================================================================
    // Level 1 — float

    @Override
    public float dot(int n, float[] x, int xOff, float[] y, int yOff) {
        KernelArguments.vector("x", x, xOff, n);
        KernelArguments.vector("y", y, yOff, n);
        float s = 0;
        for (int i = 0; i < n; i++) {
            s += x[xOff + i] * y[yOff + i];
        }
        return s;
    }

    @Override
    public void axpy(int n, float alpha, float[] x, int xOff, float[] y, int yOff) {
        KernelArguments.vector("x", x, xOff, n);
        KernelArguments.vector("y", y, yOff, n);
        for (int i = 0; i < n; i++) {
            y[yOff + i] += alpha * x[xOff + i];
        }
    }

    @Override
    public void scal(int n, float alpha, float[] x, int xOff) {
        KernelArguments.vector("x", x, xOff, n);
        for (int i = 0; i < n; i++) {
            x[xOff + i] *= alpha;
        }
    }

    @Override
    public float nrm2(int n, float[] x, int xOff) {
        return (float) Math.sqrt(sumOfSquares(n, x, xOff));
    }

    @Override
    public float asum(int n, float[] x, int xOff) {
        KernelArguments.vector("x", x, xOff, n);
        float s = 0;
        for (int i = 0; i < n; i++) {
            s += Math.abs(x[xOff + i]);
        }
        return s;
    }

    @Override
    public int iamax(int n, float[] x, int xOff) {
        KernelArguments.vector("x", x, xOff, n);
        int best = -1;
        float bestAbs = -1;
        for (int i = 0; i < n; i++) {
            float v = Math.abs(x[xOff + i]);
            if (Float.isNaN(v)) {
                return i;
            }
            if (v > bestAbs) {
                bestAbs = v;
                best = i;
            }
        }
        return best;
    }

    @Override
    public float sumOfSquares(int n, float[] x, int xOff) {
        KernelArguments.vector("x", x, xOff, n);
        float s = 0;
        for (int i = 0; i < n; i++) {
            float v = x[xOff + i];
            s += v * v;
        }
        return s;
    }

    @Override
    public void mul(int n, float[] x, int xOff, float[] y, int yOff, float[] z, int zOff) {
        KernelArguments.vector("x", x, xOff, n);
        KernelArguments.vector("y", y, yOff, n);
        KernelArguments.vector("z", z, zOff, n);
        for (int i = 0; i < n; i++) {
            z[zOff + i] = x[xOff + i] * y[yOff + i];
        }
    }

    @Override
    public void add(int n, float[] x, int xOff, float[] y, int yOff, float[] z, int zOff) {
        KernelArguments.vector("x", x, xOff, n);
        KernelArguments.vector("y", y, yOff, n);
        KernelArguments.vector("z", z, zOff, n);
        for (int i = 0; i < n; i++) {
            z[zOff + i] = x[xOff + i] + y[yOff + i];
        }
    }

    // ================================================================================================
    // Level 2 — float

    @Override
    public void gemv(Trans trans, int m, int n, float alpha, float[] a, int aOff, int lda,
                     float[] x, int xOff, float beta, float[] y, int yOff) {
        KernelArguments.gemv(trans, m, n, len(a), aOff, lda, len(x), xOff, len(y), yOff);
        int ylen = trans == Trans.N ? m : n;
        scaleOrZero(ylen, beta, y, yOff);
        if (alpha == 0) {
            return;
        }
        if (trans == Trans.N) {
            for (int i = 0; i < m; i++) {
                float s = 0;
                int row = aOff + i * lda;
                for (int j = 0; j < n; j++) {
                    s += a[row + j] * x[xOff + j];
                }
                y[yOff + i] += alpha * s;
            }
        } else {
            for (int i = 0; i < m; i++) {
                float f = alpha * x[xOff + i];
                int row = aOff + i * lda;
                for (int j = 0; j < n; j++) {
                    y[yOff + j] += f * a[row + j];
                }
            }
        }
    }

    @Override
    public void ger(int m, int n, float alpha, float[] x, int xOff, float[] y, int yOff, float[] a, int aOff, int lda) {
        KernelArguments.ger(m, n, len(x), xOff, len(y), yOff, len(a), aOff, lda);
        for (int i = 0; i < m; i++) {
            float f = alpha * x[xOff + i];
            int row = aOff + i * lda;
            for (int j = 0; j < n; j++) {
                a[row + j] += f * y[yOff + j];
            }
        }
    }

    @Override
    public void symv(Uplo uplo, int n, float alpha, float[] a, int aOff, int lda,
                     float[] x, int xOff, float beta, float[] y, int yOff) {
        KernelArguments.symmetric2(uplo, n, len(a), aOff, lda, len(x), xOff, len(y), yOff);
        scaleOrZero(n, beta, y, yOff);
        if (alpha == 0) {
            return;
        }
        for (int i = 0; i < n; i++) {
            float s = 0;
            for (int j = 0; j < n; j++) {
                s += a[aOff + symIndex(uplo, i, j, lda)] * x[xOff + j];
            }
            y[yOff + i] += alpha * s;
        }
    }

    @Override
    public void syr(Uplo uplo, int n, float alpha, float[] x, int xOff, float[] a, int aOff, int lda) {
        KernelArguments.symmetric2(uplo, n, len(a), aOff, lda, len(x), xOff, Integer.MIN_VALUE, 0);
        for (int i = 0; i < n; i++) {
            float f = alpha * x[xOff + i];
            int lo = uplo == Uplo.LOWER ? 0 : i;
            int hi = uplo == Uplo.LOWER ? i : n - 1;
            for (int j = lo; j <= hi; j++) {
                a[aOff + i * lda + j] += f * x[xOff + j];
            }
        }
    }

    // ================================================================================================
    // Level 3 — float

    @Override
    public void gemm(Trans transA, Trans transB, int m, int n, int k, float alpha, float[] a, int aOff, int lda,
                     float[] b, int bOff, int ldb, float beta, float[] c, int cOff, int ldc) {
        KernelArguments.gemm(transA, transB, m, n, k, len(a), aOff, lda, len(b), bOff, ldb, len(c), cOff, ldc);
        for (int i = 0; i < m; i++) {
            scaleOrZero(n, beta, c, cOff + i * ldc);
        }
        if (alpha == 0 || k == 0) {
            return;
        }
        for (int i = 0; i < m; i++) {
            int crow = cOff + i * ldc;
            if (transB == Trans.N) {
                // i-p-j order: the inner loop walks rows of B and C contiguously.
                for (int p = 0; p < k; p++) {
                    float aip = alpha * (transA == Trans.N ? a[aOff + i * lda + p] : a[aOff + p * lda + i]);
                    int brow = bOff + p * ldb;
                    for (int j = 0; j < n; j++) {
                        c[crow + j] += aip * b[brow + j];
                    }
                }
            } else {
                for (int j = 0; j < n; j++) {
                    float s = 0;
                    int brow = bOff + j * ldb;
                    for (int p = 0; p < k; p++) {
                        s += (transA == Trans.N ? a[aOff + i * lda + p] : a[aOff + p * lda + i]) * b[brow + p];
                    }
                    c[crow + j] += alpha * s;
                }
            }
        }
    }

    @Override
    public void syrk(Uplo uplo, Trans trans, int n, int k, float alpha, float[] a, int aOff, int lda,
                     float beta, float[] c, int cOff, int ldc) {
        KernelArguments.syrk(uplo, trans, n, k, len(a), aOff, lda, len(c), cOff, ldc);
        for (int i = 0; i < n; i++) {
            int lo = uplo == Uplo.LOWER ? 0 : i;
            int hi = uplo == Uplo.LOWER ? i : n - 1;
            scaleOrZero(hi - lo + 1, beta, c, cOff + i * ldc + lo);
        }
        if (alpha == 0 || k == 0) {
            return;
        }
        for (int i = 0; i < n; i++) {
            int lo = uplo == Uplo.LOWER ? 0 : i;
            int hi = uplo == Uplo.LOWER ? i : n - 1;
            for (int j = lo; j <= hi; j++) {
                float s = 0;
                for (int p = 0; p < k; p++) {
                    s += trans == Trans.N
                            ? a[aOff + i * lda + p] * a[aOff + j * lda + p]
                            : a[aOff + p * lda + i] * a[aOff + p * lda + j];
                }
                c[cOff + i * ldc + j] += alpha * s;
            }
        }
    }

    @Override
    public void trsm(Side side, Uplo uplo, Trans transA, Diag diag, int m, int n, float alpha,
                     float[] a, int aOff, int lda, float[] b, int bOff, int ldb) {
        KernelArguments.trsm(side, uplo, transA, diag, m, n, len(a), aOff, lda, len(b), bOff, ldb);
        for (int i = 0; i < m; i++) {
            scaleOrZero(n, alpha, b, bOff + i * ldb);
        }
        if (alpha == 0) {
            return;
        }
        // op(A) is lower triangular when A is lower and used as stored, or upper and transposed.
        boolean opLower = (uplo == Uplo.LOWER) == (transA == Trans.N);
        boolean unit = diag == Diag.UNIT;
        if (side == Side.LEFT) {
            // Row-wise substitution: X[i,:] = (B[i,:] − Σ_k op(A)[i,k]·X[k,:]) / op(A)[i,i]
            for (int t = 0; t < m; t++) {
                int i = opLower ? t : m - 1 - t;
                int brow = bOff + i * ldb;
                int kFrom = opLower ? 0 : i + 1;
                int kTo = opLower ? i : m;
                for (int kk = kFrom; kk < kTo; kk++) {
                    float f = a[aOff + opIndex(transA, i, kk, lda)];
                    int krow = bOff + kk * ldb;
                    for (int j = 0; j < n; j++) {
                        b[brow + j] -= f * b[krow + j];
                    }
                }
                if (!unit) {
                    float dgl = a[aOff + i * lda + i];
                    for (int j = 0; j < n; j++) {
                        b[brow + j] /= dgl;
                    }
                }
            }
        } else {
            // Each row x of X solves x·op(A) = b: x_j = (b_j − Σ_k x_k·op(A)[k,j]) / op(A)[j,j]
            for (int r = 0; r < m; r++) {
                int brow = bOff + r * ldb;
                for (int t = 0; t < n; t++) {
                    int j = opLower ? n - 1 - t : t;
                    float s = b[brow + j];
                    int kFrom = opLower ? j + 1 : 0;
                    int kTo = opLower ? n : j;
                    for (int kk = kFrom; kk < kTo; kk++) {
                        s -= b[brow + kk] * a[aOff + opIndex(transA, kk, j, lda)];
                    }
                    b[brow + j] = unit ? s : s / a[aOff + j * lda + j];
                }
            }
        }
    }

    @Override
    public void symmetrize(Uplo stored, int n, float[] a, int aOff, int lda) {
        KernelArguments.square(stored, n, len(a), aOff, lda);
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < i; j++) {
                if (stored == Uplo.LOWER) {
                    a[aOff + j * lda + i] = a[aOff + i * lda + j];
                } else {
                    a[aOff + i * lda + j] = a[aOff + j * lda + i];
                }
            }
        }
    }

    // ================================================================================================
    // Factorizations — float

    @Override
    public void potrf(Uplo uplo, int n, float[] a, int aOff, int lda) {
        KernelArguments.square(uplo, n, len(a), aOff, lda);
        // Left-looking Cholesky on L (for UPPER, U = Lᵀ is addressed through lowIndex).
        for (int j = 0; j < n; j++) {
            float djj = a[aOff + lowIndex(uplo, j, j, lda)];
            for (int p = 0; p < j; p++) {
                float l = a[aOff + lowIndex(uplo, j, p, lda)];
                djj -= l * l;
            }
            if (!(djj > 0)) {
                throw new NotPositiveDefiniteException(j, djj);
            }
            float ljj = (float) Math.sqrt(djj);
            a[aOff + lowIndex(uplo, j, j, lda)] = ljj;
            for (int i = j + 1; i < n; i++) {
                float s = a[aOff + lowIndex(uplo, i, j, lda)];
                for (int p = 0; p < j; p++) {
                    s -= a[aOff + lowIndex(uplo, i, p, lda)] * a[aOff + lowIndex(uplo, j, p, lda)];
                }
                a[aOff + lowIndex(uplo, i, j, lda)] = s / ljj;
            }
        }
    }

    @Override
    public void potri(Uplo uplo, int n, float[] a, int aOff, int lda) {
        KernelArguments.square(uplo, n, len(a), aOff, lda);
        // 1) L ← L⁻¹ column by column (columns to the right still hold L).
        for (int j = 0; j < n; j++) {
            int jj = aOff + lowIndex(uplo, j, j, lda);
            a[jj] = 1 / a[jj];
            for (int i = j + 1; i < n; i++) {
                float s = 0;
                for (int p = j; p < i; p++) {
                    s += a[aOff + lowIndex(uplo, i, p, lda)] * a[aOff + lowIndex(uplo, p, j, lda)];
                }
                a[aOff + lowIndex(uplo, i, j, lda)] = -s / a[aOff + lowIndex(uplo, i, i, lda)];
            }
        }
        // 2) A⁻¹ = L⁻ᵀ·L⁻¹: entry (i, j≤i) = Σ_{p≥i} M[p,i]·M[p,j]; row i is last needed by itself.
        for (int i = 0; i < n; i++) {
            for (int j = 0; j <= i; j++) {
                float s = 0;
                for (int p = i; p < n; p++) {
                    s += a[aOff + lowIndex(uplo, p, i, lda)] * a[aOff + lowIndex(uplo, p, j, lda)];
                }
                a[aOff + lowIndex(uplo, i, j, lda)] = s;
            }
        }
    }

    @Override
    public void potrs(Uplo uplo, int n, int nrhs, float[] a, int aOff, int lda, float[] b, int bOff, int ldb) {
        KernelArguments.potrs(uplo, n, nrhs, len(a), aOff, lda, len(b), bOff, ldb);
        if (uplo == Uplo.LOWER) {
            trsm(Side.LEFT, Uplo.LOWER, Trans.N, Diag.NON_UNIT, n, nrhs, 1f, a, aOff, lda, b, bOff, ldb);
            trsm(Side.LEFT, Uplo.LOWER, Trans.T, Diag.NON_UNIT, n, nrhs, 1f, a, aOff, lda, b, bOff, ldb);
        } else {
            trsm(Side.LEFT, Uplo.UPPER, Trans.T, Diag.NON_UNIT, n, nrhs, 1f, a, aOff, lda, b, bOff, ldb);
            trsm(Side.LEFT, Uplo.UPPER, Trans.N, Diag.NON_UNIT, n, nrhs, 1f, a, aOff, lda, b, bOff, ldb);
        }
    }

    @Override
    public void getrfNoPivot(int n, float[] a, int aOff, int lda) {
        KernelArguments.size("n", n);
        KernelArguments.matrix("A", a, aOff, n, n, lda);
        for (int k = 0; k < n; k++) {
            float piv = a[aOff + k * lda + k];
            if (piv == 0 || Float.isNaN(piv)) {
                throw new ZeroPivotException(k, piv);
            }
            for (int i = k + 1; i < n; i++) {
                int row = aOff + i * lda;
                float l = a[row + k] / piv;
                a[row + k] = l;
                int krow = aOff + k * lda;
                for (int j = k + 1; j < n; j++) {
                    a[row + j] -= l * a[krow + j];
                }
            }
        }
    }

    // ================================================================================================
    // Fused curvature forms — float

    @Override
    public float shermanMorrisonUpdate(int n, float c, float[] x, int xOff, float[] hInv, int hOff, int ldh,
                                       float[] work, int workOff) {
        KernelArguments.inverseUpdate(n, len(hInv), hOff, ldh, len(work), workOff);
        KernelArguments.vector("x", x, xOff, n);
        gemv(Trans.N, n, n, 1f, hInv, hOff, ldh, x, xOff, 0f, work, workOff);
        float den = c + dot(n, x, xOff, work, workOff);
        for (int i = 0; i < n; i++) {
            float f = -work[workOff + i] / den;
            int row = hOff + i * ldh;
            for (int j = 0; j < n; j++) {
                hInv[row + j] += f * work[workOff + j];
            }
        }
        return den;
    }

    @Override
    public float eliminateCoordinate(int n, int p, float[] hInv, int hOff, int ldh, float[] work, int workOff) {
        KernelArguments.inverseUpdate(n, len(hInv), hOff, ldh, len(work), workOff);
        KernelArguments.index("p", p, n);
        float piv = hInv[hOff + p * ldh + p];
        System.arraycopy(hInv, hOff + p * ldh, work, workOff, n);
        for (int i = 0; i < n; i++) {
            int row = hOff + i * ldh;
            float f = hInv[row + p] / piv;
            for (int j = 0; j < n; j++) {
                hInv[row + j] -= f * work[workOff + j];
            }
        }
        for (int i = 0; i < n; i++) {
            hInv[hOff + i * ldh + p] = 0;
        }
        java.util.Arrays.fill(hInv, hOff + p * ldh, hOff + p * ldh + n, 0f);
        return piv;
    }

    @Override
    public void rowDots(int m, int d, float[] g, int gOff, int ldg, float[] x, int xOff, float[] y, int yOff) {
        KernelArguments.rows(m, d, len(g), gOff, ldg, "x", len(x), xOff, "y", len(y), yOff);
        for (int i = 0; i < m; i++) {
            float s = 0;
            int row = gOff + i * ldg;
            for (int j = 0; j < d; j++) {
                s += g[row + j] * x[xOff + j];
            }
            y[yOff + i] = s;
        }
    }

    @Override
    public void rowCombination(int m, int d, float[] c, int cOff, float[] g, int gOff, int ldg,
                               float beta, float[] x, int xOff) {
        KernelArguments.rows(m, d, len(g), gOff, ldg, "x", len(x), xOff, "c", len(c), cOff);
        scaleOrZero(d, beta, x, xOff);
        for (int i = 0; i < m; i++) {
            float ci = c[cOff + i];
            int row = gOff + i * ldg;
            for (int j = 0; j < d; j++) {
                x[xOff + j] += ci * g[row + j];
            }
        }
    }

    /**
     * y ← beta·y, or y ← 0 without reading y when beta is 0 (BLAS semantics). An empty row is a no-op even
     * when its offset lies past the end of the array (rows of an m×0 matrix with ld = 1 do).
     */
    private static void scaleOrZero(int n, float beta, float[] y, int yOff) {
        if (n == 0) {
            return;
        }
        if (beta == 0) {
            java.util.Arrays.fill(y, yOff, yOff + n, 0f);
        } else if (beta != 1) {
            for (int i = 0; i < n; i++) {
                y[yOff + i] *= beta;
            }
        }
    }

    // ================================================================================================
    // Level 1 — double

    @Override
    public double dot(int n, double[] x, int xOff, double[] y, int yOff) {
        KernelArguments.vector("x", x, xOff, n);
        KernelArguments.vector("y", y, yOff, n);
        double s = 0;
        for (int i = 0; i < n; i++) {
            s += x[xOff + i] * y[yOff + i];
        }
        return s;
    }

    @Override
    public void axpy(int n, double alpha, double[] x, int xOff, double[] y, int yOff) {
        KernelArguments.vector("x", x, xOff, n);
        KernelArguments.vector("y", y, yOff, n);
        for (int i = 0; i < n; i++) {
            y[yOff + i] += alpha * x[xOff + i];
        }
    }

    @Override
    public void scal(int n, double alpha, double[] x, int xOff) {
        KernelArguments.vector("x", x, xOff, n);
        for (int i = 0; i < n; i++) {
            x[xOff + i] *= alpha;
        }
    }

    @Override
    public double nrm2(int n, double[] x, int xOff) {
        return  Math.sqrt(sumOfSquares(n, x, xOff));
    }

    @Override
    public double asum(int n, double[] x, int xOff) {
        KernelArguments.vector("x", x, xOff, n);
        double s = 0;
        for (int i = 0; i < n; i++) {
            s += Math.abs(x[xOff + i]);
        }
        return s;
    }

    @Override
    public int iamax(int n, double[] x, int xOff) {
        KernelArguments.vector("x", x, xOff, n);
        int best = -1;
        double bestAbs = -1;
        for (int i = 0; i < n; i++) {
            double v = Math.abs(x[xOff + i]);
            if (Double.isNaN(v)) {
                return i;
            }
            if (v > bestAbs) {
                bestAbs = v;
                best = i;
            }
        }
        return best;
    }

    @Override
    public double sumOfSquares(int n, double[] x, int xOff) {
        KernelArguments.vector("x", x, xOff, n);
        double s = 0;
        for (int i = 0; i < n; i++) {
            double v = x[xOff + i];
            s += v * v;
        }
        return s;
    }

    @Override
    public void mul(int n, double[] x, int xOff, double[] y, int yOff, double[] z, int zOff) {
        KernelArguments.vector("x", x, xOff, n);
        KernelArguments.vector("y", y, yOff, n);
        KernelArguments.vector("z", z, zOff, n);
        for (int i = 0; i < n; i++) {
            z[zOff + i] = x[xOff + i] * y[yOff + i];
        }
    }

    @Override
    public void add(int n, double[] x, int xOff, double[] y, int yOff, double[] z, int zOff) {
        KernelArguments.vector("x", x, xOff, n);
        KernelArguments.vector("y", y, yOff, n);
        KernelArguments.vector("z", z, zOff, n);
        for (int i = 0; i < n; i++) {
            z[zOff + i] = x[xOff + i] + y[yOff + i];
        }
    }

    // ================================================================================================
    // Level 2 — double

    @Override
    public void gemv(Trans trans, int m, int n, double alpha, double[] a, int aOff, int lda,
                     double[] x, int xOff, double beta, double[] y, int yOff) {
        KernelArguments.gemv(trans, m, n, len(a), aOff, lda, len(x), xOff, len(y), yOff);
        int ylen = trans == Trans.N ? m : n;
        scaleOrZero(ylen, beta, y, yOff);
        if (alpha == 0) {
            return;
        }
        if (trans == Trans.N) {
            for (int i = 0; i < m; i++) {
                double s = 0;
                int row = aOff + i * lda;
                for (int j = 0; j < n; j++) {
                    s += a[row + j] * x[xOff + j];
                }
                y[yOff + i] += alpha * s;
            }
        } else {
            for (int i = 0; i < m; i++) {
                double f = alpha * x[xOff + i];
                int row = aOff + i * lda;
                for (int j = 0; j < n; j++) {
                    y[yOff + j] += f * a[row + j];
                }
            }
        }
    }

    @Override
    public void ger(int m, int n, double alpha, double[] x, int xOff, double[] y, int yOff, double[] a, int aOff, int lda) {
        KernelArguments.ger(m, n, len(x), xOff, len(y), yOff, len(a), aOff, lda);
        for (int i = 0; i < m; i++) {
            double f = alpha * x[xOff + i];
            int row = aOff + i * lda;
            for (int j = 0; j < n; j++) {
                a[row + j] += f * y[yOff + j];
            }
        }
    }

    @Override
    public void symv(Uplo uplo, int n, double alpha, double[] a, int aOff, int lda,
                     double[] x, int xOff, double beta, double[] y, int yOff) {
        KernelArguments.symmetric2(uplo, n, len(a), aOff, lda, len(x), xOff, len(y), yOff);
        scaleOrZero(n, beta, y, yOff);
        if (alpha == 0) {
            return;
        }
        for (int i = 0; i < n; i++) {
            double s = 0;
            for (int j = 0; j < n; j++) {
                s += a[aOff + symIndex(uplo, i, j, lda)] * x[xOff + j];
            }
            y[yOff + i] += alpha * s;
        }
    }

    @Override
    public void syr(Uplo uplo, int n, double alpha, double[] x, int xOff, double[] a, int aOff, int lda) {
        KernelArguments.symmetric2(uplo, n, len(a), aOff, lda, len(x), xOff, Integer.MIN_VALUE, 0);
        for (int i = 0; i < n; i++) {
            double f = alpha * x[xOff + i];
            int lo = uplo == Uplo.LOWER ? 0 : i;
            int hi = uplo == Uplo.LOWER ? i : n - 1;
            for (int j = lo; j <= hi; j++) {
                a[aOff + i * lda + j] += f * x[xOff + j];
            }
        }
    }

    // ================================================================================================
    // Level 3 — double

    @Override
    public void gemm(Trans transA, Trans transB, int m, int n, int k, double alpha, double[] a, int aOff, int lda,
                     double[] b, int bOff, int ldb, double beta, double[] c, int cOff, int ldc) {
        KernelArguments.gemm(transA, transB, m, n, k, len(a), aOff, lda, len(b), bOff, ldb, len(c), cOff, ldc);
        for (int i = 0; i < m; i++) {
            scaleOrZero(n, beta, c, cOff + i * ldc);
        }
        if (alpha == 0 || k == 0) {
            return;
        }
        for (int i = 0; i < m; i++) {
            int crow = cOff + i * ldc;
            if (transB == Trans.N) {
                // i-p-j order: the inner loop walks rows of B and C contiguously.
                for (int p = 0; p < k; p++) {
                    double aip = alpha * (transA == Trans.N ? a[aOff + i * lda + p] : a[aOff + p * lda + i]);
                    int brow = bOff + p * ldb;
                    for (int j = 0; j < n; j++) {
                        c[crow + j] += aip * b[brow + j];
                    }
                }
            } else {
                for (int j = 0; j < n; j++) {
                    double s = 0;
                    int brow = bOff + j * ldb;
                    for (int p = 0; p < k; p++) {
                        s += (transA == Trans.N ? a[aOff + i * lda + p] : a[aOff + p * lda + i]) * b[brow + p];
                    }
                    c[crow + j] += alpha * s;
                }
            }
        }
    }

    @Override
    public void syrk(Uplo uplo, Trans trans, int n, int k, double alpha, double[] a, int aOff, int lda,
                     double beta, double[] c, int cOff, int ldc) {
        KernelArguments.syrk(uplo, trans, n, k, len(a), aOff, lda, len(c), cOff, ldc);
        for (int i = 0; i < n; i++) {
            int lo = uplo == Uplo.LOWER ? 0 : i;
            int hi = uplo == Uplo.LOWER ? i : n - 1;
            scaleOrZero(hi - lo + 1, beta, c, cOff + i * ldc + lo);
        }
        if (alpha == 0 || k == 0) {
            return;
        }
        for (int i = 0; i < n; i++) {
            int lo = uplo == Uplo.LOWER ? 0 : i;
            int hi = uplo == Uplo.LOWER ? i : n - 1;
            for (int j = lo; j <= hi; j++) {
                double s = 0;
                for (int p = 0; p < k; p++) {
                    s += trans == Trans.N
                            ? a[aOff + i * lda + p] * a[aOff + j * lda + p]
                            : a[aOff + p * lda + i] * a[aOff + p * lda + j];
                }
                c[cOff + i * ldc + j] += alpha * s;
            }
        }
    }

    @Override
    public void trsm(Side side, Uplo uplo, Trans transA, Diag diag, int m, int n, double alpha,
                     double[] a, int aOff, int lda, double[] b, int bOff, int ldb) {
        KernelArguments.trsm(side, uplo, transA, diag, m, n, len(a), aOff, lda, len(b), bOff, ldb);
        for (int i = 0; i < m; i++) {
            scaleOrZero(n, alpha, b, bOff + i * ldb);
        }
        if (alpha == 0) {
            return;
        }
        // op(A) is lower triangular when A is lower and used as stored, or upper and transposed.
        boolean opLower = (uplo == Uplo.LOWER) == (transA == Trans.N);
        boolean unit = diag == Diag.UNIT;
        if (side == Side.LEFT) {
            // Row-wise substitution: X[i,:] = (B[i,:] − Σ_k op(A)[i,k]·X[k,:]) / op(A)[i,i]
            for (int t = 0; t < m; t++) {
                int i = opLower ? t : m - 1 - t;
                int brow = bOff + i * ldb;
                int kFrom = opLower ? 0 : i + 1;
                int kTo = opLower ? i : m;
                for (int kk = kFrom; kk < kTo; kk++) {
                    double f = a[aOff + opIndex(transA, i, kk, lda)];
                    int krow = bOff + kk * ldb;
                    for (int j = 0; j < n; j++) {
                        b[brow + j] -= f * b[krow + j];
                    }
                }
                if (!unit) {
                    double dgl = a[aOff + i * lda + i];
                    for (int j = 0; j < n; j++) {
                        b[brow + j] /= dgl;
                    }
                }
            }
        } else {
            // Each row x of X solves x·op(A) = b: x_j = (b_j − Σ_k x_k·op(A)[k,j]) / op(A)[j,j]
            for (int r = 0; r < m; r++) {
                int brow = bOff + r * ldb;
                for (int t = 0; t < n; t++) {
                    int j = opLower ? n - 1 - t : t;
                    double s = b[brow + j];
                    int kFrom = opLower ? j + 1 : 0;
                    int kTo = opLower ? n : j;
                    for (int kk = kFrom; kk < kTo; kk++) {
                        s -= b[brow + kk] * a[aOff + opIndex(transA, kk, j, lda)];
                    }
                    b[brow + j] = unit ? s : s / a[aOff + j * lda + j];
                }
            }
        }
    }

    @Override
    public void symmetrize(Uplo stored, int n, double[] a, int aOff, int lda) {
        KernelArguments.square(stored, n, len(a), aOff, lda);
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < i; j++) {
                if (stored == Uplo.LOWER) {
                    a[aOff + j * lda + i] = a[aOff + i * lda + j];
                } else {
                    a[aOff + i * lda + j] = a[aOff + j * lda + i];
                }
            }
        }
    }

    // ================================================================================================
    // Factorizations — double

    @Override
    public void potrf(Uplo uplo, int n, double[] a, int aOff, int lda) {
        KernelArguments.square(uplo, n, len(a), aOff, lda);
        // Left-looking Cholesky on L (for UPPER, U = Lᵀ is addressed through lowIndex).
        for (int j = 0; j < n; j++) {
            double djj = a[aOff + lowIndex(uplo, j, j, lda)];
            for (int p = 0; p < j; p++) {
                double l = a[aOff + lowIndex(uplo, j, p, lda)];
                djj -= l * l;
            }
            if (!(djj > 0)) {
                throw new NotPositiveDefiniteException(j, djj);
            }
            double ljj =  Math.sqrt(djj);
            a[aOff + lowIndex(uplo, j, j, lda)] = ljj;
            for (int i = j + 1; i < n; i++) {
                double s = a[aOff + lowIndex(uplo, i, j, lda)];
                for (int p = 0; p < j; p++) {
                    s -= a[aOff + lowIndex(uplo, i, p, lda)] * a[aOff + lowIndex(uplo, j, p, lda)];
                }
                a[aOff + lowIndex(uplo, i, j, lda)] = s / ljj;
            }
        }
    }

    @Override
    public void potri(Uplo uplo, int n, double[] a, int aOff, int lda) {
        KernelArguments.square(uplo, n, len(a), aOff, lda);
        // 1) L ← L⁻¹ column by column (columns to the right still hold L).
        for (int j = 0; j < n; j++) {
            int jj = aOff + lowIndex(uplo, j, j, lda);
            a[jj] = 1 / a[jj];
            for (int i = j + 1; i < n; i++) {
                double s = 0;
                for (int p = j; p < i; p++) {
                    s += a[aOff + lowIndex(uplo, i, p, lda)] * a[aOff + lowIndex(uplo, p, j, lda)];
                }
                a[aOff + lowIndex(uplo, i, j, lda)] = -s / a[aOff + lowIndex(uplo, i, i, lda)];
            }
        }
        // 2) A⁻¹ = L⁻ᵀ·L⁻¹: entry (i, j≤i) = Σ_{p≥i} M[p,i]·M[p,j]; row i is last needed by itself.
        for (int i = 0; i < n; i++) {
            for (int j = 0; j <= i; j++) {
                double s = 0;
                for (int p = i; p < n; p++) {
                    s += a[aOff + lowIndex(uplo, p, i, lda)] * a[aOff + lowIndex(uplo, p, j, lda)];
                }
                a[aOff + lowIndex(uplo, i, j, lda)] = s;
            }
        }
    }

    @Override
    public void potrs(Uplo uplo, int n, int nrhs, double[] a, int aOff, int lda, double[] b, int bOff, int ldb) {
        KernelArguments.potrs(uplo, n, nrhs, len(a), aOff, lda, len(b), bOff, ldb);
        if (uplo == Uplo.LOWER) {
            trsm(Side.LEFT, Uplo.LOWER, Trans.N, Diag.NON_UNIT, n, nrhs, 1.0, a, aOff, lda, b, bOff, ldb);
            trsm(Side.LEFT, Uplo.LOWER, Trans.T, Diag.NON_UNIT, n, nrhs, 1.0, a, aOff, lda, b, bOff, ldb);
        } else {
            trsm(Side.LEFT, Uplo.UPPER, Trans.T, Diag.NON_UNIT, n, nrhs, 1.0, a, aOff, lda, b, bOff, ldb);
            trsm(Side.LEFT, Uplo.UPPER, Trans.N, Diag.NON_UNIT, n, nrhs, 1.0, a, aOff, lda, b, bOff, ldb);
        }
    }

    @Override
    public void getrfNoPivot(int n, double[] a, int aOff, int lda) {
        KernelArguments.size("n", n);
        KernelArguments.matrix("A", a, aOff, n, n, lda);
        for (int k = 0; k < n; k++) {
            double piv = a[aOff + k * lda + k];
            if (piv == 0 || Double.isNaN(piv)) {
                throw new ZeroPivotException(k, piv);
            }
            for (int i = k + 1; i < n; i++) {
                int row = aOff + i * lda;
                double l = a[row + k] / piv;
                a[row + k] = l;
                int krow = aOff + k * lda;
                for (int j = k + 1; j < n; j++) {
                    a[row + j] -= l * a[krow + j];
                }
            }
        }
    }

    // ================================================================================================
    // Fused curvature forms — double

    @Override
    public double shermanMorrisonUpdate(int n, double c, double[] x, int xOff, double[] hInv, int hOff, int ldh,
                                       double[] work, int workOff) {
        KernelArguments.inverseUpdate(n, len(hInv), hOff, ldh, len(work), workOff);
        KernelArguments.vector("x", x, xOff, n);
        gemv(Trans.N, n, n, 1.0, hInv, hOff, ldh, x, xOff, 0.0, work, workOff);
        double den = c + dot(n, x, xOff, work, workOff);
        for (int i = 0; i < n; i++) {
            double f = -work[workOff + i] / den;
            int row = hOff + i * ldh;
            for (int j = 0; j < n; j++) {
                hInv[row + j] += f * work[workOff + j];
            }
        }
        return den;
    }

    @Override
    public double eliminateCoordinate(int n, int p, double[] hInv, int hOff, int ldh, double[] work, int workOff) {
        KernelArguments.inverseUpdate(n, len(hInv), hOff, ldh, len(work), workOff);
        KernelArguments.index("p", p, n);
        double piv = hInv[hOff + p * ldh + p];
        System.arraycopy(hInv, hOff + p * ldh, work, workOff, n);
        for (int i = 0; i < n; i++) {
            int row = hOff + i * ldh;
            double f = hInv[row + p] / piv;
            for (int j = 0; j < n; j++) {
                hInv[row + j] -= f * work[workOff + j];
            }
        }
        for (int i = 0; i < n; i++) {
            hInv[hOff + i * ldh + p] = 0;
        }
        java.util.Arrays.fill(hInv, hOff + p * ldh, hOff + p * ldh + n, 0.0);
        return piv;
    }

    @Override
    public void rowDots(int m, int d, double[] g, int gOff, int ldg, double[] x, int xOff, double[] y, int yOff) {
        KernelArguments.rows(m, d, len(g), gOff, ldg, "x", len(x), xOff, "y", len(y), yOff);
        for (int i = 0; i < m; i++) {
            double s = 0;
            int row = gOff + i * ldg;
            for (int j = 0; j < d; j++) {
                s += g[row + j] * x[xOff + j];
            }
            y[yOff + i] = s;
        }
    }

    @Override
    public void rowCombination(int m, int d, double[] c, int cOff, double[] g, int gOff, int ldg,
                               double beta, double[] x, int xOff) {
        KernelArguments.rows(m, d, len(g), gOff, ldg, "x", len(x), xOff, "c", len(c), cOff);
        scaleOrZero(d, beta, x, xOff);
        for (int i = 0; i < m; i++) {
            double ci = c[cOff + i];
            int row = gOff + i * ldg;
            for (int j = 0; j < d; j++) {
                x[xOff + j] += ci * g[row + j];
            }
        }
    }

    /**
     * y ← beta·y, or y ← 0 without reading y when beta is 0 (BLAS semantics). An empty row is a no-op even
     * when its offset lies past the end of the array (rows of an m×0 matrix with ld = 1 do).
     */
    private static void scaleOrZero(int n, double beta, double[] y, int yOff) {
        if (n == 0) {
            return;
        }
        if (beta == 0) {
            java.util.Arrays.fill(y, yOff, yOff + n, 0.0);
        } else if (beta != 1) {
            for (int i = 0; i < n; i++) {
                y[yOff + i] *= beta;
            }
        }
    }

    // ================================================================================================
    // Index helpers

    /** Storage index of entry (i, j) of a symmetric matrix of which only the uplo triangle is stored. */
    static int symIndex(Uplo uplo, int i, int j, int lda) {
        boolean inLower = j <= i;
        if ((uplo == Uplo.LOWER) == inLower) {
            return i * lda + j;
        }
        return j * lda + i;
    }

    /**
     * Storage index of entry (i, j), i ≥ j, of the lower-triangular Cholesky factor L. For UPPER storage
     * the factor is U = Lᵀ, so L[i][j] lives at U[j][i].
     */
    static int lowIndex(Uplo uplo, int i, int j, int lda) {
        return uplo == Uplo.LOWER ? i * lda + j : j * lda + i;
    }

    /** Storage index of entry (i, j) of op(A). */
    static int opIndex(Trans trans, int i, int j, int lda) {
        return trans == Trans.N ? i * lda + j : j * lda + i;
    }

    @Override
    public void im2col(ConvolutionGeometry g, float[] x, int xOff, int from, int to, float[] cols, int colsOff,
                       int ld) {
        ConvolutionLayout.check(g, len(x), xOff, from, to, len(cols), colsOff, ld);
        ConvolutionLayout.im2col(g, x, xOff, from, to, cols, colsOff, ld);
    }

    @Override
    public void col2im(ConvolutionGeometry g, float[] cols, int colsOff, int ld, int from, int to, float[] x,
                       int xOff) {
        ConvolutionLayout.check(g, len(x), xOff, from, to, len(cols), colsOff, ld);
        ConvolutionLayout.col2im(g, cols, colsOff, ld, from, to, x, xOff);
    }
}
