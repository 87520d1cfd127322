package dev.surgeon.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.SplittableRandom;
import java.util.concurrent.ForkJoinPool;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * Focused checks of {@link VectorKernels} against {@link ScalarKernels}: odd sizes around the vector width
 * and the GEMM tile, all transpose and triangle variants, offsets and leading dimensions larger than the
 * width, the BLAS alpha/beta corner cases, and factorization residuals. (The provider-parity suite covers
 * every operation exhaustively; these are the cases most likely to break the blocked code paths.)
 *
 * <p>Tolerances. Reductions and products are reassociated and fused here, so results differ from the
 * scalar reference in low bits. For a length-k inner product both results lie within γ_k·Σ|a_i·b_i| of the
 * exact value (Higham, "Accuracy and Stability of Numerical Algorithms", §3.1, γ_k = k·u/(1 − k·u)), so
 * they differ by at most 2γ_k·Σ|a_i·b_i|; the checks use 2(k + 2)·u·Σ|terms|, the +2 covering the alpha/beta
 * scaling. Factorizations are checked by backward-error residuals with an n·u·‖A‖ scale and a generous
 * constant (the bounds are worst cases; typical errors are far smaller).
 */
class VectorKernelsSmokeTest {
    private static final double FU = Math.ulp(1f) / 2;
    private static final double DU = Math.ulp(1.0) / 2;
    private static final int[] SIZES = {0, 1, 2, 7, 15, 16, 17, 31, 33, 63, 64, 65, 127, 257, 1000};

    private final Kernels scalar = new ScalarKernels();
    private final Kernels vector = new VectorKernels(2);
    private final SplittableRandom random = new SplittableRandom(20240601);

    // ------------------------------------------------------------------------------------------------
    // Level 1

    @Test
    void levelOneMatchesScalarOnOddLengthsAndOffsets() {
        for (int n : SIZES) {
            float[] x = floats(n + 3);
            float[] y = floats(n + 5);
            double absDot = 0;
            for (int i = 0; i < n; i++) {
                absDot += Math.abs(x[3 + i] * y[5 + i]);
            }
            double tol = 2 * (n + 2) * FU * absDot + Float.MIN_NORMAL;
            assertEquals(scalar.dot(n, x, 3, y, 5), vector.dot(n, x, 3, y, 5), tol, "dot n=" + n);
            assertEquals(scalar.sumOfSquares(n, x, 3), vector.sumOfSquares(n, x, 3),
                    2 * (n + 2) * FU * scalar.sumOfSquares(n, x, 3) + Float.MIN_NORMAL, "sumOfSquares n=" + n);
            assertEquals(scalar.asum(n, x, 3), vector.asum(n, x, 3),
                    2 * (n + 2) * FU * scalar.asum(n, x, 3) + Float.MIN_NORMAL, "asum n=" + n);
            assertEquals(scalar.nrm2(n, x, 3), vector.nrm2(n, x, 3),
                    (n + 4) * FU * scalar.nrm2(n, x, 3) + Float.MIN_NORMAL, "nrm2 n=" + n);
            assertEquals(scalar.iamax(n, x, 3), vector.iamax(n, x, 3), "iamax n=" + n);

            float[] ys = y.clone();
            float[] yv = y.clone();
            scalar.axpy(n, -0.75f, x, 3, ys, 5);
            vector.axpy(n, -0.75f, x, 3, yv, 5);
            assertClose(ys, yv, 2 * FU, "axpy n=" + n); // one product and one sum, fused or not

            float[] zs = new float[n + 1];
            float[] zv = new float[n + 1];
            scalar.mul(n, x, 3, y, 5, zs, 1);
            vector.mul(n, x, 3, y, 5, zv, 1);
            assertArrayEquals(zs, zv, "mul n=" + n); // one rounding each: must be identical
            scalar.add(n, x, 3, y, 5, zs, 1);
            vector.add(n, x, 3, y, 5, zv, 1);
            assertArrayEquals(zs, zv, "add n=" + n);
            scalar.scal(n, 1.5f, zs, 1);
            vector.scal(n, 1.5f, zv, 1);
            assertArrayEquals(zs, zv, "scal n=" + n);

            double[] dx = doubles(n + 2);
            double[] dy = doubles(n + 1);
            double dAbs = 0;
            for (int i = 0; i < n; i++) {
                dAbs += Math.abs(dx[2 + i] * dy[1 + i]);
            }
            assertEquals(scalar.dot(n, dx, 2, dy, 1), vector.dot(n, dx, 2, dy, 1),
                    2 * (n + 2) * DU * dAbs + Double.MIN_NORMAL, "ddot n=" + n);
            assertEquals(scalar.iamax(n, dx, 2), vector.iamax(n, dx, 2), "idamax n=" + n);
        }
    }

