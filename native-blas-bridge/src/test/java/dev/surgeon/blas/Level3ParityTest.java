package dev.surgeon.blas;

import static dev.surgeon.blas.OpenBlasTestSupport.DOUBLE_U;
import static dev.surgeon.blas.OpenBlasTestSupport.FLOAT_U;
import static dev.surgeon.blas.OpenBlasTestSupport.SCALAR;
import static dev.surgeon.blas.OpenBlasTestSupport.abs;
import static dev.surgeon.blas.OpenBlasTestSupport.assertWithin;
import static dev.surgeon.blas.OpenBlasTestSupport.length;
import static dev.surgeon.blas.OpenBlasTestSupport.matrix;
import static dev.surgeon.blas.OpenBlasTestSupport.nans;
import static dev.surgeon.blas.OpenBlasTestSupport.toFloat;
import static dev.surgeon.blas.OpenBlasTestSupport.triangle;

import dev.surgeon.kernels.Diag;
import dev.surgeon.kernels.Side;
import dev.surgeon.kernels.Trans;
import dev.surgeon.kernels.Uplo;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * gemm (all four transpose combinations), syrk (both triangles and transposes) and trsm (all 16 forms)
 * of the native path against the scalar reference, with alpha/beta variants, offsets and ld &gt; width
 * under NaN padding, on critical sizes and on sizes past the critical budget (off-heap copies).
 */
class Level3ParityTest {
    private static OpenBlasKernels blas;

    @BeforeAll
    static void load() {
        blas = OpenBlasTestSupport.nativeKernels();
    }

    static Stream<Arguments> gemmShapes() {
        int s = offHeapOrder(2);
        return Stream.of(new int[][]{{1, 1, 1}, {7, 9, 5}, {16, 17, 15}, {33, 31, 65}, {64, 63, 2}, {0, 3, 4},
                        {3, 0, 4}, {3, 4, 0}, {130, 90, 257}, {s + 7, s - 3, s + 11}})
                .map(t -> Arguments.of(t[0], t[1], t[2]));
    }

    static Stream<Arguments> syrkShapes() {
        int s = offHeapOrder(1);
        return Stream.of(new int[][]{{1, 1}, {7, 5}, {17, 33}, {64, 1}, {0, 3}, {3, 0}, {129, 70}, {s + 5, s + 2}})
                .map(t -> Arguments.of(t[0], t[1]));
    }

    static Stream<Arguments> trsmShapes() {
        int s = offHeapOrder(1);
        return Stream.of(new int[][]{{1, 1}, {7, 9}, {17, 16}, {33, 65}, {0, 4}, {4, 0}, {130, 70}, {s + 4, s + 3}})
                .map(t -> Arguments.of(t[0], t[1]));
    }

    /** The order s from which c·s³ flops exceed the critical budget: shapes around it take the off-heap route. */
    private static int offHeapOrder(int c) {
        return (int) Math.ceil(Math.cbrt(CallPolicy.Work.MATRIX_MATRIX.criticalMax / c)) + 1;
    }

    @ParameterizedTest(name = "m={0} n={1} k={2}")
    @MethodSource("gemmShapes")
    void gemmMatchesScalarForEveryTransposeAlphaAndBeta(int m, int n, int k) {
        SplittableRandom r = new SplittableRandom(m * 1_000_003L + n * 1009L + k);
        boolean big = 2.0 * m * n * k > CallPolicy.Work.MATRIX_MATRIX.criticalMax;
        for (Trans ta : Trans.values()) {
            for (Trans tb : Trans.values()) {
                int aRows = ta == Trans.N ? m : k;
                int aCols = ta == Trans.N ? k : m;
                int bRows = tb == Trans.N ? k : n;
                int bCols = tb == Trans.N ? n : k;
                int lda = aCols + 1;
                int ldb = bCols + 3;
                int ldc = n + 2;
                double[] a = matrix(r, 2, aRows, aCols, lda);
                double[] b = matrix(r, 5, bRows, bCols, ldb);
                for (double[] ab : big ? new double[][]{{-0.5, 2}, {1, 0}} : new double[][]{{1, 0}, {1, 1}, {-0.5, 2}}) {
                    double alpha = ab[0];
                    double beta = ab[1];
                    double[] c = beta == 0 ? nans(length(4, m, n, ldc)) : matrix(r, 4, m, n, ldc);
                    double[] scale = abs(c);
                    SCALAR.gemm(ta, tb, m, n, k, Math.abs(alpha), abs(a), 2, lda, abs(b), 5, ldb, Math.abs(beta), scale, 4, ldc);
                    String what = "gemm " + ta + tb + " α=" + alpha + " β=" + beta;

                    float[] fc = toFloat(c);
                    float[] fcRef = fc.clone();
                    SCALAR.gemm(ta, tb, m, n, k, (float) alpha, toFloat(a), 2, lda, toFloat(b), 5, ldb, (float) beta, fcRef, 4, ldc);
                    blas.gemm(ta, tb, m, n, k, (float) alpha, toFloat(a), 2, lda, toFloat(b), 5, ldb, (float) beta, fc, 4, ldc);
                    assertWithin("s" + what, fcRef, fc, toFloat(scale), 2 * (k + 3) * FLOAT_U);

                    double[] dcRef = c.clone();
                    SCALAR.gemm(ta, tb, m, n, k, alpha, a, 2, lda, b, 5, ldb, beta, dcRef, 4, ldc);
                    blas.gemm(ta, tb, m, n, k, alpha, a, 2, lda, b, 5, ldb, beta, c, 4, ldc);
                    assertWithin("d" + what, dcRef, c, scale, 2 * (k + 3) * DOUBLE_U);
                }
            }
        }
    }

