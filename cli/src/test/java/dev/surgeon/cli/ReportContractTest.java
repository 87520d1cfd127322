package dev.surgeon.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The JSON reports the commands write validate against the field tables of docs/REPORTS.md: every field
 * written is documented with a matching type, every "always" field is present, command-specific sections
 * appear exactly for their command, and {@code params} has exactly the documented keys.
 */
class ReportContractTest {
    private static final Path DOC = Path.of("..", "docs", "REPORTS.md");

    /** A documented field: its path ({@code layers[].name}, {@code params.*}), allowed types, when present. */
    record Field(String path, Set<String> types, String present) {
    }

    private static Map<String, Field> fields;
    private static Map<String, Map<String, Set<String>>> params;

    @TempDir
    Path dir;

    @BeforeAll
    static void readTheContract() throws Exception {
        fields = new LinkedHashMap<>();
        params = new LinkedHashMap<>();
        String section = null;
        for (String line : Files.readAllLines(DOC)) {
            if (line.startsWith("### `params` of `")) {
                section = line.substring("### `params` of `".length(), line.lastIndexOf('`'));
                params.put(section, new LinkedHashMap<>());
                continue;
            }
            if (line.startsWith("## ")) {
                section = null;
            }
            if (!line.startsWith("| `")) {
                continue;
            }
            String[] cells = Arrays.stream(line.substring(1, line.length() - 1).split("(?<!\\\\)\\|"))
                    .map(c -> c.strip().replace("\\|", "|")).toArray(String[]::new);
            String name = cells[0].replace("`", "");
            Set<String> types = Set.of(cells[1].split("\\|"));
            if (section != null) {
                params.get(section).put(name, types);
            } else if (cells.length == 5) {
                fields.put(name, new Field(name, types, cells[3]));
            }
        }
        assertTrue(fields.size() > 40, "the field table was read: " + fields.keySet());
        assertEquals(Set.of("train", "eval", "evidence", "prune", "quantize"), params.keySet());
    }

    private static void validate(JsonNode report, String command) {
        assertEquals(command, report.path("command").asText());
        walk(report, "", command);
        for (Field f : fields.values()) {
            if (f.path().contains("[]") || f.path().contains("*")) {
                continue;
            }
            boolean expected = switch (f.present()) {
                case "always" -> true;
                case "train" -> command.equals("train");
                case "evidence" -> command.equals("evidence");
                case "quantize" -> command.equals("quantize");
                default -> false;
            };
            boolean present = at(report, f.path()) != null;
            if (List.of("always", "train", "evidence", "quantize").contains(f.present())) {
                assertEquals(expected, present, f.path() + " (present: " + f.present() + ") in a " + command + " report");
            }
        }
        Map<String, Set<String>> documented = params.get(command);
        Set<String> written = new LinkedHashSet<>();
        report.path("params").fieldNames().forEachRemaining(written::add);
        if (command.equals("prune")) {
            // The fixed keys, then exactly the knobs of the method (none for a sweep).
            Set<String> fixed = new LinkedHashSet<>(documented.keySet());
            fixed.remove("*");
            assertTrue(written.containsAll(fixed), "params of prune lack some of " + fixed + ": " + written);
            Set<String> knobs = new LinkedHashSet<>(written);
            knobs.removeAll(fixed);
            assertEquals(knobNames(report.path("method"), report.has("structured") && !report.has("pruning")), knobs,
                    "params of prune beyond " + fixed);
            for (String key : written) {
                assertType(report.path("params").get(key), documented.getOrDefault(key, documented.get("*")), "params." + key);
            }
            return;
        }
        assertEquals(documented.keySet(), written, "params of " + command);
        for (String key : written) {
            assertType(report.path("params").get(key), documented.get(key), "params." + key);
        }
    }

    /** The knob names of a pruning method of either family (none for null: a sweep); kfac-obs is in both. */
    private static Set<String> knobNames(JsonNode method, boolean structured) {
        if (method.isNull()) {
            return Set.of();
        }
        String name = method.asText();
        List<dev.surgeon.core.prune.Knob> knobs = structured
                ? dev.surgeon.core.prune.structured.StructuredMethods.named(name).knobs()
                : dev.surgeon.core.prune.PruningMethods.named(name).knobs();
        return knobs.stream().map(dev.surgeon.core.prune.Knob::name).collect(Collectors.toCollection(LinkedHashSet::new));
    }

