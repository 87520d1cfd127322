package dev.surgeon.core.curvature;

/**
 * The vectors an outer-product curvature is built from: a {@link GradientKind} and, for the Fisher kinds, the
 * number of samples b each stored gradient averages over.
 *
 * <p>b = 1: one row per sample (per sample and output/factor column for {@link GradientKind#GAUSS_NEWTON} and
 * {@link GradientKind#OUTPUT_JACOBIAN}). b &gt; 1: one row per mini-batch of b consecutive samples of the data
 * source, the gradient of the mean loss over the mini-batch, g_j = (1/b) Σ_{n∈j} ∇ℓ_n (WoodFisher's
 * mini-batch option, the M-FAC pruner's batch of 32); a final partial mini-batch is dropped. Scale consequence
 * (METHODS A5): (1/M) Σ_j g_j g_jᵀ ≈ (1/b) F_emp + (1 − 1/b) ḡḡᵀ, about b times smaller than the per-sample
 * Fisher, so the same λ is relatively b times stronger. The library does not rescale it.
 *
 * @param kind      the kind of vectors
 * @param miniBatch samples per stored gradient (1 = per sample)
 */
public record Gradients(GradientKind kind, int miniBatch) {

    public Gradients {
        if (kind == null) {
            throw new IllegalArgumentException("gradient kind is required");
        }
        if (miniBatch < 1) {
            throw new IllegalArgumentException("mini-batch size must be >= 1, got " + miniBatch);
        }
        if (miniBatch > 1 && !kind.allowsMiniBatches()) {
            throw new IllegalArgumentException(kind.label() + " rows are per sample and output; mini-batches of "
                    + miniBatch + " apply only to the empirical and true Fisher");
        }
    }

    /** Per-sample gradients at the data targets. */
    public static Gradients empiricalFisher() {
        return new Gradients(GradientKind.EMPIRICAL_FISHER, 1);
    }

    /** Mini-batch mean gradients at the data targets. */
    public static Gradients empiricalFisher(int miniBatch) {
        return new Gradients(GradientKind.EMPIRICAL_FISHER, miniBatch);
    }

    /** Per-sample gradients at sampled targets. */
    public static Gradients trueFisher() {
        return new Gradients(GradientKind.TRUE_FISHER, 1);
    }

    /** Mini-batch mean gradients at sampled targets. */
    public static Gradients trueFisher(int miniBatch) {
        return new Gradients(GradientKind.TRUE_FISHER, miniBatch);
    }

    /** The Λ-factor columns: exactly the Gauss-Newton matrix. */
    public static Gradients gaussNewton() {
        return new Gradients(GradientKind.GAUSS_NEWTON, 1);
    }

    /** OBS's output Jacobian rows. */
    public static Gradients outputJacobian() {
        return new Gradients(GradientKind.OUTPUT_JACOBIAN, 1);
    }

    /** e.g. "empirical Fisher" or "empirical Fisher (mini-batches of 32)". */
    public String label() {
        return kind.label() + (miniBatch > 1 ? " (mini-batches of " + miniBatch + ")" : "");
    }
}
