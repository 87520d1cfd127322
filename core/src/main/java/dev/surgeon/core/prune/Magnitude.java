package dev.surgeon.core.prune;

/**
 * Magnitude pruning and Han et al.'s iterative magnitude pruning with retraining (METHODS B1).
 * <ul>
 *   <li>{@code magnitude}: remove the smallest |w| (global threshold by default, {@code scope=layer} for the same sparsity
 *       in every layer); no update; one shot. Cost O(d log d).</li>
 *   <li>{@code han} (Han, Pool, Tran and Dally 2015, "Learning both weights and connections for efficient neural
 *       networks"): per layer, threshold = quality × std(layer); retrain the survivors; repeat. Here the threshold rule
 *       is a global ranking of |w|/σ_layer ({@link MagnitudeScorer}), i.e. one quality parameter for all layers, found so
 *       that each round meets its target; rounds follow geometric density steps (default 5) with {@code finetune_epochs}
 *       (default 1) of SGD between rounds and {@code retrain_epochs} (default 1) after the last. Han et al. retrain with
 *       1/10 of the original learning rate (0.01 here for a net trained at 0.1); their per-layer qualities are not
 *       published. Pruned weights stay exactly 0 through retraining (mask on gradients, parameters and optimizer state).</li>
 * </ul>
 */
public final class Magnitude {
    private Magnitude() {
    }

    /** Global magnitude, one shot, no update. */
    public static MethodDefinition magnitude() {
        return new MethodDefinition("magnitude", "remove the smallest |w| (METHODS B1); no update",
                new Presets.KnobList().list(),
                s -> Presets.plan(s, (a, p) -> new ScoredPruner(new MagnitudeScorer(false), a, p, Updater.none())));
    }

    /** Han et al.: std-scaled magnitude, iterative with retraining. */
    public static MethodDefinition han() {
        return new MethodDefinition("han", "Han et al. 2015: threshold = quality × std per layer, iterative pruning with "
                + "retraining (METHODS B1)",
                new Presets.KnobList().set("schedule", "rounds").set("rounds", "5").set("finetune_epochs", "1")
                        .set("retrain_epochs", "1").list(),
                s -> Presets.plan(s, (a, p) -> new ScoredPruner(new MagnitudeScorer(true), a, p, Updater.none())));
    }

    /** Uniform random removal (a baseline). */
    public static MethodDefinition random() {
        return new MethodDefinition("random", "remove weights uniformly at random (seeded baseline)", new Presets.KnobList().list(),
                s -> Presets.plan(s, (a, p) -> new ScoredPruner(new RandomScorer(), a, p, Updater.none())));
    }
}
