package dev.surgeon.core.curvature;

/**
 * How a dense outer-product curvature C = λI + c·Σ_{r=1}^{R} x_r x_rᵀ (empirical or true Fisher, Gauss-Newton,
 * OBS's outer-product Hessian) and its inverse are computed.
 */
public enum DenseInverseMethod {
    /**
     * Level-3 kernels. With λ &gt; 0 and R &lt; d, the Woodbury identity on the R × R side:
     * K = (λ/c)I + X Xᵀ = L Lᵀ (syrk, potrf), Y = L⁻¹X (trsm), C⁻¹ = λ⁻¹(I − YᵀY) (syrk); cost O(R²d + Rd²).
     * Otherwise C = λI + c XᵀX by syrk over the streamed rows, then potrf + potri with the {@link Damping}
     * retry; cost O(Rd² + d³). Memory: C and C⁻¹ (16d² bytes); in the Woodbury case C⁻¹ and two copies of the
     * R × d rows, C being formed from them (one syrk) only when a product or the diagonal asks for it.
     */
    CHOLESKY,
    /**
     * The rank-one inverse build-up of METHODS 1.5 (Hassibi and Stork 1993, eq. 8): C₀⁻¹ = λ⁻¹I, then for every
     * row C⁻¹ ← C⁻¹ − u uᵀ/(1/c + xᵀu) with u = C⁻¹x (the "N in the denominator" for c = 1/N), one fused
     * Sherman–Morrison kernel call per row. Cost O(R d²) memory-bound, memory 8d². Needs an absolute λ &gt; 0;
     * C itself is recovered on first use by inverting the inverse.
     */
    RANK_ONE
}
