package dev.surgeon.kernels;

import static dev.surgeon.kernels.VectorOps.fma;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link PrecisionOps} for {@code float[]}: the packed {@link FloatGemm} with this instance's thread bound, the
 * {@link VectorBlas1} and {@link VectorBlas2} kernels, and the vectorized right-sided triangular base case.
 */
final class FloatOps implements PrecisionOps<float[]> {
    private static final VectorSpecies<Float> S = VectorOps.FLOATS;
    private static final int L = S.length();

    private final int threads;

    FloatOps(int threads) {
        this.threads = threads;
    }

    @Override
    public int threads() {
        return threads;
    }

    @Override
    public void packedProduct(Uplo tri, boolean transA, boolean transB, int m, int n, int k, double alpha,
                              float[] a, int aOff, int lda, float[] b, int bOff, int ldb, double beta,
                              float[] c, int cOff, int ldc) {
        FloatGemm.INSTANCE.multiply(tri, transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc,
                threads);
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
    public double asum(int n, float[] x, int xOff) {
        return VectorBlas1.asum(n, x, xOff);
    }

    @Override
    public double sumOfSquares(int n, float[] x, int xOff) {
        return VectorBlas1.sumOfSquares(n, x, xOff);
    }

    @Override
    public int iamax(int n, float[] x, int xOff) {
        return VectorBlas1.iamax(n, x, xOff);
    }

    @Override
    public void mul(int n, float[] x, int xOff, float[] y, int yOff, float[] z, int zOff) {
        VectorBlas1.mul(n, x, xOff, y, yOff, z, zOff);
    }

    @Override
    public void add(int n, float[] x, int xOff, float[] y, int yOff, float[] z, int zOff) {
        VectorBlas1.add(n, x, xOff, y, yOff, z, zOff);
    }

    @Override
    public void symv(Uplo uplo, int n, double alpha, float[] a, int aOff, int lda, float[] x, int xOff, float[] y,
                     int yOff) {
        VectorBlas2.symv(uplo, n, (float) alpha, a, aOff, lda, x, xOff, y, yOff);
    }

    @Override
    public void syr(Uplo uplo, int n, double alpha, float[] x, int xOff, float[] a, int aOff, int lda) {
        VectorBlas2.syr(uplo, n, (float) alpha, x, xOff, a, aOff, lda);
    }

    @Override
    public void addRowDots(int m, int d, double alpha, float[] g, int gOff, int ldg, float[] x, int xOff, float[] y,
                           int yOff) {
        VectorBlas2.addRowDots(m, d, (float) alpha, g, gOff, ldg, x, xOff, y, yOff);
    }

    @Override
    public void addRowCombination(int m, int d, double alpha, float[] c, int cOff, float[] g, int gOff, int ldg,
                                  float[] x, int xOff) {
        VectorBlas2.addRowCombination(m, d, (float) alpha, c, cOff, g, gOff, ldg, x, xOff);
    }

    @Override
    public double round(double value) {
        return (float) value;
    }

    @Override
    public double get(float[] a, int i) {
        return a[i];
    }

    @Override
    public void set(float[] a, int i, double value) {
        a[i] = (float) value;
    }

    /**
     * L rows of B at a time: they are copied into a contiguous L×n block, whose columns are gathered into
     * L-lane vectors (lane r = row r); the substitution runs on whole columns — x_j = b_j·(1/M_jj), then
     * b_c −= M[j][c]·x_j for the later columns c, the reference's order of eliminations — and the columns
     * are scattered back. Gathering straight from B was 6× slower when ldb is a power of two (all L rows
     * in one cache set); a row-by-row vector version was latency-bound (reading x_j right after the vector
     * store that produced it defeats store forwarding). Rows left over (fewer than L) run the same steps
     * in scalar code.
     */
    @Override
    public void solveRowsSmall(boolean upper, int m, int n, float[] e, float[] b, int bOff, int ldb,
                               PackingBuffers.Lease lease) {
        int recip = n * n;
        float[] block = lease.floats2(2 * n * L);
        int cols = n * L;
        int[] rowIndex = lease.ints(L);
        for (int r = 0; r < L; r++) {
            rowIndex[r] = r * n;
        }
        int r0 = 0;
        for (; r0 + L <= m; r0 += L) {
            int base = bOff + r0 * ldb;
            for (int r = 0; r < L; r++) {
                System.arraycopy(b, base + r * ldb, block, r * n, n);
            }
            for (int c = 0; c < n; c++) {
                FloatVector.fromArray(S, block, c, rowIndex, 0).intoArray(block, cols + c * L);
            }
            for (int t = 0; t < n; t++) {
                int j = upper ? t : n - 1 - t;
                FloatVector x = FloatVector.fromArray(S, block, cols + j * L).mul(e[recip + j]);
                x.intoArray(block, cols + j * L);
                FloatVector nx = x.neg();
                int from = upper ? j + 1 : 0;
                int to = upper ? n : j;
                for (int c = from; c < to; c++) {
                    int at = cols + c * L;
                    fma(nx, FloatVector.broadcast(S, e[j * n + c]), FloatVector.fromArray(S, block, at)).intoArray(block, at);
                }
            }
            for (int c = 0; c < n; c++) {
                FloatVector.fromArray(S, block, cols + c * L).intoArray(block, c, rowIndex, 0);
            }
            for (int r = 0; r < L; r++) {
                System.arraycopy(block, r * n, b, base + r * ldb, n);
            }
        }
        for (; r0 < m; r0++) {
            int row = bOff + r0 * ldb;
            for (int t = 0; t < n; t++) {
                int j = upper ? t : n - 1 - t;
                float x = b[row + j] * e[recip + j];
                b[row + j] = x;
                int from = upper ? j + 1 : 0;
                int to = upper ? n : j;
                for (int c = from; c < to; c++) {
                    b[row + c] -= x * e[j * n + c];
                }
            }
        }
    }

    @Override
    public float[] scratch(PackingBuffers.Lease lease, int size) {
        return lease.floats(size);
    }
}
