package dev.surgeon.core.prune;

/**
 * The standard composition of a pruning step (METHODS G.1): score every prunable weight at the current weights
 * ({@link Scorer}), select the next set by {@link Allocation} and {@link Pattern} (lowest saliency first), correct the
 * remaining weights ({@link Updater}) and prune the set. One scorer call per step, so curvature is recomputed at every
 * step of a schedule. Timings go to the context's stages "scores", "selection" and "update".
 */
public final class ScoredPruner implements Pruner {
    private final Scorer scorer;
    private final Allocation allocation;
    private final Pattern pattern;
    private final Updater updater;

    public ScoredPruner(Scorer scorer, Allocation allocation, Pattern pattern, Updater updater) {
        this.scorer = scorer;
        this.allocation = allocation;
        this.pattern = pattern;
        this.updater = updater;
    }

    @Override
    public String name() {
        return scorer.name() + ", " + allocation + ", " + pattern + ", update " + updater.name();
    }

    public Scorer scorer() {
        return scorer;
    }

    public Allocation allocation() {
        return allocation;
    }

    public Pattern pattern() {
        return pattern;
    }

    public Updater updater() {
        return updater;
    }

    @Override
    public StepResult prune(PruningContext ctx, int targetPruned) {
        Saliency s = ctx.timed("scores", () -> scorer.score(ctx));
        int[] removed = ctx.timed("selection", () -> Selection.select(ctx, s.scores(), allocation, pattern, targetPruned));
        double predicted = ctx.timed("update", () -> updater.apply(ctx, s, removed));
        if (s.model() != null) {
            ctx.recordDamping(s.model().dampingUsed());
        }
        return new StepResult(removed.length, predicted);
    }
}
