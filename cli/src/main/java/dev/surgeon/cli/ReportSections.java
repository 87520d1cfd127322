package dev.surgeon.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The Markdown of the command-specific report sections ({@code pruning}, {@code stages}, {@code sweep},
 * {@code quantization}, {@code curvature}), rendered from their JSON form so that the Markdown shows what the JSON holds.
 */
final class ReportSections {
    private ReportSections() {
    }

    static void markdown(StringBuilder b, Report r) {
        for (Map.Entry<String, Object> e : r.sections().entrySet()) {
            JsonNode n = ReportWriter.JSON.valueToTree(e.getValue());
            switch (e.getKey()) {
                case "pruning" -> pruning(b, n);
                case "structured" -> structured(b, n);
                case "stages" -> stages(b, n);
                case "sweep" -> sweep(b, n);
                case "quantization" -> quantization(b, n);
                case "curvature" -> curvature(b, n);
                default -> {
                    // metrics_before is part of the metrics table
                }
            }
        }
    }

    private static void pruning(StringBuilder b, JsonNode p) {
        b.append("\n## Pruning\n\n");
        Md.table(b, List.of("field", "value"));
        Md.row(b, "target", p.path("target").asText());
        Md.row(b, "schedule", p.path("schedule").asText());
        Md.row(b, "pruner", p.path("pruner").asText());
        Md.row(b, "prunable weights", p.path("prunable_weights").asText() + String.format(Locale.ROOT, " (sparsity %.2f %%)",
                100 * p.path("prunable_sparsity").asDouble()));
        JsonNode f = p.path("flops");
        Md.row(b, "multiply-adds per sample", f.path("dense").asText() + " dense; non-zero " + f.path("effective_before").asText()
                + " → " + f.path("effective").asText());
        Md.row(b, "training loss change", "predicted " + num(p.path("loss_change").path("predicted")) + ", measured "
                + num(p.path("loss_change").path("measured")));
        if (p.path("steps").size() > 0) {
            b.append("\n### Steps\n\n");
            Md.table(b, List.of("round", "target sparsity", "achieved", "removed", "predicted ΔL", "measured ΔL", "seconds"));
            for (JsonNode s : p.path("steps")) {
                Md.row(b, s.path("round").asText(), num(s.path("target_sparsity")), num(s.path("sparsity")), s.path("removed").asText(),
                        num(s.path("predicted_loss_change")), num(s.path("measured_loss_change")), num(s.path("seconds")));
            }
        }
        if (p.path("layer_errors").size() > 0) {
            b.append("\n### Layer-wise reconstruction errors (1/N)‖(W − Ŵ)X‖²\n\n");
            Md.table(b, List.of("layer", "method", "pruned", "predicted", "measured", "relative", "λ", "seconds"));
            for (JsonNode l : p.path("layer_errors")) {
                Md.row(b, l.path("layer").asText(), l.path("method").asText(), l.path("pruned").asText() + " / " + l.path("size").asText(),
                        num(l.path("predicted")), num(l.path("measured")), num(l.path("relative")), num(l.path("damping")),
                        num(l.path("seconds")));
            }
        }
        if (p.path("damping").size() > 0) {
            b.append("\n### Damping used\n\n");
            Md.table(b, List.of("block", "requested λ", "used λ", "attempts"));
            for (JsonNode d : p.path("damping")) {
                Md.row(b, d.path("block").asText(), num(d.path("requested")), num(d.path("used")), d.path("attempts").asText());
            }
        }
        if (p.path("calibration").size() > 0) {
            b.append("\n### Calibration samples\n\n");
            for (JsonNode c : p.path("calibration")) {
                b.append("- ").append(Md.cell(c.path("stage").asText())).append(": ").append(c.path("samples").asText())
                        .append(" samples\n");
            }
            b.append("\nThe indices are in the JSON report (`provenance.calibration_indices`) and in the model file.\n");
        }
        if (p.path("notes").size() > 0) {
            b.append("\n### Notes\n\n");
            for (JsonNode note : p.path("notes")) {
                b.append("- ").append(Md.cell(note.asText())).append('\n');
            }
        }
    }

    private static void structured(StringBuilder b, JsonNode p) {
        b.append("\n## Structured pruning\n\n");
        Md.table(b, List.of("field", "value"));
        Md.row(b, "method", p.path("method").asText() + " (" + p.path("kind").asText() + ")");
        Md.row(b, "target", "keep " + num(p.path("flops_kept_target")) + " of the dense multiply-adds");
        Md.row(b, "architecture", p.path("arch_before").asText() + " → " + p.path("arch_after").asText());
        Md.row(b, "parameters", p.path("parameters_before").asText() + " → " + p.path("parameters_after").asText());
        Md.row(b, "multiply-adds per sample", p.path("macs_before").asText() + " → " + p.path("macs_after").asText());
        Md.row(b, "shrunk vs masked outputs", "max |difference| " + num(p.path("shrink_difference")));
        b.append("\n### Layer widths\n\n");
        Md.table(b, List.of("layer", "width before", "width after"));
        for (JsonNode l : p.path("widths")) {
            Md.row(b, l.path("layer").asText(), l.path("width_before").asText(), l.path("width_after").asText());
        }
        if (p.path("rounds").size() > 0) {
            b.append("\n### Rounds\n\n");
            Md.table(b, List.of("round", "target multiply-adds", "reached", "removed", "loss before", "loss after", "seconds"));
            for (JsonNode r : p.path("rounds")) {
                Md.row(b, r.path("round").asText(), r.path("target_macs").asText(), r.path("macs").asText(),
                        r.path("removed").asText(), num(r.path("loss_before")), num(r.path("loss_after")), num(r.path("seconds")));
            }
        }
        if (p.path("notes").size() > 0) {
            b.append("\n### Notes\n\n");
            for (JsonNode note : p.path("notes")) {
                b.append("- ").append(Md.cell(note.asText())).append('\n');
            }
        }
    }

