package dev.surgeon.core.prune.structured;

import dev.surgeon.core.io.JsonWriter;
import dev.surgeon.core.nn.Network;
import dev.surgeon.core.prune.PruningReport;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The account of a structured run (METHODS G.5): layer widths, parameters and multiply-adds before and after, loss and
 * accuracy before, right after pruning and after fine-tuning, the rounds, the redundancy estimate if used, the check
 * that the shrunk network computes what the masked one computes, seconds per stage, notes — and the shrunk network
 * itself (smaller tensors, a new spec; save it with {@link dev.surgeon.core.io.ModelFile#write}).
 *
 * @param method           method name
 * @param params           every knob with its value
 * @param seed             the run's seed
 * @param kind             structure kind
 * @param keepFlops        the target (kept fraction of dense multiply-adds)
 * @param layers           one row per layer with hidden units
 * @param parametersBefore parameters of the dense network
 * @param parametersAfter  parameters of the shrunk network
 * @param macsBefore       multiply-adds at batch 1 of the dense network
 * @param macsAfter        multiply-adds at batch 1 of the shrunk network
 * @param before           metrics before pruning (training metrics on a fixed 2000-sample subset, test on the test set)
 * @param after            metrics after the final fine-tuning
 * @param pruned           metrics right after the last round, before the final fine-tuning
 * @param rounds           one entry per round
 * @param redundancy       the gradient-redundancy estimate, or null
 * @param shrinkDifference largest |output difference| between the masked and the shrunk network on a calibration batch
 * @param timings          seconds per stage
 * @param notes            deviations and warnings
 * @param specBefore       spec of the dense network
 * @param specAfter        spec of the shrunk network
 * @param shrunk           the shrunk network
 */
public record StructuredReport(String method, Map<String, Object> params, long seed, StructureKind kind, double keepFlops,
                               List<LayerWidth> layers, long parametersBefore, long parametersAfter, long macsBefore,
                               long macsAfter, PruningReport.Metrics before, PruningReport.Metrics after, PruningReport.Metrics pruned,
                               List<Round> rounds, GradientRedundancy.Estimate redundancy, double shrinkDifference,
                               Map<String, Double> timings, List<String> notes, String specBefore, String specAfter,
                               Network shrunk) {

    public StructuredReport {
        params = Collections.unmodifiableMap(new LinkedHashMap<>(params));
        layers = List.copyOf(layers);
        rounds = List.copyOf(rounds);
        timings = Collections.unmodifiableMap(new LinkedHashMap<>(timings));
        notes = List.copyOf(notes);
    }

    /** Width of one layer before and after. */
    public record LayerWidth(String layer, int before, int after) {
    }

    /**
     * One pruning round.
     *
     * @param round         1-based
     * @param targetMacs    multiply-adds targeted
     * @param macs          multiply-adds reached
     * @param removed       structures removed in this round
     * @param lossBefore    training loss on the measurement subset before the round
     * @param lossAfter     the same after the removal (before fine-tuning)
     * @param seconds       scoring and removal time
     */
    public record Round(int round, long targetMacs, long macs, int removed, double lossBefore, double lossAfter, double seconds) {
    }

    /** Dense multiply-adds divided by the shrunk network's. */
    public double flopsReduction() {
        return (double) macsBefore / macsAfter;
    }

    public String toMarkdown() {
        StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT, "## Structured pruning: %s (%s), keep %.4f of the FLOPs%n%n", method, kind, keepFlops));
        b.append("| layer | width before | width after |\n|---|---:|---:|\n");
        for (LayerWidth w : layers) {
            b.append(String.format(Locale.ROOT, "| %s | %d | %d |%n", w.layer(), w.before(), w.after()));
        }
        b.append(String.format(Locale.ROOT, "%nparameters %d → %d (%.2f×), multiply-adds %d → %d (%.2f×)%n", parametersBefore,
                parametersAfter, (double) parametersBefore / parametersAfter, macsBefore, macsAfter, flopsReduction()));
        b.append(String.format(Locale.ROOT, "spec: %s → %s%n", specBefore, specAfter));
        b.append(String.format(Locale.ROOT, "train loss %.4f → %.4f after pruning → %.4f after fine-tuning; test accuracy %.2f %% → "
                + "%.2f %% → %.2f %%%n", before.trainLoss(), pruned.trainLoss(), after.trainLoss(), 100 * before.testAccuracy(),
                100 * pruned.testAccuracy(), 100 * after.testAccuracy()));
        b.append(String.format(Locale.ROOT, "shrunk vs masked outputs: max |difference| %.3g%n", shrinkDifference));
        if (redundancy != null) {
            b.append(String.format(Locale.ROOT, "%n| layer | units | effective rank (τ = %s) | redundancy |%n|---|---:|---:|---:|%n",
                    redundancy.tau()));
            for (GradientRedundancy.LayerEstimate e : redundancy.layers()) {
                b.append(String.format(Locale.ROOT, "| %s | %d | %d | %.3f |%n", e.layer(), e.units(), e.rank(), e.redundancy()));
            }
            b.append(String.format(Locale.ROOT, "estimated maximum compression %.3f%n", redundancy.maximumCompression()));
        }
        for (String n : notes) {
            b.append("- ").append(n).append('\n');
        }
        return b.toString();
    }

    public String toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("command", "prune");
        m.put("structured", kind.toString());
        m.put("method", method);
        m.put("params", params);
        m.put("seed", seed);
        m.put("flops_kept_target", keepFlops);
        List<Object> ls = new ArrayList<>();
        for (LayerWidth w : layers) {
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("name", w.layer());
            r.put("width_before", w.before());
            r.put("width_after", w.after());
            ls.add(r);
        }
        m.put("layers", ls);
        m.put("spec_before", specBefore);
        m.put("spec_after", specAfter);
        m.put("parameters_before", parametersBefore);
        m.put("parameters_after", parametersAfter);
        m.put("macs_before", macsBefore);
        m.put("macs_after", macsAfter);
        m.put("metrics_before", metrics(before));
        m.put("metrics", metrics(after));
        m.put("metrics_after_pruning", metrics(pruned));
        List<Object> rs = new ArrayList<>();
        for (Round r : rounds) {
            Map<String, Object> x = new LinkedHashMap<>();
            x.put("round", r.round());
            x.put("target_macs", r.targetMacs());
            x.put("macs", r.macs());
            x.put("removed", r.removed());
            x.put("loss_before", finite(r.lossBefore()));
            x.put("loss_after", finite(r.lossAfter()));
            x.put("seconds", r.seconds());
            rs.add(x);
        }
        m.put("rounds", rs);
        if (redundancy != null) {
            Map<String, Object> red = new LinkedHashMap<>();
            red.put("tau", redundancy.tau());
            red.put("samples", redundancy.samples());
            red.put("maximum_compression", redundancy.maximumCompression());
            List<Object> el = new ArrayList<>();
            for (GradientRedundancy.LayerEstimate e : redundancy.layers()) {
                Map<String, Object> x = new LinkedHashMap<>();
                x.put("name", e.layer());
                x.put("units", e.units());
                x.put("rank", e.rank());
                x.put("redundancy", e.redundancy());
                el.add(x);
            }
            red.put("layers", el);
            m.put("redundancy", red);
        }
        m.put("shrink_max_difference", shrinkDifference);
        m.put("timings", timings);
        m.put("notes", notes);
        return JsonWriter.write(m) + "\n";
    }

    private static Map<String, Object> metrics(PruningReport.Metrics x) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("train_loss", finite(x.trainLoss()));
        r.put("train_accuracy", finite(x.trainAccuracy()));
        r.put("test_loss", finite(x.testLoss()));
        r.put("test_accuracy", finite(x.testAccuracy()));
        return r;
    }

    private static Object finite(double x) {
        return Double.isFinite(x) ? x : null;
    }
}
