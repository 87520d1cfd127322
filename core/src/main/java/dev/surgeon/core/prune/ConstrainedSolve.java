package dev.surgeon.core.prune;

import dev.surgeon.core.curvature.DampedCholesky;
import dev.surgeon.core.curvature.Damping;
import dev.surgeon.core.curvature.DampingRecord;
import dev.surgeon.core.curvature.MemoryBudget;
import dev.surgeon.kernels.Kernels;
import dev.surgeon.kernels.Uplo;
import java.util.List;

/**
 * The exact joint OBS correction (METHODS 1.3) on a dense block C (n × n, damped, both triangles), in the complement
 * form of {@link QuadraticModel#constrainedCorrection}: δ_P = −w_P, C_RR δ_R = C_RP w_P by Cholesky, value
 * ½(w_PᵀC_PP w_P − δ_Rᵀ C_RP w_P). Cost O(|R|³/3 + |R|·|P|).
 */
final class ConstrainedSolve {
    private ConstrainedSolve() {
    }

    /**
     * Solves on the block of coordinates [off, off + n) of the vectors.
     *
     * @param records receives the damping record if the Cholesky of C_RR needed a retry (rounding only)
     */
    static double dense(Kernels kernels, String name, double[] c, int n, boolean[] pruned, double[] w, double[] delta, int off,
                        List<DampingRecord> records) {
        int[] free = new int[n];
        int[] fixed = new int[n];
        int r = 0;
        int p = 0;
        boolean moving = false;
        for (int i = 0; i < n; i++) {
            if (pruned[off + i]) {
                fixed[p++] = i;
                moving |= w[off + i] != 0;
            } else {
                free[r++] = i;
            }
        }
        for (int i = 0; i < n; i++) {
            delta[off + i] = pruned[off + i] ? -w[off + i] : 0;
        }
        if (!moving) {
            return 0;
        }
        double quadratic = 0;
        for (int a = 0; a < p; a++) {
            int i = fixed[a];
            for (int b = 0; b < p; b++) {
                quadratic += w[off + i] * c[i * n + fixed[b]] * w[off + fixed[b]];
            }
        }
        if (r == 0) {
            return 0.5 * quadratic;
        }
        MemoryBudget.defaultBudget().require(name + ": joint OBS correction", 16L * r * r, (long) r * r,
                "an |R| × |R| double matrix", List.of());
        double[] crr = new double[r * r];
        double[] rhs = new double[r];
        for (int a = 0; a < r; a++) {
            int row = free[a] * n;
            for (int b = 0; b <= a; b++) {
                crr[a * r + b] = c[row + free[b]];
            }
            double s = 0;
            for (int b = 0; b < p; b++) {
                s += c[row + fixed[b]] * w[off + fixed[b]];
            }
            rhs[a] = s;
        }
        double[] x = rhs.clone();
        solve(kernels, name, crr, r, x, records);
        double cross = 0;
        for (int a = 0; a < r; a++) {
            delta[off + free[a]] = x[a];
            cross += x[a] * rhs[a];
        }
        return 0.5 * (quadratic - cross);
    }

    /** Solves A x = b in place of b for a symmetric positive-definite A (lower triangle read, overwritten). */
    static void solve(Kernels kernels, String name, double[] a, int n, double[] b, List<DampingRecord> records) {
        double[] factor = new double[n * n];
        DampingRecord rec = DampedCholesky.factor(kernels, name, a, 0, n, n, Damping.none(), factor, 0, n);
        if (rec.retried()) {
            records.add(rec);
        }
        kernels.potrs(Uplo.LOWER, n, 1, factor, 0, n, b, 0, 1);
    }
}
