package dev.surgeon.kernels.parity;

import dev.surgeon.kernels.*;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Level-2 parity: {@code gemv} (both transposes), {@code symv}, {@code ger}, {@code syr}.
 *
 * <p>Tolerances. Entry r of {@code α·op(A)·x + β·y} is a sum of n products plus one more term; in any
 * order, with or without FMA, it is within γ_{n+3}·(|α|·Σ_c |op(A)_rc·x_c| + |β·y_r|) of the exact
 * value (the 3 covers scaling by α, by β and the final addition). A rank-1 update entry
 * {@code a + α·x_i·y_j} is within γ_3·(|a| + |α·x_i·y_j|).
 *
 * <p>BLAS semantics are checked on every shape: with α = 0 the matrix and x are poisoned (they must not be
 * read), with β = 0 the output starts poisoned (it must be overwritten, not scaled); the triangle symv and
 * syr do not reference is poisoned too and must stay bit-for-bit untouched.
 */
public final class Level2Parity {
    static final double[] ALPHAS = {0, 1, -0.5};
    static final double[] BETAS = {0, 1, 2};
    /** (α, β) pairs covering α = 0 (inputs poisoned), β = 0 (output poisoned), both, and the general cases. */
    static final double[][] ALPHA_BETA_PAIRS = {{1, 0}, {-0.5, 2}, {0, 1}, {1, 1}, {0, 0}};

    /** gemv on an m×n A. */
    public record GemvCase(Precision p, Trans trans, int m, int n, double alpha, double beta, Operand.Layout layout) {
        @Override
        public String toString() {
            return p + " " + trans + " " + m + "×" + n + " α=" + alpha + " β=" + beta + " " + layout;
        }
    }

    /** symv or syr on an n×n A whose {@code uplo} triangle is stored (beta unused by syr). */
    public record SymmetricCase(Precision p, Uplo uplo, int n, double alpha, double beta, Operand.Layout layout) {
        @Override
        public String toString() {
            return p + " " + uplo + " n=" + n + " α=" + alpha + " β=" + beta + " " + layout;
        }
    }

    /** ger on an m×n A. */
    public record GerCase(Precision p, int m, int n, double alpha, Operand.Layout layout) {
        @Override
        public String toString() {
            return p + " " + m + "×" + n + " α=" + alpha + " " + layout;
        }
    }

    private static final int[][] RECTANGLES = {
        {1, 1000}, {1000, 1}, {3, 257}, {257, 3}, {17, 64}, {64, 17}, {33, 7}, {7, 33}, {0, 5}, {5, 0}
    };

    private Level2Parity() {
    }

    private static List<int[]> shapes() {
        List<int[]> out = new ArrayList<>();
        for (int n : Parity.SIZES) {
            out.add(new int[] {n, n});
        }
        out.addAll(List.of(RECTANGLES));
        return out;
    }

    /** Every square size and the rectangles, both transposes, the (α, β) pairs. */
    public static List<GemvCase> gemvCases() {
        List<GemvCase> out = new ArrayList<>();
        int i = 0;
        for (Precision p : Precision.values()) {
            for (int[] s : shapes()) {
                for (Trans t : Trans.values()) {
                    for (double[] ab : ALPHA_BETA_PAIRS) {
                        out.add(new GemvCase(p, t, s[0], s[1], ab[0], ab[1], Parity.layout(i++)));
                    }
                }
            }
        }
        return out;
    }

    /** Every size, both triangles, the (α, β) pairs. */
    public static List<SymmetricCase> symvCases() {
        List<SymmetricCase> out = new ArrayList<>();
        int i = 0;
        for (Precision p : Precision.values()) {
            for (int n : Parity.SIZES) {
                for (Uplo uplo : Uplo.values()) {
                    for (double[] ab : ALPHA_BETA_PAIRS) {
                        out.add(new SymmetricCase(p, uplo, n, ab[0], ab[1], Parity.layout(i++)));
                    }
                }
            }
        }
        return out;
    }

    /** Every size, both triangles, α ∈ {1, −0.5}. */
    public static List<SymmetricCase> syrCases() {
        List<SymmetricCase> out = new ArrayList<>();
        int i = 0;
        for (Precision p : Precision.values()) {
            for (int n : Parity.SIZES) {
                for (Uplo uplo : Uplo.values()) {
                    for (double alpha : new double[] {1, -0.5}) {
                        out.add(new SymmetricCase(p, uplo, n, alpha, 0, Parity.layout(i++)));
                    }
                }
            }
        }
        return out;
    }

    /** Squares and rectangles, α ∈ {1, −0.5}. */
    public static List<GerCase> gerCases() {
        List<GerCase> out = new ArrayList<>();
        int i = 0;
        for (Precision p : Precision.values()) {
            for (int[] s : shapes()) {
                for (double alpha : new double[] {1, -0.5}) {
                    out.add(new GerCase(p, s[0], s[1], alpha, Parity.layout(i++)));
                }
            }
        }
        return out;
    }

    // ------------------------------------------------------------------------------------------------

    static void gemv(Kernels candidate, GemvCase c) {
        SplittableRandom rnd = TestMatrices.random("gemv", c.toString());
        int lenX = c.trans() == Trans.N ? c.n() : c.m();
        int lenY = c.trans() == Trans.N ? c.m() : c.n();
        Operand a = Operand.matrix(c.p(), c.m(), c.n(), c.layout()).fillRandom(rnd);
        Operand x = Operand.vector(c.p(), lenX, Parity.other(c.layout())).fillRandom(rnd);
        Operand y = Operand.vector(c.p(), lenY, c.layout()).fillRandom(rnd);
        poisonForBlasSemantics(c.alpha(), c.beta(), y, a, x);
        checkGemv(candidate, c.trans(), c.alpha(), c.beta(), a, x, y);
    }