    @Test
    void iamaxReturnsFirstMaximumAndFirstNaN() {
        for (int n : new int[] {5, 16, 40, 100}) {
            float[] x = new float[n];
            x[n / 3] = -7;
            x[n - 1] = 7; // a tie: the first one wins
            assertEquals(n / 3, vector.iamax(n, x, 0), "tie n=" + n);
            x[n / 2] = Float.NaN;
            x[n - 2] = Float.NaN;
            assertEquals(n / 2, vector.iamax(n, x, 0), "NaN n=" + n);
            double[] d = new double[n];
            d[n - 1] = Double.NaN;
            d[1] = 1e300;
            assertEquals(n - 1, vector.iamax(n, d, 0), "double NaN n=" + n);
        }
        assertEquals(-1, vector.iamax(0, new float[0], 0));
    }

    // ------------------------------------------------------------------------------------------------
    // Level 2

    @Test
    void gemvGerSymvSyrMatchScalar() {
        int[][] shapes = {{1, 1}, {3, 17}, {17, 3}, {33, 65}, {130, 70}, {257, 1000}};
        for (int[] s : shapes) {
            int m = s[0];
            int n = s[1];
            int lda = n + 3;
            float[] a = floats(2 + m * lda);
            for (Trans t : Trans.values()) {
                int xl = t == Trans.N ? n : m;
                int yl = t == Trans.N ? m : n;
                float[] x = floats(xl + 1);
                for (float[] ab : new float[][] {{1, 0}, {-0.5f, 2}, {0, 1}}) {
                    float[] ys = floats(yl + 4);
                    float[] yv = ys.clone();
                    scalar.gemv(t, m, n, ab[0], a, 2, lda, x, 1, ab[1], ys, 4);
                    vector.gemv(t, m, n, ab[0], a, 2, lda, x, 1, ab[1], yv, 4);
                    assertClose(ys, yv, 2 * (xl + 2) * FU * 4, "gemv " + t + " " + m + "x" + n);
                }
            }
            float[] x = floats(m);
            float[] y = floats(n);
            float[] as = a.clone();
            float[] av = a.clone();
            scalar.ger(m, n, 0.3f, x, 0, y, 0, as, 2, lda);
            vector.ger(m, n, 0.3f, x, 0, y, 0, av, 2, lda);
            assertClose(as, av, 4 * FU, "ger " + m + "x" + n);
        }
        for (int n : new int[] {1, 7, 33, 100}) {
            int lda = n + 2;
            for (Uplo u : Uplo.values()) {
                float[] a = floats(1 + n * lda);
                float[] x = floats(n);
                float[] ys = floats(n);
                float[] yv = ys.clone();
                scalar.symv(u, n, 0.7f, a, 1, lda, x, 0, -1f, ys, 0);
                vector.symv(u, n, 0.7f, a, 1, lda, x, 0, -1f, yv, 0);
                assertClose(ys, yv, 2 * (n + 2) * FU * 4, "symv " + u + " n=" + n);
                float[] as = a.clone();
                float[] av = a.clone();
                scalar.syr(u, n, -0.4f, x, 0, as, 1, lda);
                vector.syr(u, n, -0.4f, x, 0, av, 1, lda);
                assertClose(as, av, 4 * FU, "syr " + u + " n=" + n);
            }
        }
    }

