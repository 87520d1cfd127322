package dev.surgeon.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.surgeon.core.io.ModelFile;
import dev.surgeon.core.io.SavedModel;
import dev.surgeon.core.prune.PruningMethods;
import dev.surgeon.core.prune.structured.StructuredMethods;
import dev.surgeon.kernels.Kernels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code surgeon prune} and {@code surgeon quantize}: parsing (options and recipe files become the same knobs), the
 * prune → save → inspect → eval round trip on MONK-1, a recipe and its command line giving the same weights, structured
 * pruning saving a smaller network, quantized models, and every user mistake as one line with its exit code.
 */
class PruneCommandTest {
    @TempDir
    static Path shared;

    @TempDir
    Path dir;

    /** MONK-1 with the OBS paper's 17-3-1 network, trained once for the whole class (deterministic, 1 thread). */
    private static Path monk1;

    @BeforeAll
    static void trainMonk1() {
        monk1 = shared.resolve("monk1.safetensors");
        ok("train", "--data", "monk-1", "--threads", "1", "--seed", "0", "--out", monk1.toString());
    }

    private static Cli.Result ok(String... args) {
        Cli.Result r = Cli.run(args);
        assertEquals(ExitCodes.OK, r.exit(), r.toString());
        return r;
    }

    private static Cli.Result fails(int exit, String fragment, String... args) {
        Cli.Result r = Cli.run(args);
        assertEquals(exit, r.exit(), r.toString());
        assertTrue(r.err().contains(fragment), "stderr lacks '" + fragment + "':\n" + r);
        assertEquals(1, r.errLines(), "one line:\n" + r.err());
        return r;
    }

    private static PruneCommand parse(String... args) {
        return (PruneCommand) new CommandLine(new SurgeonCommand()).parseArgs(args).subcommand().commandSpec().userObject();
    }

    private static float[] weights(Path model) throws Exception {
        return ModelFile.read(model, Kernels.get()).network().parameters().clone();
    }

    @Test
    void theShortcutOptionsBecomeTheMethodsKnobs() {
        PruneCommand c = parse("prune", "--model", "m.safetensors", "--data", "monk-1", "--method", "woodfisher", "--sparsity",
                "0.6", "--calibration", "64", "--damp", "1e-4", "--recompute", "3", "--finetune-epochs", "2", "--set",
                "update=joint", "--out", "p.safetensors", "--report", "p.md");
        Recipe r = c.fromOptions();
        assertEquals("m.safetensors", r.model);
        assertEquals("p.md", r.report);
        PruneStep step = r.steps.get(0).prune;
        assertEquals(Map.of("sparsity", "0.6", "gradients", "64", "damping", "1.0E-4", "schedule", "rounds", "rounds", "3",
                "retrain_epochs", "2", "update", "joint"), step.knobs(PruningMethods.named("woodfisher")));
        // The same shortcut reaches each method's own knob: obs has alpha for --damp and calibration for --calibration.
        PruneStep obs = parse("prune", "--model", "m", "--data", "xor", "--method", "obs", "--damp", "1e-6", "--calibration",
                "10", "--out", "o").fromOptions().steps.get(0).prune;
        assertEquals(Map.of("alpha", "1.0E-6", "calibration", "10"), obs.knobs(PruningMethods.named("obs")));
        PruneStep s = parse("prune", "--model", "m", "--data", "xor", "--structured", "filters", "--method", "kfac-obs", "--flops",
                "0.25", "--damp", "0.01", "--out", "o").fromOptions().steps.get(0).prune;
        assertTrue(s.isStructured());
        assertEquals(Map.of("structured", "filters", "flops", "0.25", "damping", "0.01"), s.knobs(StructuredMethods.named("kfac-obs")));
        PruneCommand none = parse("prune", "--recipe", "r.yaml");
        assertNull(none.step.method);
        assertEquals(Path.of("r.yaml"), none.recipe);
    }