    /** Runs gemv on prepared operands (also used with NaN-injected inputs) and checks y. */
    static void checkGemv(Kernels candidate, Trans trans, double alpha, double beta, Operand a, Operand x, Operand y) {
        Expected e = matrixVector(y.length(), x.length(), alpha == 0 ? null : a.toDense(trans), alpha, x, beta, y);
        new KernelCall("gemv", trans, a.rows, a.cols, alpha, a.data, a.off, a.ld, x.data, x.off, beta, y.data, y.off)
                .reads(a, x).writes(y, Operand.Cells.ALL)
                .run(candidate, a.precision()).assertOutput("gemv " + trans, y, e);
    }

    static void symv(Kernels candidate, SymmetricCase c) {
        SplittableRandom rnd = TestMatrices.random("symv", c.toString());
        Operand a = Operand.matrix(c.p(), c.n(), c.n(), c.layout())
                .fill(Operand.Cells.triangle(c.uplo()), (i, j) -> rnd.nextDouble(-1, 1));
        Operand x = Operand.vector(c.p(), c.n(), Parity.other(c.layout())).fillRandom(rnd);
        Operand y = Operand.vector(c.p(), c.n(), c.layout()).fillRandom(rnd);
        poisonForBlasSemantics(c.alpha(), c.beta(), y, a, x);
        Expected e = matrixVector(c.n(), c.n(), c.alpha() == 0 ? null : a.toDenseSymmetric(c.uplo()), c.alpha(), x,
                c.beta(), y);
        new KernelCall("symv", c.uplo(), c.n(), c.alpha(), a.data, a.off, a.ld, x.data, x.off, c.beta(), y.data, y.off)
                .reads(a, x).writes(y, Operand.Cells.ALL)
                .run(candidate, c.p()).assertOutput("symv " + c.uplo(), y, e);
    }

    static void ger(Kernels candidate, GerCase c) {
        SplittableRandom rnd = TestMatrices.random("ger", c.toString());
        Operand a = Operand.matrix(c.p(), c.m(), c.n(), c.layout()).fillRandom(rnd);
        Operand x = Operand.vector(c.p(), c.m(), Parity.other(c.layout())).fillRandom(rnd);
        Operand y = Operand.vector(c.p(), c.n(), c.layout()).fillRandom(rnd);
        Expected e = rankOne(a, Operand.Cells.ALL, c.alpha(), x, y);
        new KernelCall("ger", c.m(), c.n(), c.alpha(), x.data, x.off, y.data, y.off, a.data, a.off, a.ld)
                .reads(x, y).writes(a, Operand.Cells.ALL)
                .run(candidate, c.p()).assertOutput("ger", a, e);
    }

    static void syr(Kernels candidate, SymmetricCase c) {
        SplittableRandom rnd = TestMatrices.random("syr", c.toString());
        Operand.Cells triangle = Operand.Cells.triangle(c.uplo());
        Operand a = Operand.matrix(c.p(), c.n(), c.n(), c.layout()).fill(triangle, (i, j) -> rnd.nextDouble(-1, 1));
        Operand x = Operand.vector(c.p(), c.n(), Parity.other(c.layout())).fillRandom(rnd);
        Expected e = rankOne(a, triangle, c.alpha(), x, x);
        new KernelCall("syr", c.uplo(), c.n(), c.alpha(), x.data, x.off, a.data, a.off, a.ld)
                .reads(x).writes(a, triangle)
                .run(candidate, c.p()).assertOutput("syr " + c.uplo(), a, e);
    }

    /** α = 0: the inputs must not be read; β = 0: the output must not be read. Poison them to prove it. */
    static void poisonForBlasSemantics(double alpha, double beta, Operand out, Operand... inputs) {
        if (alpha == 0) {
            for (Operand in : inputs) {
                in.poison(Operand.Cells.ALL);
            }
        }
        if (beta == 0) {
            out.poison(Operand.Cells.ALL);
        }
    }

    /**
     * Exact {@code α·M·x + β·y} for a dense rows×cols M (null when α = 0: not read), with the bound above,
     * as a 1×rows expectation.
     */
    static Expected matrixVector(int rows, int cols, double[] m, double alpha, Operand x, double beta, Operand y) {
        Precision p = x.precision();
        double a = p.round(alpha);
        double b = p.round(beta);
        double[] xd = a == 0 ? null : x.toDense(Trans.N);
        Expected e = new Expected(1, rows);
        for (int r = 0; r < rows; r++) {
            double[] v = Parity.exactProduct(p, m, r, xd, 0, cols, a, b, b == 0 ? 0 : y.get(r));
            e.set(0, r, v[0], v[1]);
        }
        return e;
    }

    /** Exact {@code A + α·x·yᵀ} on the given cells. */
    static Expected rankOne(Operand a, Operand.Cells cells, double alpha, Operand x, Operand y) {
        Precision p = a.precision();
        double al = p.round(alpha);
        Expected e = new Expected(a.rows, a.cols);
        for (int i = 0; i < a.rows; i++) {
            for (int j = 0; j < a.cols; j++) {
                if (cells.contains(i, j)) {
                    double t = al * x.get(i) * y.get(j);
                    e.set(i, j, a.get(i, j) + t, p.gamma(3) * (Math.abs(a.get(i, j)) + Math.abs(t)));
                }
            }
        }
        return e;
    }
}
