package dev.surgeon.core.nn;

/**
 * How per-sample losses ℓ_n combine into the batch loss L: {@link #SUM} L = Σ_n ℓ_n, {@link #MEAN}
 * L = (1/B) Σ_n ℓ_n. The choice rescales every gradient and curvature quantity (METHODS §0, warning 1).
 */
public enum Reduction {
    SUM, MEAN;

    /** The factor s with L = s·Σ_n ℓ_n for a batch of B samples. */
    public float scale(int batch) {
        return this == SUM ? 1f : 1f / batch;
    }
}
