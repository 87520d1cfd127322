package dev.surgeon.blas;

import static dev.surgeon.blas.OpenBlasTestSupport.SCALAR;
import static dev.surgeon.blas.OpenBlasTestSupport.abs;
import static dev.surgeon.blas.OpenBlasTestSupport.assertWithin;
import static dev.surgeon.blas.OpenBlasTestSupport.matrix;
import static dev.surgeon.blas.OpenBlasTestSupport.spd;
import static dev.surgeon.blas.OpenBlasTestSupport.toDouble;
import static dev.surgeon.blas.OpenBlasTestSupport.toFloat;
import static dev.surgeon.blas.OpenBlasTestSupport.vector;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.surgeon.kernels.Kernels;
import dev.surgeon.kernels.Trans;
import dev.surgeon.kernels.Uplo;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The places where OpenBLAS 0.3.21 behaves differently from the SPI (found by probing the library) and
 * the bridge fixes it up: NaN rules of iamax, alpha = 0 in axpy/scal/ger/syr/gemm, empty products, NaN
 * propagation through levels 1–3, NaN input of the factorizations. Each case is compared with the scalar
 * reference NaN for NaN, for the native path and for the provider as {@code auto} builds it.
 */
class SemanticsFixupTest {

    static Stream<OpenBlasKernels> providers() {
        OpenBlasKernels k = OpenBlasTestSupport.defaultKernels();
        return Stream.of(k, k.nativeOnly());
    }

    /** cblas_isamax([1, NaN, 5]) is 0 and cblas_isamax([1, 5, NaN]) is 1; the SPI wants the first NaN. */
    @ParameterizedTest
    @MethodSource("providers")
    void iamaxReturnsTheFirstNaNAndMinusOneWhenEmpty(Kernels k) {
        float[][] cases = {{1, Float.NaN, 5}, {1, 5, Float.NaN}, {Float.POSITIVE_INFINITY, Float.NaN},
                {Float.NaN, Float.NaN}, {-7, 7, 3}};
        for (float[] x : cases) {
            assertEquals(SCALAR.iamax(x.length, x, 0), k.iamax(x.length, x, 0), Arrays.toString(x));
            assertEquals(SCALAR.iamax(x.length, toDouble(x), 0), k.iamax(x.length, toDouble(x), 0), Arrays.toString(x));
        }
        for (int n : new int[]{100, CallPolicy.CHUNK_ELEMENTS + 100}) {
            float[] x = toFloat(vector(new SplittableRandom(n), 0, n));
            x[n - 50] = 100;
            x[n - 10] = Float.NaN;
            assertEquals(n - 10, k.iamax(n, x, 0), "NaN after the maximum, n = " + n);
            x[5] = Float.NaN;
            assertEquals(5, k.iamax(n, x, 0), "first of two NaNs, n = " + n);
            assertEquals(5, k.iamax(n, toDouble(x), 0), "double, n = " + n);
        }
        assertEquals(-1, k.iamax(0, new float[0], 0));
        assertEquals(-1, k.iamax(0, new double[0], 0));
    }

    /** OpenBLAS's axpy/ger/syr return early for alpha = 0 and its scal writes zeros; the reference computes 0·x. */
    @ParameterizedTest
    @MethodSource("providers")
    void alphaZeroStillPropagatesNaNAndInfinityLikeTheReference(Kernels k) {
        int n = 300;
        double[] x = vector(new SplittableRandom(1), 0, n);
        x[7] = Double.NaN;
        x[100] = Double.POSITIVE_INFINITY;
        x[200] = -3;

        float[] y = toFloat(vector(new SplittableRandom(2), 0, n));
        float[] yRef = y.clone();
        k.axpy(n, 0f, toFloat(x), 0, y, 0);
        SCALAR.axpy(n, 0f, toFloat(x), 0, yRef, 0);
        assertSame("saxpy α=0", toDouble(yRef), toDouble(y));

        double[] s = x.clone();
        double[] sRef = x.clone();
        k.scal(n, 0.0, s, 0);
        SCALAR.scal(n, 0.0, sRef, 0);
        assertSame("dscal α=0", sRef, s);
        assertEquals(Double.doubleToRawLongBits(-0.0), Double.doubleToRawLongBits(s[200]), "(-3)·0 is -0");

        double[] a = matrix(new SplittableRandom(3), 0, n, n, n);
        double[] aRef = a.clone();
        k.ger(n, n, 0.0, x, 0, x, 0, a, 0, n);
        SCALAR.ger(n, n, 0.0, x, 0, x, 0, aRef, 0, n);
        assertSame("dger α=0", aRef, a);

        float[] t = toFloat(matrix(new SplittableRandom(4), 0, n, n, n));
        float[] tRef = t.clone();
        k.syr(Uplo.LOWER, n, 0f, toFloat(x), 0, t, 0, n);
        SCALAR.syr(Uplo.LOWER, n, 0f, toFloat(x), 0, tRef, 0, n);
        assertSame("ssyr α=0", toDouble(tRef), toDouble(t));
    }

