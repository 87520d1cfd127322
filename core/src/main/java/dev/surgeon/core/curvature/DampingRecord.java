package dev.surgeon.core.curvature;

/**
 * The damping actually used for one block or layer (METHODS 1.9: "log the damping that was actually used
 * for every block or layer").
 *
 * @param block     the block or layer, e.g. "fc1" or "fc1.weight[0:128)"
 * @param requested λ as requested (absolute + relative·mean diagonal)
 * @param used      λ that made the matrix positive definite (≥ requested; larger after a retry)
 * @param attempts  factorization attempts (1 = no retry was needed)
 */
public record DampingRecord(String block, double requested, double used, int attempts) {

    /** Whether the factorization needed more damping than requested. */
    public boolean retried() {
        return attempts > 1;
    }

    @Override
    public String toString() {
        return block + ": λ = " + used + (retried() ? " (requested " + requested + ", " + attempts + " attempts)" : "");
    }
}
