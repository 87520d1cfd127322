package dev.surgeon.cli;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.surgeon.core.prune.Knob;
import dev.surgeon.core.prune.MethodDefinition;
import dev.surgeon.core.prune.PruningMethods;
import dev.surgeon.core.prune.structured.StructuredMethod;
import dev.surgeon.core.prune.structured.StructuredMethods;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * One pruning step: the method and the values of its knobs. The same object is filled by the options of
 * {@code surgeon prune} (a picocli mixin) and by a {@code prune:} entry of a recipe file (Jackson), and
 * {@link #knobs} turns it into the knob overrides of {@link PruningMethods} in one place, so that a command line and
 * a recipe entry with the same values run the same plan. The shortcuts map to knobs as follows (a method that lacks
 * the knob refuses the option, listing its settings); {@code --set KNOB=VALUE} reaches any knob. With
 * {@code --structured} the method is one of {@link StructuredMethods} (whole filters or neurons, target {@code --flops});
 * the weight-level shortcuts (sparsity, pattern, scope, percdamp) do not apply to it.
 */
final class PruneStep {
    @Option(names = "--method", paramLabel = "METHOD", order = 10,
            description = "The pruning method (see the list below, or --list-methods).")
    @JsonProperty("method")
    String method;

    @Option(names = "--sparsity", paramLabel = "S", order = 11,
            description = "Target: fraction of prunable weights zero afterwards (0.9 or 90%%), count:N, or auto (remove weights "
                    + "until the training accuracy would drop: the OBS paper's stopping rule; auto:TOL allows a drop of TOL). "
                    + "Knob sparsity; default: the method's (0.5).")
    @JsonProperty("sparsity")
    String sparsity;

    @Option(names = "--pattern", paramLabel = "P", order = 12,
            description = "unstructured, nm:keep=N,group=M (at most N non-zeros in every M consecutive inputs; fixes the "
                    + "sparsity at 1 − N/M) or blocks:B (B consecutive weights of a row removed together). Knob pattern.")
    @JsonProperty("pattern")
    String pattern;

    @Option(names = "--scope", paramLabel = "global|layer", order = 13,
            description = "global: one threshold over all layers; layer: the same sparsity in every layer. Knob scope.")
    @JsonProperty("scope")
    String scope;

    @Option(names = "--calibration", paramLabel = "N", order = 14,
            description = "Training samples for the curvature: knob calibration, or for gradient-based methods the number "
                    + "of gradients (knob gradients), for snip the scoring batch (snip_batch).")
    @JsonProperty("calibration")
    Integer calibration;

    @Option(names = "--damp", paramLabel = "LAMBDA", order = 15,
            description = "Absolute damping λ added to the curvature (knob damping; for obs its α).")
    @JsonProperty("damp")
    Double damp;

    @Option(names = "--percdamp", paramLabel = "P", order = 16,
            description = "Relative damping: λ = P·mean(diag H) (knob relative_damping: exact-obs, sparsegpt).")
    @JsonProperty("percdamp")
    Double percdamp;

    @Option(names = "--recompute", paramLabel = "K", order = 17,
            description = "Recompute the curvature K times on the way to the target, in geometric density steps (M-FAC's "
                    + "schedule): knobs schedule=rounds, rounds=K; 1 = one-shot.")
    @JsonProperty("recompute")
    Integer recompute;

    @Option(names = "--finetune-epochs", paramLabel = "E", order = 18,
            description = "Fine-tune the pruned network for E epochs with the mask fixed (knob retrain_epochs; the fine-tuning "
                    + "recipe is in the finetune_* knobs).")
    @JsonProperty("finetune_epochs")
    Integer finetuneEpochs;

    @Option(names = "--structured", paramLabel = "filters|neurons|all", order = 20,
            description = "Remove whole structures instead of weights: filters (conv output channels), neurons (dense units) "
                    + "or all, with a structured method (taylor, taylor-fo, taylor-so, sosp-h, sosp-i, kfac-obs, redundancy, "
                    + "eigendamage, filter-norm, spectral). The saved network is physically smaller (Network.shrink).")
    @JsonProperty("structured")
    String structured;

    @Option(names = "--flops", paramLabel = "F", order = 21,
            description = "Structured target: fraction of the dense multiply-adds kept (0.25 = 4× fewer). Knob flops; "
                    + "default 0.5.")
    @JsonProperty("flops")
    Double flops;

    @Option(names = "--set", paramLabel = "KNOB=VALUE", order = 19, mapFallbackValue = Option.NULL_VALUE,
            description = "Any knob of the method, repeatable: --set gradients=1000 --set update=joint.")
    @JsonProperty("set")
    Map<String, String> set;

    PruneStep() {
    }

    /** A recipe's shorthand: the method name alone (defaults for every knob). */
    @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
    static PruneStep ofMethod(String method) {
        PruneStep s = new PruneStep();
        s.method = method;
        return s;
    }

    /** Whether this step removes whole structures ({@code --structured}). */
    boolean isStructured() {
        return structured != null;
    }

    /** The structured method, refusing an unknown name with the list of valid ones (exit 2). */
    StructuredMethod structuredMethod() {
        if (method == null || method.isBlank()) {
            throw new UserException(ExitCodes.USAGE, "no structured pruning method given; use --method with one of "
                    + String.join(", ", StructuredMethods.names()));
        }
        try {
            return StructuredMethods.named(method.strip());
        } catch (IllegalArgumentException e) {
            throw new UserException(ExitCodes.USAGE, e.getMessage() + (PruningMethods.names().contains(method.strip())
                    ? " (" + method.strip() + " prunes single weights: drop --structured)" : ""));
        }
    }

    /** The method, refusing an unknown name with the list of valid ones (exit 2). */
    MethodDefinition definition() {
        if (method == null || method.isBlank()) {
            throw new UserException(ExitCodes.USAGE, "no pruning method given; use --method with one of "
                    + String.join(", ", PruningMethods.names()));
        }
        try {
            return PruningMethods.named(method.strip());
        } catch (IllegalArgumentException e) {
            throw new UserException(ExitCodes.USAGE, e.getMessage() + (StructuredMethods.names().contains(method.strip())
                    ? " (" + method.strip() + " removes filters or neurons: add --structured filters|neurons|all)" : ""));
        }
    }

    /** A short label for tables: the method and the knobs set explicitly, e.g. {@code woodfisher[gradients=1000]}. */
    String label() {
        Map<String, String> k = isStructured() ? knobs(structuredMethod()) : knobs(definition());
        k.remove("sparsity");
        if (k.isEmpty()) {
            return method.strip();
        }
        StringBuilder b = new StringBuilder(method.strip()).append('[');
        k.forEach((key, v) -> b.append(b.charAt(b.length() - 1) == '[' ? "" : ";").append(key).append('=').append(v));
        return b.append(']').toString();
    }

    /**
     * The knob overrides of this step for its method: the shortcut options mapped to their knobs, then {@code set}. A
     * knob given twice (an option and --set) is refused, and so is a shortcut the method has no knob for.
     */
    Map<String, String> knobs(MethodDefinition def) {
        if (isStructured()) {
            throw new IllegalStateException("a structured step has no weight-pruning knobs");
        }
        if (flops != null) {
            throw new UserException(ExitCodes.USAGE, "--flops is the target of structured pruning; add --structured "
                    + "filters|neurons|all with a structured method, or give --sparsity for " + def.name());
        }
        return knobs(def.name(), def.knobs());
    }

    /**
     * The knob overrides of this structured step: {@code structured}, {@code flops}, and the shortcuts that apply
     * (calibration, damp, recompute as rounds, finetune-epochs), then {@code set}.
     */
    Map<String, String> knobs(StructuredMethod m) {
        String[] weightOnly = {"--sparsity", "--pattern", "--scope", "--percdamp"};
        Object[] values = {sparsity, pattern, scope, percdamp};
        for (int i = 0; i < weightOnly.length; i++) {
            if (values[i] != null) {
                throw new UserException(ExitCodes.USAGE, weightOnly[i] + " does not apply to structured pruning (the target is "
                        + "--flops, the kept fraction of the multiply-adds)");
            }
        }
        Map<String, String> k = new LinkedHashMap<>();
        put(k, "structured", structured, "--structured");
        if (flops != null) {
            put(k, "flops", text(flops), "--flops");
        }
        if (calibration != null) {
            put(k, knobOf(m.name(), m.knobs(), "--calibration", "calibration"), calibration.toString(), "--calibration");
        }
        if (damp != null) {
            put(k, knobOf(m.name(), m.knobs(), "--damp", "damping"), text(damp), "--damp");
        }
        if (recompute != null) {
            if (recompute < 1) {
                throw new UserException(ExitCodes.USAGE, "--recompute must be >= 1 (1 = one-shot), got " + recompute);
            }
            put(k, "rounds", recompute.toString(), "--recompute");
        }
        if (finetuneEpochs != null) {
            put(k, "retrain_epochs", finetuneEpochs.toString(), "--finetune-epochs");
        }
        putSet(k);
        return k;
    }

    private Map<String, String> knobs(String name, List<Knob> knobs) {
        Map<String, String> k = new LinkedHashMap<>();
        put(k, "sparsity", sparsity, "--sparsity");
        put(k, "pattern", pattern, "--pattern");
        put(k, "scope", scope, "--scope");
        if (calibration != null) {
            put(k, knobOf(name, knobs, "--calibration", "calibration", "gradients", "snip_batch"), calibration.toString(), "--calibration");
        }
        if (damp != null) {
            put(k, knobOf(name, knobs, "--damp", "damping", "alpha"), text(damp), "--damp");
        }
        if (percdamp != null) {
            put(k, knobOf(name, knobs, "--percdamp", "relative_damping"), text(percdamp), "--percdamp");
        }
        if (recompute != null) {
            if (recompute < 1) {
                throw new UserException(ExitCodes.USAGE, "--recompute must be >= 1 (1 = one-shot), got " + recompute);
            }
            put(k, "schedule", recompute == 1 ? "one-shot" : "rounds", "--recompute");
            put(k, "rounds", recompute.toString(), "--recompute");
        }
        if (finetuneEpochs != null) {
            put(k, "retrain_epochs", finetuneEpochs.toString(), "--finetune-epochs");
        }
        putSet(k);
        return k;
    }

    private void putSet(Map<String, String> k) {
        if (set != null) {
            for (Map.Entry<String, String> e : set.entrySet()) {
                String key = e.getKey().strip().replace('-', '_').toLowerCase(Locale.ROOT);
                if (e.getValue() == null) {
                    throw new UserException(ExitCodes.USAGE, "--set " + e.getKey() + " needs a value: --set " + e.getKey() + "=VALUE");
                }
                put(k, key, e.getValue(), "--set " + key);
            }
        }
    }

    private static void put(Map<String, String> k, String knob, String value, String option) {
        if (value == null) {
            return;
        }
        String previous = k.put(knob, value.strip());
        if (previous != null) {
            throw new UserException(ExitCodes.USAGE, option + " sets knob " + knob + ", which is already set to " + previous
                    + "; give it once");
        }
    }

    /** The first of the candidate knobs the method has. */
    private static String knobOf(String method, List<Knob> knobs, String option, String... candidates) {
        List<String> names = knobs.stream().map(Knob::name).toList();
        for (String c : candidates) {
            if (names.contains(c)) {
                return c;
            }
        }
        throw new UserException(ExitCodes.USAGE, option + " does not apply to " + method + " (it has no knob "
                + String.join(" or ", candidates) + "); its settings: " + String.join(", ", names));
    }

    /** A number as a knob value, without a trailing ".0" for whole numbers. */
    private static String text(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : Double.toString(v);
    }
}
