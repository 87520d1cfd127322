package dev.surgeon.kernels.parity;

import dev.surgeon.kernels.*;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Parity of the fused curvature forms: the Sherman–Morrison build-up of an inverse (METHODS.md §1.5),
 * the elimination of a coordinate from an inverse (§1.4 and the invariant of §1.8), and M-FAC's
 * {@code G·x} ({@code rowDots}) and {@code Gᵀ·c} ({@code rowCombination}) on long rows.
 *
 * <p>Tolerances.
 * <ul>
 *   <li>rowDots and rowCombination are matrix-vector products (G·x and Gᵀ·c + β·x) with the bounds of
 *       {@link Level2Parity}: γ_{d+3}·Σ_j |g_ij·x_j| and γ_{m+3}·(|β·x_j| + Σ_i |c_i·g_ij|).</li>
 *   <li>One elimination step {@code h_ij − h_ip·h_pj/h_pp}: γ_3·(|h_ij| + |h_ip·h_pj/h_pp|).</li>
 *   <li>A Sherman–Morrison sequence for H = λI + (1/N)Σ x xᵀ: step k makes an error of about
 *       γ_{2n+3}·‖H_k⁻¹‖ ≤ γ_{2n+3}/λ (a product H⁻¹x, a dot product and a rank-1 update); the later steps
 *       multiply it by (I − P_N)…(I − P_{k+1}) = H_N⁻¹H_k on both sides, of norm ≤ κ(H_N). Entries of
 *       x lie in ±1/√n, so ‖x‖² ≤ 1, ‖(1/N)Σ x xᵀ‖ ≤ 1 and κ(H_N) ≤ 1 + 1/λ; the final error is at most
 *       N·κ²·γ_{2n+3}/λ.</li>
 * </ul>
 */
public final class FusedFormParity {
    /** Damping of the Sherman–Morrison test: κ(H) ≤ 1 + 1/λ = 3. */
    static final double LAMBDA = 0.5;

    /** An n×n inverse (and, for Sherman–Morrison, N rank-one updates). */
    public record InverseCase(Precision p, int n, int updates, Operand.Layout layout) {
        @Override
        public String toString() {
            return p + " n=" + n + (updates > 0 ? " N=" + updates : "") + " " + layout;
        }
    }

    /** rowDots / rowCombination over an m×d G. */
    public record RowsCase(Precision p, int m, int d, Operand.Layout layout) {
        @Override
        public String toString() {
            return p + " m=" + m + " d=" + d + " " + layout;
        }
    }

    private static final int[] INVERSE_SIZES = {0, 1, 2, 7, 8, 9, 16, 17, 33, 64, 65, 127};
    private static final int[][] ROW_SHAPES = {
        {0, 5}, {1, 0}, {1, 1}, {3, 7}, {4, 16}, {5, 17}, {8, 33}, {9, 64}, {2, 1000}, {17, 65}, {16, 257},
        {1, 100_003}, {3, 100_003}, {8, 100_003}
    };

    private FusedFormParity() {
    }

    /** N = n + 3 updates, so the data term has full rank. */
    public static List<InverseCase> shermanMorrisonCases() {
        List<InverseCase> out = new ArrayList<>();
        int i = 0;
        for (Precision p : Precision.values()) {
            for (int n : INVERSE_SIZES) {
                out.add(new InverseCase(p, n, n + 3, Parity.layout(i++)));
            }
        }
        return out;
    }

    public static List<InverseCase> eliminationCases() {
        List<InverseCase> out = new ArrayList<>();
        int i = 0;
        for (Precision p : Precision.values()) {
            for (int n : INVERSE_SIZES) {
                if (n > 0) {
                    out.add(new InverseCase(p, n, 0, Parity.layout(i++)));
                }
            }
            out.add(new InverseCase(p, 255, 0, Parity.layout(i++)));
        }
        return out;
    }

