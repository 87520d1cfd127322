package dev.surgeon.core.curvature;

import dev.surgeon.kernels.Kernels;
import dev.surgeon.kernels.Trans;
import dev.surgeon.kernels.ZeroPivotException;

/**
 * The m × m algebra shared by the M-FAC operators (Frantar, Kurtic and Alistarh 2021; METHODS 1.6, 1.7 steps
 * 1–2), in double. For F̂ = λI + (1/n) Σ_{i=1}^{m} g_i g_iᵀ (n = the count in the denominator, m by default)
 * and the Gram matrix P = GGᵀ:
 * <ol>
 *   <li>M = λ⁻¹P + n·I = L·U by LU without pivoting (M is symmetric positive definite, so no pivoting is
 *       needed); then D_ij = U_ij − n·[i = j] = g_iᵀ F̂_{i−1}⁻¹ g_j for i ≤ j and den_i = U_ii = n + D_ii;</li>
 *   <li>B lower triangular with B_ii = λ⁻¹ and B_{i,&lt;i} = −Σ_{j&lt;i} (D_ji/den_j) B_{j,&lt;i}, so that
 *       v_i = F̂_{i−1}⁻¹ g_i = Σ_j B_ij g_j.</li>
 * </ol>
 * Then F̂⁻¹x = λ⁻¹x − Σ_i (v_iᵀx/den_i) v_i = λ⁻¹x − Gᵀ Bᵀ ((B G x) ⊘ den). Zero rows (an unfilled sliding
 * window) give den_i = n and v_i = 0: they contribute nothing, with the nominal n kept (METHODS A8).
 * Cost O(m³) (LU m³/3, B m³/6).
 */
final class MfacCoefficients {
    private MfacCoefficients() {
    }

    /**
     * @param p   the Gram matrix (m × m, both triangles); overwritten with the LU factors
     * @param b   receives B (m × m, row-major; strictly upper part zero)
     * @param den receives den (m)
     * @param coef scratch of m doubles
     */
    static void compute(Kernels k, double[] p, int m, double lambda, double count, double[] b, double[] den, double[] coef) {
        double inv = 1 / lambda;
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < m; j++) {
                p[i * m + j] *= inv;
            }
            p[i * m + i] += count;
        }
        try {
            k.getrfNoPivot(m, p, 0, m);
        } catch (ZeroPivotException e) {
            throw new CurvatureNotPositiveDefiniteException("M-FAC: λ⁻¹GGᵀ + n·I has a zero or NaN pivot at row " + e.pivot()
                    + "; the gradients contain non-finite values", "M-FAC", lambda);
        }
        java.util.Arrays.fill(b, 0, m * m, 0.0);
        for (int i = 0; i < m; i++) {
            den[i] = p[i * m + i];
            for (int j = 0; j < i; j++) {
                coef[j] = p[j * m + i] / den[j];
            }
            if (i > 0) {
                k.gemv(Trans.T, i, i, -1.0, b, 0, m, coef, 0, 0.0, b, i * m);
            }
            b[i * m + i] = inv;
        }
    }
}
