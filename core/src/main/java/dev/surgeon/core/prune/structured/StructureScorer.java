package dev.surgeon.core.prune.structured;

import dev.surgeon.core.prune.PruningContext;

/**
 * The saliency part of a structured run (METHODS G.1 at the level of structures): one score per {@link Structure} at the
 * network's current weights — a predicted loss increase of removing it, or a proxy ranked the same way. Lower is
 * removed first. Scores of already removed structures are ignored. Implementations: {@link FilterNorm},
 * {@link Taylor2017}, {@link GateTaylor}, {@link Sosp}, {@link KroneckerObs}; {@link GradientRedundancy} bounds the
 * per-layer allocation of another scorer.
 */
public interface StructureScorer {

    /** Short name for reports, e.g. "sosp-h". */
    String name();

    /** The saliencies, indexed like {@link Structures#all()}; calibration samples are recorded in the context. */
    double[] score(PruningContext ctx, Structures structures);

    /**
     * Adjusts the weights for the removal of {@code removed}, by the scorer's own model from its last {@link #score}
     * call (the Kronecker OBS correction of {@link KroneckerObs}); the default does nothing. Called before the removal,
     * which then sets the removed structures (and everything already pruned) to exactly 0.
     */
    default void correct(PruningContext ctx, Structures structures, java.util.List<Structure> removed) {
    }
}
