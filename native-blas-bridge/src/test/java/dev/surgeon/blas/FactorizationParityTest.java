package dev.surgeon.blas;

import static dev.surgeon.blas.OpenBlasTestSupport.DOUBLE_U;
import static dev.surgeon.blas.OpenBlasTestSupport.FLOAT_U;
import static dev.surgeon.blas.OpenBlasTestSupport.SCALAR;
import static dev.surgeon.blas.OpenBlasTestSupport.matrix;
import static dev.surgeon.blas.OpenBlasTestSupport.spd;
import static dev.surgeon.blas.OpenBlasTestSupport.toDouble;
import static dev.surgeon.blas.OpenBlasTestSupport.toFloat;
import static dev.surgeon.blas.OpenBlasTestSupport.triangle;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.surgeon.kernels.NotPositiveDefiniteException;
import dev.surgeon.kernels.Uplo;
import dev.surgeon.kernels.ZeroPivotException;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * potrf, potri, potrs, syev and getrfNoPivot of the native path, checked by residuals (‖LLᵀ − A‖,
 * ‖A·A⁻¹ − I‖, ‖AX − B‖, ‖AV − VΛ‖ and ‖VᵀV − I‖, ‖LU − A‖) and against the scalar reference, both
 * triangles, offsets and ld &gt; n with NaN in everything the routine must not read, on sizes below,
 * across and above OpenBLAS's blocking and the bridge's critical budget; plus the failure reports.
 *
 * <p>Tolerances: the test matrices are well conditioned (SPD with eigenvalues in [1, ~5]; LU inputs
 * diagonally dominant), for which the backward-stable algorithms used on both sides give residuals and
 * factor differences of a modest multiple of n·u times the norm; {@code 16·(n+3)·u} is used throughout,
 * so a wrong triangle, a missing transpose or a read of the padding fails by orders of magnitude.
 */
class FactorizationParityTest {
    private static final int OFF = 2;
    private static OpenBlasKernels blas;

    @BeforeAll
    static void load() {
        blas = OpenBlasTestSupport.nativeKernels();
    }

    /** Sizes below, across and above OpenBLAS's blocking and the critical budget (off-heap beyond ~400–500). */
    static IntStream orders() {
        return IntStream.of(1, 2, 7, 16, 17, 33, 64, 65, 130, 520);
    }

    private static double tol(int n, double u) {
        return 16 * (n + 3) * u;
    }

    @ParameterizedTest(name = "n = {0}")
    @MethodSource("orders")
    void potrfFactorsReproduceTheMatrixInEitherTriangle(int n) {
        for (Uplo uplo : Uplo.values()) {
            boolean lower = uplo == Uplo.LOWER;
            int lda = n + 3;
            double[] a = spd(new SplittableRandom(n), OFF, n, lda, lower, true);

            double[] d = a.clone();
            blas.potrf(uplo, n, d, OFF, lda);
            assertFactorReproduces("dpotrf " + uplo, a, d, n, lda, lower, tol(n, DOUBLE_U));
            double[] dRef = a.clone();
            SCALAR.potrf(uplo, n, dRef, OFF, lda);
            assertClose("dpotrf vs scalar " + uplo, dRef, d, tol(n, DOUBLE_U) * maxAbs(dRef));

            float[] f = toFloat(a);
            blas.potrf(uplo, n, f, OFF, lda);
            assertFactorReproduces("spotrf " + uplo, a, toDouble(f), n, lda, lower, tol(n, FLOAT_U));
            float[] fRef = toFloat(a);
            SCALAR.potrf(uplo, n, fRef, OFF, lda);
            assertClose("spotrf vs scalar " + uplo, toDouble(fRef), toDouble(f), tol(n, FLOAT_U) * maxAbs(toDouble(fRef)));
        }
    }

