package dev.surgeon.core.prune;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.BiFunction;

/**
 * The knobs every method shares and the assembly of a {@link PruningPlan} from them: target, pattern, allocation,
 * schedule, fine-tuning, measurement. Method classes add their own knobs and the {@link Pruner}.
 */
final class Presets {
    private Presets() {
    }

    /** Builder of a method's knob list: the common knobs with the method's defaults, then its own. */
    static final class KnobList {
        private final Map<String, Knob> knobs = new LinkedHashMap<>();

        KnobList() {
            add("sparsity", "0.5", "target: fraction of prunable weights zero afterwards (0.9, 90%), count:N, or auto "
                    + "(remove until the training accuracy would drop; auto:TOL allows a drop of TOL)");
            add("pattern", "unstructured", "unstructured, nm:keep=N,group=M (at most N non-zeros in every M consecutive inputs; "
                    + "fixes the sparsity at 1 − N/M) or blocks:B (B consecutive weights of a row removed together)");
            add("scope", "global", "global (one threshold over all layers) or layer (the same sparsity in every layer)");
            add("min_sparsity", "0", "lower bound of every layer's sparsity");
            add("max_sparsity", "1", "upper bound of every layer's sparsity");
            add("layer_bounds", "none", "per-layer bounds overriding min/max_sparsity: LAYER:MIN:MAX,… with a layer (fc1) or "
                    + "tensor (fc1.weight) name, e.g. fc1:0.5:0.95,fc3:0:0.5");
            add("prune_biases", "false", "whether biases are prunable too (METHODS B: not unless the method says so)");
            add("schedule", "one-shot", "one-shot, rounds (geometric density steps, curvature recomputed each round; M-FAC B6) "
                    + "or cubic (gradual, Zhu and Gupta 2018)");
            add("rounds", "1", "steps of the rounds or cubic schedule");
            add("auto_step", "1", "weights removed per step with sparsity auto");
            add("auto_loss", "0", "with sparsity auto, also stop when the training loss would exceed (1 + auto_loss) × its "
                    + "value before pruning (0: accuracy rule only)");
            add("finetune_epochs", "0", "fine-tuning epochs after every step but the last");
            add("retrain_epochs", "0", "fine-tuning epochs after the schedule (prune-then-retrain)");
            add("finetune_lr", "0.01", "fine-tuning learning rate (SGD)");
            add("finetune_momentum", "0.9", "fine-tuning momentum");
            add("finetune_weight_decay", "0", "fine-tuning weight decay (coupled L2)");
            add("finetune_batch", "64", "fine-tuning batch size");
            add("finetune_cosine", "false", "anneal the fine-tuning learning rate to 0 (cosine) instead of keeping it constant");
            add("measure_samples", "10000", "training samples (seeded subset) on which every step's loss change is measured; 0: "
                    + "measure only before and after the run");
        }

        KnobList add(String name, String value, String description) {
            knobs.put(name, new Knob(name, value, description));
            return this;
        }

        /** Changes the default of an existing knob. */
        KnobList set(String name, String value) {
            Knob k = knobs.get(name);
            if (k == null) {
                throw new IllegalStateException("no knob " + name);
            }
            knobs.put(name, new Knob(name, value, k.description()));
            return this;
        }

        List<Knob> list() {
            return new ArrayList<>(knobs.values());
        }
    }

    /** The pattern; N:M fixes the sparsity, so an explicit different sparsity is an error. */
    static Pattern pattern(Settings s) {
        return Pattern.parse(s.text("pattern"));
    }

    static Allocation allocation(Settings s) {
        Allocation a = new Allocation(Allocation.Scope.parse(s.text("scope")), s.real("min_sparsity"), s.real("max_sparsity"),
                Map.of());
        String bounds = s.text("layer_bounds");
        if (bounds.isEmpty() || bounds.equals("none")) {
            return a;
        }
        for (String item : bounds.split(",")) {
            String[] p = item.strip().split(":");
            try {
                if (p.length != 3) {
                    throw new NumberFormatException();
                }
                a = a.withBounds(p[0].strip(), Double.parseDouble(p[1]), Double.parseDouble(p[2]));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("layer_bounds: '" + item + "' is not LAYER:MIN:MAX (e.g. fc1:0.5:0.95)");
            }
        }
        return a;
    }

    static Retraining recipe(Settings s, int epochs) {
        return new Retraining(epochs, s.nonNegative("finetune_lr"), s.nonNegative("finetune_momentum"),
                s.nonNegative("finetune_weight_decay"), s.integer("finetune_batch", 1), s.bool("finetune_cosine"));
    }

    /** Assembles the plan: target, schedule and fine-tuning from the common knobs, the pruner from the method. */
    static PruningPlan plan(Settings s, BiFunction<Allocation, Pattern, Pruner> pruner) {
        Pattern pattern = pattern(s);
        Target target = Target.parse(s.text("sparsity"));
        if (pattern instanceof Pattern.NOfM nm) {
            if (target instanceof Target.Auto) {
                throw new IllegalArgumentException("sparsity auto cannot be combined with the N:M pattern " + nm);
            }
            if (s.isSet("sparsity") && !(target instanceof Target.Sparsity sp && Math.abs(sp.fraction() - nm.sparsity()) < 1e-9)) {
                throw new IllegalArgumentException("the pattern " + nm + " fixes the sparsity at " + nm.sparsity()
                        + "; omit the sparsity or set it to " + nm.sparsity() + " (got " + target + ")");
            }
            target = Target.sparsity(nm.sparsity());
        }
        Allocation allocation = allocation(s);
        Schedule schedule;
        int rounds = s.integer("rounds", 1);
        Retraining between = recipe(s, s.integer("finetune_epochs", 0));
        if (target instanceof Target.Auto) {
            schedule = new Schedule.Auto(s.integer("auto_step", 1), s.nonNegative("auto_loss"));
        } else {
            schedule = switch (s.text("schedule").toLowerCase(Locale.ROOT)) {
                case "one-shot", "oneshot" -> {
                    if (rounds != 1) {
                        throw new IllegalArgumentException("rounds = " + rounds + " needs the rounds or cubic schedule, not one-shot");
                    }
                    yield new Schedule.OneShot();
                }
                case "rounds" -> new Schedule.Rounds(rounds, between);
                case "cubic" -> new Schedule.Cubic(rounds, between);
                case "from-initialization" -> new Schedule.FromInitialization(recipe(s, s.integer("retrain_epochs", 0)));
                default -> throw new IllegalArgumentException("unknown schedule '" + s.text("schedule")
                        + "'; use one-shot, rounds or cubic");
            };
            if (pattern instanceof Pattern.NOfM && !(schedule instanceof Schedule.OneShot)) {
                throw new IllegalArgumentException("N:M patterns are applied in one shot; use schedule one-shot");
            }
        }
        Retraining after = schedule instanceof Schedule.FromInitialization ? Retraining.NONE
                : recipe(s, s.integer("retrain_epochs", 0));
        return new PruningPlan(s.method(), s.params(), pruner.apply(allocation, pattern), schedule, target, after,
                s.integer("measure_samples", 0), s.bool("prune_biases"));
    }
}