    /** Small m and huge d (M-FAC's shape) plus lane-boundary sizes. */
    public static List<RowsCase> rowsCases() {
        List<RowsCase> out = new ArrayList<>();
        int i = 0;
        for (Precision p : Precision.values()) {
            for (int[] s : ROW_SHAPES) {
                out.add(new RowsCase(p, s[0], s[1], Parity.layout(i++)));
            }
        }
        return out;
    }

    // ------------------------------------------------------------------------------------------------
    // Sherman–Morrison

    /**
     * Builds (λI + (1/N)Σ x xᵀ)⁻¹ by N calls with c = N (not 1: METHODS.md §1.5) and compares the result
     * with a dense float64 inverse; each step's denominator and u (left in work) are checked against a
     * float64 run of the same recurrence, and each step against the scalar provider on the same input.
     */
    static void shermanMorrison(Kernels candidate, InverseCase c) {
        int n = c.n();
        int count = c.updates();
        Precision p = c.p();
        SplittableRandom rnd = TestMatrices.random("sherman-morrison", c.toString());
        double scale = 1 / Math.sqrt(Math.max(n, 1));
        Operand[] xs = new Operand[count];
        for (int k = 0; k < count; k++) {
            xs[k] = Operand.vector(p, n, Parity.other(c.layout())).fill(Operand.Cells.ALL,
                    (i, j) -> rnd.nextDouble(-1, 1) * scale);
        }
        Operand hInv = Operand.matrix(p, n, n, c.layout()).fill(Operand.Cells.ALL, (i, j) -> i == j ? 1 / LAMBDA : 0);
        Operand work = Operand.vector(p, n, Operand.Layout.PADDED);
        double[] exact = new double[n * n]; // float64 run of the recurrence on the same rounded inputs
        for (int i = 0; i < n; i++) {
            exact[i * n + i] = p.round(1 / LAMBDA);
        }
        double kappa = 1 + 1 / LAMBDA;
        double stepError = p.gamma(2 * n + 3) / LAMBDA * kappa * kappa;
        for (int k = 0; k < count; k++) {
            Operand x = xs[k];
            KernelCall.Outcome out = new KernelCall("shermanMorrisonUpdate", n, count, x.data, x.off,
                    hInv.data, hInv.off, hInv.ld, work.data, work.off)
                    .reads(x).writes(hInv, Operand.Cells.ALL).writes(work, Operand.Cells.ALL).run(candidate, p);
            double[] u = new double[n];
            double den = count;
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < n; j++) {
                    u[i] += exact[i * n + j] * x.get(j);
                }
            }
            for (int i = 0; i < n; i++) {
                den += x.get(i) * u[i];
            }
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < n; j++) {
                    exact[i * n + j] -= u[i] * u[j] / den;
                }
            }
            // Errors so far: k + 1 steps of at most stepError each (entries of hInv), seen through x (‖x‖ ≤ 1).
            double accumulated = (k + 1) * stepError;
            String step = "shermanMorrisonUpdate step " + (k + 1) + "/" + count;
            double got = ((Number) out.value()).doubleValue();
            Expected.assertScalar(step + ": denominator c + xᵀu vs float64", den, got,
                    Parity.TWO_BOUNDS * (accumulated + p.gamma(n + 2) * den));
            Expected uExpected = new Expected(1, n);
            for (int i = 0; i < n; i++) {
                uExpected.set(0, i, u[i], accumulated);
            }
            uExpected.assertMatches(step + ": u = H⁻¹x left in work", out.candidate(work), Parity.TWO_BOUNDS);
            Expected hExpected = new Expected(n, n);
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < n; j++) {
                    hExpected.set(i, j, exact[i * n + j], accumulated);
                }
            }
            if (out.hasReference()) {
                // Same input, one step: both within one step error of the exact step.
                Level3Parity.uniformBound(n, n, Operand.Cells.ALL, stepError)
                        .assertAgree(step + " vs scalar", out.candidate(hInv), out.reference(hInv), Parity.TWO_BOUNDS);
                Expected.assertScalar(step + ": denominator vs scalar",
                        ((Number) out.referenceValue()).doubleValue(), got, Parity.TWO_BOUNDS * stepError * den);
            }
            hInv.data.restoreFrom(out.candidate(hInv).data); // continue from the candidate's state
            hExpected.assertMatches(step + " vs float64 recurrence", hInv, Parity.TWO_BOUNDS);
        }
        if (n == 0) {
            return;
        }
        // The point of it all: the result is the inverse of λI + (1/N)Σ x xᵀ.
        double[] h = new double[n * n];
        for (int i = 0; i < n; i++) {
            h[i * n + i] = LAMBDA;
            for (Operand x : xs) {
                for (int j = 0; j < n; j++) {
                    h[i * n + j] += x.get(i) * x.get(j) / count;
                }
            }
        }
        double[] dense = inverse(h, n);
        Expected e = new Expected(n, n);
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                e.set(i, j, dense[i * n + j], count * stepError);
            }
        }
        e.assertMatches("Sherman–Morrison build-up vs dense inverse of λI + (1/N)Σ x xᵀ", hInv, Parity.TWO_BOUNDS);
    }

    // ------------------------------------------------------------------------------------------------
    // Elimination

    /**
     * Eliminates coordinates one after the other from a full inverse: each step against the float64
     * formula and the scalar provider on the same input (row and column p exactly zero, the returned
     * pivot exactly the old h_pp), and the final matrix against the dense inverse of H with those rows and
     * columns removed (METHODS.md §1.8).
     */
    static void eliminateCoordinates(Kernels candidate, InverseCase c) {
        int n = c.n();
        Precision p = c.p();
        double[] h = TestMatrices.symmetricDominant(n, TestMatrices.random("eliminate", c.toString()));
        double[] hInvExact = inverse(h, n);
        Operand hInv = Operand.matrix(p, n, n, c.layout()).fill(Operand.Cells.ALL, (i, j) -> hInvExact[i * n + j]);
        Operand work = Operand.vector(p, n, Parity.other(c.layout()));
        int[] order = n >= 3 ? new int[] {n / 2, 0, n - 1} : n == 2 ? new int[] {1} : new int[] {0};
        boolean[] removed = new boolean[n];
        for (int coordinate : order) {
            checkElimination(candidate, hInv, work, coordinate);
            removed[coordinate] = true;
        }
        // Dense inverse of the remaining submatrix of H, compared with what is left.
        int[] keep = java.util.stream.IntStream.range(0, n).filter(i -> !removed[i]).toArray();
        int r = keep.length;
        double[] sub = new double[r * r];
        for (int i = 0; i < r; i++) {
            for (int j = 0; j < r; j++) {
                sub[i * r + j] = h[keep[i] * n + keep[j]];
            }
        }
        double[] subInv = inverse(sub, r);
        // Input rounding (u·|H⁻¹|) and each step's γ_3 error grow by at most (1 + |h_ip/h_pp|)² ≤ (1 + √5)²
        // per elimination for these matrices (|h_ip| ≤ √(h_ii·h_pp), diagonal of H⁻¹ within [0.4, 2]).
        double growth = Math.pow((1 + Math.sqrt(5)) * (1 + Math.sqrt(5)), order.length);
        double tol = growth * p.gamma(3 * order.length + 1) * hInv.maxAbs(Operand.Cells.ALL);
        Expected e = new Expected(n, n);
        for (int i = 0; i < r; i++) {
            for (int j = 0; j < r; j++) {
                e.set(keep[i], keep[j], subInv[i * r + j], tol);
            }
        }
        e.assertMatches("eliminated inverse vs inverse of the submatrix of H", hInv, Parity.TWO_BOUNDS);
    }

    /** One elimination, checked; hInv then holds the candidate's result. */
    static void checkElimination(Kernels candidate, Operand hInv, Operand work, int p) {
        int n = hInv.rows;
        Precision precision = hInv.precision();
        KernelCall.Outcome out = new KernelCall("eliminateCoordinate", n, p, hInv.data, hInv.off, hInv.ld,
                work.data, work.off).writes(hInv, Operand.Cells.ALL).writes(work, Operand.Cells.ALL)
                .run(candidate, precision);
        double pivot = hInv.get(p, p);
        Expected e = new Expected(n, n);
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                if (i == p || j == p) {
                    e.set(i, j, 0, 0); // exactly zero
                } else {
                    double t = hInv.get(i, p) * hInv.get(p, j) / pivot;
                    e.set(i, j, hInv.get(i, j) - t, precision.gamma(3) * (Math.abs(hInv.get(i, j)) + Math.abs(t)));
                }
            }
        }
        String what = "eliminateCoordinate p=" + p + " n=" + n;
        double returned = ((Number) out.value()).doubleValue();
        assertTrue(returned == pivot || Double.isNaN(pivot) && Double.isNaN(returned),
                what + ": returns the old pivot " + pivot + ", got " + returned);
        out.assertOutput(what, hInv, e);
        hInv.data.restoreFrom(out.candidate(hInv).data);
    }

    // ------------------------------------------------------------------------------------------------
    // rowDots and rowCombination

    static void rowDots(Kernels candidate, RowsCase c) {
        SplittableRandom rnd = TestMatrices.random("rowDots", c.toString());
        Operand g = Operand.matrix(c.p(), c.m(), c.d(), c.layout()).fillRandom(rnd);
        Operand x = Operand.vector(c.p(), c.d(), Parity.other(c.layout())).fillRandom(rnd);
        checkRowDots(candidate, g, x, Operand.vector(c.p(), c.m(), c.layout()));
    }

    /** y (poisoned: it is output only) ← G·x. */
    static void checkRowDots(Kernels candidate, Operand g, Operand x, Operand y) {
        Expected e = Level2Parity.matrixVector(g.rows, g.cols, g.toDense(Trans.N), 1, x, 0, y);
        new KernelCall("rowDots", g.rows, g.cols, g.data, g.off, g.ld, x.data, x.off, y.data, y.off)
                .reads(g, x).writes(y, Operand.Cells.ALL).run(candidate, g.precision()).assertOutput("rowDots", y, e);
    }

    /** β ∈ {0 (x poisoned: it must not be read), 1, −0.5}. */
    static void rowCombination(Kernels candidate, RowsCase c) {
        for (double beta : new double[] {0, 1, -0.5}) {
            SplittableRandom rnd = TestMatrices.random("rowCombination", c.toString(), beta);
            Operand g = Operand.matrix(c.p(), c.m(), c.d(), c.layout()).fillRandom(rnd);
            Operand coef = Operand.vector(c.p(), c.m(), Parity.other(c.layout())).fillRandom(rnd);
            Operand x = Operand.vector(c.p(), c.d(), c.layout()).fillRandom(rnd);
            if (beta == 0) {
                x.poison(Operand.Cells.ALL);
            }
            checkRowCombination(candidate, coef, g, beta, x);
        }
    }

    static void checkRowCombination(Kernels candidate, Operand coef, Operand g, double beta, Operand x) {
        // x_j ← β·x_j + Σ_i c_i·g_ij is Gᵀ·c + β·x: a transposed matrix-vector product.
        Expected e = Level2Parity.matrixVector(g.cols, g.rows, g.toDense(Trans.T), 1, coef, beta, x);
        new KernelCall("rowCombination", g.rows, g.cols, coef.data, coef.off, g.data, g.off, g.ld, beta, x.data, x.off)
                .reads(coef, g).writes(x, Operand.Cells.ALL).run(candidate, g.precision())
                .assertOutput("rowCombination β=" + beta, x, e);
    }

    // ------------------------------------------------------------------------------------------------
    // NaN

    /** NaN in the inputs of the fused forms reaches exactly the outputs the float64 formulas say. */
    static void nanPropagates(Kernels candidate, Precision p) {
        for (int n : new int[] {1, 17, 64}) {
            SplittableRandom rnd = TestMatrices.random("fused nan", p, n);
            // rowDots: a NaN in row r of G makes y_r NaN; rowCombination: a NaN coefficient poisons all of x.
            Operand g = Operand.matrix(p, 3, n, Operand.Layout.PADDED).fillRandom(rnd);
            g.set(1, n - 1, Double.NaN);
            Operand x = Operand.vector(p, n, Operand.Layout.TIGHT).fillRandom(rnd);
            checkRowDots(candidate, g, x, Operand.vector(p, 3, Operand.Layout.PADDED));
            Operand coef = Operand.vector(p, 3, Operand.Layout.TIGHT).fillRandom(rnd);
            checkRowCombination(candidate, coef, g, 1, x.copy());
            coef.set(2, Double.NaN);
            g.set(1, n - 1, 0.5);
            checkRowCombination(candidate, coef, g, 0, Operand.vector(p, n, Operand.Layout.PADDED));
            // Elimination of 0 with a NaN in row 0: h_ij − h_i0·h_0j/h_00 spreads it down its column.
            double[] h = inverse(TestMatrices.symmetricDominant(n, rnd), n);
            Operand hInv = Operand.matrix(p, n, n, Operand.Layout.PADDED).fill(Operand.Cells.ALL, (i, j) -> h[i * n + j]);
            hInv.set(0, n / 2, Double.NaN);
            checkElimination(candidate, hInv, Operand.vector(p, n, Operand.Layout.TIGHT), 0);
            // Sherman–Morrison with a NaN in x: the denominator and the whole inverse become NaN.
            Operand inv = Operand.matrix(p, n, n, Operand.Layout.TIGHT).fill(Operand.Cells.ALL, (i, j) -> i == j ? 2 : 0);
            Operand xs = Operand.vector(p, n, Operand.Layout.PADDED).fillRandom(rnd);
            xs.set(n / 2, Double.NaN);
            double den = new KernelInvoker(candidate, p).value("shermanMorrisonUpdate", n, 1.0, xs.data, xs.off,
                    inv.data, inv.off, inv.ld, Operand.vector(p, n, Operand.Layout.TIGHT).data, 0);
            assertTrue(Double.isNaN(den), "Sherman–Morrison denominator with NaN in x: " + den);
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < n; j++) {
                    assertTrue(inv.isNaN(i, j), "Sherman–Morrison with NaN in x: H⁻¹(" + i + ", " + j + ") = "
                            + inv.get(i, j));
                }
            }
        }
    }

    /** Gauss–Jordan inverse with partial pivoting in float64 (the dense reference). */
    static double[] inverse(double[] a, int n) {
        double[] m = a.clone();
        double[] inv = new double[n * n];
        for (int i = 0; i < n; i++) {
            inv[i * n + i] = 1;
        }
        for (int col = 0; col < n; col++) {
            int pivot = col;
            for (int r = col + 1; r < n; r++) {
                if (Math.abs(m[r * n + col]) > Math.abs(m[pivot * n + col])) {
                    pivot = r;
                }
            }
            swapRows(m, n, col, pivot);
            swapRows(inv, n, col, pivot);
            double d = m[col * n + col];
            for (int j = 0; j < n; j++) {
                m[col * n + j] /= d;
                inv[col * n + j] /= d;
            }
            for (int r = 0; r < n; r++) {
                double f = m[r * n + col];
                if (r != col && f != 0) {
                    for (int j = 0; j < n; j++) {
                        m[r * n + j] -= f * m[col * n + j];
                        inv[r * n + j] -= f * inv[col * n + j];
                    }
                }
            }
        }
        return inv;
    }

    private static void swapRows(double[] a, int n, int r1, int r2) {
        for (int j = 0; j < n && r1 != r2; j++) {
            double t = a[r1 * n + j];
            a[r1 * n + j] = a[r2 * n + j];
            a[r2 * n + j] = t;
        }
    }
}