    private static void stages(StringBuilder b, JsonNode stages) {
        b.append("\n## Stages\n\n");
        Md.table(b, List.of("step", "kind", "method", "sparsity", "train accuracy", "test accuracy", "seconds"));
        int i = 1;
        for (JsonNode s : stages) {
            Md.row(b, Integer.toString(i++), s.path("kind").asText(), s.path("method").isNull() ? "-" : s.path("method").asText(),
                    pct(s.path("sparsity")), pct(s.path("metrics").path("train_accuracy")), pct(s.path("metrics").path("test_accuracy")),
                    num(s.path("seconds")));
        }
    }

    private static void sweep(StringBuilder b, JsonNode points) {
        b.append("\n## Sweep\n\n");
        Md.table(b, List.of("method", "target", "seed", "prunable sparsity", "non-zero", "train accuracy", "test accuracy",
                "test loss", "seconds"));
        for (JsonNode s : points) {
            Md.row(b, s.path("label").asText(), s.path("target").asText(), s.path("seed").asText(), pct(s.path("prunable_sparsity")),
                    s.path("nonzero_weights").asText(), pct(s.path("metrics").path("train_accuracy")),
                    pct(s.path("metrics").path("test_accuracy")), num(s.path("metrics").path("test_loss")), num(s.path("seconds")));
        }
    }

    private static void quantization(StringBuilder b, JsonNode q) {
        b.append("\n## Quantization\n\n");
        Md.table(b, List.of("field", "value"));
        Md.row(b, "method", q.path("method").asText());
        Md.row(b, "grid", q.path("grid").asText());
        Md.row(b, "calibration samples", q.path("calibration_samples").asText());
        Md.row(b, "layer inputs", q.path("sequential").asBoolean() ? "sequential (from the compressed layers in front)"
                : "one-shot (from the original network)");
        b.append('\n');
        Md.table(b, List.of("layer", "method", "sparsity", "predicted", "measured", "relative", "λ", "seconds"));
        for (JsonNode l : q.path("layers")) {
            Md.row(b, l.path("layer").asText(), l.path("method").asText(), pct(l.path("sparsity")), num(l.path("predicted")),
                    num(l.path("measured")), num(l.path("relative")), num(l.path("damping")), num(l.path("seconds")));
        }
        for (JsonNode s : q.path("skipped")) {
            Md.row(b, s.path("layer").asText(), "left dense: " + s.path("reason").asText(), "", "", "", "", "", "");
        }
    }

    private static void curvature(StringBuilder b, JsonNode c) {
        b.append("\n## Curvature\n\n");
        Md.table(b, List.of("field", "value"));
        Md.row(b, "operator", c.path("operator").asText());
        Md.row(b, "samples", c.path("samples").asText());
        Md.row(b, "parameters", c.path("dimension").asText());
        if (c.has("trace")) {
            JsonNode t = c.path("trace");
            Md.row(b, "trace (Hutchinson)", num(t.path("value")) + " from " + t.path("probes").asText() + " probes"
                    + (t.path("converged").asBoolean() ? "" : " (not converged)"));
        }
        if (c.has("density")) {
            JsonNode d = c.path("density");
            Md.row(b, "spectral density (SLQ)", d.path("steps").asText() + " Lanczos steps × " + d.path("probes").asText()
                    + " probes; eigenvalue range [" + num(d.path("min")) + ", " + num(d.path("max")) + "]; trace estimate "
                    + num(d.path("trace")));
        }
        if (c.path("top_eigenvalues").size() > 0) {
            b.append("\n### Top eigenvalues (power iteration with deflation)\n\n");
            Md.table(b, List.of("k", "eigenvalue", "iterations", "converged"));
            int k = 1;
            for (JsonNode e : c.path("top_eigenvalues")) {
                Md.row(b, Integer.toString(k++), num(e.path("value")), e.path("iterations").asText(), e.path("converged").asText());
            }
        }
    }

    private static String num(JsonNode n) {
        return n == null || n.isNull() || n.isMissingNode() ? "-" : String.format(Locale.ROOT, "%.6g", n.asDouble());
    }

    private static String pct(JsonNode n) {
        return n == null || n.isNull() || n.isMissingNode() ? "-" : String.format(Locale.ROOT, "%.2f %%", 100 * n.asDouble());
    }

    /** Markdown table helpers shared with {@link ReportWriter}. */
    static final class Md {
        private Md() {
        }

        static void table(StringBuilder b, List<String> header) {
            b.append('|');
            for (String h : header) {
                b.append(' ').append(cell(h)).append(" |");
            }
            b.append("\n|");
            b.append("---|".repeat(header.size()));
            b.append('\n');
        }

        static void row(StringBuilder b, String... cells) {
            List<String> c = new ArrayList<>(List.of(cells));
            b.append('|');
            for (String x : c) {
                b.append(' ').append(cell(x)).append(" |");
            }
            b.append('\n');
        }

        /** A table cell: pipes escaped, line breaks as spaces. */
        static String cell(String s) {
            return s == null ? "-" : s.replace("|", "\\|").replace('\n', ' ').replace('\r', ' ');
        }
    }
}
