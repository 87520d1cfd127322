package dev.surgeon.core.prune;

/**
 * Saliencies of the prunable parameters at one moment.
 *
 * @param scores one entry per network parameter (flat index); only prunable, unpruned entries are read
 * @param model  the quadratic model the scores came from (the updater's curvature), or null for curvature-free scorers
 */
public record Saliency(double[] scores, QuadraticModel model) {
    public Saliency {
        if (scores == null) {
            throw new IllegalArgumentException("scores are required");
        }
    }
}
