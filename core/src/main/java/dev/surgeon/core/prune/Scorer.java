package dev.surgeon.core.prune;

/**
 * The saliency part of a pruning run (METHODS G.1): at the network's current weights, a predicted loss increase (or a
 * proxy ranked the same way) for removing each prunable parameter. Lower is pruned first. Implementations:
 * {@link MagnitudeScorer} (|w|, or Han's std-scaled |w|), {@link RandomScorer}, {@link ObsScorer} (w²/(2[C⁻¹]_qq) of a
 * {@link QuadraticModel}: OBD, OBS, WoodFisher, M-FAC, K-FAC, diagonal Fisher), {@link SnipScorer} (|w·∂L/∂w|).
 * Structured scorers (issue 9) return one score per parameter of a structure and are combined by a {@link Pattern}.
 */
public interface Scorer {

    /** Short name for reports, e.g. "magnitude". */
    String name();

    /** The saliencies at the current weights (and the curvature model they came from, if any). */
    Saliency score(PruningContext ctx);
}