    private static JsonNode at(JsonNode root, String dotted) {
        JsonNode n = root;
        for (String part : dotted.split("\\.")) {
            if (n == null || !n.has(part)) {
                return null;
            }
            n = n.get(part);
        }
        return n;
    }

    private static void walk(JsonNode node, String path, String command) {
        if (!path.isEmpty()) {
            Field f = fields.get(path);
            if (f == null) {
                int dot = path.lastIndexOf('.');
                f = dot < 0 ? null : fields.get(path.substring(0, dot) + ".*");
            }
            if (f == null) {
                fail("undocumented field '" + path + "' in a " + command + " report");
            }
            assertType(node, f.types(), path);
            if (path.startsWith("params.")) {
                return; // checked against the per-command table
            }
        }
        if (node.isObject()) {
            Iterator<Map.Entry<String, JsonNode>> it = node.fields();
            while (it.hasNext()) {
                Map.Entry<String, JsonNode> e = it.next();
                walk(e.getValue(), path.isEmpty() ? e.getKey() : path + "." + e.getKey(), command);
            }
        } else if (node.isArray()) {
            for (JsonNode element : node) {
                walk(element, path + "[]", command);
            }
        }
    }

    private static void assertType(JsonNode node, Set<String> types, String path) {
        String actual = node.isNull() ? "null" : node.isTextual() ? "string" : node.isBoolean() ? "boolean"
                : node.isIntegralNumber() ? "integer" : node.isNumber() ? "number" : node.isArray() ? "array"
                : node.isObject() ? "object" : "?";
        boolean ok = types.contains(actual) || actual.equals("integer") && types.contains("number");
        assertTrue(ok, path + " is " + actual + " (" + node + ") but documented as " + types);
    }

    @Test
    void trainAndEvalReportsFollowTheDocumentedContract() throws Exception {
        Path model = dir.resolve("m.safetensors");
        Path train = dir.resolve("train.json");
        Path eval = dir.resolve("eval.json");
        assertEquals(0, Cli.run("train", "--data", "monk-1", "--epochs", "3", "--early-stopping", "5", "--out", model.toString(),
                "--report", train.toString()).exit());
        assertEquals(0, Cli.run("eval", "--model", model.toString(), "--data", "monk-1", "--report", eval.toString()).exit());
        validate(ReportWriter.JSON.readTree(train.toFile()), "train");
        validate(ReportWriter.JSON.readTree(eval.toFile()), "eval");

        Path lbfgs = dir.resolve("lbfgs.json");
        assertEquals(0, Cli.run("train", "--data", "xor", "--optimizer", "lbfgs", "--epochs", "2", "--out", model.toString(),
                "--report", lbfgs.toString()).exit());
        JsonNode r = ReportWriter.JSON.readTree(lbfgs.toFile());
        validate(r, "train");
        assertTrue(r.path("params").path("schedule").isNull());
        assertTrue(r.path("history").get(0).path("learning_rate").isNull(), "L-BFGS has no learning rate per epoch");
    }

    @Test
    void evidenceAndSecondOrderTrainReportsFollowTheDocumentedContract() throws Exception {
        Path model = dir.resolve("sine.safetensors");
        Path train = dir.resolve("train.json");
        assertEquals(0, Cli.run("train", "--data", "synthetic:sine:n=30", "--arch", "in(1) dense(4) tanh dense(1)", "--epochs",
                "20", "--optimizer", "kfac", "--out", model.toString(), "--report", train.toString()).exit());
        validate(ReportWriter.JSON.readTree(train.toFile()), "train");
        Path evidence = dir.resolve("evidence.json");
        Cli.Result r = Cli.run("evidence", "--model", model.toString(), "--data", "synthetic:sine:n=30", "--retrain", "--loops", "3",
                "--report", evidence.toString());
        assertEquals(0, r.exit(), r.toString());
        JsonNode e = ReportWriter.JSON.readTree(evidence.toFile());
        validate(e, "evidence");
        assertTrue(e.path("evidence").path("gamma").asDouble() <= e.path("evidence").path("parameters").asInt(), "γ ≤ k");
        Path variational = dir.resolve("variational.json");
        assertEquals(0, Cli.run("train", "--data", "synthetic:sine:n=30", "--arch", "in(1) dense(4) tanh dense(1)", "--epochs",
                "3", "--variational", "--snr-prune", "0.5", "--out", model.toString(), "--report", variational.toString()).exit());
        JsonNode v = ReportWriter.JSON.readTree(variational.toFile());
        validate(v, "train");
        assertEquals(0.5, v.path("params").path("snr_prune").asDouble());
    }