    // ------------------------------------------------------------------------------------------------
    // Level 3

    @Test
    void gemmMatchesScalarForAllTransposesAlphasBetasAndOddShapes() {
        int[][] shapes = {{1, 1, 1}, {7, 9, 5}, {13, 33, 17}, {12, 32, 256}, {65, 31, 129}, {130, 70, 300},
                {3, 200, 40}, {200, 3, 40}, {2, 100, 50}, {100, 2, 50}, {1, 70, 33}, {70, 1, 33}, {300, 257, 270},
                {24, 2000, 300}}; // the last two are split between threads, by rows and by column panels
        for (int[] s : shapes) {
            for (Trans ta : Trans.values()) {
                for (Trans tb : Trans.values()) {
                    for (float[] ab : new float[][] {{1, 0}, {-0.5f, 1}, {1, 2}, {0, 2}}) {
                        checkGemm(ta, tb, s[0], s[1], s[2], ab[0], ab[1]);
                    }
                }
            }
        }
    }

    private void checkGemm(Trans ta, Trans tb, int m, int n, int k, float alpha, float beta) {
        int aRows = ta == Trans.N ? m : k;
        int aCols = ta == Trans.N ? k : m;
        int bRows = tb == Trans.N ? k : n;
        int bCols = tb == Trans.N ? n : k;
        int lda = aCols + 3;
        int ldb = bCols + 1;
        int ldc = n + 5;
        float[] a = floats(4 + aRows * lda);
        float[] b = floats(1 + bRows * ldb);
        float[] c = floats(2 + m * ldc);
        float[] cs = c.clone();
        float[] cv = c.clone();
        scalar.gemm(ta, tb, m, n, k, alpha, a, 4, lda, b, 1, ldb, beta, cs, 2, ldc);
        vector.gemm(ta, tb, m, n, k, alpha, a, 4, lda, b, 1, ldb, beta, cv, 2, ldc);
        // Entries in [-1, 1]: Σ|a·b| ≤ k, so 2(k + 2)·u·(|alpha|·k + |beta|) bounds the difference.
        double tol = 2 * (k + 2) * FU * (Math.abs(alpha) * k + Math.abs(beta)) + Float.MIN_NORMAL;
        String what = "gemm " + ta + tb + " " + m + "x" + n + "x" + k + " alpha=" + alpha + " beta=" + beta;
        for (int i = 0; i < c.length; i++) {
            if (Math.abs(cs[i] - cv[i]) > tol) {
                fail(what + ": element " + i + " scalar " + cs[i] + " vector " + cv[i]);
            }
        }
    }

    @Test
    void doubleGemmMatchesScalar() {
        for (Trans ta : Trans.values()) {
            for (Trans tb : Trans.values()) {
                int m = 77;
                int n = 45;
                int k = 130;
                double[] a = doubles(3 + 130 * 80);
                double[] b = doubles(130 * 140);
                double[] cs = doubles(m * 50);
                double[] cv = cs.clone();
                int lda = ta == Trans.N ? 131 : 80;
                int ldb = tb == Trans.N ? 46 : 140;
                scalar.gemm(ta, tb, m, n, k, -0.5, a, 3, lda, b, 0, ldb, 2.0, cs, 0, 50);
                vector.gemm(ta, tb, m, n, k, -0.5, a, 3, lda, b, 0, ldb, 2.0, cv, 0, 50);
                assertClose(cs, cv, 2 * (k + 2) * DU * k, "dgemm " + ta + tb);
            }
        }
    }