    @Test
    void quantizeParsesItsOptionsWithOBCsDefaultsAndBuildsTheMethod() {
        QuantizeCommand q = (QuantizeCommand) new CommandLine(new SurgeonCommand()).parseArgs("quantize", "--model", "m", "--data",
                "monk-1", "--bits", "4", "--out", "q").subcommand().commandSpec().userObject();
        assertEquals(4, q.bits);
        assertEquals("obq", q.method);
        assertEquals(QuantizeCommand.DEFAULT_CALIBRATION, q.calibration);
        assertEquals(0, q.seed);
        assertNull(q.prune);
        assertNull(q.damp);
        assertEquals("OBQ 4-bit asymmetric", q.method().name());
        q.prune = 0.5;
        assertEquals("OBQ 4-bit asymmetric after ExactOBS unstructured 50%", q.method().name());
        q.prune = null;
        q.pattern = "nm:keep=2,group=4";
        q.symmetric = true;
        assertTrue(q.method().name().startsWith("OBQ 4-bit symmetric after ExactOBS"), q.method().name());
        q.pattern = null;
        q.method = "gptq";
        assertTrue(q.method().name().startsWith("GPTQ 4-bit symmetric"), q.method().name());
    }

    @Test
    void aRecipeEntryParsesToTheSameKnobsAsTheCommandLine() throws Exception {
        Map<String, String> cli = parse("prune", "--model", "m", "--data", "monk-1", "--method", "woodfisher", "--sparsity", "0.6",
                "--calibration", "64", "--recompute", "3", "--set", "update=joint", "--out", "o").fromOptions()
                .steps.get(0).prune.knobs(PruningMethods.named("woodfisher"));
        Path yaml = dir.resolve("r.yaml");
        Files.writeString(yaml, """
                model: m
                data: monk-1
                out: o
                steps:
                  - prune: {method: woodfisher, sparsity: "0.6", calibration: 64, recompute: 3, set: {update: joint}}
                  - finetune: {epochs: 2, lr: 0.05}
                  - magnitude
                """.replace("  - magnitude", "  - prune: magnitude"));
        Recipe r = Recipe.read(yaml);
        assertEquals(cli, r.steps.get(0).prune.knobs(PruningMethods.named("woodfisher")));
        assertEquals(2, r.steps.get(1).finetune.epochs);
        assertEquals(0.05, r.steps.get(1).finetune.lr);
        assertEquals("magnitude", r.steps.get(2).prune.method, "a method name alone is a step with the defaults");
        Path json = dir.resolve("r.json");
        Files.writeString(json, """
                {"model": "m", "data": "monk-1", "out": "o",
                 "steps": [{"prune": {"method": "woodfisher", "sparsity": "0.6", "calibration": 64, "recompute": 3,
                            "set": {"update": "joint"}}}]}
                """);
        assertEquals(cli, Recipe.read(json).steps.get(0).prune.knobs(PruningMethods.named("woodfisher")));
    }

    @Test
    void pruneSaveInspectEvalRoundTripWithTheStoppingRule() throws Exception {
        Path pruned = dir.resolve("out/obs.safetensors");
        Path report = dir.resolve("obs.json");
        Cli.Result p = ok("prune", "--model", monk1.toString(), "--data", "monk-1", "--method", "obs", "--sparsity", "auto",
                "--threads", "1", "--out", pruned.toString(), "--report", report.toString());
        assertTrue(p.out().contains("stopping rule"), p.out());
        JsonNode r = ReportWriter.JSON.readTree(report.toFile());
        assertEquals("prune", r.path("command").asText());
        assertEquals("obs", r.path("method").asText());
        assertEquals(58, r.path("total_weights").asInt(), "17-3-1 has 58 weights (OBS paper)");
        // The stopping rule keeps the training accuracy: MONK-1 is learned perfectly, so it stays at 100 %.
        assertEquals(1.0, r.path("metrics_before").path("train_accuracy").asDouble());
        assertEquals(1.0, r.path("metrics").path("train_accuracy").asDouble());
        int nonzero = r.path("nonzero_weights").asInt();
        assertTrue(nonzero < 58 / 2, "OBS removes most of MONK-1's weights, kept " + nonzero);

        SavedModel saved = ModelFile.read(pruned, Kernels.get());
        assertNotNull(saved.mask(), "the mask is saved");
        assertEquals(58 - nonzero, saved.mask().prunedCount(), "every zero is a masked weight (biases are not pruned by obs)");
        assertEquals("obs", saved.provenance().entries().get("surgeon.prune.method"));
        assertTrue(saved.provenance().entries().containsKey("surgeon.prune.calibration_indices"));

        Cli.Result inspect = ok("inspect", pruned.toString());
        assertTrue(inspect.out().contains("surgeon.prune.method"), inspect.out());
        assertTrue(inspect.out().contains(nonzero + " non-zero"), inspect.out());
        Path eval = dir.resolve("eval.json");
        ok("eval", "--model", pruned.toString(), "--data", "monk-1", "--report", eval.toString());
        JsonNode e = ReportWriter.JSON.readTree(eval.toFile());
        assertEquals(r.path("metrics").path("test_accuracy").asDouble(), e.path("metrics").path("test_accuracy").asDouble());
        assertEquals(r.path("metrics").path("train_loss").asDouble(), e.path("metrics").path("train_loss").asDouble(), 1e-12,
                "eval regenerates the same MONK training set from the recorded seed");
        assertEquals(nonzero, e.path("nonzero_weights").asInt());
    }