    @Test
    void pruneAndQuantizeReportsFollowTheDocumentedContract() throws Exception {
        Path model = dir.resolve("m.safetensors");
        Cli.Result t = Cli.run("train", "--data", "monk-1", "--arch", "in(17) dense(4) tanh dense(1) sigmoid", "--epochs", "60",
                "--threads", "1", "--out", model.toString());
        assertEquals(0, t.exit(), t.toString());
        Path pruned = dir.resolve("p.safetensors");

        Path obs = dir.resolve("obs.json");
        Cli.Result r = Cli.run("prune", "--model", model.toString(), "--data", "monk-1", "--method", "obs", "--sparsity", "auto",
                "--out", pruned.toString(), "--report", obs.toString());
        assertEquals(0, r.exit(), r.toString());
        JsonNode o = ReportWriter.JSON.readTree(obs.toFile());
        validate(o, "prune");
        assertTrue(o.has("pruning") && o.has("stages") && o.has("metrics_before"), o.toString());
        assertFalse(o.has("structured") || o.has("sweep") || o.has("quantization"), "only the sections that apply");
        assertEquals("auto", o.path("pruning").path("target").asText());
        assertTrue(o.path("provenance").path("calibration_indices").size() > 0, "calibration samples are recorded");

        Path exact = dir.resolve("exact.json");
        r = Cli.run("prune", "--model", model.toString(), "--data", "monk-1", "--method", "exact-obs", "--sparsity", "0.5",
                "--out", pruned.toString(), "--report", exact.toString());
        assertEquals(0, r.exit(), r.toString());
        JsonNode e = ReportWriter.JSON.readTree(exact.toFile());
        validate(e, "prune");
        assertEquals(2, e.path("pruning").path("layer_errors").size(), "one entry per layer");

        Path structured = dir.resolve("structured.json");
        r = Cli.run("prune", "--model", model.toString(), "--data", "monk-1", "--structured", "neurons", "--method", "kfac-obs",
                "--flops", "0.5", "--out", pruned.toString(), "--report", structured.toString());
        assertEquals(0, r.exit(), r.toString());
        JsonNode s = ReportWriter.JSON.readTree(structured.toFile());
        validate(s, "prune");
        assertFalse(s.has("pruning"));
        assertEquals(4, s.path("structured").path("widths").get(0).path("width_before").asInt());
        assertEquals(2, s.path("structured").path("widths").get(0).path("width_after").asInt(), "half the multiply-adds");

        Path recipe = dir.resolve("sweep.yaml");
        Path sweep = dir.resolve("sweep.json");
        Files.writeString(recipe, "model: " + model + "\ndata: monk-1\nreport: " + sweep + "\nsweep:\n"
                + "  methods: [magnitude, {method: obd}]\n  sparsities: [\"0.5\", \"0.75\"]\n");
        r = Cli.run("prune", "--recipe", recipe.toString());
        assertEquals(0, r.exit(), r.toString());
        JsonNode w = ReportWriter.JSON.readTree(sweep.toFile());
        validate(w, "prune");
        assertEquals(4, w.path("sweep").size(), "methods × sparsities");
        assertFalse(w.has("metrics_before") || w.has("stages"));

        Path quant = dir.resolve("quantize.json");
        r = Cli.run("quantize", "--model", model.toString(), "--data", "monk-1", "--bits", "4", "--prune", "0.5", "--out",
                dir.resolve("q.safetensors").toString(), "--report", quant.toString());
        assertEquals(0, r.exit(), r.toString());
        JsonNode q = ReportWriter.JSON.readTree(quant.toFile());
        validate(q, "quantize");
        assertEquals(4, q.path("params").path("bits").asInt());
        assertEquals(2, q.path("quantization").path("layers").size());
    }

