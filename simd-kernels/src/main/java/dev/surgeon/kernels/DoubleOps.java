package dev.surgeon.kernels;

import static dev.surgeon.kernels.VectorOps.fma;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link PrecisionOps} for {@code double[]}: the packed {@link DoubleGemm} with this instance's thread bound, the
 * {@link VectorBlas1} and {@link VectorBlas2} kernels, and the vectorized right-sided triangular base case.
 */
final class DoubleOps implements PrecisionOps<double[]> {
    private static final VectorSpecies<Double> S = VectorOps.DOUBLES;
    private static final int L = S.length();

    private final int threads;

    DoubleOps(int threads) {
        this.threads = threads;
    }

    @Override
    public int threads() {
        return threads;
    }

    @Override
    public void packedProduct(Uplo tri, boolean transA, boolean transB, int m, int n, int k, double alpha,
                              double[] a, int aOff, int lda, double[] b, int bOff, int ldb, double beta,
                              double[] c, int cOff, int ldc) {
        DoubleGemm.INSTANCE.multiply(tri, transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc,
                threads);
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
    public double asum(int n, double[] x, int xOff) {
        return VectorBlas1.asum(n, x, xOff);
    }

    @Override
    public double sumOfSquares(int n, double[] x, int xOff) {
        return VectorBlas1.sumOfSquares(n, x, xOff);
    }

    @Override
    public int iamax(int n, double[] x, int xOff) {
        return VectorBlas1.iamax(n, x, xOff);
    }

    @Override
    public void mul(int n, double[] x, int xOff, double[] y, int yOff, double[] z, int zOff) {
        VectorBlas1.mul(n, x, xOff, y, yOff, z, zOff);
    }

    @Override
    public void add(int n, double[] x, int xOff, double[] y, int yOff, double[] z, int zOff) {
        VectorBlas1.add(n, x, xOff, y, yOff, z, zOff);
    }

    @Override
    public void symv(Uplo uplo, int n, double alpha, double[] a, int aOff, int lda, double[] x, int xOff, double[] y,
                     int yOff) {
        VectorBlas2.symv(uplo, n, alpha, a, aOff, lda, x, xOff, y, yOff);
    }

    @Override
    public void syr(Uplo uplo, int n, double alpha, double[] x, int xOff, double[] a, int aOff, int lda) {
        VectorBlas2.syr(uplo, n, alpha, x, xOff, a, aOff, lda);
    }

    @Override
    public void addRowDots(int m, int d, double alpha, double[] g, int gOff, int ldg, double[] x, int xOff, double[] y,
                           int yOff) {
        VectorBlas2.addRowDots(m, d, alpha, g, gOff, ldg, x, xOff, y, yOff);
    }

    @Override
    public void addRowCombination(int m, int d, double alpha, double[] c, int cOff, double[] g, int gOff, int ldg,
                                  double[] x, int xOff) {
        VectorBlas2.addRowCombination(m, d, alpha, c, cOff, g, gOff, ldg, x, xOff);
    }

    @Override
    public double round(double value) {
        return value;
    }

    @Override
    public double get(double[] a, int i) {
        return a[i];
    }

    @Override
    public void set(double[] a, int i, double value) {
        a[i] = value;
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
    public void solveRowsSmall(boolean upper, int m, int n, double[] e, double[] b, int bOff, int ldb,
                               PackingBuffers.Lease lease) {
        int recip = n * n;
        double[] block = lease.doubles2(2 * n * L);
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
                DoubleVector.fromArray(S, block, c, rowIndex, 0).intoArray(block, cols + c * L);
            }
            for (int t = 0; t < n; t++) {
                int j = upper ? t : n - 1 - t;
                DoubleVector x = DoubleVector.fromArray(S, block, cols + j * L).mul(e[recip + j]);
                x.intoArray(block, cols + j * L);
                DoubleVector nx = x.neg();
                int from = upper ? j + 1 : 0;
                int to = upper ? n : j;
                for (int c = from; c < to; c++) {
                    int at = cols + c * L;
                    fma(nx, DoubleVector.broadcast(S, e[j * n + c]), DoubleVector.fromArray(S, block, at)).intoArray(block, at);
                }
            }
            for (int c = 0; c < n; c++) {
                DoubleVector.fromArray(S, block, cols + c * L).intoArray(block, c, rowIndex, 0);
            }
            for (int r = 0; r < L; r++) {
                System.arraycopy(block, r * n, b, base + r * ldb, n);
            }
        }
        for (; r0 < m; r0++) {
            int row = bOff + r0 * ldb;
            for (int t = 0; t < n; t++) {
                int j = upper ? t : n - 1 - t;
                double x = b[row + j] * e[recip + j];
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
    public double[] scratch(PackingBuffers.Lease lease, int size) {
        return lease.doubles(size);
    }
}
