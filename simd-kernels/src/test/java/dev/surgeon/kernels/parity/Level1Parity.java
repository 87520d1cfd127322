package dev.surgeon.kernels.parity;

import dev.surgeon.kernels.*;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Level-1 parity: reductions ({@code dot}, {@code nrm2}, {@code asum}, {@code sumOfSquares}, {@code iamax})
 * and elementwise operations ({@code axpy}, {@code scal}, {@code mul}, {@code add}).
 *
 * <p>Tolerances. A sum of n terms computed in any order, with any number of accumulators and with or
 * without FMA, is within γ_n·Σ|terms| of the exact sum (Higham eq. 3.5); one more rounding for the final
 * conversion gives γ_{n+1}. {@code nrm2} adds the square root and its rounding: γ_{n+2}·‖x‖.
 * Elementwise results are one or two roundings away from exact: u·|result| for mul and add (IEEE,
 * correctly rounded), γ_2·(|αx| + |y|) for axpy (one rounding with FMA, two without).
 */
public final class Level1Parity {

    /** One vector length in one precision and layout. */
    public record VectorCase(Precision p, int n, Operand.Layout layout) {
        @Override
        public String toString() {
            return p + " n=" + n + " " + layout;
        }
    }

    /** A NaN placed at {@code position} of an n-vector. */
    public record NanCase(Precision p, int n, int position) {
        @Override
        public String toString() {
            return p + " n=" + n + " NaN at " + position;
        }
    }

    private Level1Parity() {
    }

    /** Every size of issue 2 plus two long vectors (several SIMD main-loop trips and a tail), both layouts. */
    public static List<VectorCase> cases() {
        List<VectorCase> out = new ArrayList<>();
        for (Precision p : Precision.values()) {
            for (int n : Parity.SIZES) {
                for (Operand.Layout layout : Operand.Layout.values()) {
                    out.add(new VectorCase(p, n, layout));
                }
            }
            out.add(new VectorCase(p, 4099, Operand.Layout.PADDED));
            out.add(new VectorCase(p, 100_003, Operand.Layout.TIGHT));
        }
        return out;
    }

    /** NaN first, in the middle and in the scalar tail, for short and long vectors. */
    public static List<NanCase> nanCases() {
        List<NanCase> out = new ArrayList<>();
        for (Precision p : Precision.values()) {
            for (int n : new int[] {1, 17, 64, 1000}) {
                for (int pos : new int[] {0, n / 2, n - 1}) {
                    out.add(new NanCase(p, n, pos));
                }
            }
        }
        return out;
    }

    // ------------------------------------------------------------------------------------------------
    // Reductions

    /** dot, asum, sumOfSquares or nrm2 against the float64 sum and the scalar provider. */
    static void reduction(Kernels candidate, VectorCase c, String op) {
        SplittableRandom rnd = TestMatrices.random(op, c.toString());
        Operand x = Operand.vector(c.p(), c.n(), c.layout()).fillRandom(rnd);
        Operand y = Operand.vector(c.p(), c.n(), Parity.other(c.layout())).fillRandom(rnd);
        checkReduction(candidate, c.p(), op, x, y);
    }

    /** Runs a reduction on x (and y for dot) and checks it; NaN in the inputs must give NaN. */
    static void checkReduction(Kernels candidate, Precision p, String op, Operand x, Operand y) {
        int n = x.length();
        KernelCall call = op.equals("dot")
                ? new KernelCall(op, n, x.data, x.off, y.data, y.off).reads(x, y)
                : new KernelCall(op, n, x.data, x.off).reads(x);
        KernelCall.Outcome out = call.run(candidate, p);

        double exact = 0;
        double magnitude = 0;
        for (int i = 0; i < n; i++) {
            double term = switch (op) {
                case "dot" -> x.get(i) * y.get(i);
                case "asum" -> Math.abs(x.get(i));
                default -> x.get(i) * x.get(i);
            };
            exact += term;
            magnitude += Math.abs(term);
        }
        double bound = p.gamma(n + 1) * magnitude;
        if (op.equals("nrm2")) {
            exact = Math.sqrt(exact);
            bound = p.gamma(n + 2) * exact;
        }
        double got = ((Number) out.value()).doubleValue();
        Expected.assertScalar(op + " vs float64", exact, got, Parity.TWO_BOUNDS * bound);
        if (out.hasReference()) {
            double ref = ((Number) out.referenceValue()).doubleValue();
            Expected.assertScalar(op + " vs scalar", ref, got, Parity.TWO_BOUNDS * bound);
        }
    }