    @ParameterizedTest(name = "n = {0}")
    @MethodSource("orders")
    void potriInvertsFromTheFactor(int n) {
        if (n > 450) {
            n = 450; // past the critical budget of potri (2n³/3 flops) and fast enough for the scalar reference
        }
        for (Uplo uplo : Uplo.values()) {
            boolean lower = uplo == Uplo.LOWER;
            int lda = n + 1;
            double[] a = spd(new SplittableRandom(n + 5), OFF, n, lda, lower, true);

            double[] d = a.clone();
            blas.potrf(uplo, n, d, OFF, lda);
            blas.potri(uplo, n, d, OFF, lda);
            assertInverse("dpotri " + uplo, a, d, n, lda, lower, tol(n, DOUBLE_U));
            double[] dRef = a.clone();
            SCALAR.potrf(uplo, n, dRef, OFF, lda);
            SCALAR.potri(uplo, n, dRef, OFF, lda);
            assertClose("dpotri vs scalar " + uplo, dRef, d, tol(n, DOUBLE_U) * maxAbs(dRef));

            float[] f = toFloat(a);
            blas.potrf(uplo, n, f, OFF, lda);
            blas.potri(uplo, n, f, OFF, lda);
            assertInverse("spotri " + uplo, a, toDouble(f), n, lda, lower, tol(n, FLOAT_U));
        }
    }

    @ParameterizedTest(name = "n = {0}")
    @MethodSource("orders")
    void potrsSolvesWithTheFactor(int n) {
        for (Uplo uplo : Uplo.values()) {
            boolean lower = uplo == Uplo.LOWER;
            int lda = n + 2;
            double[] a = spd(new SplittableRandom(n + 9), OFF, n, lda, lower, true);
            double[] l = a.clone();
            SCALAR.potrf(uplo, n, l, OFF, lda);
            for (int nrhs : new int[]{1, 3, 17}) {
                int ldb = nrhs + 2;
                double[] b = matrix(new SplittableRandom(nrhs), 1, n, nrhs, ldb);
                double[] x = b.clone();
                blas.potrs(uplo, n, nrhs, l, OFF, lda, x, 1, ldb);
                assertSolves("dpotrs " + uplo + " nrhs=" + nrhs, a, x, b, n, nrhs, lda, ldb, lower, tol(n, DOUBLE_U));

                float[] fx = toFloat(b);
                blas.potrs(uplo, n, nrhs, toFloat(l), OFF, lda, fx, 1, ldb);
                assertSolves("spotrs " + uplo + " nrhs=" + nrhs, a, toDouble(fx), b, n, nrhs, lda, ldb, lower,
                        tol(n, FLOAT_U));
            }
        }
    }

    @ParameterizedTest(name = "n = {0}")
    @MethodSource("orders")
    void syevGivesAscendingEigenvaluesAndOrthonormalEigenvectorColumns(int n) {
        if (n > 300) {
            n = 300; // past the critical budget of syev, and fast enough for the scalar reference
        }
        for (Uplo uplo : Uplo.values()) {
            boolean lower = uplo == Uplo.LOWER;
            int lda = n + 2;
            double[] a = triangle(new SplittableRandom(n + 13), lower, OFF, n, lda);

            double[] v = a.clone();
            double[] w = new double[n + 1];
            blas.syev(uplo, n, v, OFF, lda, w, 1);
            assertEigen("dsyev " + uplo, a, v, w, n, lda, lower, tol(n, DOUBLE_U));
            double[] vRef = a.clone();
            double[] wRef = new double[n + 1];
            SCALAR.syev(uplo, n, vRef, OFF, lda, wRef, 1);
            assertClose("dsyev eigenvalues vs scalar " + uplo, wRef, w, tol(n, DOUBLE_U) * n);

            float[] fv = toFloat(a);
            float[] fw = new float[n + 1];
            blas.syev(uplo, n, fv, OFF, lda, fw, 1);
            assertEigen("ssyev " + uplo, a, toDouble(fv), toDouble(fw), n, lda, lower, tol(n, FLOAT_U));
            assertClose("ssyev eigenvalues vs scalar " + uplo, wRef, toDouble(fw), tol(n, FLOAT_U) * n);
        }
    }