    @Test
    void betaZeroDoesNotReadCAndAlphaZeroDoesNotReadAOrB() {
        float[] a = floats(40 * 40);
        float[] b = floats(40 * 40);
        float[] c = new float[40 * 40];
        java.util.Arrays.fill(c, Float.NaN);
        vector.gemm(Trans.N, Trans.T, 40, 40, 40, 1f, a, 0, 40, b, 0, 40, 0f, c, 0, 40);
        for (float v : c) {
            assertTrue(Float.isFinite(v), "beta = 0 must overwrite NaN in C");
        }
        float[] nanA = new float[40 * 40];
        java.util.Arrays.fill(nanA, Float.NaN);
        float[] c2 = floats(40 * 40);
        float[] expected = c2.clone();
        for (int i = 0; i < expected.length; i++) {
            expected[i] *= 2;
        }
        vector.gemm(Trans.N, Trans.N, 40, 40, 40, 0f, nanA, 0, 40, nanA, 0, 40, 2f, c2, 0, 40);
        assertArrayEquals(expected, c2, "alpha = 0: C ← beta·C without reading A, B");
        java.util.Arrays.fill(c, Float.NaN);
        vector.syrk(Uplo.LOWER, Trans.N, 40, 40, 1f, a, 0, 40, 0f, c, 0, 40);
        for (int i = 0; i < 40; i++) {
            for (int j = 0; j < 40; j++) {
                assertEquals(j <= i, Float.isFinite(c[i * 40 + j]), "syrk beta=0 fills exactly the triangle");
            }
        }
    }

    @Test
    void syrkComputesOnlyItsTriangle() {
        for (int n : new int[] {1, 5, 13, 33, 70, 200, 300}) { // n = k = 300: split between threads
            for (int k : new int[] {1, 17, 300}) {
                for (Uplo u : Uplo.values()) {
                    for (Trans t : Trans.values()) {
                        int lda = (t == Trans.N ? k : n) + 2;
                        int rows = t == Trans.N ? n : k;
                        float[] a = floats(1 + rows * lda);
                        int ldc = n + 3;
                        float[] cs = floats(n * ldc);
                        float[] cv = cs.clone();
                        scalar.syrk(u, t, n, k, -0.5f, a, 1, lda, 2f, cs, 0, ldc);
                        vector.syrk(u, t, n, k, -0.5f, a, 1, lda, 2f, cv, 0, ldc);
                        // other triangle and padding untouched: compared exactly by the same check
                        assertClose(cs, cv, 2 * (k + 2) * FU * (0.5 * k + 2), "syrk " + u + t + " n=" + n + " k=" + k);
                    }
                }
            }
        }
    }

    @Test
    void trsmMatchesScalarForEverySideTriangleTransposeAndDiagonal() {
        int[][] shapes = {{1, 1}, {5, 3}, {37, 20}, {70, 45}, {100, 1}, {1, 100}, {130, 90}};
        for (int[] s : shapes) {
            for (Side side : Side.values()) {
                for (Uplo u : Uplo.values()) {
                    for (Trans t : Trans.values()) {
                        for (Diag d : Diag.values()) {
                            checkTrsm(side, u, t, d, s[0], s[1]);
                        }
                    }
                }
            }
        }
    }

    private void checkTrsm(Side side, Uplo u, Trans t, Diag d, int m, int n) {
        int order = side == Side.LEFT ? m : n;
        int lda = order + 2;
        // Unit diagonal: off-diagonals shrink with the order so that the triangle stays well conditioned.
        float[] a = floats(1 + order * lda);
        for (int i = 0; i < order; i++) {
            for (int j = 0; j < order; j++) {
                a[1 + i * lda + j] *= 1f / order;
            }
            a[1 + i * lda + i] = 2 + random.nextFloat();
        }
        int ldb = n + 1;
        float[] bs = floats(m * ldb + 3);
        float[] bv = bs.clone();
        scalar.trsm(side, u, t, d, m, n, -1.5f, a, 1, lda, bs, 3, ldb);
        vector.trsm(side, u, t, d, m, n, -1.5f, a, 1, lda, bv, 3, ldb);
        // Well-conditioned triangle (‖T‖·‖T⁻¹‖ ≈ 3): both solutions are within a few order·u of the exact one.
        assertClose(bs, bv, 16 * (order + 2) * FU, "trsm " + side + u + t + d + " " + m + "x" + n);
    }