    /**
     * A NaN in x reaches every reduction, the matching element of axpy/mul/add and nothing else, and iamax
     * reports its index even when a larger element exists.
     */
    static void nanPropagates(Kernels candidate, NanCase c) {
        SplittableRandom rnd = TestMatrices.random("nan", c.toString());
        Operand x = Operand.vector(c.p(), c.n(), Operand.Layout.PADDED).fillRandom(rnd);
        Operand y = Operand.vector(c.p(), c.n(), Operand.Layout.TIGHT).fillRandom(rnd);
        x.set(c.position(), Double.NaN);
        x.set(c.n() - 1 - c.position(), c.position() == c.n() - 1 - c.position() ? Double.NaN : 7);
        for (String op : new String[] {"dot", "asum", "nrm2", "sumOfSquares"}) {
            checkReduction(candidate, c.p(), op, x, y);
        }
        checkAxpy(candidate, -0.5, x, y);
        checkMulOrAdd(candidate, "mul", x, y, Operand.vector(c.p(), c.n(), Operand.Layout.PADDED));
        checkMulOrAdd(candidate, "add", y, x, Operand.vector(c.p(), c.n(), Operand.Layout.TIGHT));
        assertEquals(c.position(), iamaxOf(candidate, x), "iamax with NaN at " + c.position() + " and 7 elsewhere");
    }

    /** iamax is exact: the first index of the largest |x_i|, the first NaN if any, -1 for n = 0. */
    static void iamax(Kernels candidate, VectorCase c) {
        SplittableRandom rnd = TestMatrices.random("iamax", c.toString());
        Operand x = Operand.vector(c.p(), c.n(), c.layout()).fillRandom(rnd);
        assertEquals(firstMaxAbs(x), iamaxOf(candidate, x), "iamax of " + c);
    }

    /** Ties (the first of equal |x_i| wins, whatever lane holds it) and NaN (the first NaN wins). */
    static void iamaxTiesAndNaN(Kernels candidate, Precision p) {
        for (int n : new int[] {2, 17, 33, 64, 1000}) {
            for (Operand.Layout layout : Operand.Layout.values()) {
                SplittableRandom rnd = TestMatrices.random("iamax ties", p, n, layout);
                Operand x = Operand.vector(p, n, layout).fillRandom(rnd);
                int first = n / 3;
                x.set(first, -5);
                x.set(n - 1, 5);
                assertEquals(first, iamaxOf(candidate, x), "tie of |x| = 5 at " + first + " and " + (n - 1));
                x.set(n - 1, 6);
                assertEquals(n - 1, iamaxOf(candidate, x), "maximum in the last element");
                x.set(n - 1, Double.NaN);
                x.set(first, Double.NaN);
                assertEquals(first, iamaxOf(candidate, x), "NaN at " + first + " and " + (n - 1));
            }
        }
        assertEquals(-1, iamaxOf(candidate, Operand.vector(p, 0, Operand.Layout.PADDED)), "iamax of n = 0");
    }

    private static int iamaxOf(Kernels candidate, Operand x) {
        KernelCall.Outcome out = new KernelCall("iamax", x.length(), x.data, x.off).reads(x)
                .run(candidate, x.precision());
        if (out.hasReference()) {
            assertEquals(out.referenceValue(), out.value(), "iamax: candidate and scalar");
        }
        return (Integer) out.value();
    }

