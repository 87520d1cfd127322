package dev.surgeon.core.prune.structured;

import dev.surgeon.core.prune.Knob;
import dev.surgeon.core.prune.Retraining;
import dev.surgeon.core.prune.Settings;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The named structured pruning methods (METHODS D) with their knobs, for {@code surgeon prune --structured KIND
 * --method NAME --flops F}:
 * <table>
 *   <caption>structured methods</caption>
 *   <tr><th>name</th><th>criterion</th><th>METHODS</th></tr>
 *   <tr><td>filter-norm</td><td>{@link FilterNorm} ℓ1, same fraction per layer (Li et al. 2017)</td><td>baseline</td></tr>
 *   <tr><td>taylor</td><td>{@link Taylor2017}</td><td>D1</td></tr>
 *   <tr><td>taylor-fo, taylor-so</td><td>{@link GateTaylor} first / second order</td><td>D2</td></tr>
 *   <tr><td>sosp-h, sosp-i</td><td>{@link Sosp}</td><td>D3</td></tr>
 *   <tr><td>kfac-obs</td><td>{@link KroneckerObs} (C-OBS) with its correction</td><td>D4</td></tr>
 *   <tr><td>redundancy</td><td>{@link GradientRedundancy} bounds + Taylor inside layers</td><td>D5</td></tr>
 *   <tr><td>eigendamage</td><td>{@link EigenDamage}: pruning in the Kronecker eigenbasis, layers factorized</td><td>D4</td></tr>
 *   <tr><td>spectral</td><td>{@link SpectralRadiusPruning}: sharpness-aware training with K-FAC OBS pruning</td><td>D6</td></tr>
 * </table>
 * Common knobs: {@code structured} (filters, neurons, all), {@code flops} (kept fraction of the dense multiply-adds),
 * {@code allocation}, {@code max_fraction}, {@code rounds}, fine-tuning between rounds and after, and
 * {@code reconstruct} ({@link NextLayerReconstruction}: least-squares refit of the layers reading removed structures,
 * for every scored method; not for eigendamage and spectral, which run their own course).
 */
public final class StructuredMethods {
    private StructuredMethods() {
    }