    // ------------------------------------------------------------------------------------------------
    // Factorizations

    @Test
    void potrfResidualIsSmallAndTheOtherTriangleIsUntouched() {
        for (int n : new int[] {1, 2, 7, 33, 65, 130, 300}) {
            for (Uplo u : Uplo.values()) {
                int lda = n + 3;
                float[] a = spd(n, lda, 1);
                float[] f = a.clone();
                vector.potrf(u, n, f, 1, lda);
                double norm = 0;
                for (int i = 0; i < n; i++) {
                    for (int j = 0; j < n; j++) {
                        norm = Math.max(norm, Math.abs(a[1 + i * lda + j]));
                        boolean stored = u == Uplo.LOWER ? j <= i : j >= i;
                        if (!stored) {
                            assertEquals(a[1 + i * lda + j], f[1 + i * lda + j], "potrf wrote outside " + u);
                        }
                    }
                }
                // ‖LLᵀ − A‖_max ≤ c·n·u·‖A‖ (Higham Thm 10.3), checked in double.
                for (int i = 0; i < n; i++) {
                    for (int j = 0; j <= i; j++) {
                        double s = 0;
                        for (int p = 0; p <= j; p++) {
                            s += factorEntry(f, u, lda, i, p) * factorEntry(f, u, lda, j, p);
                        }
                        assertEquals(a[1 + symIndex(u, i, j, lda)], s, 4 * (n + 1) * FU * norm,
                                "LLᵀ − A at " + i + "," + j + " n=" + n + " " + u);
                    }
                }
            }
        }
    }

    @Test
    void potrfReportsTheFirstNonPositivePivot() {
        for (Uplo u : Uplo.values()) {
            for (int n : new int[] {20, 100}) {
                int bad = n - 7;
                double[] a = new double[n * n];
                for (int i = 0; i < n; i++) {
                    a[i * n + i] = i == bad ? -1 : 4;
                }
                NotPositiveDefiniteException e = assertThrows(NotPositiveDefiniteException.class,
                        () -> vector.potrf(u, n, a, 0, n));
                assertEquals(bad, e.pivot(), "pivot index " + u + " n=" + n);
                double[] nan = new double[n * n];
                for (int i = 0; i < n; i++) {
                    nan[i * n + i] = 1;
                }
                nan[(n - 1) * n + n - 1] = Double.NaN;
                assertEquals(n - 1, assertThrows(NotPositiveDefiniteException.class,
                        () -> vector.potrf(u, n, nan, 0, n)).pivot(), "NaN pivot " + u);
            }
        }
    }

    @Test
    void potriGivesTheInverseAndPotrsSolves() {
        for (int n : new int[] {1, 9, 40, 100, 170}) {
            for (Uplo u : Uplo.values()) {
                int lda = n + 1;
                double[] a = spdDouble(n, lda);
                double[] f = a.clone();
                vector.potrf(u, n, f, 0, lda);
                double[] inv = f.clone();
                vector.potri(u, n, inv, 0, lda);
                // ‖A·A⁻¹ − I‖: A is diagonally dominant (condition number below 3), so n·u·cond is tiny.
                for (int i = 0; i < n; i++) {
                    for (int j = 0; j < n; j++) {
                        double s = 0;
                        for (int p = 0; p < n; p++) {
                            s += a[symIndex(u, i, p, lda)] * inv[symIndex(u, p, j, lda)];
                        }
                        assertEquals(i == j ? 1 : 0, s, 1e-12 * n, "A·A⁻¹ " + u + " n=" + n);
                    }
                }
                int nrhs = 3;
                double[] bs = doubles(n * (nrhs + 2));
                double[] x = bs.clone();
                vector.potrs(u, n, nrhs, f, 0, lda, x, 0, nrhs + 2);
                for (int i = 0; i < n; i++) {
                    for (int r = 0; r < nrhs; r++) {
                        double s = 0;
                        for (int p = 0; p < n; p++) {
                            s += a[symIndex(u, i, p, lda)] * x[p * (nrhs + 2) + r];
                        }
                        assertEquals(bs[i * (nrhs + 2) + r], s, 1e-12 * n, "A·X = B " + u + " n=" + n);
                    }
                }
                double[] one = doubles(n);
                double[] sol = one.clone();
                vector.potrs(u, n, 1, f, 0, lda, sol, 0, 1);
                double[] ref = one.clone();
                scalar.potrs(u, n, 1, f, 0, lda, ref, 0, 1);
                assertClose(ref, sol, 1e-13 * n, "potrs one rhs " + u);
            }
        }
    }

