package dev.surgeon.kernels;

import static dev.surgeon.kernels.VectorOps.fma;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Level-2 kernels over row-major matrices, float and double: the row streams behind {@code gemv},
 * {@code rowDots} and {@code rowCombination}, and the symmetric {@code symv}/{@code syr}.
 *
 * <p>A matrix-vector product is bandwidth-bound: each matrix element is used once. The streams therefore
 * take {@value #ROWS} rows per pass, so that one load of the vector operand (or one load and store of
 * the accumulated vector) serves four matrix rows: {@code rowDots} keeps 4 rows × 2 accumulators live,
 * {@code rowCombination} adds 4 scaled rows to the destination in one read-modify-write. For M-FAC's
 * {@code G·x} and {@code Gᵀ·c} (m ≈ 256 rows of length d ≈ 10⁵–10⁶) the vector operand stays in L2 while G
 * streams from memory four rows at a time, which the hardware prefetchers follow well. Arguments are
 * checked by the caller ({@link VectorKernels}).
 */
final class VectorBlas2 {
    static final int ROWS = 4;
    private static final VectorSpecies<Float> FS = VectorOps.FLOATS;
    private static final VectorSpecies<Double> DS = VectorOps.DOUBLES;
    private static final int FL = FS.length();
    private static final int DL = DS.length();

    private VectorBlas2() {
    }

    // ================================================================================================
    // float

    /** {@code y[i] += alpha·(G_i · x)} for the m rows of G. */
    static void addRowDots(int m, int d, float alpha, float[] g, int gOff, int ldg, float[] x, int xOff,
                           float[] y, int yOff) {
        int i = 0;
        for (; i + ROWS <= m; i += ROWS) {
            dots4(d, alpha, g, gOff + i * ldg, ldg, x, xOff, y, yOff + i);
        }
        for (; i < m; i++) {
            y[yOff + i] += alpha * VectorBlas1.dot(d, g, gOff + i * ldg, x, xOff);
        }
    }

    /** Four rows starting at {@code g[r]}: {@code y[yi + q] += alpha·(G_q · x)}. */
    private static void dots4(int d, float alpha, float[] g, int r, int ldg, float[] x, int xOff, float[] y, int yi) {
        int r1 = r + ldg;
        int r2 = r1 + ldg;
        int r3 = r2 + ldg;
        int j = 0;
        float s0 = 0;
        float s1 = 0;
        float s2 = 0;
        float s3 = 0;
        if (d >= 2 * FL) {
            FloatVector a0 = FloatVector.zero(FS);
            FloatVector a1 = FloatVector.zero(FS);
            FloatVector a2 = FloatVector.zero(FS);
            FloatVector a3 = FloatVector.zero(FS);
            FloatVector b0 = FloatVector.zero(FS);
            FloatVector b1 = FloatVector.zero(FS);
            FloatVector b2 = FloatVector.zero(FS);
            FloatVector b3 = FloatVector.zero(FS);
            for (int bound = d - 2 * FL; j <= bound; j += 2 * FL) {
                FloatVector xa = FloatVector.fromArray(FS, x, xOff + j);
                FloatVector xb = FloatVector.fromArray(FS, x, xOff + j + FL);
                a0 = fma(FloatVector.fromArray(FS, g, r + j), xa, a0);
                b0 = fma(FloatVector.fromArray(FS, g, r + j + FL), xb, b0);
                a1 = fma(FloatVector.fromArray(FS, g, r1 + j), xa, a1);
                b1 = fma(FloatVector.fromArray(FS, g, r1 + j + FL), xb, b1);
                a2 = fma(FloatVector.fromArray(FS, g, r2 + j), xa, a2);
                b2 = fma(FloatVector.fromArray(FS, g, r2 + j + FL), xb, b2);
                a3 = fma(FloatVector.fromArray(FS, g, r3 + j), xa, a3);
                b3 = fma(FloatVector.fromArray(FS, g, r3 + j + FL), xb, b3);
            }
            s0 = a0.add(b0).reduceLanes(VectorOperators.ADD);
            s1 = a1.add(b1).reduceLanes(VectorOperators.ADD);
            s2 = a2.add(b2).reduceLanes(VectorOperators.ADD);
            s3 = a3.add(b3).reduceLanes(VectorOperators.ADD);
        }
        for (; j < d; j++) {
            float xj = x[xOff + j];
            s0 += g[r + j] * xj;
            s1 += g[r1 + j] * xj;
            s2 += g[r2 + j] * xj;
            s3 += g[r3 + j] * xj;
        }
        y[yi] += alpha * s0;
        y[yi + 1] += alpha * s1;
        y[yi + 2] += alpha * s2;
        y[yi + 3] += alpha * s3;
    }