    /** Every method, in the order above. */
    public static List<StructuredMethod> all() {
        List<StructuredMethod> list = new ArrayList<>();
        list.add(method("filter-norm", "Li et al. 2017: l1 norm of each filter's/neuron's weights, the same fraction of every layer",
                knobs().set("allocation", "uniform").add("norm", "1", "1 (the paper's l1) or 2"),
                s -> new FilterNorm(s.integer("norm", 1))));
        list.add(method("taylor", "Molchanov et al. 2017 (D1): mean |activation × gradient| per map, l2-normalized per layer",
                knobs().add("flops_penalty", "0", "ρ: subtract ρ × (the map's share of the network's multiply-adds)"),
                s -> new Taylor2017(s.integer("calibration", 0), s.integer("batch", 1), s.real("flops_penalty"))));
        list.add(method("taylor-fo", "Molchanov et al. 2019 (D2): gate importance (Σ g·w)² per mini-batch, momentum-averaged",
                knobs().set("batch", "64").add("momentum", "0.9", "μ of the running importance over mini-batches"),
                s -> new GateTaylor(false, s.integer("calibration", 0), s.integer("batch", 1), s.real("momentum"))));
        list.add(method("taylor-so", "Molchanov et al. 2019 (D2): second-order gate importance (Σ g·w − ½ w·(Hw))², exact Hv",
                knobs().set("batch", "64").add("momentum", "0.9", "μ of the running importance over mini-batches"),
                s -> new GateTaylor(true, s.integer("calibration", 0), s.integer("batch", 1), s.real("momentum"))));
        list.add(method("sosp-h", "Nonnenmacher et al. 2022 (D3): |θ_sᵀ(½ G w − g)| with one Gauss-Newton product, global",
                knobs(), s -> new Sosp(false, s.integer("calibration", 0), s.integer("batch", 1))));
        list.add(method("sosp-i", "Nonnenmacher et al. 2022 (D3): |θ_sᵀg| + ½ Σ_t |θ_sᵀGθ_t| with the explicit gate Gauss-Newton",
                knobs(), s -> new Sosp(true, s.integer("calibration", 0), s.integer("batch", 1))));
        list.add(method("kfac-obs", "Wang et al. 2019 (D4, C-OBS): Kronecker-factored OBS per unit and its correction ΔW = −Γ⁻¹CA⁻¹",
                knobs().add("damping", "1e-3", "λ of Γ ⊗ A + λI (eigen-damped)").add("update", "true",
                        "apply the OBS correction to the remaining weights"),
                s -> new KroneckerObs(s.integer("calibration", 0), s.integer("batch", 1), s.real("damping"), s.bool("update"))));
        list.add(method("redundancy", "Zhou et al. 2022 (D5): per-layer bound 1 − rank(G_l)/n_l from the gradient matrix, Taylor "
                        + "inside layers",
                knobs().add("tau", "0.01", "relative singular-value threshold of the effective rank"),
                s -> new Taylor2017(s.integer("calibration", 0), s.integer("batch", 1), 0)));
        list.add(new StructuredMethod("eigendamage", "Wang et al. 2019 (D4): OBD in the Kronecker eigenbasis, each layer replaced by "
                + "input rotation, pruned core and output rotation",
                knobs().set("max_fraction", "0.95").add("damping", "1e-3", "λ of Γ ⊗ A + λI (eigen-damped)").list(),
                s -> {
                    if (s.integer("rounds", 1) != 1) {
                        throw new IllegalArgumentException("eigendamage runs one shot here; use rounds 1");
                    }
                    return new StructuredPlan(s.method(), s.params(), StructureKind.parse(s.text("structured")), null,
                            new StructureAllocation(StructureAllocation.Mode.GLOBAL, s.real("max_fraction")), null, s.real("flops"), 1,
                            Retraining.NONE, 0, recipe(s, s.integer("retrain_epochs", 0)),
                            new EigenDamage(s.integer("calibration", 0), s.integer("batch", 1), s.real("damping"),
                                    s.real("max_fraction")), reconstruction(s));
                }));
        list.add(new StructuredMethod("spectral", "Ebrahimi and Klabjan 2021 (D6): training with per-layer steps bounded by the "
                + "K-FAC spectral radius, K-FAC OBS neuron pruning during training, Hessian top eigenvalue tracked",
                knobs().add("damping", "1e-3", "λ of the K-FAC OBS scorer").add("epochs", "5", "training epochs")
                        .add("lr", "0.05", "SGD learning rate η").add("momentum", "0.9", "SGD momentum")
                        .add("weight_decay", "5e-4", "coupled L2").add("train_batch", "64", "training mini-batch")
                        .add("refresh_every", "300", "steps between spectral-radius refreshes (T)")
                        .add("curvature_samples", "256", "fixed batch for the spectral radii and the Hessian eigenvalue")
                        .add("kappa", "0.2", "bound η_l·ν_l <= κ per layer (0: off; 2 is the stability edge)")
                        .add("prune_every", "100", "steps between pruning events (P)")
                        .add("prune_from", "0.1", "fraction of training when pruning starts")
                        .add("prune_until", "0.6", "fraction of training when the FLOPs target is reached")
                        .add("reinitialize", "true", "train from a fresh initialization (from scratch)").list(),
                s -> new StructuredPlan(s.method(), s.params(), StructureKind.parse(s.text("structured")), null,
                        new StructureAllocation(StructureAllocation.Mode.GLOBAL, s.real("max_fraction")), null, s.real("flops"), 1,
                        Retraining.NONE, 0, Retraining.NONE,
                        new SpectralRadiusPruning(s.integer("epochs", 1), s.nonNegative("lr"), s.nonNegative("momentum"),
                                s.nonNegative("weight_decay"), s.integer("train_batch", 1), s.integer("refresh_every", 1),
                                s.integer("curvature_samples", 1), s.nonNegative("kappa"), s.integer("prune_every", 1),
                                s.real("prune_from"), s.real("prune_until"),
                                new KroneckerObs(s.integer("calibration", 0), s.integer("batch", 1), s.real("damping"), true),
                                s.bool("reinitialize")), reconstruction(s))));
        return list;
    }

    private static StructuredMethod method(String name, String summary, KnobList knobs, Function<Settings, StructureScorer> scorer) {
        return new StructuredMethod(name, summary, knobs.list(), s -> plan(s, scorer.apply(s)));
    }

    /** The method names. */
    public static List<String> names() {
        return all().stream().map(StructuredMethod::name).toList();
    }

