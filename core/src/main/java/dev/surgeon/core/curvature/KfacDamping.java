package dev.surgeon.core.curvature;

/**
 * The two K-FAC damping variants of METHODS A7, which are not interchangeable.
 * <ul>
 *   <li>{@link Variant#FACTORED_TIKHONOV} (Martens and Grosse 2015, section 6.3; tensorflow/kfac):
 *       (Γ + (γ/π) I) ⊗ (A + π γ I) with γ = sqrt(λ + wd) and π = sqrt((tr A / dim A) / (tr Γ / dim Γ)),
 *       each damped factor inverted by Cholesky.</li>
 *   <li>{@link Variant#EIGEN} (alecwangcq/KFAC-Pytorch, gpauloski/kfac-pytorch): the product damped exactly,
 *       (Γ ⊗ A + λI)⁻¹ through the eigendecompositions of A and Γ.</li>
 * </ul>
 *
 * @param variant     which one
 * @param lambda      λ ≥ 0
 * @param weightDecay wd ≥ 0 (factored Tikhonov only; γ = sqrt(λ + wd))
 */
public record KfacDamping(Variant variant, double lambda, double weightDecay) {
    /** See {@link KfacDamping}. */
    public enum Variant { FACTORED_TIKHONOV, EIGEN }

    public KfacDamping {
        if (variant == null) {
            throw new IllegalArgumentException("K-FAC damping variant is required");
        }
        if (!(lambda >= 0) || !(weightDecay >= 0) || Double.isInfinite(lambda) || Double.isInfinite(weightDecay)) {
            throw new IllegalArgumentException("K-FAC damping needs finite λ >= 0 and wd >= 0, got " + lambda + " and " + weightDecay);
        }
        if (variant == Variant.EIGEN && weightDecay != 0) {
            throw new IllegalArgumentException("eigen damping has no weight-decay term; add wd to λ");
        }
    }

    /** Factored Tikhonov damping with γ = sqrt(λ + wd). */
    public static KfacDamping factoredTikhonov(double lambda, double weightDecay) {
        return new KfacDamping(Variant.FACTORED_TIKHONOV, lambda, weightDecay);
    }

    /** Exact damping of the product through eigendecompositions. */
    public static KfacDamping eigen(double lambda) {
        return new KfacDamping(Variant.EIGEN, lambda, 0);
    }
}