    /** {@code x += alpha·Σ_i c[i]·G_i} over the m rows of G. */
    static void addRowCombination(int m, int d, float alpha, float[] c, int cOff, float[] g, int gOff, int ldg,
                                  float[] x, int xOff) {
        int i = 0;
        for (; i + ROWS <= m; i += ROWS) {
            combine4(d, alpha * c[cOff + i], alpha * c[cOff + i + 1], alpha * c[cOff + i + 2],
                    alpha * c[cOff + i + 3], g, gOff + i * ldg, ldg, x, xOff);
        }
        for (; i < m; i++) {
            VectorBlas1.axpy(d, alpha * c[cOff + i], g, gOff + i * ldg, x, xOff);
        }
    }

    /** {@code x += f0·G_0 + f1·G_1 + f2·G_2 + f3·G_3} for the four rows starting at {@code g[r]}. */
    private static void combine4(int d, float f0, float f1, float f2, float f3, float[] g, int r, int ldg,
                                 float[] x, int xOff) {
        int r1 = r + ldg;
        int r2 = r1 + ldg;
        int r3 = r2 + ldg;
        int j = 0;
        if (d >= FL) {
            FloatVector v0 = FloatVector.broadcast(FS, f0);
            FloatVector v1 = FloatVector.broadcast(FS, f1);
            FloatVector v2 = FloatVector.broadcast(FS, f2);
            FloatVector v3 = FloatVector.broadcast(FS, f3);
            for (int bound = FS.loopBound(d); j < bound; j += FL) {
                FloatVector acc = FloatVector.fromArray(FS, x, xOff + j);
                acc = fma(v0, FloatVector.fromArray(FS, g, r + j), acc);
                acc = fma(v1, FloatVector.fromArray(FS, g, r1 + j), acc);
                acc = fma(v2, FloatVector.fromArray(FS, g, r2 + j), acc);
                acc = fma(v3, FloatVector.fromArray(FS, g, r3 + j), acc);
                acc.intoArray(x, xOff + j);
            }
        }
        for (; j < d; j++) {
            x[xOff + j] += f0 * g[r + j] + f1 * g[r1 + j] + f2 * g[r2 + j] + f3 * g[r3 + j];
        }
    }

    /**
     * {@code y += alpha·A·x} for the symmetric n×n A of which only the {@code uplo} triangle is read. One
     * pass over the triangle: row i's stored part serves both y[i] (a dot with x) and, as column i of the
     * mirrored triangle, the other entries of y (an axpy with x[i]).
     */
    static void symv(Uplo uplo, int n, float alpha, float[] a, int aOff, int lda, float[] x, int xOff,
                     float[] y, int yOff) {
        for (int i = 0; i < n; i++) {
            int row = aOff + i * lda;
            // Off-diagonal part of row i: columns [0, i) for LOWER, (i, n) for UPPER.
            int from = uplo == Uplo.LOWER ? 0 : i + 1;
            int len = uplo == Uplo.LOWER ? i : n - i - 1;
            float xi = alpha * x[xOff + i];
            float s = dotAndAxpy(len, a, row + from, x, xOff + from, xi, y, yOff + from);
            y[yOff + i] += alpha * (s + a[row + i] * x[xOff + i]);
        }
    }

    /** Returns {@code Σ a[k]·x[k]} and does {@code y[k] += f·a[k]} over the same n elements, one load of a. */
    private static float dotAndAxpy(int n, float[] a, int aOff, float[] x, int xOff, float f, float[] y, int yOff) {
        int k = 0;
        float s = 0;
        if (n >= FL) {
            FloatVector acc = FloatVector.zero(FS);
            FloatVector fv = FloatVector.broadcast(FS, f);
            for (int bound = FS.loopBound(n); k < bound; k += FL) {
                FloatVector av = FloatVector.fromArray(FS, a, aOff + k);
                acc = fma(av, FloatVector.fromArray(FS, x, xOff + k), acc);
                fma(av, fv, FloatVector.fromArray(FS, y, yOff + k)).intoArray(y, yOff + k);
            }
            s = acc.reduceLanes(VectorOperators.ADD);
        }
        for (; k < n; k++) {
            float av = a[aOff + k];
            s += av * x[xOff + k];
            y[yOff + k] += f * av;
        }
        return s;
    }