    @Test
    void aRecipeAndItsCommandLineGiveTheSameWeightsAndMarkdownReportsComeWithCharts() throws Exception {
        Path fromCli = dir.resolve("cli.safetensors");
        Path md = dir.resolve("cli.md");
        ok("prune", "--model", monk1.toString(), "--data", "monk-1", "--method", "woodfisher", "--sparsity", "0.5",
                "--calibration", "64", "--recompute", "2", "--seed", "3", "--threads", "1", "--out", fromCli.toString(), "--report",
                md.toString());
        assertTrue(Files.isRegularFile(dir.resolve("cli.sparsity.svg")), "chart beside the report");
        String text = Files.readString(md);
        for (String h : List.of("# surgeon prune", "## Metrics", "## Pruning", "## Stages", "## Layers", "## Parameters")) {
            assertTrue(text.contains(h), h + " in\n" + text);
        }
        Path fromRecipe = dir.resolve("recipe.safetensors");
        Path yaml = dir.resolve("r.yaml");
        Files.writeString(yaml, "model: " + monk1 + "\ndata: monk-1\nseed: 3\nthreads: 1\nout: " + fromRecipe + "\nsteps:\n"
                + "  - prune: {method: woodfisher, sparsity: \"0.5\", calibration: 64, recompute: 2}\n");
        ok("prune", "--recipe", yaml.toString());
        assertArrayEquals(weights(fromCli), weights(fromRecipe), "one code path: same seed, same weights");

        // A different seed draws other gradient samples: the test above could fail.
        Path other = dir.resolve("other.safetensors");
        ok("prune", "--model", monk1.toString(), "--data", "monk-1", "--method", "woodfisher", "--sparsity", "0.5",
                "--calibration", "64", "--recompute", "2", "--seed", "4", "--threads", "1", "--out", other.toString());
        assertTrue(!java.util.Arrays.equals(weights(fromCli), weights(other)), "the seed matters");
    }

    @Test
    void aRecipeRunsSeveralStepsOnOneNetwork() throws Exception {
        Path out = dir.resolve("steps.safetensors");
        Path report = dir.resolve("steps.csv");
        Path yaml = dir.resolve("steps.yaml");
        Files.writeString(yaml, "model: " + monk1 + "\ndata: monk-1\nthreads: 1\nout: " + out + "\nreport: " + report + "\n"
                + "steps:\n  - prune: {method: magnitude, sparsity: \"0.3\"}\n  - finetune: {epochs: 2}\n"
                + "  - prune: {method: obd, sparsity: \"0.6\"}\n");
        Cli.Result r = ok("prune", "--recipe", yaml.toString());
        assertTrue(r.out().contains("step 3: prune with obd"), r.out());
        List<String> rows = Files.readAllLines(report);
        assertTrue(rows.contains("stages.0.kind,prune") && rows.contains("stages.1.kind,finetune")
                && rows.contains("stages.2.method,obd"), rows.toString());
        // The second step prunes to 60 % of the 54 prunable weights, keeping the first step's zeros.
        assertEquals(58 - Math.round(0.6 * 54), ModelFile.read(out, Kernels.get()).network().layout().size()
                - ModelFile.read(out, Kernels.get()).mask().prunedCount());
    }

