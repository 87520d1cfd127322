package dev.surgeon.kernels;

/**
 * {@link PrecisionOps} for {@code float[]}: the packed {@link FloatGemm} with this instance's thread bound,
 * the {@link VectorBlas1} row primitives, and the level-3 entry points' BLAS corner cases (empty shapes,
 * {@code alpha == 0} or {@code k == 0}, where C is only scaled by beta and A, B are not read).
 */
final class FloatOps implements PrecisionOps<float[]> {
    private final int threads;

    FloatOps(int threads) {
        this.threads = threads;
    }

    @Override
    public void gemm(boolean transA, boolean transB, int m, int n, int k, double alpha, float[] a, int aOff, int lda,
                     float[] b, int bOff, int ldb, double beta, float[] c, int cOff, int ldc) {
        if (m == 0 || n == 0) {
            return;
        }
        if (alpha == 0 || k == 0) {
            for (int i = 0; i < m; i++) {
                VectorBlas1.scaleOrZero(n, (float) beta, c, cOff + i * ldc);
            }
            return;
        }
        FloatGemm.INSTANCE.multiply(null, transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta,
                c, cOff, ldc, threads);
    }

    @Override
    public void syrk(Uplo uplo, boolean trans, int n, int k, double alpha, float[] a, int aOff, int lda,
                     double beta, float[] c, int cOff, int ldc) {
        if (n == 0) {
            return;
        }
        if (alpha == 0 || k == 0) {
            for (int i = 0; i < n; i++) {
                int lo = uplo == Uplo.LOWER ? 0 : i;
                int len = uplo == Uplo.LOWER ? i + 1 : n - i;
                VectorBlas1.scaleOrZero(len, (float) beta, c, cOff + i * ldc + lo);
            }
            return;
        }
        // N: C = A·Aᵀ with A n×k, so op(A) = A and op(B) = Aᵀ; T: C = Aᵀ·A with A k×n.
        FloatGemm.INSTANCE.multiply(uplo, trans, !trans, n, n, k, alpha, a, aOff, lda, a, aOff, lda, beta,
                c, cOff, ldc, threads);
    }

    @Override
    public double dot(int n, float[] x, int xOff, float[] y, int yOff) {
        return VectorBlas1.dot(n, x, xOff, y, yOff);
    }

    @Override
    public void axpy(int n, double alpha, float[] x, int xOff, float[] y, int yOff) {
        VectorBlas1.axpy(n, (float) alpha, x, xOff, y, yOff);
    }

    @Override
    public void scal(int n, double alpha, float[] x, int xOff) {
        VectorBlas1.scal(n, (float) alpha, x, xOff);
    }

    @Override
    public void scaleOrZero(int n, double alpha, float[] x, int xOff) {
        VectorBlas1.scaleOrZero(n, (float) alpha, x, xOff);
    }

    @Override
    public double get(float[] a, int i) {
        return a[i];
    }

    @Override
    public void set(float[] a, int i, double value) {
        a[i] = (float) value;
    }

    @Override
    public void transpose(int rows, int cols, float[] src, int srcOff, int lds, float[] dst, int dstOff, int ldd) {
        for (int r = 0; r < rows; r++) {
            int s = srcOff + r * lds;
            for (int c = 0; c < cols; c++) {
                dst[dstOff + c * ldd + r] = src[s + c];
            }
        }
    }

    @Override
    public float[] scratch(PackingBuffers.Lease lease, int size) {
        return lease.floats(size);
    }
}
