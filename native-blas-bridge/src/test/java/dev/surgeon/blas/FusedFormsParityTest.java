package dev.surgeon.blas;

import static dev.surgeon.blas.OpenBlasTestSupport.DOUBLE_U;
import static dev.surgeon.blas.OpenBlasTestSupport.FLOAT_U;
import static dev.surgeon.blas.OpenBlasTestSupport.SCALAR;
import static dev.surgeon.blas.OpenBlasTestSupport.abs;
import static dev.surgeon.blas.OpenBlasTestSupport.assertAllWithin;
import static dev.surgeon.blas.OpenBlasTestSupport.assertWithin;
import static dev.surgeon.blas.OpenBlasTestSupport.matrix;
import static dev.surgeon.blas.OpenBlasTestSupport.nans;
import static dev.surgeon.blas.OpenBlasTestSupport.spd;
import static dev.surgeon.blas.OpenBlasTestSupport.toDouble;
import static dev.surgeon.blas.OpenBlasTestSupport.toFloat;
import static dev.surgeon.blas.OpenBlasTestSupport.vector;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The fused curvature forms of the native path against the scalar reference, including matrices past
 * {@link CallPolicy#CHUNK_ELEMENTS} (chunked level-2 calls) and M-FAC-like shapes (few rows, huge d).
 *
 * <p>Tolerance for the two inverse updates: both sides compute u = H⁻¹x (a sum of n products), the
 * denominator c + xᵀu ≥ c and a rank-1 correction; on the well-conditioned test matrices the results agree
 * normwise to a small multiple of (n+3)·u·max|H⁻¹|; 16·(n+3)·u is used.
 */
class FusedFormsParityTest {
    private static OpenBlasKernels blas;

    @BeforeAll
    static void load() {
        blas = OpenBlasTestSupport.nativeKernels();
    }

    static Stream<Arguments> rowShapes() {
        return Stream.of(new int[][]{{1, 1}, {7, 33}, {256, 1000}, {3, 300_000}, {2000, 150}})
                .map(s -> Arguments.of(s[0], s[1]));
    }

    @ParameterizedTest(name = "n = {0}")
    @ValueSource(ints = {1, 7, 33, 64, 130, 600})
    void shermanMorrisonUpdateMatchesScalar(int n) {
        SplittableRandom r = new SplittableRandom(n);
        int ldh = n + 2;
        double[] h = spd(r, 1, n, ldh, true, false);
        double[] x = vector(r, 3, n);
        double c = 2.5;

        double[] dh = h.clone();
        double[] dhRef = h.clone();
        double den = blas.shermanMorrisonUpdate(n, c, x, 3, dh, 1, ldh, new double[n + 1], 1);
        double denRef = SCALAR.shermanMorrisonUpdate(n, c, x, 3, dhRef, 1, ldh, new double[n + 1], 1);
        double tol = 16 * (n + 3) * DOUBLE_U;
        assertEquals(denRef, den, tol * Math.abs(denRef), "d denominator");
        assertAllWithin("dshermanMorrison", dhRef, dh, tol * 5);

        float[] fh = toFloat(h);
        float[] fhRef = toFloat(h);
        float fden = blas.shermanMorrisonUpdate(n, (float) c, toFloat(x), 3, fh, 1, ldh, new float[n + 1], 1);
        float fdenRef = SCALAR.shermanMorrisonUpdate(n, (float) c, toFloat(x), 3, fhRef, 1, ldh, new float[n + 1], 1);
        double ftol = 16 * (n + 3) * FLOAT_U;
        assertEquals(fdenRef, fden, ftol * Math.abs(fdenRef), "s denominator");
        assertAllWithin("sshermanMorrison", toDouble(fhRef), toDouble(fh), ftol * 5);
    }

    @ParameterizedTest(name = "n = {0}")
    @ValueSource(ints = {1, 7, 33, 130, 600})
    void eliminateCoordinateMatchesScalarAndZeroesRowAndColumn(int n) {
        for (int p : new int[]{0, n / 2, n - 1}) {
            SplittableRandom r = new SplittableRandom(n * 31L + p);
            int ldh = n + 1;
            double[] h = spd(r, 2, n, ldh, true, false);

            double[] dh = h.clone();
            double[] dhRef = h.clone();
            double piv = blas.eliminateCoordinate(n, p, dh, 2, ldh, new double[n], 0);
            double pivRef = SCALAR.eliminateCoordinate(n, p, dhRef, 2, ldh, new double[n], 0);
            assertEquals(pivRef, piv, 0, "pivot is read, not computed");
            assertAllWithin("deliminate p=" + p, dhRef, dh, 16 * (n + 3) * DOUBLE_U * 5);

            float[] fh = toFloat(h);
            float[] fhRef = toFloat(h);
            blas.eliminateCoordinate(n, p, fh, 2, ldh, new float[n], 0);
            SCALAR.eliminateCoordinate(n, p, fhRef, 2, ldh, new float[n], 0);
            assertAllWithin("seliminate p=" + p, toDouble(fhRef), toDouble(fh), 16 * (n + 3) * FLOAT_U * 5);
            for (int i = 0; i < n; i++) {
                assertEquals(0, fh[2 + i * ldh + p], "column p");
                assertEquals(0, fh[2 + p * ldh + i], "row p");
                assertEquals(0, dh[2 + i * ldh + p], "column p");
                assertEquals(0, dh[2 + p * ldh + i], "row p");
            }
        }
    }

    @ParameterizedTest(name = "m={0} d={1}")
    @MethodSource("rowShapes")
    void rowDotsMatchScalar(int m, int d) {
        SplittableRandom r = new SplittableRandom(m * 7L + d);
        int ldg = d + 1;
        double[] g = matrix(r, 1, m, d, ldg);
        double[] x = vector(r, 2, d);
        double[] y = nans(m + 4);
        double[] scale = nans(m + 4);
        SCALAR.rowDots(m, d, abs(g), 1, ldg, abs(x), 2, scale, 3);

        float[] fy = toFloat(y);
        float[] fyRef = toFloat(y);
        blas.rowDots(m, d, toFloat(g), 1, ldg, toFloat(x), 2, fy, 3);
        SCALAR.rowDots(m, d, toFloat(g), 1, ldg, toFloat(x), 2, fyRef, 3);
        assertWithin("srowDots", fyRef, fy, toFloat(scale), 2 * (d + 3) * FLOAT_U);

        double[] yRef = y.clone();
        blas.rowDots(m, d, g, 1, ldg, x, 2, y, 3);
        SCALAR.rowDots(m, d, g, 1, ldg, x, 2, yRef, 3);
        assertWithin("drowDots", yRef, y, scale, 2 * (d + 3) * DOUBLE_U);
    }

    @ParameterizedTest(name = "m={0} d={1}")
    @MethodSource("rowShapes")
    void rowCombinationMatchesScalarForEveryBeta(int m, int d) {
        SplittableRandom r = new SplittableRandom(m * 11L + d);
        int ldg = d + 2;
        double[] g = matrix(r, 2, m, d, ldg);
        double[] c = vector(r, 1, m);
        for (double beta : new double[]{0, 1, 2}) {
            double[] x = beta == 0 ? nans(d + 5) : vector(r, 4, d);
            double[] scale = abs(x);
            SCALAR.rowCombination(m, d, abs(c), 1, abs(g), 2, ldg, Math.abs(beta), scale, 4);

            float[] fx = toFloat(x);
            float[] fxRef = toFloat(x);
            blas.rowCombination(m, d, toFloat(c), 1, toFloat(g), 2, ldg, (float) beta, fx, 4);
            SCALAR.rowCombination(m, d, toFloat(c), 1, toFloat(g), 2, ldg, (float) beta, fxRef, 4);
            assertWithin("srowCombination β=" + beta, fxRef, fx, toFloat(scale), 2 * (m + 3) * FLOAT_U);

            double[] xRef = x.clone();
            blas.rowCombination(m, d, c, 1, g, 2, ldg, beta, x, 4);
            SCALAR.rowCombination(m, d, c, 1, g, 2, ldg, beta, xRef, 4);
            assertWithin("drowCombination β=" + beta, xRef, x, scale, 2 * (m + 3) * DOUBLE_U);
        }
    }

    @Test
    void emptyShapesFollowTheReference() {
        float[] y = {Float.NaN, Float.NaN};
        blas.rowDots(2, 0, new float[]{0}, 0, 1, new float[0], 0, y, 0);
        assertEquals(0, y[0]);
        assertEquals(0, y[1]);
        float[] x = {1, 2};
        blas.rowCombination(0, 2, new float[0], 0, new float[0], 0, 2, 2, x, 0);
        assertEquals(2, x[0]);
        assertEquals(4, x[1]);
        assertEquals(3f, blas.shermanMorrisonUpdate(0, 3f, new float[0], 0, new float[0], 0, 1, new float[0], 0));
    }
}