    @ParameterizedTest(name = "n = {0}")
    @MethodSource("orders")
    void getrfNoPivotFactorsReproduceTheMatrixAndMatchScalar(int n) {
        if (n > 450) {
            n = 450;
        }
        int lda = n + 3;
        double[] a = matrix(new SplittableRandom(n + 21), OFF, n, n, lda);
        for (int i = 0; i < n; i++) {
            a[OFF + i * lda + i] += n; // diagonally dominant: no pivoting needed, factors well conditioned
        }
        double[] d = a.clone();
        blas.getrfNoPivot(n, d, OFF, lda);
        assertLu("dgetrfNoPivot", a, d, n, lda, tol(n, DOUBLE_U) * n);
        double[] dRef = a.clone();
        SCALAR.getrfNoPivot(n, dRef, OFF, lda);
        assertClose("dgetrfNoPivot vs scalar", dRef, d, tol(n, DOUBLE_U) * maxAbs(dRef));

        float[] f = toFloat(a);
        blas.getrfNoPivot(n, f, OFF, lda);
        assertLu("sgetrfNoPivot", a, toDouble(f), n, lda, tol(n, FLOAT_U) * n);
        float[] fRef = toFloat(a);
        SCALAR.getrfNoPivot(n, fRef, OFF, lda);
        assertClose("sgetrfNoPivot vs scalar", toDouble(fRef), toDouble(f), tol(n, FLOAT_U) * maxAbs(toDouble(fRef)));
    }

    // ------------------------------------------------------------------------------------------------
    // Failure reports

    @Test
    void potrfReportsTheSameNonPositivePivotAsTheReference() {
        for (int[] nk : new int[][]{{5, 0}, {5, 3}, {300, 250}, {600, 517}}) {
            int n = nk[0];
            int k = nk[1];
            for (Uplo uplo : Uplo.values()) {
                double[] a = spd(new SplittableRandom(n), 0, n, n, uplo == Uplo.LOWER, true);
                a[k * n + k] -= 10; // the Schur complement at pivot k becomes negative (eigenvalues are ≤ ~5)
                NotPositiveDefiniteException expected = assertThrows(NotPositiveDefiniteException.class,
                        () -> SCALAR.potrf(uplo, n, a.clone(), 0, n));
                assertEquals(k, expected.pivot());
                NotPositiveDefiniteException dActual = assertThrows(NotPositiveDefiniteException.class,
                        () -> blas.potrf(uplo, n, a.clone(), 0, n));
                assertEquals(k, dActual.pivot(), "dpotrf pivot, n=" + n + " " + uplo);
                assertEquals(expected.pivotValue(), dActual.pivotValue(), 1e-9 * n, "dpotrf pivot value");
                NotPositiveDefiniteException sActual = assertThrows(NotPositiveDefiniteException.class,
                        () -> blas.potrf(uplo, n, toFloat(a), 0, n));
                assertEquals(k, sActual.pivot(), "spotrf pivot, n=" + n + " " + uplo);
                assertEquals(expected.pivotValue(), sActual.pivotValue(), 1e-3 * n, "spotrf pivot value");
            }
        }
    }

    /** OpenBLAS runs on through a NaN pivot with info = 0; the bridge must still report it, at the same index. */
    @Test
    void potrfReportsANaNPivotAtTheReferenceIndex() {
        for (int n : new int[]{6, 300}) {
            for (int[] ij : new int[][]{{0, 0}, {n / 2, n / 2}, {n - 1, 1}, {n / 2 + 1, n / 2 - 1}}) {
                for (Uplo uplo : Uplo.values()) {
                    double[] a = spd(new SplittableRandom(n), 0, n, n, uplo == Uplo.LOWER, true);
                    int i = uplo == Uplo.LOWER ? ij[0] : ij[1];
                    int j = uplo == Uplo.LOWER ? ij[1] : ij[0];
                    a[i * n + j] = Double.NaN;
                    int expected = assertThrows(NotPositiveDefiniteException.class,
                            () -> SCALAR.potrf(uplo, n, a.clone(), 0, n)).pivot();
                    NotPositiveDefiniteException d = assertThrows(NotPositiveDefiniteException.class,
                            () -> blas.potrf(uplo, n, a.clone(), 0, n));
                    assertEquals(expected, d.pivot(), "dpotrf NaN at " + i + "," + j + " " + uplo);
                    assertTrue(Double.isNaN(d.pivotValue()));
                    NotPositiveDefiniteException s = assertThrows(NotPositiveDefiniteException.class,
                            () -> blas.potrf(uplo, n, toFloat(a), 0, n));
                    assertEquals(expected, s.pivot(), "spotrf NaN at " + i + "," + j + " " + uplo);
                }
            }
        }
    }

