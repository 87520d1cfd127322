package dev.surgeon.kernels;

/**
 * {@link PrecisionOps} for {@code double[]}: the packed {@link DoubleGemm} with this instance's thread bound,
 * the {@link VectorBlas1} row primitives, and the level-3 entry points' BLAS corner cases (empty shapes,
 * {@code alpha == 0} or {@code k == 0}, where C is only scaled by beta and A, B are not read).
 */
final class DoubleOps implements PrecisionOps<double[]> {
    private final int threads;

    DoubleOps(int threads) {
        this.threads = threads;
    }

    @Override
    public void gemm(boolean transA, boolean transB, int m, int n, int k, double alpha, double[] a, int aOff, int lda,
                     double[] b, int bOff, int ldb, double beta, double[] c, int cOff, int ldc) {
        if (m == 0 || n == 0) {
            return;
        }
        if (alpha == 0 || k == 0) {
            for (int i = 0; i < m; i++) {
                VectorBlas1.scaleOrZero(n, beta, c, cOff + i * ldc);
            }
            return;
        }
        DoubleGemm.INSTANCE.multiply(null, transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta,
                c, cOff, ldc, threads);
    }

    @Override
    public void syrk(Uplo uplo, boolean trans, int n, int k, double alpha, double[] a, int aOff, int lda,
                     double beta, double[] c, int cOff, int ldc) {
        if (n == 0) {
            return;
        }
        if (alpha == 0 || k == 0) {
            for (int i = 0; i < n; i++) {
                int lo = uplo == Uplo.LOWER ? 0 : i;
                int len = uplo == Uplo.LOWER ? i + 1 : n - i;
                VectorBlas1.scaleOrZero(len, beta, c, cOff + i * ldc + lo);
            }
            return;
        }
        // N: C = A·Aᵀ with A n×k, so op(A) = A and op(B) = Aᵀ; T: C = Aᵀ·A with A k×n.
        DoubleGemm.INSTANCE.multiply(uplo, trans, !trans, n, n, k, alpha, a, aOff, lda, a, aOff, lda, beta,
                c, cOff, ldc, threads);
    }

    @Override
    public double dot(int n, double[] x, int xOff, double[] y, int yOff) {
        return VectorBlas1.dot(n, x, xOff, y, yOff);
    }

    @Override
    public void axpy(int n, double alpha, double[] x, int xOff, double[] y, int yOff) {
        VectorBlas1.axpy(n, alpha, x, xOff, y, yOff);
    }

    @Override
    public void scal(int n, double alpha, double[] x, int xOff) {
        VectorBlas1.scal(n, alpha, x, xOff);
    }

    @Override
    public void scaleOrZero(int n, double alpha, double[] x, int xOff) {
        VectorBlas1.scaleOrZero(n, alpha, x, xOff);
    }

    @Override
    public double get(double[] a, int i) {
        return a[i];
    }

    @Override
    public void set(double[] a, int i, double value) {
        a[i] = value;
    }

    @Override
    public void transpose(int rows, int cols, double[] src, int srcOff, int lds, double[] dst, int dstOff, int ldd) {
        for (int r = 0; r < rows; r++) {
            int s = srcOff + r * lds;
            for (int c = 0; c < cols; c++) {
                dst[dstOff + c * ldd + r] = src[s + c];
            }
        }
    }

    @Override
    public double[] scratch(PackingBuffers.Lease lease, int size) {
        return lease.doubles(size);
    }
}
