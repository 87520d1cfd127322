package dev.surgeon.core.prune;

/**
 * The M-FAC pruner (Frantar, Kurtic and Alistarh 2021, "M-FAC: Efficient matrix-free approximations of second-order
 * information"; IST-DASLab/M-FAC; METHODS B6): WoodFisher-style pruning with the static M-FAC operator in blocks,
 * repeated over recomputation rounds.
 * <ol>
 *   <li>m gradients of the mean loss over mini-batches of 32, at the current weights (evaluation mode), masked.</li>
 *   <li>F̂ = λI + (1/m) Σ g gᵀ per block of 128 coordinates, inverted by the static recurrences (1.6).</li>
 *   <li>ΔL_q = w_q²/(2[F̂⁻¹]_qq); remove the n_drop lowest (global).</li>
 *   <li>t_q = −w_q/[F̂⁻¹]_qq on the removed set; w ← w + F̂⁻¹t; removed weights exactly 0.</li>
 *   <li>Rounds: from s_prev to s_next in R rounds with geometric density steps, fresh gradients each round.</li>
 * </ol>
 * Defaults (checked): block 128, m = 64 gradients per round, batch 32, λ = 1e-5, R = 16. The reference's collection
 * loop leaves its last row zero; here all m rows are real gradients (the count m stays in the denominators either way).
 */
public final class MfacPruner {
    private MfacPruner() {
    }

    public static MethodDefinition method() {
        return new MethodDefinition("mfac", "M-FAC pruner: blocked static M-FAC Fisher, summed OBS updates, recomputation rounds "
                + "with geometric density steps (METHODS B6)",
                new Presets.KnobList().set("schedule", "rounds").set("rounds", "16")
                        .add("gradients", "64", "m, gradients per round")
                        .add("gradient_batch", "32", "samples averaged per gradient")
                        .add("damping", "1e-5", "λ")
                        .add("block_size", "128", "coordinates per M-FAC block (or layer, whole)")
                        .add("update_scale", "1", "factor on the summed update").list(),
                s -> Presets.plan(s, (a, p) -> new ScoredPruner(new ObsScorer("M-FAC",
                        QuadraticModelSource.mfac(s.integer("gradients", 1), s.integer("gradient_batch", 1), s.real("damping"),
                                QuadraticModelSource.Blocks.parse(s.text("block_size")))),
                        a, p, Updater.summedObs(s.real("update_scale")))));
    }
}
