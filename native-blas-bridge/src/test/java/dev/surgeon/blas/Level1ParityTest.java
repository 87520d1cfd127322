package dev.surgeon.blas;

import static dev.surgeon.blas.OpenBlasTestSupport.DOUBLE_U;
import static dev.surgeon.blas.OpenBlasTestSupport.FLOAT_U;
import static dev.surgeon.blas.OpenBlasTestSupport.SCALAR;
import static dev.surgeon.blas.OpenBlasTestSupport.abs;
import static dev.surgeon.blas.OpenBlasTestSupport.assertWithin;
import static dev.surgeon.blas.OpenBlasTestSupport.toFloat;
import static dev.surgeon.blas.OpenBlasTestSupport.vector;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Level-1 operations of the native path against the scalar reference, float and double, on odd sizes and
 * tails, across OpenBLAS's threading threshold (9216) and across the bridge's chunk boundaries (2¹⁸).
 */
class Level1ParityTest {
    private static final int OFF = 3;
    private static OpenBlasKernels blas;

    @BeforeAll
    static void load() {
        blas = OpenBlasTestSupport.nativeKernels();
    }

    static IntStream sizes() {
        int chunk = CallPolicy.CHUNK_ELEMENTS;
        return IntStream.of(0, 1, 2, 7, 8, 9, 15, 16, 17, 31, 33, 63, 64, 65, 127, 255, 257, 1000,
                CallPolicy.OPENBLAS_SINGLE_THREADED_MAX, CallPolicy.OPENBLAS_SINGLE_THREADED_MAX + 1,
                chunk + 1, 2 * chunk + 17);
    }

    @ParameterizedTest(name = "n = {0}")
    @MethodSource("sizes")
    void floatReductionsMatchScalarWithinSummationBound(int n) {
        SplittableRandom r = new SplittableRandom(n);
        float[] x = toFloat(vector(r, OFF, n));
        float[] y = toFloat(vector(r, OFF + 2, n));
        float[] ax = abs(x);
        float[] ay = abs(y);
        double f = 2 * (n + 3) * FLOAT_U; // two sums of n terms in different orders

        check("dot", SCALAR.dot(n, x, OFF, y, OFF + 2), blas.dot(n, x, OFF, y, OFF + 2),
                SCALAR.dot(n, ax, OFF, ay, OFF + 2), f);
        check("sumOfSquares", SCALAR.sumOfSquares(n, x, OFF), blas.sumOfSquares(n, x, OFF),
                SCALAR.sumOfSquares(n, x, OFF), f);
        check("asum", SCALAR.asum(n, x, OFF), blas.asum(n, x, OFF), SCALAR.asum(n, ax, OFF), f);
        check("nrm2", SCALAR.nrm2(n, x, OFF), blas.nrm2(n, x, OFF), SCALAR.nrm2(n, x, OFF), f);
        assertEquals(SCALAR.iamax(n, x, OFF), blas.iamax(n, x, OFF), "iamax");
    }

    @ParameterizedTest(name = "n = {0}")
    @MethodSource("sizes")
    void doubleReductionsMatchScalarWithinSummationBound(int n) {
        SplittableRandom r = new SplittableRandom(n + 1000);
        double[] x = vector(r, OFF, n);
        double[] y = vector(r, OFF + 2, n);
        double f = 2 * (n + 3) * DOUBLE_U;

        check("dot", SCALAR.dot(n, x, OFF, y, OFF + 2), blas.dot(n, x, OFF, y, OFF + 2),
                SCALAR.dot(n, abs(x), OFF, abs(y), OFF + 2), f);
        check("sumOfSquares", SCALAR.sumOfSquares(n, x, OFF), blas.sumOfSquares(n, x, OFF),
                SCALAR.sumOfSquares(n, x, OFF), f);
        check("asum", SCALAR.asum(n, x, OFF), blas.asum(n, x, OFF), SCALAR.asum(n, abs(x), OFF), f);
        check("nrm2", SCALAR.nrm2(n, x, OFF), blas.nrm2(n, x, OFF), SCALAR.nrm2(n, x, OFF), f);
        assertEquals(SCALAR.iamax(n, x, OFF), blas.iamax(n, x, OFF), "iamax");
    }

