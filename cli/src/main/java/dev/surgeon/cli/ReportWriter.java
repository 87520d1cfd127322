package dev.surgeon.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Writes a {@link Report} as JSON (the contract of docs/REPORTS.md, through Jackson), Markdown (for people)
 * or CSV ({@code key,value} rows, one per JSON leaf, keys as dotted paths with 0-based array indices such as
 * {@code layers.0.sparsity}), chosen by the file's extension ({@link ReportFormat}).
 */
final class ReportWriter {
    /** snake_case names, indented output; NaN never reaches it ({@link Report#finite}). */
    static final ObjectMapper JSON = JsonMapper.builder()
            .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .enable(SerializationFeature.INDENT_OUTPUT)
            .build();

    private ReportWriter() {
    }

    static void write(Report report, Path file) throws IOException {
        ReportFormat format = ReportFormat.of(file);
        if (format == null) {
            throw new UserException(ExitCodes.USAGE, "report file " + file + " must end in " + ReportFormat.EXTENSIONS);
        }
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        String text = switch (format) {
            case JSON -> JSON.writeValueAsString(report) + "\n";
            case CSV -> csv(report);
            case MARKDOWN -> markdown(report);
        };
        Files.writeString(file, text, StandardCharsets.UTF_8);
    }

    // ------------------------------------------------------------------------------------------------
    // CSV

    static String csv(Report report) {
        return csv((JsonNode) JSON.valueToTree(report));
    }

    /** Any JSON tree as {@code key,value} rows (the reports of demo and curvature). */
    static String csv(JsonNode tree) {
        StringBuilder b = new StringBuilder("key,value\n");
        flatten(tree, "", b);
        return b.toString();
    }

    private static void flatten(JsonNode node, String path, StringBuilder b) {
        if (node.isObject()) {
            Iterator<Map.Entry<String, JsonNode>> it = node.fields();
            while (it.hasNext()) {
                Map.Entry<String, JsonNode> e = it.next();
                flatten(e.getValue(), path.isEmpty() ? e.getKey() : path + "." + e.getKey(), b);
            }
        } else if (node.isArray()) {
            if (node.isEmpty()) {
                b.append(csvField(path)).append(",\n");
            }
            for (int i = 0; i < node.size(); i++) {
                flatten(node.get(i), path + "." + i, b);
            }
        } else {
            b.append(csvField(path)).append(',').append(node.isNull() ? "" : csvField(node.asText())).append('\n');
        }
    }

    /** RFC 4180: quote a field holding a comma, a quote or a line break; double the quotes inside. */
    static String csvField(String s) {
        if (s.indexOf(',') < 0 && s.indexOf('"') < 0 && s.indexOf('\n') < 0 && s.indexOf('\r') < 0) {
            return s;
        }
        return '"' + s.replace("\"", "\"\"") + '"';
    }

    // ------------------------------------------------------------------------------------------------
    // Markdown

