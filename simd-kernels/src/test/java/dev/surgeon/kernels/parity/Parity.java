package dev.surgeon.kernels.parity;

import dev.surgeon.kernels.*;

/**
 * What every parity check shares: the sizes of the issue (around the SIMD widths 8, 16 and 32 lanes and
 * the block sizes of a blocked kernel), the reference provider and small helpers for building case lists.
 *
 * <p>Each check compares a candidate against (b) an independent float64 loop written in the test, with a
 * tolerance derived from a rounding-error bound, and (a) {@link ScalarKernels} with twice that bound (both
 * are within one bound of the exact value). For a double candidate the float64 loop itself carries an
 * error of the same bound, which is why (b) also uses a factor 2.
 */
public final class Parity {
    /** The sizes of issue 2: around 8/16/32 lanes, powers of two ± 1, blocks, and one large size. */
    public static final int[] SIZES = {0, 1, 2, 7, 8, 9, 15, 16, 17, 31, 33, 63, 64, 65, 127, 255, 257, 1000};

    /** (b) and (a): both computed results are within one bound of the exact value. */
    public static final double TWO_BOUNDS = 2;

    private Parity() {
    }

    /**
     * The reference provider for check (a), or null when the candidate is the reference itself (then (a)
     * is trivially satisfied and (b) is the real check).
     */
    public static KernelInvoker reference(Kernels candidate, Precision p) {
        return candidate.getClass() == ScalarKernels.class ? null : new KernelInvoker(new ScalarKernels(), p);
    }

    /** Alternates the layouts over a case list so that every shape meets tight and padded storage. */
    public static Operand.Layout layout(int index) {
        return index % 2 == 0 ? Operand.Layout.PADDED : Operand.Layout.TIGHT;
    }

    /** The other layout, so that two operands of one call do not share offsets and strides. */
    public static Operand.Layout other(Operand.Layout layout) {
        return layout == Operand.Layout.TIGHT ? Operand.Layout.PADDED : Operand.Layout.TIGHT;
    }

    /**
     * The exact {@code α·Σ_q left[li,q]·right[rj,q] + β·c} (rows of k elements in dense row-major arrays)
     * and its bound γ_{k+3}·(|α|·Σ_q |left[li,q]·right[rj,q]| + |β·c|), as {value, bound}: any order of
     * the k products, FMA or not, plus the scaling by α and β and the final addition. With α = 0 the rows
     * are not read (they may be poisoned or null), with β = 0 neither is c.
     */
    public static double[] exactProduct(Precision p, double[] left, int li, double[] right, int rj, int k,
                                        double alpha, double beta, double c) {
        double s = 0;
        double mag = 0;
        if (alpha != 0) {
            for (int q = 0; q < k; q++) {
                double t = left[li * k + q] * right[rj * k + q];
                s += t;
                mag += Math.abs(t);
            }
        }
        double bc = beta == 0 ? 0 : beta * c;
        return new double[] {alpha * s + bc, p.gamma(k + 3) * (Math.abs(alpha) * mag + Math.abs(bc))};
    }

    /** Entry (i, j) of the symmetric matrix whose {@code uplo} triangle is stored in a. */
    public static double sym(Operand a, Uplo uplo, int i, int j) {
        boolean stored = uplo == Uplo.LOWER ? j <= i : j >= i;
        return stored ? a.get(i, j) : a.get(j, i);
    }
}