    @ParameterizedTest(name = "n={0} k={1}")
    @MethodSource("syrkShapes")
    void syrkUpdatesOnlyItsTriangleAndMatchesScalar(int n, int k) {
        SplittableRandom r = new SplittableRandom(n * 7919L + k);
        for (Uplo uplo : Uplo.values()) {
            for (Trans t : Trans.values()) {
                int aRows = t == Trans.N ? n : k;
                int aCols = t == Trans.N ? k : n;
                int lda = aCols + 2;
                int ldc = n + 1;
                double[] a = matrix(r, 3, aRows, aCols, lda);
                for (double beta : new double[]{0, 2}) {
                    double alpha = -0.5;
                    double[] c = beta == 0 ? nans(length(1, n, n, ldc)) : triangle(r, uplo == Uplo.LOWER, 1, n, ldc);
                    double[] scale = abs(c);
                    SCALAR.syrk(uplo, t, n, k, Math.abs(alpha), abs(a), 3, lda, Math.abs(beta), scale, 1, ldc);
                    String what = "syrk " + uplo + " " + t + " β=" + beta;

                    float[] fc = toFloat(c);
                    float[] fcRef = fc.clone();
                    SCALAR.syrk(uplo, t, n, k, (float) alpha, toFloat(a), 3, lda, (float) beta, fcRef, 1, ldc);
                    blas.syrk(uplo, t, n, k, (float) alpha, toFloat(a), 3, lda, (float) beta, fc, 1, ldc);
                    assertWithin("s" + what, fcRef, fc, toFloat(scale), 2 * (k + 3) * FLOAT_U);

                    double[] dcRef = c.clone();
                    SCALAR.syrk(uplo, t, n, k, alpha, a, 3, lda, beta, dcRef, 1, ldc);
                    blas.syrk(uplo, t, n, k, alpha, a, 3, lda, beta, c, 1, ldc);
                    assertWithin("d" + what, dcRef, c, scale, 2 * (k + 3) * DOUBLE_U);
                }
            }
        }
    }

    /**
     * Triangular factors with diagonal in [1, 2] (NaN when the diagonal is implicit, so reading it fails)
     * and off-diagonal entries in ±0.5/order: ‖D⁻¹N‖∞ ≤ 1/2 bounds the condition number by 5, so the
     * two solutions agree normwise to a few (order + 3)·u.
     */
    @ParameterizedTest(name = "m={0} n={1}")
    @MethodSource("trsmShapes")
    void trsmMatchesScalarInAllSixteenForms(int m, int n) {
        SplittableRandom r = new SplittableRandom(m * 31L + n);
        for (Side side : Side.values()) {
            int order = side == Side.LEFT ? m : n;
            int lda = order + 2;
            for (Uplo uplo : Uplo.values()) {
                for (Diag diag : Diag.values()) {
                    double[] a = triangle(r, uplo == Uplo.LOWER, 1, order, lda);
                    for (int i = 0; i < order; i++) {
                        for (int j = 0; j < order; j++) {
                            int at = 1 + i * lda + j;
                            if (i == j) {
                                a[at] = diag == Diag.UNIT ? Double.NaN : 1 + r.nextDouble();
                            } else if (!Double.isNaN(a[at])) {
                                a[at] *= 0.5 / order;
                            }
                        }
                    }
                    for (Trans t : Trans.values()) {
                        double alpha = t == Trans.N ? 1 : -0.5;
                        double[] b = matrix(r, 2, m, n, n + 3);
                        String what = "trsm " + side + " " + uplo + " " + t + " " + diag;

                        float[] fb = toFloat(b);
                        float[] fbRef = fb.clone();
                        SCALAR.trsm(side, uplo, t, diag, m, n, (float) alpha, toFloat(a), 1, lda, fbRef, 2, n + 3);
                        blas.trsm(side, uplo, t, diag, m, n, (float) alpha, toFloat(a), 1, lda, fb, 2, n + 3);
                        assertWithin("s" + what, OpenBlasTestSupport.toDouble(fbRef), OpenBlasTestSupport.toDouble(fb),
                                normScale(OpenBlasTestSupport.toDouble(fbRef)),
                                10 * (order + 3) * FLOAT_U);

                        double[] dbRef = b.clone();
                        SCALAR.trsm(side, uplo, t, diag, m, n, alpha, a, 1, lda, dbRef, 2, n + 3);
                        blas.trsm(side, uplo, t, diag, m, n, alpha, a, 1, lda, b, 2, n + 3);
                        assertWithin("d" + what, dbRef, b, normScale(dbRef), 10 * (order + 3) * DOUBLE_U);
                    }
                }
            }
        }
    }

    /** max |x| over the non-NaN entries, in every non-NaN position (NaN padding stays exact). */
    private static double[] normScale(double[] x) {
        double max = 0;
        for (double v : x) {
            if (!Double.isNaN(v)) {
                max = Math.max(max, Math.abs(v));
            }
        }
        double[] s = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            s[i] = Double.isNaN(x[i]) ? Double.NaN : max;
        }
        return s;
    }
}