    private static int firstMaxAbs(Operand x) {
        int best = -1;
        double bestAbs = -1;
        for (int i = 0; i < x.length(); i++) {
            double v = Math.abs(x.get(i));
            if (Double.isNaN(v)) {
                return i;
            }
            if (v > bestAbs) {
                best = i;
                bestAbs = v;
            }
        }
        return best;
    }

    // ------------------------------------------------------------------------------------------------
    // Elementwise

    /** y ← αx + y for α ∈ {1, −0.5, 0}. */
    static void axpy(Kernels candidate, VectorCase c) {
        for (double alpha : new double[] {1, -0.5, 0}) {
            SplittableRandom rnd = TestMatrices.random("axpy", c.toString(), alpha);
            Operand x = Operand.vector(c.p(), c.n(), c.layout()).fillRandom(rnd);
            Operand y = Operand.vector(c.p(), c.n(), Parity.other(c.layout())).fillRandom(rnd);
            checkAxpy(candidate, alpha, x, y);
        }
    }

    static void checkAxpy(Kernels candidate, double alpha, Operand x, Operand y) {
        Precision p = x.precision();
        int n = x.length();
        double a = p.round(alpha);
        Expected e = new Expected(1, n);
        for (int i = 0; i < n; i++) {
            double t = a * x.get(i);
            e.set(0, i, t + y.get(i), p.gamma(2) * (Math.abs(t) + Math.abs(y.get(i))));
        }
        new KernelCall("axpy", n, alpha, x.data, x.off, y.data, y.off).reads(x).writes(y, Operand.Cells.ALL)
                .run(candidate, p).assertOutput("axpy α=" + alpha, y, e);
    }

    /** x ← αx for α ∈ {2, −0.5, 0}. */
    static void scal(Kernels candidate, VectorCase c) {
        for (double alpha : new double[] {2, -0.5, 0}) {
            Operand x = Operand.vector(c.p(), c.n(), c.layout())
                    .fillRandom(TestMatrices.random("scal", c.toString(), alpha));
            Expected e = new Expected(1, c.n());
            for (int i = 0; i < c.n(); i++) {
                double v = alpha * x.get(i);
                e.set(0, i, v, c.p().unitRoundoff * Math.abs(v));
            }
            new KernelCall("scal", c.n(), alpha, x.data, x.off).writes(x, Operand.Cells.ALL)
                    .run(candidate, c.p()).assertOutput("scal α=" + alpha, x, e);
        }
    }

    /** z = x∘y and z = x + y, into a separate (poisoned) z and in place over x. */
    static void mulOrAdd(Kernels candidate, VectorCase c, String op) {
        SplittableRandom rnd = TestMatrices.random(op, c.toString());
        Operand x = Operand.vector(c.p(), c.n(), c.layout()).fillRandom(rnd);
        Operand y = Operand.vector(c.p(), c.n(), Parity.other(c.layout())).fillRandom(rnd);
        Operand z = Operand.vector(c.p(), c.n(), c.layout());
        checkMulOrAdd(candidate, op, x, y, z);
        // z may be the same region as x: the result overwrites an input element by element.
        new KernelCall(op, c.n(), x.data, x.off, y.data, y.off, x.data, x.off).reads(y).writes(x, Operand.Cells.ALL)
                .run(candidate, c.p()).assertOutput(op + " in place", x, expectedMulOrAdd(op, x, y));
    }

    static void checkMulOrAdd(Kernels candidate, String op, Operand x, Operand y, Operand z) {
        new KernelCall(op, x.length(), x.data, x.off, y.data, y.off, z.data, z.off).reads(x, y)
                .writes(z, Operand.Cells.ALL).run(candidate, x.precision()).assertOutput(op, z, expectedMulOrAdd(op, x, y));
    }

    private static Expected expectedMulOrAdd(String op, Operand x, Operand y) {
        Expected e = new Expected(1, x.length());
        for (int i = 0; i < x.length(); i++) {
            double v = op.equals("mul") ? x.get(i) * y.get(i) : x.get(i) + y.get(i);
            e.set(0, i, v, x.precision().unitRoundoff * Math.abs(v));
        }
        return e;
    }
}