    /**
     * OpenBLAS's small-matrix sgemm kernels read A and B even when alpha = 0 (a NaN in A reached C for n = 2);
     * the SPI reads neither. Empty products scale C by beta, and gemv with m or n = 0 still scales y (BLAS's
     * quick return skips it).
     */
    @ParameterizedTest
    @MethodSource("providers")
    void alphaZeroAndEmptyProductsOnlyScaleTheOutput(Kernels k) {
        for (int n : new int[]{2, 8, 300}) {
            float[] a = new float[n * n];
            Arrays.fill(a, Float.NaN);
            for (float beta : new float[]{0, 2}) {
                float[] c = new float[n * n];
                for (Trans ta : Trans.values()) {
                    for (Trans tb : Trans.values()) {
                        Arrays.fill(c, beta == 0 ? Float.NaN : 1.5f);
                        k.gemm(ta, tb, n, n, n, 0f, a, 0, n, a, 0, n, beta, c, 0, n);
                        for (float v : c) {
                            assertEquals(beta * 1.5f, v, "gemm " + ta + tb + " α=0 β=" + beta + " n=" + n);
                        }
                    }
                }
                Arrays.fill(c, beta == 0 ? Float.NaN : 1.5f);
                k.gemm(Trans.N, Trans.N, n, n, 0, 1f, a, 0, 1, a, 0, n, beta, c, 0, n);
                for (float v : c) {
                    assertEquals(beta * 1.5f, v, "gemm k=0 β=" + beta + " n=" + n);
                }
                Arrays.fill(c, beta == 0 ? Float.NaN : 1.5f);
                k.syrk(Uplo.UPPER, Trans.N, n, n, 0f, a, 0, n, beta, c, 0, n);
                assertEquals(beta * 1.5f, c[n - 1], "syrk α=0 upper triangle");
                assertEquals(beta == 0 ? Float.NaN : 1.5f, c[(n - 1) * n], "syrk α=0 lower triangle untouched");
            }
        }
        double[] y = {1, 2, 3};
        k.gemv(Trans.T, 0, 3, 1.0, new double[0], 0, 3, new double[0], 0, 2.0, y, 0);
        assertArrayEquals(new double[]{2, 4, 6}, y, "gemv with m = 0 still scales y by beta");
        double[] z = {Double.NaN, Double.NaN};
        k.gemv(Trans.N, 2, 0, 1.0, new double[]{0}, 0, 1, new double[0], 0, 0.0, z, 0);
        assertArrayEquals(new double[]{0, 0}, z, "gemv with n = 0 and beta = 0 zeroes y without reading it");
        float[] b = {Float.NaN, 1, Float.NaN};
        k.trsm(dev.surgeon.kernels.Side.LEFT, Uplo.LOWER, Trans.N, dev.surgeon.kernels.Diag.NON_UNIT, 1, 3, 0f,
                new float[]{Float.NaN}, 0, 1, b, 0, 3);
        assertEquals(0f, b[0] + b[1] + b[2], "trsm α=0 zeroes B without reading A or B");
    }