    @Test
    void getrfNoPivotReproducesTheMatrixAndReportsZeroPivots() {
        for (int n : new int[] {1, 8, 33, 90, 150}) {
            int lda = n + 2;
            float[] a = floats(n * lda);
            for (int i = 0; i < n; i++) {
                a[i * lda + i] += n; // diagonally dominant: no pivoting needed
            }
            float[] lu = a.clone();
            vector.getrfNoPivot(n, lu, 0, lda);
            float[] ref = a.clone();
            scalar.getrfNoPivot(n, ref, 0, lda);
            assertClose(ref, lu, 16 * (n + 2) * FU, "LU vs scalar n=" + n);
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < n; j++) {
                    double s = 0;
                    for (int p = 0; p <= Math.min(i, j); p++) {
                        double l = p == i ? 1 : lu[i * lda + p];
                        s += l * lu[p * lda + j];
                    }
                    assertEquals(a[i * lda + j], s, 8 * (n + 2) * FU * n, "L·U − A n=" + n);
                }
            }
        }
        double[] singular = new double[60 * 60];
        for (int i = 0; i < 60; i++) {
            singular[i * 60 + i] = i == 45 ? 0 : 1;
        }
        assertEquals(45, assertThrows(ZeroPivotException.class,
                () -> vector.getrfNoPivot(60, singular, 0, 60)).pivot());
    }

    @Test
    void syevGivesAscendingEigenpairsAndNaNForNaN() {
        for (int n : new int[] {1, 3, 20, 70}) {
            for (Uplo u : Uplo.values()) {
                double[] a = spdDouble(n, n);
                double[] v = a.clone();
                double[] w = new double[n];
                vector.syev(u, n, v, 0, n, w, 0);
                double[] ws = new double[n];
                scalar.syev(u, n, a.clone(), 0, n, ws, 0);
                assertClose(ws, w, 1e-12 * n, "eigenvalues vs scalar");
                for (int j = 0; j < n; j++) {
                    if (j > 0) {
                        assertTrue(w[j - 1] <= w[j], "ascending");
                    }
                    for (int i = 0; i < n; i++) {
                        double s = 0;
                        for (int p = 0; p < n; p++) {
                            s += a[symIndex(u, i, p, n)] * v[p * n + j];
                        }
                        assertEquals(w[j] * v[i * n + j], s, 1e-11 * n, "A·v = λ·v");
                    }
                }
            }
            float[] nan = floats(n * n);
            nan[n * n - 1] = Float.NaN;
            float[] w = new float[n];
            vector.syev(Uplo.LOWER, n, nan, 0, n, w, 0);
            assertTrue(Float.isNaN(w[0]), "NaN input gives NaN eigenvalues");
        }
    }

    // ------------------------------------------------------------------------------------------------
    // Fused curvature forms

    @Test
    void fusedFormsMatchScalar() {
        for (int n : new int[] {1, 7, 33, 100}) {
            int ldh = n + 3;
            float[] h = spd(n, ldh, 0);
            scalar.symmetrize(Uplo.LOWER, n, h, 0, ldh);
            float[] x = floats(n);
            float[] hs = h.clone();
            float[] hv = h.clone();
            float ds = scalar.shermanMorrisonUpdate(n, 10f, x, 0, hs, 0, ldh, new float[n + 1], 1);
            float dv = vector.shermanMorrisonUpdate(n, 10f, x, 0, hv, 0, ldh, new float[n + 1], 1);
            assertEquals(ds, dv, 2 * (n + 2) * FU * ds * 4, "Sherman–Morrison denominator");
            assertClose(hs, hv, 4 * (n + 2) * FU * 4, "Sherman–Morrison n=" + n);
            int p = n / 2;
            float ps = scalar.eliminateCoordinate(n, p, hs, 0, ldh, new float[n], 0);
            float pv = vector.eliminateCoordinate(n, p, hv, 0, ldh, new float[n], 0);
            assertEquals(ps, pv, 4 * (n + 2) * FU * 4, "pivot");
            assertClose(hs, hv, 8 * (n + 2) * FU * 4, "eliminate n=" + n);
            for (int i = 0; i < n; i++) {
                assertEquals(0f, hv[i * ldh + p], "column p is exactly zero");
                assertEquals(0f, hv[p * ldh + i], "row p is exactly zero");
            }
        }
        // Large enough to split among two threads (m·d ≥ 2·2¹⁸).
        for (int[] s : new int[][] {{3, 10}, {9, 1001}, {256, 5000}}) {
            int m = s[0];
            int d = s[1];
            int ldg = d + 5;
            float[] g = floats(m * ldg);
            float[] x = floats(d);
            float[] ys = floats(m + 1);
            float[] yv = ys.clone();
            scalar.rowDots(m, d, g, 0, ldg, x, 0, ys, 1);
            vector.rowDots(m, d, g, 0, ldg, x, 0, yv, 1);
            assertClose(ys, yv, 2 * (d + 2) * FU * d, "rowDots " + m + "x" + d);
            float[] c = floats(m);
            float[] xs = floats(d + 2);
            float[] xv = xs.clone();
            scalar.rowCombination(m, d, c, 0, g, 0, ldg, 0.5f, xs, 2);
            vector.rowCombination(m, d, c, 0, g, 0, ldg, 0.5f, xv, 2);
            assertClose(xs, xv, 2 * (m + 2) * FU * m, "rowCombination " + m + "x" + d);
            double[] gd = doubles(m * ldg);
            double[] xd = doubles(d);
            double[] yds = new double[m];
            double[] ydv = new double[m];
            scalar.rowDots(m, d, gd, 0, ldg, xd, 0, yds, 0);
            vector.rowDots(m, d, gd, 0, ldg, xd, 0, ydv, 0);
            assertClose(yds, ydv, 2 * (d + 2) * DU * d, "double rowDots " + m + "x" + d);
        }
    }

    // ------------------------------------------------------------------------------------------------
    // Threads

    @Test
    void oneAndTwoThreadsAgreeAndComposeWithACallersForkJoinPool() throws Exception {
        Kernels one = vector.withThreads(1);
        assertEquals(1, one.threads());
        assertTrue(vector.description().contains("2 threads"), vector.description());
        int n = 300;
        float[] a = floats(n * n);
        float[] b = floats(n * n);
        float[] c1 = new float[n * n];
        float[] c2 = new float[n * n];
        one.gemm(Trans.N, Trans.N, n, n, n, 1f, a, 0, n, b, 0, n, 0f, c1, 0, n);
        vector.gemm(Trans.N, Trans.N, n, n, n, 1f, a, 0, n, b, 0, n, 0f, c2, 0, n);
        // Threads split C by rows or column panels, never the k loop: every entry has the same sum order.
        assertArrayEquals(c1, c2, "1 vs 2 threads");
        ForkJoinPool callers = new ForkJoinPool(3);
        try {
            float[][] results = callers.submit(() -> IntStream.range(0, 6).parallel().mapToObj(t -> {
                float[] c = new float[n * n];
                vector.gemm(Trans.N, Trans.N, n, n, n, 1f, a, 0, n, b, 0, n, 0f, c, 0, n);
                return c;
            }).toArray(float[][]::new)).get();
            for (float[] r : results) {
                assertArrayEquals(c1, r, "gemm inside a caller's fork/join pool");
            }
        } finally {
            callers.shutdown();
        }
        assertThrows(IllegalArgumentException.class, () -> vector.withThreads(0));
    }

    @Test
    void badArgumentsAreRejectedLikeTheReference() {
        float[] a = new float[8]; // a 3×3 matrix needs 9
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> vector.gemm(Trans.N, Trans.N, 3, 3, 3, 1f, a, 0, 3, a, 0, 3, 0f, a, 0, 3));
        IllegalArgumentException r = assertThrows(IllegalArgumentException.class,
                () -> scalar.gemm(Trans.N, Trans.N, 3, 3, 3, 1f, a, 0, 3, a, 0, 3, 0f, a, 0, 3));
        assertEquals(r.getMessage(), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> vector.dot(-1, a, 0, a, 0));
        assertThrows(IllegalArgumentException.class, () -> vector.potrf(Uplo.LOWER, 2, a, 0, 1));
        assertThrows(IllegalArgumentException.class, () -> vector.eliminateCoordinate(3, 3, a, 0, 3, a, 0));
    }

    // ------------------------------------------------------------------------------------------------
    // Helpers

    private float[] floats(int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) random.nextDouble(-1, 1);
        }
        return x;
    }

    private double[] doubles(int n) {
        double[] x = new double[n];
        for (int i = 0; i < n; i++) {
            x[i] = random.nextDouble(-1, 1);
        }
        return x;
    }

    /** Symmetric, diagonally dominant (so positive definite), both triangles stored, at offset {@code off}. */
    private float[] spd(int n, int lda, int off) {
        float[] a = floats(off + n * lda);
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < i; j++) {
                a[off + j * lda + i] = a[off + i * lda + j];
            }
            a[off + i * lda + i] = n + 1;
        }
        return a;
    }

    private double[] spdDouble(int n, int lda) {
        double[] a = doubles(n * lda);
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < i; j++) {
                a[j * lda + i] = a[i * lda + j];
            }
            a[i * lda + i] = n + 1;
        }
        return a;
    }

    /** Entry (i, j ≤ i) of the lower factor L, for LOWER storage (L) or UPPER storage (U = Lᵀ). */
    private static double factorEntry(float[] f, Uplo u, int lda, int i, int j) {
        return u == Uplo.LOWER ? f[1 + i * lda + j] : f[1 + j * lda + i];
    }

    private static int symIndex(Uplo u, int i, int j, int lda) {
        return ScalarKernels.symIndex(u, i, j, lda);
    }

    private static void assertClose(float[] expected, float[] actual, double tol, String what) {
        assertEquals(expected.length, actual.length, what);
        for (int i = 0; i < expected.length; i++) {
            double scale = Math.max(1, Math.abs(expected[i]));
            if (!(Math.abs(expected[i] - actual[i]) <= tol * scale)
                    && !(Float.isNaN(expected[i]) && Float.isNaN(actual[i]))) {
                fail(what + ": element " + i + " expected " + expected[i] + " but was " + actual[i]
                        + " (tolerance " + tol * scale + ")");
            }
        }
    }

    private static void assertClose(double[] expected, double[] actual, double tol, String what) {
        assertEquals(expected.length, actual.length, what);
        for (int i = 0; i < expected.length; i++) {
            double scale = Math.max(1, Math.abs(expected[i]));
            if (!(Math.abs(expected[i] - actual[i]) <= tol * scale)) {
                fail(what + ": element " + i + " expected " + expected[i] + " but was " + actual[i]
                        + " (tolerance " + tol * scale + ")");
            }
        }
    }
}