    @Test
    void getrfNoPivotReportsTheReferenceZeroOrNaNPivot() {
        for (int n : new int[]{10, 200}) {
            for (int k : new int[]{0, 7, n - 1}) {
                // Block diagonal: pivot k is exactly 0 however the elimination is ordered.
                double[] a = matrix(new SplittableRandom(n + k), 0, n, n, n);
                for (int i = 0; i < n; i++) {
                    for (int j = 0; j < n; j++) {
                        if ((i < k) != (j < k) || i == k && j == k) {
                            a[i * n + j] = 0;
                        } else if (i == j) {
                            a[i * n + j] += n;
                        }
                    }
                }
                assertEquals(k, assertThrows(ZeroPivotException.class,
                        () -> SCALAR.getrfNoPivot(n, a.clone(), 0, n)).pivot());
                assertEquals(k, assertThrows(ZeroPivotException.class,
                        () -> blas.getrfNoPivot(n, a.clone(), 0, n)).pivot(), "dgetrf zero pivot, n=" + n);
                assertEquals(k, assertThrows(ZeroPivotException.class,
                        () -> blas.getrfNoPivot(n, toFloat(a), 0, n)).pivot(), "sgetrf zero pivot, n=" + n);

                double[] withNaN = matrix(new SplittableRandom(k), 0, n, n, n);
                for (int i = 0; i < n; i++) {
                    withNaN[i * n + i] += n;
                }
                withNaN[(n - 1) * n + k] = Double.NaN;
                int expected = assertThrows(ZeroPivotException.class,
                        () -> SCALAR.getrfNoPivot(n, withNaN.clone(), 0, n)).pivot();
                assertEquals(expected, assertThrows(ZeroPivotException.class,
                        () -> blas.getrfNoPivot(n, withNaN.clone(), 0, n)).pivot(), "NaN pivot, n=" + n);
            }
        }
    }

    // ------------------------------------------------------------------------------------------------
    // Residual checks (all in double, on the referenced triangle of the original A)

    /** A symmetric entry (i, j) from the stored triangle. */
    private static double sym(double[] a, int n, int lda, boolean lower, int i, int j) {
        boolean inLower = j <= i;
        return lower == inLower ? a[OFF + i * lda + j] : a[OFF + j * lda + i];
    }

    /** L(i, j), i ≥ j, of the factor stored in the lower triangle, or as U = Lᵀ in the upper. */
    private static double factor(double[] f, int lda, boolean lower, int i, int j) {
        return lower ? f[OFF + i * lda + j] : f[OFF + j * lda + i];
    }

    private static void assertFactorReproduces(String what, double[] a, double[] f, int n, int lda, boolean lower,
                                               double tol) {
        assertOtherTriangleUntouched(what, f, n, lda, lower);
        double err = 0;
        for (int i = 0; i < n; i++) {
            for (int j = 0; j <= i; j++) {
                double s = 0;
                for (int p = 0; p <= j; p++) {
                    s += factor(f, lda, lower, i, p) * factor(f, lda, lower, j, p);
                }
                err = Math.max(err, Math.abs(s - sym(a, n, lda, lower, i, j)));
            }
        }
        assertTrue(err <= tol * 5, what + ": max |LLᵀ − A| = " + err + " > " + tol * 5);
    }

