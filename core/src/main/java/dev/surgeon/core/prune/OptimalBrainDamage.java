package dev.surgeon.core.prune;

/**
 * Optimal Brain Damage (LeCun, Denker and Solla 1990, "Optimal brain damage"; METHODS B2): saliency
 * ΔL_q = ½ H_qq w_q² with H_qq the diagonal Gauss-Newton matrix by Becker and LeCun's second-order back-propagation
 * (A4.3; never negative), averaged over the calibration samples (all training samples by default); delete the lowest
 * batch, retrain, recompute, repeat. No correction of the other weights. Defaults: 5 rounds with geometric density steps
 * and 1 epoch of fine-tuning between rounds (the paper publishes no fraction per round); {@code rounds=1} gives one-shot
 * OBD. The predicted loss change is ½ Σ_Q H_qq w_q².
 */
public final class OptimalBrainDamage {
    private OptimalBrainDamage() {
    }

    public static MethodDefinition method() {
        return new MethodDefinition("obd", "Optimal Brain Damage: ½ H_qq w_q², diagonal Gauss-Newton (Becker–LeCun), iterative "
                + "with retraining (METHODS B2)",
                new Presets.KnobList().set("schedule", "rounds").set("rounds", "5").set("finetune_epochs", "1")
                        .add("calibration", "0", "training samples for the diagonal (0: all)").list(),
                s -> Presets.plan(s, (a, p) -> new ScoredPruner(new ObsScorer("OBD",
                        QuadraticModelSource.beckerLeCun(samples(s.integer("calibration", 0)))), a, p, Updater.none())));
    }

    /** 0 means all samples. */
    static int samples(int n) {
        return n == 0 ? Integer.MAX_VALUE : n;
    }
}