    /** {@code A ← A + alpha·x·xᵀ} on the {@code uplo} triangle of the n×n A. */
    static void syr(Uplo uplo, int n, float alpha, float[] x, int xOff, float[] a, int aOff, int lda) {
        for (int i = 0; i < n; i++) {
            int lo = uplo == Uplo.LOWER ? 0 : i;
            int len = uplo == Uplo.LOWER ? i + 1 : n - i;
            VectorBlas1.axpy(len, alpha * x[xOff + i], x, xOff + lo, a, aOff + i * lda + lo);
        }
    }

    // ================================================================================================
    // double

    /** {@code y[i] += alpha·(G_i · x)} for the m rows of G. */
    static void addRowDots(int m, int d, double alpha, double[] g, int gOff, int ldg, double[] x, int xOff,
                           double[] y, int yOff) {
        int i = 0;
        for (; i + ROWS <= m; i += ROWS) {
            dots4(d, alpha, g, gOff + i * ldg, ldg, x, xOff, y, yOff + i);
        }
        for (; i < m; i++) {
            y[yOff + i] += alpha * VectorBlas1.dot(d, g, gOff + i * ldg, x, xOff);
        }
    }

    private static void dots4(int d, double alpha, double[] g, int r, int ldg, double[] x, int xOff, double[] y,
                              int yi) {
        int r1 = r + ldg;
        int r2 = r1 + ldg;
        int r3 = r2 + ldg;
        int j = 0;
        double s0 = 0;
        double s1 = 0;
        double s2 = 0;
        double s3 = 0;
        if (d >= 2 * DL) {
            DoubleVector a0 = DoubleVector.zero(DS);
            DoubleVector a1 = DoubleVector.zero(DS);
            DoubleVector a2 = DoubleVector.zero(DS);
            DoubleVector a3 = DoubleVector.zero(DS);
            DoubleVector b0 = DoubleVector.zero(DS);
            DoubleVector b1 = DoubleVector.zero(DS);
            DoubleVector b2 = DoubleVector.zero(DS);
            DoubleVector b3 = DoubleVector.zero(DS);
            for (int bound = d - 2 * DL; j <= bound; j += 2 * DL) {
                DoubleVector xa = DoubleVector.fromArray(DS, x, xOff + j);
                DoubleVector xb = DoubleVector.fromArray(DS, x, xOff + j + DL);
                a0 = fma(DoubleVector.fromArray(DS, g, r + j), xa, a0);
                b0 = fma(DoubleVector.fromArray(DS, g, r + j + DL), xb, b0);
                a1 = fma(DoubleVector.fromArray(DS, g, r1 + j), xa, a1);
                b1 = fma(DoubleVector.fromArray(DS, g, r1 + j + DL), xb, b1);
                a2 = fma(DoubleVector.fromArray(DS, g, r2 + j), xa, a2);
                b2 = fma(DoubleVector.fromArray(DS, g, r2 + j + DL), xb, b2);
                a3 = fma(DoubleVector.fromArray(DS, g, r3 + j), xa, a3);
                b3 = fma(DoubleVector.fromArray(DS, g, r3 + j + DL), xb, b3);
            }
            s0 = a0.add(b0).reduceLanes(VectorOperators.ADD);
            s1 = a1.add(b1).reduceLanes(VectorOperators.ADD);
            s2 = a2.add(b2).reduceLanes(VectorOperators.ADD);
            s3 = a3.add(b3).reduceLanes(VectorOperators.ADD);
        }
        for (; j < d; j++) {
            double xj = x[xOff + j];
            s0 += g[r + j] * xj;
            s1 += g[r1 + j] * xj;
            s2 += g[r2 + j] * xj;
            s3 += g[r3 + j] * xj;
        }
        y[yi] += alpha * s0;
        y[yi + 1] += alpha * s1;
        y[yi + 2] += alpha * s2;
        y[yi + 3] += alpha * s3;
    }