    private static void assertInverse(String what, double[] a, double[] inv, int n, int lda, boolean lower, double tol) {
        assertOtherTriangleUntouched(what, inv, n, lda, lower);
        double err = 0;
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                double s = 0;
                for (int p = 0; p < n; p++) {
                    s += sym(a, n, lda, lower, i, p) * sym(inv, n, lda, lower, p, j);
                }
                err = Math.max(err, Math.abs(s - (i == j ? 1 : 0)));
            }
        }
        assertTrue(err <= tol * 25, what + ": max |A·A⁻¹ − I| = " + err + " > " + tol * 25);
    }

    private static void assertSolves(String what, double[] a, double[] x, double[] b, int n, int nrhs, int lda,
                                     int ldb, boolean lower, double tol) {
        double err = 0;
        double xmax = 0;
        for (int i = 0; i < n; i++) {
            for (int c = 0; c < nrhs; c++) {
                double s = 0;
                for (int p = 0; p < n; p++) {
                    s += sym(a, n, lda, lower, i, p) * x[1 + p * ldb + c];
                }
                err = Math.max(err, Math.abs(s - b[1 + i * ldb + c]));
                xmax = Math.max(xmax, Math.abs(x[1 + i * ldb + c]));
            }
        }
        assertTrue(err <= tol * 5 * Math.max(1, xmax), what + ": max |AX − B| = " + err);
        for (int i = 0; i < b.length; i++) {
            if (Double.isNaN(b[i])) {
                assertTrue(Double.isNaN(x[i]), what + ": padding of B written at " + i);
            }
        }
    }

    private static void assertEigen(String what, double[] a, double[] v, double[] w, int n, int lda, boolean lower,
                                    double tol) {
        double norm = 0;
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                norm = Math.max(norm, Math.abs(sym(a, n, lda, lower, i, j)));
            }
        }
        for (int j = 1; j < n; j++) {
            assertTrue(w[1 + j - 1] <= w[1 + j], what + ": eigenvalues not ascending at " + j);
        }
        double residual = 0;
        double orthogonality = 0;
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                double av = 0;
                double vv = 0;
                for (int p = 0; p < n; p++) {
                    av += sym(a, n, lda, lower, i, p) * v[OFF + p * lda + j];
                    vv += v[OFF + p * lda + i] * v[OFF + p * lda + j];
                }
                residual = Math.max(residual, Math.abs(av - v[OFF + i * lda + j] * w[1 + j]));
                orthogonality = Math.max(orthogonality, Math.abs(vv - (i == j ? 1 : 0)));
            }
        }
        assertTrue(residual <= tol * n * Math.max(1, norm), what + ": max |AV − VΛ| = " + residual);
        assertTrue(orthogonality <= tol * n, what + ": max |VᵀV − I| = " + orthogonality);
    }

    private static void assertLu(String what, double[] a, double[] lu, int n, int lda, double tol) {
        double err = 0;
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                double s = 0;
                for (int p = 0; p <= Math.min(i, j); p++) {
                    double l = p == i ? 1 : lu[OFF + i * lda + p];
                    s += l * lu[OFF + p * lda + j];
                }
                err = Math.max(err, Math.abs(s - a[OFF + i * lda + j]));
            }
        }
        assertTrue(err <= tol, what + ": max |LU − A| = " + err + " > " + tol);
        for (int i = 0; i < a.length; i++) {
            if (Double.isNaN(a[i])) {
                assertTrue(Double.isNaN(lu[i]), what + ": padding written at " + i);
            }
        }
    }

    private static void assertOtherTriangleUntouched(String what, double[] f, int n, int lda, boolean lower) {
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                if (lower ? j > i : j < i) {
                    assertTrue(Double.isNaN(f[OFF + i * lda + j]), what + ": other triangle written at " + i + "," + j);
                }
            }
        }
    }

    private static void assertClose(String what, double[] expected, double[] actual, double bound) {
        OpenBlasTestSupport.assertAllWithin(what, expected, actual, bound);
    }

    private static double maxAbs(double[] x) {
        double m = 0;
        for (double v : x) {
            if (!Double.isNaN(v)) {
                m = Math.max(m, Math.abs(v));
            }
        }
        return m;
    }
}
