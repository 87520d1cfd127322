package dev.surgeon.blas;

import static dev.surgeon.blas.OpenBlasTestSupport.DOUBLE_U;
import static dev.surgeon.blas.OpenBlasTestSupport.FLOAT_U;
import static dev.surgeon.blas.OpenBlasTestSupport.SCALAR;
import static dev.surgeon.blas.OpenBlasTestSupport.abs;
import static dev.surgeon.blas.OpenBlasTestSupport.assertWithin;
import static dev.surgeon.blas.OpenBlasTestSupport.matrix;
import static dev.surgeon.blas.OpenBlasTestSupport.nans;
import static dev.surgeon.blas.OpenBlasTestSupport.toFloat;
import static dev.surgeon.blas.OpenBlasTestSupport.triangle;
import static dev.surgeon.blas.OpenBlasTestSupport.vector;

import dev.surgeon.kernels.Trans;
import dev.surgeon.kernels.Uplo;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * gemv, ger, symv and syr of the native path against the scalar reference: rectangular shapes, both
 * transposes and triangles, alpha and beta variants, offsets and ld &gt; width with NaN padding, and shapes
 * beyond {@link CallPolicy#CHUNK_ELEMENTS} (chunked gemv/ger, off-heap symv/syr).
 */
class Level2ParityTest {
    private static OpenBlasKernels blas;

    @BeforeAll
    static void load() {
        blas = OpenBlasTestSupport.nativeKernels();
    }

    static Stream<Arguments> shapes() {
        return Stream.of(new int[][]{{0, 5}, {5, 0}, {1, 1}, {7, 9}, {17, 16}, {33, 65}, {64, 257}, {1000, 3},
                        {3, 1000}, {700, 400}, {300_000, 1}, {1, 300_000}})
                .map(s -> Arguments.of(s[0], s[1]));
    }

    static Stream<Arguments> orders() {
        return Stream.of(0, 1, 2, 7, 16, 17, 65, 130, 600).map(Arguments::of);
    }

    @ParameterizedTest(name = "{0}×{1}")
    @MethodSource("shapes")
    void gemvMatchesScalarForBothTransposesAlphasAndBetas(int m, int n) {
        SplittableRandom r = new SplittableRandom(31L * m + n);
        int lda = n + 2;
        double[] a = matrix(r, 3, m, n, lda);
        for (Trans t : Trans.values()) {
            int xl = t == Trans.N ? n : m;
            int yl = t == Trans.N ? m : n;
            int k = t == Trans.N ? n : m;
            for (double alpha : new double[]{1, -0.5}) {
                for (double beta : new double[]{0, 1, 2}) {
                    double[] x = vector(r, 5, xl);
                    double[] y = beta == 0 ? nans(yl + 10) : vector(r, 7, yl);
                    double[] scale = abs(y);
                    SCALAR.gemv(t, m, n, Math.abs(alpha), abs(a), 3, lda, abs(x), 5, Math.abs(beta), scale, 7);
                    String what = "gemv " + t + " α=" + alpha + " β=" + beta;

                    float[] fy = toFloat(y);
                    float[] fyRef = fy.clone();
                    SCALAR.gemv(t, m, n, (float) alpha, toFloat(a), 3, lda, toFloat(x), 5, (float) beta, fyRef, 7);
                    blas.gemv(t, m, n, (float) alpha, toFloat(a), 3, lda, toFloat(x), 5, (float) beta, fy, 7);
                    assertWithin("s" + what, fyRef, fy, toFloat(scale), 2 * (k + 3) * FLOAT_U);

                    double[] dyRef = y.clone();
                    SCALAR.gemv(t, m, n, alpha, a, 3, lda, x, 5, beta, dyRef, 7);
                    blas.gemv(t, m, n, alpha, a, 3, lda, x, 5, beta, y, 7);
                    assertWithin("d" + what, dyRef, y, scale, 2 * (k + 3) * DOUBLE_U);
                }
            }
        }
    }

    @ParameterizedTest(name = "{0}×{1}")
    @MethodSource("shapes")
    void gerMatchesScalarToTwoRoundingsPerElement(int m, int n) {
        SplittableRandom r = new SplittableRandom(17L * m + n);
        int lda = n + 3;
        double[] a = matrix(r, 2, m, n, lda);
        double[] x = vector(r, 1, m);
        double[] y = vector(r, 4, n);
        double alpha = -0.75;
        double[] scale = abs(a);
        SCALAR.ger(m, n, Math.abs(alpha), abs(x), 1, abs(y), 4, scale, 2, lda);

        float[] fa = toFloat(a);
        float[] faRef = fa.clone();
        SCALAR.ger(m, n, (float) alpha, toFloat(x), 1, toFloat(y), 4, faRef, 2, lda);
        blas.ger(m, n, (float) alpha, toFloat(x), 1, toFloat(y), 4, fa, 2, lda);
        assertWithin("sger", faRef, fa, toFloat(scale), 6 * FLOAT_U);

        double[] daRef = a.clone();
        SCALAR.ger(m, n, alpha, x, 1, y, 4, daRef, 2, lda);
        blas.ger(m, n, alpha, x, 1, y, 4, a, 2, lda);
        assertWithin("dger", daRef, a, scale, 6 * DOUBLE_U);
    }

    @ParameterizedTest(name = "n = {0}")
    @MethodSource("orders")
    void symvReadsOnlyItsTriangleAndMatchesScalar(int n) {
        SplittableRandom r = new SplittableRandom(n + 77);
        int lda = n + 1;
        for (Uplo uplo : Uplo.values()) {
            double[] a = triangle(r, uplo == Uplo.LOWER, 2, n, lda);
            for (double beta : new double[]{0, 2}) {
                double alpha = -0.5;
                double[] x = vector(r, 1, n);
                double[] y = beta == 0 ? nans(n + 6) : vector(r, 3, n);
                double[] scale = abs(y);
                SCALAR.symv(uplo, n, Math.abs(alpha), abs(a), 2, lda, abs(x), 1, Math.abs(beta), scale, 3);
                String what = "symv " + uplo + " β=" + beta;

                float[] fy = toFloat(y);
                float[] fyRef = fy.clone();
                SCALAR.symv(uplo, n, (float) alpha, toFloat(a), 2, lda, toFloat(x), 1, (float) beta, fyRef, 3);
                blas.symv(uplo, n, (float) alpha, toFloat(a), 2, lda, toFloat(x), 1, (float) beta, fy, 3);
                assertWithin("s" + what, fyRef, fy, toFloat(scale), 2 * (n + 3) * FLOAT_U);

                double[] dyRef = y.clone();
                SCALAR.symv(uplo, n, alpha, a, 2, lda, x, 1, beta, dyRef, 3);
                blas.symv(uplo, n, alpha, a, 2, lda, x, 1, beta, y, 3);
                assertWithin("d" + what, dyRef, y, scale, 2 * (n + 3) * DOUBLE_U);
            }
        }
    }

    @ParameterizedTest(name = "n = {0}")
    @MethodSource("orders")
    void syrUpdatesOnlyItsTriangleAndMatchesScalar(int n) {
        SplittableRandom r = new SplittableRandom(n + 99);
        int lda = n + 4;
        for (Uplo uplo : Uplo.values()) {
            double[] a = triangle(r, uplo == Uplo.LOWER, 1, n, lda);
            double[] x = vector(r, 2, n);
            double alpha = 1.5;
            double[] scale = abs(a);
            SCALAR.syr(uplo, n, alpha, abs(x), 2, scale, 1, lda);

            float[] fa = toFloat(a);
            float[] faRef = fa.clone();
            SCALAR.syr(uplo, n, (float) alpha, toFloat(x), 2, faRef, 1, lda);
            blas.syr(uplo, n, (float) alpha, toFloat(x), 2, fa, 1, lda);
            assertWithin("ssyr " + uplo, faRef, fa, toFloat(scale), 6 * FLOAT_U);

            double[] daRef = a.clone();
            SCALAR.syr(uplo, n, alpha, x, 2, daRef, 1, lda);
            blas.syr(uplo, n, alpha, x, 2, a, 1, lda);
            assertWithin("dsyr " + uplo, daRef, a, scale, 6 * DOUBLE_U);
        }
    }
}