    /** {@code x += alpha·Σ_i c[i]·G_i} over the m rows of G. */
    static void addRowCombination(int m, int d, double alpha, double[] c, int cOff, double[] g, int gOff, int ldg,
                                  double[] x, int xOff) {
        int i = 0;
        for (; i + ROWS <= m; i += ROWS) {
            combine4(d, alpha * c[cOff + i], alpha * c[cOff + i + 1], alpha * c[cOff + i + 2],
                    alpha * c[cOff + i + 3], g, gOff + i * ldg, ldg, x, xOff);
        }
        for (; i < m; i++) {
            VectorBlas1.axpy(d, alpha * c[cOff + i], g, gOff + i * ldg, x, xOff);
        }
    }

    private static void combine4(int d, double f0, double f1, double f2, double f3, double[] g, int r, int ldg,
                                 double[] x, int xOff) {
        int r1 = r + ldg;
        int r2 = r1 + ldg;
        int r3 = r2 + ldg;
        int j = 0;
        if (d >= DL) {
            DoubleVector v0 = DoubleVector.broadcast(DS, f0);
            DoubleVector v1 = DoubleVector.broadcast(DS, f1);
            DoubleVector v2 = DoubleVector.broadcast(DS, f2);
            DoubleVector v3 = DoubleVector.broadcast(DS, f3);
            for (int bound = DS.loopBound(d); j < bound; j += DL) {
                DoubleVector acc = DoubleVector.fromArray(DS, x, xOff + j);
                acc = fma(v0, DoubleVector.fromArray(DS, g, r + j), acc);
                acc = fma(v1, DoubleVector.fromArray(DS, g, r1 + j), acc);
                acc = fma(v2, DoubleVector.fromArray(DS, g, r2 + j), acc);
                acc = fma(v3, DoubleVector.fromArray(DS, g, r3 + j), acc);
                acc.intoArray(x, xOff + j);
            }
        }
        for (; j < d; j++) {
            x[xOff + j] += f0 * g[r + j] + f1 * g[r1 + j] + f2 * g[r2 + j] + f3 * g[r3 + j];
        }
    }

    /** As {@link #symv(Uplo, int, float, float[], int, int, float[], int, float[], int)}. */
    static void symv(Uplo uplo, int n, double alpha, double[] a, int aOff, int lda, double[] x, int xOff,
                     double[] y, int yOff) {
        for (int i = 0; i < n; i++) {
            int row = aOff + i * lda;
            int from = uplo == Uplo.LOWER ? 0 : i + 1;
            int len = uplo == Uplo.LOWER ? i : n - i - 1;
            double xi = alpha * x[xOff + i];
            double s = dotAndAxpy(len, a, row + from, x, xOff + from, xi, y, yOff + from);
            y[yOff + i] += alpha * (s + a[row + i] * x[xOff + i]);
        }
    }

    private static double dotAndAxpy(int n, double[] a, int aOff, double[] x, int xOff, double f, double[] y,
                                     int yOff) {
        int k = 0;
        double s = 0;
        if (n >= DL) {
            DoubleVector acc = DoubleVector.zero(DS);
            DoubleVector fv = DoubleVector.broadcast(DS, f);
            for (int bound = DS.loopBound(n); k < bound; k += DL) {
                DoubleVector av = DoubleVector.fromArray(DS, a, aOff + k);
                acc = fma(av, DoubleVector.fromArray(DS, x, xOff + k), acc);
                fma(av, fv, DoubleVector.fromArray(DS, y, yOff + k)).intoArray(y, yOff + k);
            }
            s = acc.reduceLanes(VectorOperators.ADD);
        }
        for (; k < n; k++) {
            double av = a[aOff + k];
            s += av * x[xOff + k];
            y[yOff + k] += f * av;
        }
        return s;
    }

    /** {@code A ← A + alpha·x·xᵀ} on the {@code uplo} triangle of the n×n A. */
    static void syr(Uplo uplo, int n, double alpha, double[] x, int xOff, double[] a, int aOff, int lda) {
        for (int i = 0; i < n; i++) {
            int lo = uplo == Uplo.LOWER ? 0 : i;
            int len = uplo == Uplo.LOWER ? i + 1 : n - i;
            VectorBlas1.axpy(len, alpha * x[xOff + i], x, xOff + lo, a, aOff + i * lda + lo);
        }
    }
}