    @ParameterizedTest(name = "n = {0}")
    @MethodSource("sizes")
    void updatesMatchScalarToOneRoundingPerElement(int n) {
        SplittableRandom r = new SplittableRandom(n + 2000);
        for (double alpha : new double[]{1, -0.5, 3}) {
            double[] x = vector(r, OFF, n);
            double[] y = vector(r, OFF + 5, n);
            // y + αx is one or two roundings of |y| + |αx| (FMA or not) in each implementation.
            double[] scale = abs(y);
            SCALAR.axpy(n, Math.abs(alpha), abs(x), OFF, scale, OFF + 5);

            float[] fy = toFloat(y);
            float[] fyRef = fy.clone();
            SCALAR.axpy(n, (float) alpha, toFloat(x), OFF, fyRef, OFF + 5);
            blas.axpy(n, (float) alpha, toFloat(x), OFF, fy, OFF + 5);
            assertWithin("saxpy α=" + alpha, fyRef, fy, toFloat(scale), 4 * FLOAT_U);

            double[] dyRef = y.clone();
            SCALAR.axpy(n, alpha, x, OFF, dyRef, OFF + 5);
            blas.axpy(n, alpha, x, OFF, y, OFF + 5);
            assertWithin("daxpy α=" + alpha, dyRef, y, scale, 4 * DOUBLE_U);

            // αx is one correctly rounded product in both: equal.
            float[] fx = toFloat(x);
            float[] fxRef = fx.clone();
            SCALAR.scal(n, (float) alpha, fxRef, OFF);
            blas.scal(n, (float) alpha, fx, OFF);
            assertWithin("sscal α=" + alpha, fxRef, fx, abs(fxRef), 0);

            double[] dxRef = x.clone();
            SCALAR.scal(n, alpha, dxRef, OFF);
            blas.scal(n, alpha, x, OFF);
            assertWithin("dscal α=" + alpha, dxRef, x, abs(dxRef), 0);
        }
    }

    @Test
    void iamaxReturnsTheFirstOfTiedMaxima() {
        for (int n : new int[]{2, 17, 100, CallPolicy.CHUNK_ELEMENTS + 5}) {
            float[] x = new float[n];
            for (int i = 0; i < n; i++) {
                x[i] = (i % 7) * 0.1f;
            }
            int first = n / 3;
            int second = 2 * n / 3;
            x[first] = -5;
            x[second] = 5;
            assertEquals(first, blas.iamax(n, x, 0), "float, n = " + n);
            assertEquals(first, blas.iamax(n, toDouble(x), 0), "double, n = " + n);
        }
    }

    @Test
    void elementwiseOperationsRunOnTheFallbackWithItsExactResults() {
        SplittableRandom r = new SplittableRandom(7);
        float[] x = toFloat(vector(r, 0, 100));
        float[] y = toFloat(vector(r, 0, 100));
        float[] z = new float[100];
        float[] zRef = new float[100];
        blas.mul(100, x, 0, y, 0, z, 0);
        SCALAR.mul(100, x, 0, y, 0, zRef, 0);
        assertWithin("mul", zRef, z, new float[100], 0);
        blas.add(100, x, 0, y, 0, z, 0);
        SCALAR.add(100, x, 0, y, 0, zRef, 0);
        assertWithin("add", zRef, z, new float[100], 0);
    }

    private static double[] toDouble(float[] x) {
        return OpenBlasTestSupport.toDouble(x);
    }

    private static void check(String what, double expected, double actual, double scale, double factor) {
        assertWithin(what, new double[]{expected}, new double[]{actual}, new double[]{scale}, factor);
    }
}
