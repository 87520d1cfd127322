package dev.surgeon.kernels.parity;

import dev.surgeon.kernels.*;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Level-3 parity: {@code gemm} (all transposes × α × β), {@code syrk} (both triangles × transposes, the
 * other triangle untouched), {@code trsm} (all 16 side/uplo/trans/diag combinations) and
 * {@code symmetrize}.
 *
 * <p>Tolerances. Entry (i, j) of {@code α·op(A)·op(B) + β·C} is within
 * γ_{k+3}·(|α|·Σ_p |op(A)_ip·op(B)_pj| + |β·C_ij|) of the exact value for any blocking, packing, summation
 * order and FMA use (Higham eq. 3.5; +3 for α, β and the final addition); syrk is the same with B = Aᵀ.
 * For trsm the computed X̂ satisfies (T + ΔT)·X̂ = α·B with |ΔT| ≤ γ_{n+2}|T| for substitution in any
 * order, reciprocal multiplication included (Higham Thm 8.5), so the residual |op(A)·X̂ − α·B| is
 * bounded by γ_{n+3}·(|op(A)|·|X̂| + |α·B|); the test matrices have ‖op(A)⁻¹‖ ≤ 2 by construction
 * ({@link TestMatrices#wellConditionedSquare}), which turns the residual bound into a bound on the
 * difference between two solvers (check (a)).
 */
public final class Level3Parity {
    /** Above this many multiply-adds, gemm's float64 loop and scalar comparison cover row stripes only. */
    static final long FULL_CHECK_WORK = 40_000_000L;

    /** One gemm problem. */
    public record GemmCase(Precision p, Trans transA, Trans transB, int m, int n, int k, double alpha, double beta,
                           Operand.Layout layout) {
        @Override
        public String toString() {
            return p + " " + transA + transB + " " + m + "×" + n + "×" + k + " α=" + alpha + " β=" + beta + " " + layout;
        }
    }

    /** One syrk problem: C is n×n, A is n×k (N) or k×n (T). */
    public record SyrkCase(Precision p, Uplo uplo, Trans trans, int n, int k, double alpha, double beta,
                           Operand.Layout layout) {
        @Override
        public String toString() {
            return p + " " + uplo + " " + trans + " n=" + n + " k=" + k + " α=" + alpha + " β=" + beta + " " + layout;
        }
    }

    /** One trsm problem: B is m×n. */
    public record TrsmCase(Precision p, Side side, Uplo uplo, Trans transA, Diag diag, int m, int n, double alpha,
                           Operand.Layout layout) {
        @Override
        public String toString() {
            return p + " " + side + " " + uplo + " " + transA + " " + diag + " " + m + "×" + n + " α=" + alpha
                    + " " + layout;
        }
    }

    /** symmetrize of an n×n matrix. */
    public record SymmetrizeCase(Precision p, Uplo stored, int n, Operand.Layout layout) {
        @Override
        public String toString() {
            return p + " " + stored + " n=" + n + " " + layout;
        }
    }

    private static final int[][] GEMM_SMALL = {
        {0, 3, 2}, {3, 0, 2}, {2, 3, 0}, {1, 1, 1}, {7, 8, 9}, {9, 7, 8}, {17, 15, 16}, {31, 33, 1},
        {33, 1, 31}, {65, 63, 64}
    };
    private static final int[][] GEMM_MEDIUM = {{255, 257, 63}, {257, 255, 17}, {31, 257, 255}, {129, 65, 257}};
    private static final int[][] SYRK_SHAPES = {
        {0, 3}, {3, 0}, {1, 1}, {2, 5}, {7, 9}, {9, 7}, {15, 16}, {17, 1}, {31, 33}, {33, 31},
        {63, 64}, {65, 63}, {127, 9}, {255, 64}, {257, 31}
    };
    private static final int[][] TRSM_SHAPES = {
        {0, 3}, {3, 0}, {1, 1}, {2, 3}, {7, 9}, {9, 7}, {16, 17}, {17, 16}, {33, 31}, {64, 65}, {65, 64},
        {127, 33}, {33, 127}, {257, 17}, {17, 257}
    };

    private Level3Parity() {
    }

    /**
     * The full cross product (4 transposes × α ∈ {0, 1, −0.5} × β ∈ {0, 1, 2}) on small odd, prime and
     * lane-boundary shapes; two (α, β) pairs on medium shapes that span several blocks; a k = 520 shape
     * deeper than a typical K block; and three 1000×1000×1000 problems.
     */
    public static List<GemmCase> gemmCases() {
        List<GemmCase> out = new ArrayList<>();
        int i = 0;
        for (Precision p : Precision.values()) {
            for (int[] s : GEMM_SMALL) {
                for (Trans ta : Trans.values()) {
                    for (Trans tb : Trans.values()) {
                        for (double alpha : Level2Parity.ALPHAS) {
                            for (double beta : Level2Parity.BETAS) {
                                out.add(new GemmCase(p, ta, tb, s[0], s[1], s[2], alpha, beta, Parity.layout(i++)));
                            }
                        }
                    }
                }
            }
            for (int[] s : GEMM_MEDIUM) {
                for (Trans ta : Trans.values()) {
                    for (Trans tb : Trans.values()) {
                        for (double[] ab : new double[][] {{1, 0}, {-0.5, 2}}) {
                            out.add(new GemmCase(p, ta, tb, s[0], s[1], s[2], ab[0], ab[1], Parity.layout(i++)));
                        }
                    }
                }
            }
            for (Trans ta : Trans.values()) {
                for (Trans tb : Trans.values()) {
                    out.add(new GemmCase(p, ta, tb, 67, 300, 520, 1, 0, Parity.layout(i++)));
                }
            }
        }
        // Transposes whose scalar loops walk memory contiguously (the scalar run is the cost here).
        out.add(new GemmCase(Precision.FLOAT, Trans.N, Trans.N, 1000, 1000, 1000, 1, 0, Operand.Layout.TIGHT));
        out.add(new GemmCase(Precision.DOUBLE, Trans.T, Trans.N, 1000, 1000, 1000, -0.5, 2, Operand.Layout.PADDED));
        out.add(new GemmCase(Precision.FLOAT, Trans.N, Trans.T, 1000, 1000, 1000, 1, 1, Operand.Layout.PADDED));
        return out;
    }

    /** Both triangles × both transposes × (α, β) pairs with α = 0, β = 0, both and neither; and n = 1000. */
    public static List<SyrkCase> syrkCases() {
        List<SyrkCase> out = new ArrayList<>();
        int i = 0;
        for (Precision p : Precision.values()) {
            for (int[] s : SYRK_SHAPES) {
                for (Uplo uplo : Uplo.values()) {
                    for (Trans t : Trans.values()) {
                        for (double[] ab : new double[][] {{1, 0}, {-0.5, 2}, {0, 1}, {0, 0}}) {
                            out.add(new SyrkCase(p, uplo, t, s[0], s[1], ab[0], ab[1], Parity.layout(i++)));
                        }
                    }
                }
            }
        }
        out.add(new SyrkCase(Precision.FLOAT, Uplo.LOWER, Trans.N, 1000, 100, 1, 0, Operand.Layout.PADDED));
        out.add(new SyrkCase(Precision.DOUBLE, Uplo.UPPER, Trans.T, 1000, 70, -0.5, 2, Operand.Layout.TIGHT));
        return out;
    }

    /**
     * All 16 combinations on every shape, α alternating between 1 and −0.5, α = 0 on three shapes (two of
     * them empty) per combination, and two large solves.
     */
    public static List<TrsmCase> trsmCases() {
        List<TrsmCase> out = new ArrayList<>();
        int i = 0;
        for (Precision p : Precision.values()) {
            for (Side side : Side.values()) {
                for (Uplo uplo : Uplo.values()) {
                    for (Trans t : Trans.values()) {
                        for (Diag diag : Diag.values()) {
                            for (int[] s : TRSM_SHAPES) {
                                double alpha = i % 3 == 0 ? -0.5 : 1;
                                out.add(new TrsmCase(p, side, uplo, t, diag, s[0], s[1], alpha, Parity.layout(i++)));
                            }
                            for (int[] s : new int[][] {{9, 17}, {3, 0}, {0, 3}}) {
                                out.add(new TrsmCase(p, side, uplo, t, diag, s[0], s[1], 0, Parity.layout(i++)));
                            }
                        }
                    }
                }
            }
        }
        out.add(new TrsmCase(Precision.FLOAT, Side.LEFT, Uplo.LOWER, Trans.N, Diag.NON_UNIT, 1000, 48, 1,
                Operand.Layout.PADDED));
        out.add(new TrsmCase(Precision.DOUBLE, Side.RIGHT, Uplo.UPPER, Trans.T, Diag.UNIT, 40, 1000, -0.5,
                Operand.Layout.TIGHT));
        return out;
    }

    public static List<SymmetrizeCase> symmetrizeCases() {
        List<SymmetrizeCase> out = new ArrayList<>();
        int i = 0;
        for (Precision p : Precision.values()) {
            for (int n : Parity.SIZES) {
                for (Uplo uplo : Uplo.values()) {
                    out.add(new SymmetrizeCase(p, uplo, n, Parity.layout(i++)));
                }
            }
        }
        return out;
    }

    // ------------------------------------------------------------------------------------------------
    // gemm

    static void gemm(Kernels candidate, GemmCase c) {
        SplittableRandom rnd = TestMatrices.random("gemm", c.toString());
        Operand a = c.transA() == Trans.N
                ? Operand.matrix(c.p(), c.m(), c.k(), c.layout()) : Operand.matrix(c.p(), c.k(), c.m(), c.layout());
        Operand b = c.transB() == Trans.N
                ? Operand.matrix(c.p(), c.k(), c.n(), Parity.other(c.layout()))
                : Operand.matrix(c.p(), c.n(), c.k(), Parity.other(c.layout()));
        Operand cc = Operand.matrix(c.p(), c.m(), c.n(), c.layout());
        a.fillRandom(rnd);
        b.fillRandom(rnd);
        cc.fillRandom(rnd);
        Level2Parity.poisonForBlasSemantics(c.alpha(), c.beta(), cc, a, b);
        checkGemm(candidate, c.transA(), c.transB(), c.k(), c.alpha(), c.beta(), a, b, cc);
    }

    /** Runs gemm on prepared operands (also used with NaN-injected inputs) and checks C. */
    static void checkGemm(Kernels candidate, Trans ta, Trans tb, int k, double alpha, double beta,
                          Operand a, Operand b, Operand c) {
        Precision p = c.precision();
        int m = c.rows;
        int n = c.cols;
        boolean full = (long) m * n * k <= FULL_CHECK_WORK;
        int[][] stripes = full ? new int[][] {{0, m}} : new int[][] {{0, 8}, {m / 2 - 4, m / 2 + 4}, {m - 8, m}};
        double al = p.round(alpha);
        double be = p.round(beta);
        double[] opA = al == 0 ? null : a.toDense(ta);                             // m×k
        double[] opBt = al == 0 ? null : b.toDense(tb == Trans.N ? Trans.T : Trans.N); // op(B)ᵀ: n×k
        Expected e = new Expected(m, n);
        for (int[] stripe : stripes) {
            for (int i = stripe[0]; i < stripe[1]; i++) {
                for (int j = 0; j < n; j++) {
                    double[] v = Parity.exactProduct(p, opA, i, opBt, j, k, al, be, be == 0 ? 0 : c.get(i, j));
                    e.set(i, j, v[0], v[1]);
                }
            }
        }
        KernelCall call = new KernelCall("gemm", ta, tb, m, n, k, alpha, a.data, a.off, a.ld, b.data, b.off, b.ld,
                beta, c.data, c.off, c.ld).reads(a, b).writes(c, Operand.Cells.ALL);
        String what = "gemm " + ta + tb;
        if (full) {
            call.run(candidate, p).assertOutput(what, c, e);
            return;
        }
        KernelCall.Outcome out = call.candidateOnly().run(candidate, p);
        e.assertMatches(what + " vs float64 (row stripes)", out.candidate(c), Parity.TWO_BOUNDS);
        KernelInvoker ref = Parity.reference(candidate, p);
        if (ref != null) {
            // The same product restricted to a stripe of rows is a smaller gemm: op(A) starts r0 rows lower.
            Operand scalar = c.copy();
            for (int[] stripe : stripes) {
                int r0 = stripe[0];
                int aOff = a.off + (ta == Trans.N ? r0 * a.ld : r0);
                ref.call("gemm", ta, tb, stripe[1] - r0, n, k, alpha, a.data, aOff, a.ld, b.data, b.off, b.ld,
                        beta, scalar.data, c.off + r0 * c.ld, c.ld);
            }
            e.assertAgree(what + " vs scalar (row stripes)", out.candidate(c), scalar, Parity.TWO_BOUNDS);
        }
    }

    // ------------------------------------------------------------------------------------------------
    // syrk

    static void syrk(Kernels candidate, SyrkCase c) {
        SplittableRandom rnd = TestMatrices.random("syrk", c.toString());
        Operand a = c.trans() == Trans.N
                ? Operand.matrix(c.p(), c.n(), c.k(), Parity.other(c.layout()))
                : Operand.matrix(c.p(), c.k(), c.n(), Parity.other(c.layout()));
        a.fillRandom(rnd);
        Operand.Cells triangle = Operand.Cells.triangle(c.uplo());
        Operand cc = Operand.matrix(c.p(), c.n(), c.n(), c.layout()).fill(triangle, (i, j) -> rnd.nextDouble(-1, 1));
        if (c.alpha() == 0) {
            a.poison(Operand.Cells.ALL);
        }
        if (c.beta() == 0) {
            cc.poison(triangle);
        }
        checkSyrk(candidate, c.uplo(), c.trans(), c.alpha(), c.beta(), a, cc);
    }

    /** Runs syrk on prepared operands and checks the triangle (the other one must stay untouched). */
    static void checkSyrk(Kernels candidate, Uplo uplo, Trans trans, double alpha, double beta, Operand a, Operand c) {
        Precision p = c.precision();
        int n = c.rows;
        int k = trans == Trans.N ? a.cols : a.rows;
        Operand.Cells triangle = Operand.Cells.triangle(uplo);
        boolean full = (long) n * n * k / 2 <= FULL_CHECK_WORK;
        double al = p.round(alpha);
        double be = p.round(beta);
        double[] opA = al == 0 ? null : a.toDense(trans); // n×k
        Expected e = new Expected(n, n);
        for (int i = 0; i < n; i++) {
            if (!full && i % 97 != 0 && i != n - 1) {
                continue; // the float64 loop samples rows; the scalar comparison below still covers all
            }
            for (int j = 0; j < n; j++) {
                if (triangle.contains(i, j)) {
                    double[] v = Parity.exactProduct(p, opA, i, opA, j, k, al, be, be == 0 ? 0 : c.get(i, j));
                    e.set(i, j, v[0], v[1]);
                }
            }
        }
        KernelCall.Outcome out = new KernelCall("syrk", uplo, trans, n, k, alpha, a.data, a.off, a.ld, beta,
                c.data, c.off, c.ld).reads(a).writes(c, triangle).run(candidate, p);
        String what = "syrk " + uplo + " " + trans;
        e.assertMatches(what + " vs float64", out.candidate(c), Parity.TWO_BOUNDS);
        if (out.hasReference()) {
            // Where the float64 loop sampled rows, the bound still needs |A||Aᵀ|: use max|a|²·k.
            Expected all = full ? e : uniformBound(n, n, triangle,
                    p.gamma(k + 3) * (Math.abs(al) * k * Math.pow(a.maxAbs(Operand.Cells.ALL), 2)
                            + Math.abs(be) * c.maxAbs(triangle)));
            all.assertAgree(what + " vs scalar", out.candidate(c), out.reference(c), Parity.TWO_BOUNDS);
        }
    }

    // ------------------------------------------------------------------------------------------------
    // trsm

    static void trsm(Kernels candidate, TrsmCase c) {
        SplittableRandom rnd = TestMatrices.random("trsm", c.toString());
        int order = c.side() == Side.LEFT ? c.m() : c.n();
        Operand a = Operand.matrix(c.p(), order, order, Parity.other(c.layout()));
        TestMatrices.wellConditionedSquare(a, referenced(c.uplo(), c.diag()), rnd);
        Operand b = Operand.matrix(c.p(), c.m(), c.n(), c.layout()).fillRandom(rnd);
        if (c.alpha() == 0) {
            a.poison(Operand.Cells.ALL);
            b.poison(Operand.Cells.ALL);
        }
        checkTrsm(candidate, c.side(), c.uplo(), c.transA(), c.diag(), c.alpha(), a, b);
    }

    /** The cells of A a triangular operation reads: its triangle, without the diagonal when it is implicit. */
    static Operand.Cells referenced(Uplo uplo, Diag diag) {
        Operand.Cells t = Operand.Cells.triangle(uplo);
        return diag == Diag.UNIT ? (i, j) -> i != j && t.contains(i, j) : t;
    }

    /** op(A)(i, j) of a triangular A as trsm sees it (zero outside the triangle, 1 on a unit diagonal). */
    static double triangular(Operand a, Uplo uplo, Trans trans, Diag diag, int i, int j) {
        int r = trans == Trans.N ? i : j;
        int col = trans == Trans.N ? j : i;
        if (r == col) {
            return diag == Diag.UNIT ? 1 : a.get(r, col);
        }
        return Operand.Cells.triangle(uplo).contains(r, col) ? a.get(r, col) : 0;
    }

    /** Runs trsm and checks X by its residual (b) and against the scalar solve (a). */
    static void checkTrsm(Kernels candidate, Side side, Uplo uplo, Trans transA, Diag diag, double alpha,
                          Operand a, Operand b) {
        Precision p = b.precision();
        int m = b.rows;
        int n = b.cols;
        int order = side == Side.LEFT ? m : n;
        KernelCall.Outcome out = new KernelCall("trsm", side, uplo, transA, diag, m, n, alpha, a.data, a.off, a.ld,
                b.data, b.off, b.ld).reads(a).writes(b, Operand.Cells.ALL).run(candidate, p);
        String what = "trsm " + side + " " + uplo + " " + transA + " " + diag;
        Operand x = out.candidate(b);
        double al = p.round(alpha);
        if (al == 0) {
            // B ← 0 without reading A or B (both are poisoned).
            Expected zero = uniformBound(m, n, Operand.Cells.ALL, 0);
            zero.assertMatches(what + " with α = 0", x, 1);
            if (out.hasReference()) {
                zero.assertMatches(what + " with α = 0 (scalar)", out.reference(b), 1);
            }
            return;
        }
        // Residual R = op(A)·X − αB (left) or X·op(A) − αB (right), exact in float64 up to 2^-53.
        double[] t = new double[order * order]; // op(A) as trsm sees it, dense
        for (int i = 0; i < order; i++) {
            for (int j = 0; j < order; j++) {
                t[i * order + j] = triangular(a, uplo, transA, diag, i, j);
            }
        }
        double[] xd = x.toDense(Trans.N);
        Operand residual = Operand.matrix(Precision.DOUBLE, m, n, Operand.Layout.TIGHT);
        Expected e = new Expected(m, n);
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double s = 0;
                double mag = 0;
                for (int q = 0; q < order; q++) {
                    double term = side == Side.LEFT ? t[i * order + q] * xd[q * n + j] : xd[i * n + q] * t[q * order + j];
                    s += term;
                    mag += Math.abs(term);
                }
                double rhs = al * b.get(i, j);
                residual.set(i, j, s - rhs);
                e.set(i, j, 0, p.gamma(order + 3) * (mag + Math.abs(rhs)));
            }
        }
        e.assertMatches(what + " residual |op(A)·X − αB|", residual, Parity.TWO_BOUNDS);
        if (out.hasReference()) {
            // X̂ − X = op(A)⁻¹·R column by column (left) or R·op(A)⁻¹ row by row (right), ‖op(A)⁻¹‖ ≤ 2.
            double[] worst = new double[side == Side.LEFT ? n : m]; // largest residual bound per column / row
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    int line = side == Side.LEFT ? j : i;
                    worst[line] = Math.max(worst[line], e.bound(i, j));
                }
            }
            Expected forward = new Expected(m, n);
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    double w = worst[side == Side.LEFT ? j : i];
                    forward.set(i, j, 0, TestMatrices.WELL_CONDITIONED_INVERSE_NORM * Parity.TWO_BOUNDS * w);
                }
            }
            forward.assertAgree(what + " vs scalar", x, out.reference(b), Parity.TWO_BOUNDS);
        }
    }

    /**
     * Which cells of the solution of a trsm are NaN when B and A hold NaN where they do: float64
     * substitution, used by the NaN-propagation test.
     */
    static boolean[][] trsmNaNPattern(Side side, Uplo uplo, Trans transA, Diag diag, double alpha, Operand a,
                                      Operand b) {
        int m = b.rows;
        int n = b.cols;
        int order = side == Side.LEFT ? m : n;
        double[][] x = new double[m][n];
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                x[i][j] = alpha * b.get(i, j);
            }
        }
        // Left: op(A)·x_col = b_col for each column. Right: x_row·op(A) = b_row, i.e. op(A)ᵀ·x_rowᵀ = b_rowᵀ.
        boolean lower = (uplo == Uplo.LOWER) == (transA == Trans.N);
        boolean forwardSweep = side == Side.LEFT ? lower : !lower;
        int lines = side == Side.LEFT ? n : m;
        for (int line = 0; line < lines; line++) {
            for (int t = 0; t < order; t++) {
                int i = forwardSweep ? t : order - 1 - t;
                double s = side == Side.LEFT ? x[i][line] : x[line][i];
                for (int q = 0; q < order; q++) {
                    boolean solved = forwardSweep ? q < i : q > i;
                    if (solved) {
                        double coef = side == Side.LEFT
                                ? triangular(a, uplo, transA, diag, i, q) : triangular(a, uplo, transA, diag, q, i);
                        s -= coef * (side == Side.LEFT ? x[q][line] : x[line][q]);
                    }
                }
                double d = triangular(a, uplo, transA, diag, i, i);
                if (side == Side.LEFT) {
                    x[i][line] = s / d;
                } else {
                    x[line][i] = s / d;
                }
            }
        }
        boolean[][] nan = new boolean[m][n];
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                nan[i][j] = Double.isNaN(x[i][j]);
            }
        }
        return nan;
    }

    // ------------------------------------------------------------------------------------------------
    // symmetrize

    static void symmetrize(Kernels candidate, SymmetrizeCase c) {
        SplittableRandom rnd = TestMatrices.random("symmetrize", c.toString());
        Uplo stored = c.stored();
        Operand a = Operand.matrix(c.p(), c.n(), c.n(), c.layout())
                .fill(Operand.Cells.triangle(stored), (i, j) -> rnd.nextDouble(-1, 1));
        Expected e = new Expected(c.n(), c.n());
        for (int i = 0; i < c.n(); i++) {
            for (int j = 0; j < c.n(); j++) {
                e.set(i, j, Parity.sym(a, stored, i, j), 0); // a copy: exact
            }
        }
        Operand.Cells mirror = stored == Uplo.LOWER ? (i, j) -> j > i : (i, j) -> j < i;
        new KernelCall("symmetrize", stored, c.n(), a.data, a.off, a.ld).writes(a, mirror)
                .run(candidate, c.p()).assertOutput("symmetrize " + stored, a, e);
    }

    /** Expected zeros with one bound for every cell of {@code cells}. */
    static Expected uniformBound(int rows, int cols, Operand.Cells cells, double bound) {
        Expected e = new Expected(rows, cols);
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) {
                if (cells.contains(i, j)) {
                    e.set(i, j, 0, bound);
                }
            }
        }
        return e;
    }
}