    @Test
    void structuredPruningSavesThePhysicallySmallerNetwork() throws Exception {
        Path wide = dir.resolve("wide.safetensors");
        ok("train", "--data", "monk-1", "--arch", "in(17) dense(8) tanh dense(1) sigmoid", "--epochs", "100", "--threads", "1",
                "--out", wide.toString());
        Path out = dir.resolve("narrow.safetensors");
        Path md = dir.resolve("narrow.md");
        Cli.Result r = ok("prune", "--model", wide.toString(), "--data", "monk-1", "--structured", "neurons", "--method",
                "sosp-h", "--flops", "0.5", "--finetune-epochs", "3", "--out", out.toString(), "--report", md.toString());
        assertTrue(r.out().contains("in(17) dense(8) tanh dense(1) sigmoid → in(17) dense(4) tanh dense(1) sigmoid"), r.out());
        SavedModel saved = ModelFile.read(out, Kernels.get());
        assertEquals("in(17) dense(4) tanh dense(1) sigmoid", saved.network().spec().toString());
        assertEquals(17 * 4 + 4 + 4 + 1, saved.network().parameterCount());
        String text = Files.readString(md);
        assertTrue(text.contains("## Structured pruning") && text.contains("| fc1 | 8 | 4 |"), text);
        assertTrue(Files.readString(dir.resolve("narrow.widths.svg")).contains("<svg"), "width chart beside the report");
        ok("eval", "--model", out.toString(), "--data", "monk-1");
        // The next-layer refit through the generic knob switch: reported per refitted layer.
        Cli.Result refit = ok("prune", "--model", wide.toString(), "--data", "monk-1", "--structured", "neurons", "--method",
                "filter-norm", "--flops", "0.5", "--set", "reconstruct=true", "--out", dir.resolve("refit.safetensors").toString());
        assertTrue(refit.out().contains("reconstruct=true") && refit.out().contains("refit fc2: 4 input columns removed"),
                refit.out());
    }

    @Test
    void quantizeSavesCodesThatDequantizeToTheNetworksWeights() throws Exception {
        Path out = dir.resolve("q.safetensors");
        Cli.Result r = ok("quantize", "--model", monk1.toString(), "--data", "monk-1", "--bits", "3", "--threads", "1", "--out",
                out.toString());
        assertTrue(r.out().contains("saved " + out + " (2 quantized tensors, 3 bits)"), r.out());
        List<ModelFile.Quantization> q = ModelFile.readQuantization(out);
        assertEquals(2, q.size());
        SavedModel saved = ModelFile.read(out, Kernels.get());
        var t = saved.network().layout().tensor(q.get(0).tensor());
        int cols = t.shape()[1];
        for (int i = 0; i < q.get(0).codes().length; i++) {
            int row = i / cols;
            assertTrue(Byte.toUnsignedInt(q.get(0).codes()[i]) < 8, "3-bit codes");
            // Exact: the network holds the float dequantized values themselves.
            assertEquals(q.get(0).value(row, i), saved.network().parameters()[t.offset() + i]);
        }
        Cli.Result e = ok("eval", "--model", out.toString(), "--data", "monk-1");
        assertTrue(e.out().contains("test"), e.out());
    }