    static String markdown(Report r) {
        StringBuilder b = new StringBuilder();
        b.append("# surgeon ").append(r.command()).append(": ").append(cell(r.model())).append("\n\n");
        table(b, List.of("field", "value"));
        row(b, "model", r.model());
        String description = r.provenance().dataDescription();
        row(b, "data", description == null ? r.data() : description.startsWith(r.data()) ? description
                : r.data() + " (" + description + ")");
        row(b, "seed", r.seed() == null ? "-" : r.seed().toString());
        if (r.method() != null) {
            row(b, "method", r.method());
        }
        row(b, "weights", String.format(Locale.ROOT, "%d, %d non-zero (sparsity %.2f %%)", r.totalWeights(), r.nonzeroWeights(),
                100 * r.sparsity()));
        row(b, "surgeon", r.provenance().version() + " (commit " + r.provenance().commit() + ")");
        row(b, "kernels", r.provenance().kernels() + ", " + r.provenance().threads() + " thread(s)");
        row(b, "created", r.provenance().created());

        b.append("\n## Metrics\n\n");
        if (r.sections().get("metrics_before") instanceof Report.Metrics before) {
            table(b, List.of("set", "loss before", "accuracy before", "loss after", "accuracy after"));
            row(b, "train", EpochTable.loss(before.trainLoss()), EpochTable.percent(before.trainAccuracy()),
                    EpochTable.loss(r.metrics().trainLoss()), EpochTable.percent(r.metrics().trainAccuracy()));
            row(b, "test", EpochTable.loss(before.testLoss()), EpochTable.percent(before.testAccuracy()),
                    EpochTable.loss(r.metrics().testLoss()), EpochTable.percent(r.metrics().testAccuracy()));
        } else {
            table(b, List.of("set", "loss", "accuracy"));
            row(b, "train", EpochTable.loss(r.metrics().trainLoss()), EpochTable.percent(r.metrics().trainAccuracy()));
            row(b, "test", EpochTable.loss(r.metrics().testLoss()), EpochTable.percent(r.metrics().testAccuracy()));
        }

        if (r.evidence() != null) {
            evidence(b, r.evidence());
        }

        if (r.history() != null) {
            b.append("\n## Training\n\n");
            if (r.charts() != null) {
                for (String chart : r.charts()) {
                    b.append("![").append(chart).append("](").append(chart).append(")\n");
                }
                b.append('\n');
            }
            table(b, List.of("epoch", "train loss", "train accuracy", "test loss", "test accuracy", "learning rate", "seconds"));
            int interval = EpochTable.interval(r.history().size(), 0);
            for (int i = 0; i < r.history().size(); i++) {
                Report.Epoch e = r.history().get(i);
                if (EpochTable.shows(e.epoch(), interval, i == r.history().size() - 1)) {
                    row(b, Integer.toString(e.epoch()), EpochTable.loss(e.trainLoss()), EpochTable.percent(e.trainAccuracy()),
                            EpochTable.loss(e.testLoss()), EpochTable.percent(e.testAccuracy()),
                            e.learningRate() == null ? "-" : e.learningRate().toString(),
                            String.format(Locale.ROOT, "%.2f", e.seconds()));
                }
            }
            if (interval > 1) {
                b.append("\nEvery ").append(interval).append(" epochs shown; the JSON report has all of them.\n");
            }
        } else if (r.charts() != null) {
            b.append('\n');
            for (String chart : r.charts()) {
                b.append("![").append(chart).append("](").append(chart).append(")\n");
            }
        }

        b.append("\n## Layers\n\n");
        table(b, List.of("tensor", "shape", "non-zero", "sparsity"));
        for (Report.Layer l : r.layers()) {
            row(b, l.name(), l.shape().toString(), Long.toString(l.nonzero()), String.format(Locale.ROOT, "%.2f %%", 100 * l.sparsity()));
        }

        ReportSections.markdown(b, r);

        b.append("\n## Parameters\n\n");
        table(b, List.of("parameter", "value"));
        for (Map.Entry<String, Object> e : r.params().entrySet()) {
            row(b, e.getKey(), e.getValue() == null ? "-" : String.valueOf(e.getValue()));
        }

        b.append("\n## Timings\n\n");
        table(b, List.of("stage", "seconds"));
        for (Map.Entry<String, Double> e : r.timings().entrySet()) {
            row(b, e.getKey(), String.format(Locale.ROOT, "%.3f", e.getValue()));
        }
        return b.toString();
    }

    private static void evidence(StringBuilder b, Report.Evidence e) {
        b.append("\n## Evidence (MacKay)\n\n");
        table(b, List.of("weight class", "k_c", "α_c", "γ_c"));
        for (Report.WeightClass c : e.classes()) {
            row(b, c.name(), Integer.toString(c.parameters()), String.format(Locale.ROOT, "%.4g", c.alpha()),
                    String.format(Locale.ROOT, "%.2f", c.gamma()));
        }
        b.append('\n');
        table(b, List.of("quantity", "value"));
        row(b, "likelihood, Hessian", e.likelihood() + ", " + e.hessian());
        row(b, "β", e.beta() == null ? "-" : String.format(Locale.ROOT, "%.4g", e.beta()));
        row(b, "γ of k", String.format(Locale.ROOT, "%.2f of %d", e.gamma(), e.parameters()));
        row(b, "ln p(D | α, β)", String.format(Locale.ROOT, "%.3f", e.logEvidence()));
        row(b, "ln Occam factor", String.format(Locale.ROOT, "%.3f", e.logOccamFactor()));
        row(b, "ln(2^M M!)", String.format(Locale.ROOT, "%.3f", e.symmetryTerm()));
        row(b, "hyperparameter Occam terms", String.format(Locale.ROOT, "%.3f", e.hyperparameterOccam()));
        row(b, "ln p(D | H)", String.format(Locale.ROOT, "%.3f", e.modelLogEvidence()));
        if (e.testCoverage() != null) {
            row(b, "test targets within ±2σ", String.format(Locale.ROOT, "%.1f %%", 100 * e.testCoverage()));
        }
    }

    private static void table(StringBuilder b, List<String> header) {
        ReportSections.Md.table(b, header);
    }

    private static void row(StringBuilder b, String... cells) {
        ReportSections.Md.row(b, cells);
    }

    private static String cell(String s) {
        return ReportSections.Md.cell(s);
    }
}
