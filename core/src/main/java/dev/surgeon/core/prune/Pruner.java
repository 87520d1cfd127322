package dev.surgeon.core.prune;

/**
 * One pruning step: from the context's current mask to {@code targetPruned} pruned prunable parameters, updating the
 * weights in place. A {@link Schedule} calls it once (one-shot) or several times with growing targets (recomputation
 * rounds, gradual pruning, the stopping rule), fine-tuning in between if asked.
 *
 * <h2>Implementations</h2>
 * <ul>
 *   <li>{@link ScoredPruner}: {@link Scorer} + {@link Allocation} + {@link Pattern} + {@link Updater}, the composition
 *       behind magnitude, random, OBD, WoodFisher, M-FAC, K-FAC-OBS, diagonal Fisher, SNIP and joint-update OBS;</li>
 *   <li>{@link OptimalBrainSurgeon}: one weight at a time with the inverse downdate or recomputation (B3);</li>
 *   <li>{@link CombinatorialBrainSurgeon}: swap local search for the set, then the joint correction (B7);</li>
 *   <li>{@link LayerwisePruning}: drives a {@link LayerPruner} over every prunable layer with its layer-wise Hessian
 *       (L-OBS here; ExactOBS/OBC and SparseGPT plug in the same way).</li>
 * </ul>
 * Contract: the step never revives a pruned weight, leaves every pruned weight exactly 0, records calibration indices
 * and damping in the context, and rejects a target below the current count or above the prunable count.
 */
public interface Pruner {

    /** Short name for reports. */
    String name();

    /**
     * Prunes until {@code targetPruned} prunable parameters are pruned (patterns may overshoot by less than one block;
     * N:M patterns fix the count themselves).
     */
    StepResult prune(PruningContext ctx, int targetPruned);

    /**
     * What a step did.
     *
     * @param removed            parameters pruned by this step
     * @param predictedLossChange predicted increase of the loss (mean per-sample loss of the context's loss) under the
     *                           method's quadratic model, or NaN when the method predicts nothing
     */
    record StepResult(int removed, double predictedLossChange) {
    }
}