    @Test
    void userMistakesAreOneLineWithTheDocumentedExitCode() throws Exception {
        String m = monk1.toString();
        String o = dir.resolve("x.safetensors").toString();
        fails(ExitCodes.USAGE, "unknown pruning method 'foo'", "prune", "--model", m, "--data", "monk-1", "--method", "foo", "--out", o);
        fails(ExitCodes.USAGE, "sparsity must be in [0, 1)", "prune", "--model", m, "--data", "monk-1", "--method", "obs",
                "--sparsity", "1.5", "--out", o);
        fails(ExitCodes.USAGE, "keep=N must satisfy", "prune", "--model", m, "--data", "monk-1", "--method", "magnitude",
                "--pattern", "nm:keep=5,group=4", "--out", o);
        fails(ExitCodes.USAGE, "unknown sparsity pattern 'zigzag'", "prune", "--model", m, "--data", "monk-1", "--method",
                "magnitude", "--pattern", "zigzag", "--out", o);
        fails(ExitCodes.INPUT, "no such file", "prune", "--model", dir.resolve("none.safetensors").toString(), "--data", "monk-1",
                "--method", "obs", "--out", o);
        fails(ExitCodes.INPUT, "does not fit the network", "prune", "--model", m, "--data", "xor", "--method", "obs", "--out", o);
        fails(ExitCodes.USAGE, "--percdamp does not apply to obs", "prune", "--model", m, "--data", "monk-1", "--method", "obs",
                "--percdamp", "0.01", "--out", o);
        fails(ExitCodes.USAGE, "add --structured", "prune", "--model", m, "--data", "monk-1", "--method", "taylor", "--out", o);
        fails(ExitCodes.USAGE, "--sparsity does not apply to structured pruning", "prune", "--model", m, "--data", "monk-1",
                "--structured", "neurons", "--method", "taylor", "--sparsity", "0.5", "--out", o);
        fails(ExitCodes.USAGE, "no output model", "prune", "--model", m, "--data", "monk-1", "--method", "obs");
        fails(ExitCodes.USAGE, "quantization bits must be in 2..8", "quantize", "--model", m, "--data", "monk-1", "--bits", "9",
                "--out", o);
        fails(ExitCodes.INPUT, "does not fit the network", "quantize", "--model", m, "--data", "xor", "--bits", "4", "--out", o);
        Path bad = dir.resolve("bad.yaml");
        Files.writeString(bad, "model: " + m + "\ndata: monk-1\nout: " + o + "\nsteps:\n  - prune: {method: obs, sparsty: 0.5}\n");
        fails(ExitCodes.USAGE, "unknown field 'sparsty' at steps[0].prune", "prune", "--recipe", bad.toString());
        Files.writeString(bad, "model: " + m + "\nsteps:\n  - prune: {method: obs\n");
        fails(ExitCodes.INPUT, "recipe " + bad + " (line", "prune", "--recipe", bad.toString());
        fails(ExitCodes.INPUT, "no such file", "prune", "--recipe", dir.resolve("none.yaml").toString());
        fails(ExitCodes.USAGE, "cannot be given with it", "prune", "--recipe", bad.toString(), "--method", "obs");
        assertTrue(!Files.exists(Path.of(o)), "nothing written by a refused run");
    }

    @Test
    void helpDocumentsEveryMethodAndKnobWithItsDefault() {
        Cli.Result help = ok("prune", "--help");
        for (String method : PruningMethods.names()) {
            assertTrue(help.out().contains("  " + method + ": "), method + " in\n" + help.out());
        }
        for (String method : StructuredMethods.names()) {
            assertTrue(help.out().contains("  " + method + ": "), method + " in\n" + help.out());
        }
        assertTrue(help.out().contains("alpha [1e-6]"), "obs's own knob with its default (METHODS B3):\n" + help.out());
        assertTrue(help.out().contains("Exit codes:"), help.out());
        // Off a terminal the help is 80 columns; the generated footer must fit, or picocli re-wraps it into ragged lines.
        List<String> shown = help.out().lines().toList();
        for (String line : MethodHelp.compact(79)) {
            assertTrue(shown.contains(line), "the footer line is shown as generated: '" + line + "'");
        }
        Cli.Result list = ok("prune", "--list-methods", "woodfisher");
        assertTrue(list.out().startsWith("woodfisher: "), list.out());
        assertTrue(list.out().contains("gradients="), list.out());
        Cli.Result q = ok("quantize", "--help");
        assertTrue(q.out().contains("--bits") && q.out().contains("Default: 1024 (OBC)"), q.out());
    }
}
