package dev.surgeon.core.prune;

/**
 * SNIP (Lee, Ajanthan and Torr 2019, "SNIP: Single-shot network pruning based on connection sensitivity";
 * namhoonlee/snip-public; METHODS B11): prune once at initialization by connection sensitivity, then train the sparse
 * network.
 * <ol>
 *   <li>Initialize by variance scaling (fan-in, scale 1; uniform here).</li>
 *   <li>One mini-batch of {@code snip_batch} training samples (100 for MNIST).</li>
 *   <li>s_j = |w_j ∂L/∂w_j| / Σ_k |w_k ∂L/∂w_k| in evaluation mode ({@link SnipScorer}).</li>
 *   <li>Keep the κ largest over all layers (global).</li>
 *   <li>Re-initialize (the mask transfers, the scoring weights do not; biases start at 0) and train with the mask.</li>
 * </ol>
 * Training defaults (checked): SGD, momentum 0.9, batch 100, weight decay 5e-4, lr 0.1 (the paper divides it by 10
 * every 25k iterations; {@code finetune_cosine=true} anneals it instead for short budgets). The official code prunes
 * biases too: {@code prune_biases=true}. The network's current weights are discarded (SNIP starts from scratch).
 */
public final class Snip {
    private Snip() {
    }

    public static MethodDefinition method() {
        return new MethodDefinition("snip", "SNIP: connection sensitivity |w·∂L/∂w| at initialization, global top-κ, then "
                + "training from a fresh initialization (METHODS B11)",
                new Presets.KnobList().set("schedule", "from-initialization").set("retrain_epochs", "10").set("finetune_lr", "0.1")
                        .set("finetune_weight_decay", "5e-4").set("finetune_batch", "100")
                        .add("snip_batch", "100", "samples in the scoring mini-batch").list(),
                s -> Presets.plan(s, (a, p) -> new ScoredPruner(new SnipScorer(s.integer("snip_batch", 1)), a, p, Updater.none())));
    }
}
