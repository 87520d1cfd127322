package dev.surgeon.core.prune.structured;

import dev.surgeon.core.prune.PruningContext;

/**
 * A structured method that is not "score, remove, fine-tune" ({@link StructuredRun}'s loop) and runs its own course
 * under a {@link StructuredPlan}: {@link EigenDamage} (factorizes layers into a new network) and
 * {@link SpectralRadiusPruning} (prunes during training).
 */
public interface StructuredProcedure {

    /** Runs the plan's method on the context and reports as {@link StructuredRun} does. */
    StructuredReport run(PruningContext ctx, StructuredPlan plan);
}
