package dev.surgeon.core.prune;

/**
 * WoodFisher (Singh and Alistarh 2020, "WoodFisher: Efficient second-order approximation for neural network
 * compression"; IST-DASLab/WoodFisher; METHODS B5): OBS with the block-diagonal empirical Fisher
 * F̂ = λI + (1/N) Σ_n ∇ℓ_n∇ℓ_nᵀ of N gradients, each the mean over a mini-batch ({@code gradient_batch}), gradients of
 * pruned weights masked.
 * <ol>
 *   <li>Score 2ΔL_q = w_q²/[F̂⁻¹]_qq (here with the ½: the ranking is the same), all remaining weights.</li>
 *   <li>Select by one global threshold ("joint sparsify" is global selection) or per layer.</li>
 *   <li>Update per block: t_q = −w_q/[F̂⁻¹]_qq on the removed set, δw = scale·F̂⁻¹t (sum of single-weight updates;
 *       {@code update_scale} 0 gives the "no update" statistic); removed weights set to exactly 0.</li>
 * </ol>
 * Blocks: {@code layer} (whole layers, the option default), {@code whole} or a chunk size c. F̂⁻¹ is exact either way:
 * dense c × c blocks or, when N is smaller than the block, the Woodbury form (M-FAC recurrences), which makes whole-layer
 * blocks cheap (MLPNet's 31,360-weight first layer with N = 100 costs O(N² d), not a 31,360² matrix).
 * Defaults: the MLPNet script's N = 100 gradients of mini-batch size 1 and λ = 1e-5 (the option default is 1e-3; they
 * are not the same scale once mini-batches grow). {@code woodtaylor=true} ranks by the WoodTaylor saliency
 * (w_q − (F̂⁻¹ḡ)_q)²/(2[F̂⁻¹]_qq) with ḡ the mean stored gradient (METHODS 1.2), run with larger damping (1e-1 in the
 * paper); deviation: its update stays the summed OBS update without the −F̂⁻¹ḡ step. Recomputation rounds: schedule
 * rounds.
 */
public final class WoodFisher {
    private WoodFisher() {
    }

    public static MethodDefinition method() {
        return new MethodDefinition("woodfisher", "WoodFisher: OBS with a block-diagonal empirical Fisher, global selection, summed "
                + "single-weight updates (METHODS B5)",
                new Presets.KnobList()
                        .add("gradients", "100", "N, the number of gradients in the Fisher")
                        .add("gradient_batch", "1", "samples averaged per gradient (fisher-mini-bsz)")
                        .add("damping", "1e-5", "λ added to the Fisher (MLPNet script; option default 1e-3)")
                        .add("blocks", "layer", "Fisher blocks: layer, whole, or a chunk size")
                        .add("update", "summed", "none, summed (WoodFisher) or joint (exact multi-weight OBS, METHODS 1.3)")
                        .add("update_scale", "1", "factor on the summed update (0: no update)")
                        .add("woodtaylor", "false", "rank by the WoodTaylor saliency (keeps the gradient term)").list(),
                s -> Presets.plan(s, (a, p) -> new ScoredPruner(
                        new ObsScorer(s.bool("woodtaylor") ? "WoodTaylor" : "WoodFisher",
                                QuadraticModelSource.empiricalFisher(s.integer("gradients", 1), s.integer("gradient_batch", 1),
                                        s.real("damping"), QuadraticModelSource.Blocks.parse(s.text("blocks"))),
                                s.bool("woodtaylor")),
                        a, p, Updater.parse(s.text("update"), s.real("update_scale")))));
    }
}
