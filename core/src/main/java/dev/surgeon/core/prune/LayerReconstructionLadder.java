package dev.surgeon.core.prune;

/**
 * One layer prepared for compression at many sparsities (the per-layer database of OBC's non-uniform allocation,
 * METHODS B9): {@link ExactObsTraces} answers every level from one greedy run; other methods may simply rerun.
 */
@FunctionalInterface
public interface LayerReconstructionLadder {

    /** The layer compressed to the given sparsity in [0, 1). */
    LayerReconstructionResult atSparsity(double sparsity);
}