    /**
     * The method with this name.
     *
     * @throws IllegalArgumentException naming the known methods
     */
    public static StructuredMethod named(String name) {
        for (StructuredMethod m : all()) {
            if (m.name().equals(name)) {
                return m;
            }
        }
        throw new IllegalArgumentException("unknown structured pruning method '" + name + "'; known: " + String.join(", ", names()));
    }

    /** The plan of a named method with knob overrides (knob → text value). */
    public static StructuredPlan plan(String name, Map<String, String> overrides) {
        return named(name).plan(overrides);
    }

    private static StructuredPlan plan(Settings s, StructureScorer scorer) {
        GradientRedundancy redundancy = s.method().equals("redundancy")
                ? new GradientRedundancy(s.integer("calibration", 0), s.integer("batch", 1), s.real("tau")) : null;
        Retraining between = recipe(s, s.integer("finetune_epochs", 0));
        return new StructuredPlan(s.method(), s.params(), StructureKind.parse(s.text("structured")), scorer,
                new StructureAllocation(StructureAllocation.Mode.parse(s.text("allocation")), s.real("max_fraction")), redundancy,
                s.real("flops"), s.integer("rounds", 1), between, s.integer("finetune_steps", 0),
                recipe(s, s.integer("retrain_epochs", 0)), null, reconstruction(s));
    }

    /** The next-layer refit of knob {@code reconstruct}, or null. */
    private static NextLayerReconstruction reconstruction(Settings s) {
        return s.bool("reconstruct") ? new NextLayerReconstruction(s.integer("reconstruct_samples", 0), s.integer("batch", 1),
                s.real("reconstruct_damping")) : null;
    }

    private static Retraining recipe(Settings s, int epochs) {
        return new Retraining(epochs, s.nonNegative("finetune_lr"), s.nonNegative("finetune_momentum"),
                s.nonNegative("finetune_weight_decay"), s.integer("finetune_batch", 1), s.bool("finetune_cosine"));
    }

    private static KnobList knobs() {
        return new KnobList()
                .add("structured", "all", "filters (conv output channels), neurons (dense units) or all")
                .add("flops", "0.5", "fraction of the dense multiply-adds kept (0.25 = 4× fewer FLOPs)")
                .add("allocation", "global", "global (one ranking over all layers), per-flop (one ranking of saliency per "
                        + "multiply-add saved) or uniform (the same fraction of every layer)")
                .add("max_fraction", "0.9", "largest fraction of any layer's units removed (each layer keeps at least one)")
                .add("calibration", "1000", "training samples (seeded subset) the criterion is computed on (0: all)")
                .add("batch", "100", "samples per pass")
                .add("reconstruct", "false", "after every removal, refit the remaining input weights and bias of each layer "
                        + "that read a removed structure by least squares on calibration data (structured OBS on its inputs)")
                .add("reconstruct_samples", "5000", "training samples (seeded subset) of the refit (0: all)")
                .add("reconstruct_damping", "0.01", "damping of the refit, as a fraction of the mean diagonal of E[x xᵀ]")
                .add("rounds", "1", "pruning rounds; round j keeps flops^(j/rounds) of the dense multiply-adds")
                .add("finetune_epochs", "0", "fine-tuning epochs after every round but the last")
                .add("finetune_steps", "0", "mini-batch SGD steps after every round but the last")
                .add("retrain_epochs", "0", "fine-tuning epochs after the last round")
                .add("finetune_lr", "0.01", "fine-tuning learning rate (SGD)")
                .add("finetune_momentum", "0.9", "fine-tuning momentum")
                .add("finetune_weight_decay", "0", "fine-tuning weight decay (coupled L2)")
                .add("finetune_batch", "64", "fine-tuning batch size")
                .add("finetune_cosine", "false", "anneal the fine-tuning learning rate to 0 (cosine)");
    }

    /** The knobs of one method in declaration order. */
    private static final class KnobList {
        private final Map<String, Knob> knobs = new LinkedHashMap<>();

        KnobList add(String name, String value, String description) {
            knobs.put(name, new Knob(name, value, description));
            return this;
        }

        KnobList set(String name, String value) {
            Knob k = knobs.get(name);
            knobs.put(name, new Knob(name, value, k.description()));
            return this;
        }

        List<Knob> list() {
            return new ArrayList<>(knobs.values());
        }
    }
}
