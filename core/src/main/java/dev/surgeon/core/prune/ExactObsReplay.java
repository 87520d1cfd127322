package dev.surgeon.core.prune;

import dev.surgeon.kernels.Kernels;
import dev.surgeon.kernels.NotPositiveDefiniteException;
import dev.surgeon.kernels.Uplo;

/**
 * The row after eliminating a set S of coordinates, without the greedy loop: on the exact quadratic ½ δᵀHδ the
 * sequential OBS eliminations of S in any order end where the joint multi-weight OBS step ends (METHODS 1.3),
 * ŵ_S = 0 and ŵ_F = w_F + (H_FF)⁻¹ H_FS w_S = w_F − H⁻¹_{F,S} ([H⁻¹]_SS)⁻¹ w_S for the kept set F. The smaller of
 * |F| and |S| is factorized, so a replay costs min(|F|, |S|)³/3 + O(d·min) instead of the d³/3 of the greedy
 * run. This is how {@link ExactObsTraces} stores a row trace: the elimination order and the step losses, not the
 * d_col² intermediate rows.
 *
 * <p>A per-thread workspace of d² + O(d) doubles.
 */
final class ExactObsReplay {
    private final Kernels kernels;
    private final int d;
    private final double[] sub;
    private final double[] rhs;
    private final int[] kept;
    private final int[] removed;

    ExactObsReplay(Kernels kernels, int d) {
        this.kernels = kernels;
        this.d = d;
        this.sub = new double[d * d];
        this.rhs = new double[d];
        this.kept = new int[d];
        this.removed = new int[d];
    }

    /**
     * out[outOff..+d) ← the row w[wOff..+d) with the coordinates marked in {@code eliminated[eOff..+d)} set to 0 and
     * the others optimally compensated, for the damped Hessian {@code h} and its inverse {@code hInv} (full d × d).
     */
    void row(double[] h, double[] hInv, double[] w, int wOff, boolean[] eliminated, int eOff, double[] out, int outOff) {
        int nf = 0;
        int ns = 0;
        for (int j = 0; j < d; j++) {
            if (eliminated[eOff + j]) {
                removed[ns++] = j;
            } else {
                kept[nf++] = j;
            }
        }
        for (int j = 0; j < d; j++) {
            out[outOff + j] = eliminated[eOff + j] ? 0 : w[wOff + j];
        }
        if (ns == 0 || nf == 0) {
            return;
        }
        if (nf <= ns) {
            // ŵ_F = w_F + (H_FF)⁻¹ H_FS w_S
            for (int a = 0; a < nf; a++) {
                int rowA = kept[a] * d;
                for (int b = 0; b <= a; b++) {
                    sub[a * nf + b] = h[rowA + kept[b]];
                }
                double s = 0;
                for (int c = 0; c < ns; c++) {
                    s += h[rowA + removed[c]] * w[wOff + removed[c]];
                }
                rhs[a] = s;
            }
            factor(nf);
            kernels.potrs(Uplo.LOWER, nf, 1, sub, 0, nf, rhs, 0, 1);
            for (int a = 0; a < nf; a++) {
                out[outOff + kept[a]] += rhs[a];
            }
        } else {
            // ŵ_F = w_F − H⁻¹_{F,S} ([H⁻¹]_SS)⁻¹ w_S
            for (int a = 0; a < ns; a++) {
                int rowA = removed[a] * d;
                for (int b = 0; b <= a; b++) {
                    sub[a * ns + b] = hInv[rowA + removed[b]];
                }
                rhs[a] = w[wOff + removed[a]];
            }
            factor(ns);
            kernels.potrs(Uplo.LOWER, ns, 1, sub, 0, ns, rhs, 0, 1);
            for (int a = 0; a < nf; a++) {
                int rowA = kept[a] * d;
                double s = 0;
                for (int c = 0; c < ns; c++) {
                    s += hInv[rowA + removed[c]] * rhs[c];
                }
                out[outOff + kept[a]] -= s;
            }
        }
    }

    private void factor(int n) {
        try {
            kernels.potrf(Uplo.LOWER, n, sub, 0, n);
        } catch (NotPositiveDefiniteException e) {
            throw new ExactObsBreakdownException("the " + n + " × " + n + " submatrix of the layer-wise Hessian (or its "
                    + "inverse) is not positive definite at pivot " + e.pivot() + "; use damping (e.g. "
                    + "Damping.relative(0.01)) or more calibration samples");
        }
    }
}