    @Test
    void chartsAndCalibrationIndicesFitTheContractWhenPresent() throws Exception {
        Path model = dir.resolve("m.safetensors");
        Path md = dir.resolve("train.md");
        assertEquals(0, Cli.run("train", "--data", "xor", "--epochs", "2", "--out", model.toString(), "--report", md.toString()).exit());
        Report base = new Report("eval", "m.safetensors", "xor", 0L, null, Map.of(), 9, 9, 0, new Report.Metrics(1.0, 1.0, 0.1, 0.1),
                List.of(new Report.Layer("fc1.weight", List.of(2, 2), 4, 0)), Map.of("total", 1.0),
                new Report.Provenance("v", "c", "scalar", 1, List.of(3, 1, 2), "xor", "2025-01-01T00:00:00Z", "25"), null, null)
                .withCharts(List.of("train.sparsity.svg"));
        JsonNode tree = ReportWriter.JSON.valueToTree(base);
        walk(tree, "", "eval");
        assertEquals("train.sparsity.svg", tree.path("charts").get(0).asText());
        assertFalse(tree.has("history"), "absent, not null, outside train");
        assertNotNull(at(tree, "provenance.calibration_indices"));
    }

    @Test
    void theValidatorCatchesUndocumentedFieldsWrongTypesAndMissingOnes() throws Exception {
        Report r = new Report("eval", "m", "xor", 0L, null, Map.of(), 1, 1, 0, new Report.Metrics(1.0, 1.0, 0.1, 0.1), List.of(),
                Map.of("total", 1.0), new Report.Provenance("v", "c", "scalar", 1, null, null, "t", "25"), null, null);
        com.fasterxml.jackson.databind.node.ObjectNode extra = ReportWriter.JSON.valueToTree(r);
        extra.put("surprise", 1);
        org.junit.jupiter.api.Assertions.assertThrows(org.opentest4j.AssertionFailedError.class, () -> walk(extra, "", "eval"));
        com.fasterxml.jackson.databind.node.ObjectNode retyped = ReportWriter.JSON.valueToTree(r);
        retyped.put("total_weights", "one");
        org.junit.jupiter.api.Assertions.assertThrows(org.opentest4j.AssertionFailedError.class, () -> walk(retyped, "", "eval"));
        com.fasterxml.jackson.databind.node.ObjectNode missing = ReportWriter.JSON.valueToTree(r);
        missing.remove("sparsity");
        org.junit.jupiter.api.Assertions.assertThrows(org.opentest4j.AssertionFailedError.class, () -> validate(missing, "eval"));
    }

    @Test
    void csvHasOneRowPerLeafAndQuotesWhatNeedsIt() {
        assertEquals("plain", ReportWriter.csvField("plain"));
        assertEquals("\"a,b\"", ReportWriter.csvField("a,b"));
        assertEquals("\"say \"\"hi\"\"\"", ReportWriter.csvField("say \"hi\""));
        assertEquals("\"two\nlines\"", ReportWriter.csvField("two\nlines"));
        Report r = new Report("eval", "m, with comma.safetensors", "xor", null, null, Map.of("arch", "in(2) dense(1)"), 3, 2,
                1 / 3.0, new Report.Metrics(null, 0.5, null, 0.25), List.of(), Map.of("total", 0.5),
                new Report.Provenance("v", "c", "scalar", 1, null, null, "t", "25"), null, null);
        List<String> rows = ReportWriter.csv(r).lines().toList();
        assertEquals("key,value", rows.get(0));
        assertTrue(rows.contains("model,\"m, with comma.safetensors\""), rows.toString());
        assertTrue(rows.contains("metrics.train_accuracy,"), rows.toString());
        assertTrue(rows.contains("layers,"), "an empty array is one row: " + rows);
        assertTrue(rows.contains("params.arch,in(2) dense(1)"), rows.toString());
        Set<String> keys = rows.stream().skip(1).map(l -> l.substring(0, l.indexOf(','))).collect(Collectors.toSet());
        assertEquals(rows.size() - 1, keys.size(), "keys are unique");
    }
}
