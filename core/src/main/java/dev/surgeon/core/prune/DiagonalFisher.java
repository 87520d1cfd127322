package dev.surgeon.core.prune;

/**
 * The diagonal-Fisher pruner (the baseline of WoodFisher's MLPNet comparison, METHODS R9): OBS with the diagonal of the
 * empirical Fisher λ + (1/N) Σ_n g_nq², i.e. saliency ½(F_qq + λ) w_q² and no correction of the other weights (a diagonal
 * model couples nothing). Same gradient sample as WoodFisher: N = 100 gradients of mini-batch size 1, λ = 1e-5.
 */
public final class DiagonalFisher {
    private DiagonalFisher() {
    }

    public static MethodDefinition method() {
        return new MethodDefinition("diag-fisher", "diagonal empirical Fisher saliency ½ F_qq w_q², no update (METHODS R9)",
                new Presets.KnobList()
                        .add("gradients", "100", "N, the number of gradients")
                        .add("gradient_batch", "1", "samples averaged per gradient")
                        .add("damping", "1e-5", "λ").list(),
                s -> Presets.plan(s, (a, p) -> new ScoredPruner(new ObsScorer("diagonal Fisher",
                        QuadraticModelSource.diagonalFisher(s.integer("gradients", 1), s.integer("gradient_batch", 1),
                                s.real("damping"))), a, p, Updater.none())));
    }
}