    /** A NaN in an input makes exactly the outputs NaN that the reference makes NaN, at every kernel size class. */
    @ParameterizedTest
    @MethodSource("providers")
    void nanInputsPropagateToTheSameOutputsAsTheReference(Kernels k) {
        for (int n : new int[]{3, 16, 70, 300}) {
            SplittableRandom r = new SplittableRandom(n);
            double[] a = matrix(r, 0, n, n, n);
            double[] x = vector(r, 0, n);
            a[(n / 2) * n + n / 3] = Double.NaN;
            x[n - 1] = Double.NaN;
            String at = " n=" + n;

            assertTrue(Double.isNaN(k.dot(n, toFloat(x), 0, toFloat(a), 0)), "dot" + at);
            assertTrue(Double.isNaN(k.nrm2(n, x, 0)), "nrm2" + at);
            assertTrue(Double.isNaN(k.asum(n, toFloat(x), 0)), "asum" + at);

            for (Trans t : Trans.values()) {
                double[] y = new double[n];
                double[] yRef = new double[n];
                k.gemv(t, n, n, 1.0, a, 0, n, x, 0, 0.0, y, 0);
                SCALAR.gemv(t, n, n, 1.0, a, 0, n, x, 0, 0.0, yRef, 0);
                assertSame("gemv " + t + at, yRef, y);
                for (Trans tb : Trans.values()) {
                    float[] c = new float[n * n];
                    float[] cRef = new float[n * n];
                    float[] b = toFloat(matrix(r, 0, n, n, n));
                    k.gemm(t, tb, n, n, n, 1f, toFloat(a), 0, n, b, 0, n, 0f, c, 0, n);
                    SCALAR.gemm(t, tb, n, n, n, 1f, toFloat(a), 0, n, b, 0, n, 0f, cRef, 0, n);
                    assertSame("gemm " + t + tb + at, toDouble(cRef), toDouble(c));
                }
            }
            double[] c = new double[n * n];
            double[] cRef = new double[n * n];
            k.syrk(Uplo.LOWER, Trans.N, n, n, 1.0, a, 0, n, 0.0, c, 0, n);
            SCALAR.syrk(Uplo.LOWER, Trans.N, n, n, 1.0, a, 0, n, 0.0, cRef, 0, n);
            assertSame("syrk" + at, cRef, c);
        }
    }

    /** NaN input of syev gives all-NaN output (the SPI's rule) and ±∞ an ArithmeticException, as in the reference. */
    @ParameterizedTest
    @MethodSource("providers")
    void nonFiniteSyevInputGivesNaNOutput(Kernels k) {
        for (int n : new int[]{5, 40}) {
            double[] a = spd(new SplittableRandom(n), 0, n, n, true, false);
            a[(n - 1) * n + 1] = Double.NaN;
            double[] w = new double[n];
            k.syev(Uplo.LOWER, n, a, 0, n, w, 0);
            for (double v : w) {
                assertTrue(Double.isNaN(v), "eigenvalue for NaN input");
            }
            for (double v : a) {
                assertTrue(Double.isNaN(v), "eigenvector entry for NaN input");
            }
            float[] f = toFloat(spd(new SplittableRandom(n), 0, n, n, true, false));
            f[(n - 1) * n + 1] = Float.NEGATIVE_INFINITY;
            float[] wf = new float[n];
            k.syev(Uplo.LOWER, n, f, 0, n, wf, 0);
            for (float v : wf) {
                assertTrue(Float.isNaN(v), "eigenvalue for infinite input");
            }
            for (float v : f) {
                assertTrue(Float.isNaN(v), "eigenvector entry for infinite input");
            }
        }
    }

    /** LAPACK's potri refuses a factor with a zero on its diagonal; the reference divides by zero instead. */
    @ParameterizedTest
    @MethodSource("providers")
    void potriOfASingularFactorGivesTheReferenceInfinities(Kernels k) {
        int n = 40;
        double[] l = spd(new SplittableRandom(8), 0, n, n, true, true);
        SCALAR.potrf(Uplo.LOWER, n, l, 0, n);
        l[20 * n + 20] = 0;
        double[] inv = l.clone();
        double[] invRef = l.clone();
        k.potri(Uplo.LOWER, n, inv, 0, n);
        SCALAR.potri(Uplo.LOWER, n, invRef, 0, n);
        assertSame("potri with a zero pivot", invRef, inv);
    }

    /** Same values where finite (up to rounding), and non-finite values (NaN, ±∞) in exactly the same places. */
    private static void assertSame(String what, double[] expected, double[] actual) {
        double[] scale = abs(expected);
        for (int i = 0; i < scale.length; i++) {
            if (!Double.isFinite(scale[i]) || !Double.isFinite(actual[i])) {
                assertTrue(Double.compare(expected[i], actual[i]) == 0, what + ": element " + i + " expected "
                        + expected[i] + " but was " + actual[i]);
            }
            scale[i] = Double.isFinite(scale[i]) ? Math.max(scale[i], 1) : 0;
        }
        assertWithin(what, expected, actual, scale, 1e-3);
    }
}
