package dev.surgeon.core.curvature;

/**
 * Which vectors x an outer-product curvature C = λI + c·Σ x xᵀ is built from (METHODS A3–A5, 1.5).
 */
public enum GradientKind {
    /** Per-sample loss gradients at the data targets: the empirical Fisher (WoodFisher, M-FAC, CBS). */
    EMPIRICAL_FISHER("empirical Fisher"),
    /**
     * Per-sample loss gradients at targets sampled from the model (one label per sample, seeded): a Monte-Carlo
     * estimate of the true Fisher, which equals the Gauss-Newton matrix for the matching losses (K-FAC, EigenDamage).
     */
    TRUE_FISHER("true Fisher"),
    /**
     * J_nᵀ s_{n,c} for the C columns of the factor Λ_n = S_n S_nᵀ of the loss Hessian in output space: their
     * outer products sum to the generalized Gauss-Newton matrix exactly (METHODS 1.5 "several outputs", A4.1).
     */
    GAUSS_NEWTON("Gauss-Newton"),
    /**
     * The output Jacobian rows ∂f_k(x_n)/∂w for every output k (unit seeds): OBS's outer-product Hessian
     * (1/P) Σ_n Σ_k ∂f_k/∂w ∂f_k/∂wᵀ (Hassibi and Stork 1993), independent of the loss.
     */
    OUTPUT_JACOBIAN("OBS outer-product Gauss-Newton");

    private final String label;

    GradientKind(String label) {
        this.label = label;
    }

    /** Human-readable name for operator names and messages. */
    public String label() {
        return label;
    }

    /** Whether mini-batch gradients are meaningful for this kind (Fisher kinds only). */
    public boolean allowsMiniBatches() {
        return this == EMPIRICAL_FISHER || this == TRUE_FISHER;
    }
}
