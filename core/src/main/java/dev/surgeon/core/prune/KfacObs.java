package dev.surgeon.core.prune;

/**
 * K-FAC-based OBS (the K-FAC pruner compared by WoodFisher, METHODS B5/R9): the OBS saliency w_q²/(2[C⁻¹]_qq) and the
 * summed single-weight correction δw = C⁻¹t with C the K-FAC approximation of the empirical Fisher, σ(Γ_l ⊗ A_l) per
 * layer (Martens and Grosse 2015; METHODS A7), eigen-damped so that C = Γ ⊗ A + λI exactly ({@link
 * dev.surgeon.core.curvature.KfacOperator}: inverse diagonal and inverse products through the factors'
 * eigendecompositions, never a d × d matrix). The factors use {@code calibration} training samples at their data labels.
 * Deviation: K-FAC cannot drop already-pruned coordinates from its Kronecker blocks, so corrections may move them; they
 * are reset to exactly 0 (recomputation rounds still start from the right mask). Damping default 1e-3 (the reference
 * K-FAC pruner's value is not recorded in METHODS; chosen so that the summed update stays stable on MLPNet).
 */
public final class KfacObs {
    private KfacObs() {
    }

    public static MethodDefinition method() {
        return new MethodDefinition("kfac-obs", "OBS saliency and summed update with the eigen-damped K-FAC Fisher (METHODS A7, B5)",
                new Presets.KnobList()
                        .add("calibration", "1000", "training samples for the K-FAC factors (0: all)")
                        .add("batch", "100", "samples per pass when accumulating the factors")
                        .add("damping", "1e-3", "λ of (Γ ⊗ A + λI)")
                        .add("update", "summed", "none or summed")
                        .add("update_scale", "1", "factor on the summed update").list(),
                s -> Presets.plan(s, (a, p) -> new ScoredPruner(new ObsScorer("K-FAC OBS",
                        QuadraticModelSource.kfac(OptimalBrainDamage.samples(s.integer("calibration", 0)), s.integer("batch", 1),
                                s.real("damping"))),
                        a, p, Updater.parse(s.text("update"), s.real("update_scale")))));
    }
}
