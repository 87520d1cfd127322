package dev.surgeon.core.prune;

import dev.surgeon.core.curvature.DampingRecord;
import dev.surgeon.core.io.JsonWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The honest account of a pruning run (METHODS G.5): per-tensor and total sparsity, parameters and multiply-adds
 * before and after ({@link Flops} states the convention), the loss change each step predicted and the change
 * measured, loss and accuracy before and after, wall-clock seconds per stage, the damping every curvature block
 * actually used, the seed and the calibration samples. Written as JSON ({@link #toJson}), CSV ({@link #toCsv}) and
 * Markdown ({@link #toMarkdown}).
 *
 * <h2>JSON fields</h2>
 * The fields of the docs/REPORTS.md contract that core knows ({@code command} = "prune", {@code seed}, {@code method},
 * {@code params}, {@code total_weights}, {@code nonzero_weights}, {@code sparsity}, {@code metrics}, {@code layers} with
 * {@code name}, {@code shape}, {@code nonzero}, {@code sparsity}, {@code timings} ending with {@code total},
 * {@code provenance} with {@code kernels}, {@code threads}, {@code calibration_indices}); the CLI adds {@code model},
 * {@code data} and the rest of {@code provenance}. Pruning adds: {@code metrics_before}, {@code prunable_weights},
 * {@code prunable_sparsity}, {@code target}, {@code schedule}, {@code pruner}, per layer {@code nonzero_before},
 * {@code prunable}, {@code macs}, {@code effective_macs_before}, {@code effective_macs}; {@code flops}
 * ({@code convention}, {@code dense}, {@code effective_before}, {@code effective}); {@code loss_change}
 * ({@code predicted}, {@code measured}); {@code steps}; {@code damping}; {@code calibration} (samples per stage);
 * {@code notes}; {@code layer_errors} (layer-wise methods: per layer {@code layer}, {@code method}, {@code pruned},
 * {@code size}, {@code predicted}, {@code measured}, {@code relative}, {@code damping}, {@code seconds}, the errors being
 * (1/N)‖(W − Ŵ)X‖² at the calibration inputs). Losses are mean per-sample losses; accuracies fractions; NaN is written
 * as null.
 *
 * @param method            the method's name
 * @param params            every knob with its value
 * @param seed              the run's seed
 * @param target            the target as text
 * @param schedule          the schedule as text
 * @param pruner            the step's description
 * @param tensors           one row per parameter tensor, in layout order
 * @param before            metrics before pruning
 * @param after             metrics after pruning and any final fine-tuning
 * @param lossAfterPruning  training loss right after the schedule, before the final fine-tuning
 * @param steps             one entry per step of the schedule
 * @param timings           seconds per stage, in order
 * @param damping           the damping actually used, per curvature block
 * @param calibration       the training samples each stage used
 * @param notes             deviations, stopping reasons, per-layer errors
 * @param layerErrors       per-layer predicted and measured reconstruction errors of layer-wise methods
 * @param kernels           the kernel provider's name
 * @param threads           threads the kernels were allowed
 */
public record PruningReport(String method, Map<String, Object> params, long seed, String target, String schedule, String pruner,
                            List<TensorRow> tensors, Metrics before, Metrics after, double lossAfterPruning, List<Step> steps,
                            Map<String, Double> timings, List<DampingRecord> damping,
                            List<PruningContext.CalibrationRecord> calibration, List<String> notes,
                            List<PruningContext.LayerRecord> layerErrors, String kernels, int threads) {

    public PruningReport {
        params = Collections.unmodifiableMap(new LinkedHashMap<>(params));
        tensors = List.copyOf(tensors);
        steps = List.copyOf(steps);
        timings = Collections.unmodifiableMap(new LinkedHashMap<>(timings));
        damping = List.copyOf(damping);
        calibration = List.copyOf(calibration);
        notes = List.copyOf(notes);
        layerErrors = List.copyOf(layerErrors);
    }

    /**
     * One parameter tensor before and after.
     *
     * @param macs                dense multiply-adds of the tensor at batch 1 (0 for biases)
     * @param effectiveMacsBefore multiply-adds of its non-zero weights before
     * @param effectiveMacs       multiply-adds of its non-zero weights after
     */
    public record TensorRow(String name, int[] shape, int size, int nonzeroBefore, int nonzero, boolean prunable, long macs,
                            long effectiveMacsBefore, long effectiveMacs) {
        public TensorRow {
            shape = shape.clone();
        }

        @Override
        public int[] shape() {
            return shape.clone();
        }

        public double sparsity() {
            return size == 0 ? 0 : 1 - (double) nonzero / size;
        }

        public double sparsityBefore() {
            return size == 0 ? 0 : 1 - (double) nonzeroBefore / size;
        }
    }

    /** Loss (mean per sample) and accuracy on the training and test sets; NaN where not measured. */
    public record Metrics(double trainLoss, double trainAccuracy, double testLoss, double testAccuracy) {
    }

    /**
     * One step of the schedule.
     *
     * @param round          the context round
     * @param targetSparsity the step's target, over prunable parameters
     * @param sparsity       achieved, over prunable parameters
     * @param removed        parameters pruned by the step
     * @param predicted      predicted loss increase (NaN if the method predicts none)
     * @param measured       measured loss increase on the measurement samples (NaN if not measured)
     * @param seconds        wall-clock seconds of the step (without measurement and fine-tuning)
     */
    public record Step(int round, double targetSparsity, double sparsity, int removed, double predicted, double measured,
                       double seconds) {
    }

    /** Number of parameters. */
    public long totalWeights() {
        return tensors.stream().mapToLong(TensorRow::size).sum();
    }

    /** Parameters not exactly zero after. */
    public long nonzeroWeights() {
        return tensors.stream().mapToLong(TensorRow::nonzero).sum();
    }

    /** Parameters not exactly zero before. */
    public long nonzeroWeightsBefore() {
        return tensors.stream().mapToLong(TensorRow::nonzeroBefore).sum();
    }

    /** 1 − nonzero/total over all parameters. */
    public double sparsity() {
        return 1 - (double) nonzeroWeights() / totalWeights();
    }

    /** Number of prunable parameters. */
    public long prunableWeights() {
        return tensors.stream().filter(TensorRow::prunable).mapToLong(TensorRow::size).sum();
    }

    /** Zero fraction of the prunable parameters after. */
    public double prunableSparsity() {
        long n = tensors.stream().filter(TensorRow::prunable).mapToLong(TensorRow::nonzero).sum();
        return 1 - (double) n / prunableWeights();
    }

    /** Dense multiply-adds at batch 1. */
    public long macs() {
        return tensors.stream().mapToLong(TensorRow::macs).sum();
    }

    /** Multiply-adds of non-zero weights before. */
    public long effectiveMacsBefore() {
        return tensors.stream().mapToLong(TensorRow::effectiveMacsBefore).sum();
    }

    /** Multiply-adds of non-zero weights after. */
    public long effectiveMacs() {
        return tensors.stream().mapToLong(TensorRow::effectiveMacs).sum();
    }

    /** Sum of the steps' predictions (NaN if any step predicted nothing). */
    public double predictedLossChange() {
        double s = 0;
        for (Step st : steps) {
            s += st.predicted();
        }
        return steps.isEmpty() ? 0 : s;
    }

    /** Training loss right after the schedule minus before pruning. */
    public double measuredLossChange() {
        return lossAfterPruning - before.trainLoss();
    }

    /** Every training-sample index used for calibration, in order of first use, without repeats. */
    public int[] calibrationIndices() {
        Set<Integer> s = new LinkedHashSet<>();
        for (PruningContext.CalibrationRecord r : calibration) {
            for (int i : r.indices()) {
                s.add(i);
            }
        }
        return s.stream().mapToInt(Integer::intValue).toArray();
    }

    /** The report as a tree of maps and lists (the JSON document). */
    public Map<String, Object> toTree() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("command", "prune");
        m.put("seed", seed);
        m.put("method", method);
        m.put("params", params);
        m.put("total_weights", totalWeights());
        m.put("nonzero_weights", nonzeroWeights());
        m.put("sparsity", sparsity());
        m.put("metrics", metrics(after));
        List<Object> layers = new ArrayList<>();
        for (TensorRow t : tensors) {
            Map<String, Object> l = new LinkedHashMap<>();
            l.put("name", t.name());
            l.put("shape", t.shape());
            l.put("nonzero", t.nonzero());
            l.put("sparsity", t.sparsity());
            l.put("nonzero_before", t.nonzeroBefore());
            l.put("prunable", t.prunable());
            l.put("macs", t.macs());
            l.put("effective_macs_before", t.effectiveMacsBefore());
            l.put("effective_macs", t.effectiveMacs());
            layers.add(l);
        }
        m.put("layers", layers);
        Map<String, Object> times = new LinkedHashMap<>(timings);
        m.put("timings", times);
        Map<String, Object> prov = new LinkedHashMap<>();
        prov.put("kernels", kernels);
        prov.put("threads", threads);
        prov.put("calibration_indices", calibration.isEmpty() ? null : calibrationIndices());
        m.put("provenance", prov);
        m.put("metrics_before", metrics(before));
        m.put("prunable_weights", prunableWeights());
        m.put("prunable_sparsity", prunableSparsity());
        m.put("target", target);
        m.put("schedule", schedule);
        m.put("pruner", pruner);
        Map<String, Object> flops = new LinkedHashMap<>();
        flops.put("convention", "multiply-adds of dense and convolution weights for one sample; effective: non-zero weights only");
        flops.put("dense", macs());
        flops.put("effective_before", effectiveMacsBefore());
        flops.put("effective", effectiveMacs());
        m.put("flops", flops);
        Map<String, Object> loss = new LinkedHashMap<>();
        loss.put("predicted", predictedLossChange());
        loss.put("measured", measuredLossChange());
        m.put("loss_change", loss);
        List<Object> st = new ArrayList<>();
        for (Step s : steps) {
            Map<String, Object> x = new LinkedHashMap<>();
            x.put("round", s.round());
            x.put("target_sparsity", s.targetSparsity());
            x.put("sparsity", s.sparsity());
            x.put("removed", s.removed());
            x.put("predicted_loss_change", s.predicted());
            x.put("measured_loss_change", s.measured());
            x.put("seconds", s.seconds());
            st.add(x);
        }
        m.put("steps", st);
        List<Object> d = new ArrayList<>();
        for (DampingRecord r : damping) {
            Map<String, Object> x = new LinkedHashMap<>();
            x.put("block", r.block());
            x.put("requested", r.requested());
            x.put("used", r.used());
            x.put("attempts", r.attempts());
            d.add(x);
        }
        m.put("damping", d);
        List<Object> cal = new ArrayList<>();
        for (PruningContext.CalibrationRecord r : calibration) {
            Map<String, Object> x = new LinkedHashMap<>();
            x.put("stage", r.stage());
            x.put("samples", r.indices().length);
            cal.add(x);
        }
        m.put("calibration", cal);
        m.put("notes", notes);
        List<Object> le = new ArrayList<>();
        for (PruningContext.LayerRecord r : layerErrors) {
            Map<String, Object> x = new LinkedHashMap<>();
            x.put("layer", r.layer());
            x.put("method", r.method());
            x.put("pruned", r.pruned());
            x.put("size", r.size());
            x.put("predicted", r.predictedError());
            x.put("measured", r.measuredError());
            x.put("relative", r.relativeError());
            x.put("damping", r.damping());
            x.put("seconds", r.seconds());
            le.add(x);
        }
        m.put("layer_errors", le);
        return m;
    }

    private static Map<String, Object> metrics(Metrics x) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("train_accuracy", x.trainAccuracy());
        m.put("test_accuracy", x.testAccuracy());
        m.put("train_loss", x.trainLoss());
        m.put("test_loss", x.testLoss());
        return m;
    }

    /** The JSON document (UTF-8 text, indented). */
    public String toJson() {
        return JsonWriter.write(toTree()) + "\n";
    }

    /**
     * Two columns {@code key,value}, one row per JSON leaf, the key being the JSON path with {@code .} between names and
     * 0-based array indices (docs/REPORTS.md); null is an empty value, an empty array one row with an empty value.
     */
    public String toCsv() {
        StringBuilder b = new StringBuilder("key,value\n");
        flatten(b, "", toTree());
        return b.toString();
    }

    private static void flatten(StringBuilder b, String key, Object v) {
        if (v instanceof Map<?, ?> m) {
            for (Map.Entry<?, ?> e : m.entrySet()) {
                flatten(b, key.isEmpty() ? e.getKey().toString() : key + "." + e.getKey(), e.getValue());
            }
        } else if (v instanceof List<?> || v instanceof int[]) {
            List<?> l = v instanceof int[] a ? java.util.Arrays.stream(a).boxed().toList() : (List<?>) v;
            if (l.isEmpty()) {
                b.append(csv(key)).append(",\n");
            }
            for (int i = 0; i < l.size(); i++) {
                flatten(b, key + "." + i, l.get(i));
            }
        } else {
            String text = v == null || v instanceof Double x && !Double.isFinite(x) ? "" : v.toString();
            b.append(csv(key)).append(',').append(csv(text)).append('\n');
        }
    }

    private static String csv(String s) {
        if (s.indexOf(',') < 0 && s.indexOf('"') < 0 && s.indexOf('\n') < 0 && s.indexOf('\r') < 0) {
            return s;
        }
        return '"' + s.replace("\"", "\"\"") + '"';
    }

    /** A human-readable summary: totals, metrics, layers, steps, timings, damping, calibration, notes. */
    public String toMarkdown() {
        StringBuilder b = new StringBuilder();
        b.append("# Pruning report: ").append(method).append("\n\n");
        b.append("| | |\n|---|---|\n");
        row(b, "method", method);
        row(b, "pruner", pruner);
        row(b, "schedule", schedule);
        row(b, "target", target);
        row(b, "seed", Long.toString(seed));
        row(b, "weights", String.format(Locale.ROOT, "%d → %d non-zero of %d (sparsity %.2f %%; prunable: %.2f %%)",
                nonzeroWeightsBefore(), nonzeroWeights(), totalWeights(), 100 * sparsity(), 100 * prunableSparsity()));
        row(b, "multiply-adds (batch 1)", String.format(Locale.ROOT, "%d dense; effective %d → %d", macs(), effectiveMacsBefore(),
                effectiveMacs()));
        row(b, "loss change", String.format(Locale.ROOT, "predicted %s, measured %s", num(predictedLossChange()),
                num(measuredLossChange())));
        row(b, "kernels", kernels + ", " + threads + " thread(s)");
        b.append("\n## Metrics\n\n| | train loss | train accuracy | test loss | test accuracy |\n|---|---|---|---|---|\n");
        metricsRow(b, "before", before);
        metricsRow(b, "after", after);
        b.append("\n## Parameters\n\n| tensor | shape | non-zero before | non-zero after | sparsity | prunable | MACs | effective MACs |\n"
                + "|---|---|---|---|---|---|---|---|\n");
        for (TensorRow t : tensors) {
            b.append(String.format(Locale.ROOT, "| %s | %s | %d | %d | %.2f %% | %s | %d | %d |\n", t.name(),
                    java.util.Arrays.toString(t.shape()), t.nonzeroBefore(), t.nonzero(), 100 * t.sparsity(),
                    t.prunable() ? "yes" : "no", t.macs(), t.effectiveMacs()));
        }
        if (!steps.isEmpty()) {
            b.append("\n## Steps\n\n| round | target | achieved | removed | predicted ΔL | measured ΔL | seconds |\n"
                    + "|---|---|---|---|---|---|---|\n");
            for (Step s : steps) {
                b.append(String.format(Locale.ROOT, "| %d | %.4f | %.4f | %d | %s | %s | %.3f |\n", s.round(), s.targetSparsity(),
                        s.sparsity(), s.removed(), num(s.predicted()), num(s.measured()), s.seconds()));
            }
        }
        b.append("\n## Timings\n\n| stage | seconds |\n|---|---|\n");
        timings.forEach((k, v) -> b.append(String.format(Locale.ROOT, "| %s | %.3f |\n", k, v)));
        if (!damping.isEmpty()) {
            b.append("\n## Damping used\n\n");
            Map<String, Integer> summary = new LinkedHashMap<>();
            for (DampingRecord r : damping) {
                String k = String.format(Locale.ROOT, "λ = %s%s", num(r.used()),
                        r.retried() ? " (raised from " + num(r.requested()) + ")" : "");
                summary.merge(k, 1, Integer::sum);
            }
            summary.forEach((k, v) -> b.append("- ").append(k).append(": ").append(v).append(" block(s)\n"));
        }
        if (!calibration.isEmpty()) {
            b.append("\n## Calibration samples\n\n");
            for (PruningContext.CalibrationRecord r : calibration) {
                b.append("- ").append(r.stage()).append(": ").append(r.indices().length).append(" samples\n");
            }
            b.append("- distinct training samples used: ").append(calibrationIndices().length).append("\n");
        }
        if (!layerErrors.isEmpty()) {
            b.append("\n## Layer-wise reconstruction errors (1/N)‖(W − Ŵ)X‖²\n\n| layer | method | pruned | predicted | measured | "
                    + "relative | λ | seconds |\n|---|---|---|---|---|---|---|---|\n");
            for (PruningContext.LayerRecord r : layerErrors) {
                b.append(String.format(Locale.ROOT, "| %s | %s | %d / %d | %s | %s | %s | %s | %.3f |\n", r.layer(), r.method(),
                        r.pruned(), r.size(), num(r.predictedError()), num(r.measuredError()), num(r.relativeError()),
                        num(r.damping()), r.seconds()));
            }
        }
        if (!notes.isEmpty()) {
            b.append("\n## Notes\n\n");
            for (String n : notes) {
                b.append("- ").append(n).append('\n');
            }
        }
        b.append("\n## Parameters of the method\n\n| knob | value |\n|---|---|\n");
        params.forEach((k, v) -> row(b, k, String.valueOf(v)));
        return b.toString();
    }

    private static void row(StringBuilder b, String k, String v) {
        b.append("| ").append(k).append(" | ").append(v.replace("|", "\\|")).append(" |\n");
    }

    private static void metricsRow(StringBuilder b, String label, Metrics m) {
        b.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %s |\n", label, num(m.trainLoss()), pct(m.trainAccuracy()),
                num(m.testLoss()), pct(m.testAccuracy())));
    }

    private static String num(double v) {
        return Double.isFinite(v) ? String.format(Locale.ROOT, "%.6g", v) : "–";
    }

    private static String pct(double v) {
        return Double.isFinite(v) ? String.format(Locale.ROOT, "%.2f %%", 100 * v) : "–";
    }

    /** Writes the report in the format chosen by the file's extension: .json, .csv or .md. */
    public void write(Path file) throws IOException {
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        String text;
        if (name.endsWith(".json")) {
            text = toJson();
        } else if (name.endsWith(".csv")) {
            text = toCsv();
        } else if (name.endsWith(".md")) {
            text = toMarkdown();
        } else {
            throw new IllegalArgumentException("unknown report format for " + file + "; use .json, .csv or .md");
        }
        Files.writeString(file, text, StandardCharsets.UTF_8);
    }
}
