package dev.surgeon.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.surgeon.core.io.ModelFile;
import dev.surgeon.core.io.SafeTensors;
import dev.surgeon.core.io.SavedModel;
import dev.surgeon.core.io.Tensor;
import dev.surgeon.kernels.Kernels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** train → save → inspect → eval on XOR and MONK-1, in this JVM, with the documented defaults. */
class RoundTripTest {
    @TempDir
    Path dir;

    private static JsonNode json(Path file) throws Exception {
        return ReportWriter.JSON.readTree(file.toFile());
    }

    private static Cli.Result ok(String... args) {
        Cli.Result r = Cli.run(args);
        assertEquals(ExitCodes.OK, r.exit(), r.toString());
        return r;
    }

    @Test
    void xorTrainsToFullAccuracyWithTheDefaultsAndRoundTripsThroughInspectAndEval() throws Exception {
        Path model = dir.resolve("xor.safetensors");
        Path report = dir.resolve("xor.json");
        Cli.Result train = ok("train", "--data", "xor", "--threads", "1", "--out", model.toString(), "--report", report.toString());
        assertTrue(train.out().contains("final: train loss"), train.out());
        assertTrue(train.out().contains("saved " + model), train.out());
        // The table: the first epoch and every 50th of 1000, nothing else.
        long rows = train.out().lines().filter(l -> l.matches(" *\\d+ .*%.*")).count();
        assertEquals(1 + 20, rows, train.out());

        JsonNode r = json(report);
        assertEquals(1.0, r.path("metrics").path("test_accuracy").asDouble(), "XOR solved with the documented defaults");
        assertEquals(1.0, r.path("metrics").path("train_accuracy").asDouble());
        assertEquals(1000, r.path("history").size());
        assertEquals("momentum", r.path("method").asText());
        assertEquals(9, r.path("total_weights").asInt());

        Cli.Result inspect = ok("inspect", model.toString());
        assertTrue(inspect.out().contains("Surgeon model file (format 1)"), inspect.out());
        assertTrue(inspect.out().contains("architecture: in(2) dense(2) sigmoid dense(1) sigmoid"), inspect.out());
        assertTrue(inspect.out().contains("surgeon.train.optimizer"), inspect.out());
        assertTrue(inspect.out().matches("(?s).*fc1\\.weight +F32 +\\[2, 2] +4/4 +0\\.00%.*"), inspect.out());

        Path csv = dir.resolve("eval.csv");
        Cli.Result eval = ok("eval", "--model", model.toString(), "--data", "xor", "--report", csv.toString());
        assertTrue(eval.out().contains("loss: mse-sum"), "eval uses the loss recorded by train:\n" + eval.out());
        assertTrue(eval.out().matches("(?s).*test +4 +\\S+ +100\\.00 %.*"), eval.out());
        List<String> lines = Files.readAllLines(csv);
        assertEquals("key,value", lines.get(0));
        assertTrue(lines.contains("command,eval"), lines.toString());
        assertTrue(lines.contains("metrics.test_accuracy,1.0"), lines.toString());
        assertTrue(lines.contains("layers.0.name,fc1.weight"), lines.toString());
        assertTrue(lines.contains("method,"), "null is an empty value: " + lines);
    }

    @Test
    void monk1ReachesFullTestAccuracyAndEvalReproducesTheTrainingMetrics() throws Exception {
        Path model = dir.resolve("models/monk1.safetensors"); // the directory is created
        Path md = dir.resolve("out/monk1.md");
        Cli.Result train = ok("train", "--data", "monk-1", "--threads", "1", "--seed", "0", "--out", model.toString(),
                "--report", md.toString());
        String text = Files.readString(md);
        for (String heading : List.of("# surgeon train", "## Metrics", "## Training", "## Layers", "## Parameters", "## Timings")) {
            assertTrue(text.contains(heading), "missing " + heading + " in\n" + text);
        }
        assertTrue(text.contains("![monk1.loss.svg](monk1.loss.svg)"), text);
        assertTrue(Files.size(dir.resolve("out/monk1.loss.svg")) > 1000);
        assertTrue(Files.size(dir.resolve("out/monk1.accuracy.svg")) > 1000);
        assertTrue(text.contains("| test | "), text);
        assertTrue(train.out().contains("accuracy 100.00 %"), "MONK-1 is learnable exactly:\n" + train.out());

        // eval regenerates the same training subset from the seed recorded in the model file.
        Path evalJson = dir.resolve("eval.json");
        Cli.Result eval = ok("eval", "--model", model.toString(), "--data", "monk-1", "--report", evalJson.toString());
        assertTrue(eval.out().matches("(?s).*train +124 .*test +432 .*"), "124 training, 432 test examples:\n" + eval.out());
        JsonNode e = json(evalJson);
        assertEquals(1.0, e.path("metrics").path("test_accuracy").asDouble());
        assertEquals(0, e.path("seed").asLong());
        String recorded = modelMetadata(model).get("surgeon.metrics.train_loss");
        // Same network and data; train evaluated in batches of 8, eval of 256: only the order of the double sum differs.
        assertEquals(Double.parseDouble(recorded), e.path("metrics").path("train_loss").asDouble(), 1e-12 * Double.parseDouble(recorded),
                "the same network on the same data");
    }

    private static Map<String, String> modelMetadata(Path model) throws Exception {
        try (SafeTensors st = SafeTensors.open(model)) {
            return st.metadata();
        }
    }

    @Test
    void sameSeedAndOneThreadGiveBitIdenticalWeights() throws Exception {
        Path a = dir.resolve("a.safetensors");
        Path b = dir.resolve("b.safetensors");
        Path c = dir.resolve("c.safetensors");
        ok("train", "--data", "monk-2", "--epochs", "20", "--threads", "1", "--seed", "5", "--out", a.toString());
        ok("train", "--data", "monk-2", "--epochs", "20", "--threads", "1", "--seed", "5", "--out", b.toString());
        ok("train", "--data", "monk-2", "--epochs", "20", "--threads", "1", "--seed", "6", "--out", c.toString());
        float[] pa = ModelFile.read(a, Kernels.scalar()).network().parameters();
        float[] pb = ModelFile.read(b, Kernels.scalar()).network().parameters();
        float[] pc = ModelFile.read(c, Kernels.scalar()).network().parameters();
        assertArrayEquals(pa, pb);
        assertTrue(!java.util.Arrays.equals(pa, pc), "another seed, another net");
    }

    @Test
    void everyOptimizerTrainsAndLbfgsRunsFullBatch() {
        for (OptimizerChoice o : OptimizerChoice.values()) {
            Path m = dir.resolve(o.label() + ".safetensors");
            Cli.Result r = ok("train", "--data", "xor", "--optimizer", o.label(), "--epochs", "3", "--out", m.toString());
            // momentum is XOR's default optimizer and keeps XOR's rate; the others start from their own.
            double lr = o == OptimizerChoice.MOMENTUM ? 0.5 : o.defaultLearningRate(SecondOrderOptions.Rescaling.QUADRATIC_MODEL);
            assertTrue(r.out().contains("training: " + o.label() + ", lr " + lr), r.out());
        }
    }

    @Test
    void csvDataGetsADerivedNetworkAndRegressionHasNoAccuracy() throws Exception {
        StringBuilder csv = new StringBuilder("a,b,y\n");
        java.util.SplittableRandom random = new java.util.SplittableRandom(3);
        for (int i = 0; i < 100; i++) {
            double a = random.nextDouble(-1, 1);
            double b = random.nextDouble(-1, 1);
            csv.append(a).append(',').append(b).append(',').append(0.5 * a - b * b).append('\n');
        }
        Path file = Files.writeString(dir.resolve("reg.csv"), csv);
        Path model = dir.resolve("reg.safetensors");
        Path report = dir.resolve("reg.json");
        String data = "csv:" + file + ":label=y:task=regression";
        Cli.Result r = ok("train", "--data", data, "--epochs", "5", "--out", model.toString(), "--report", report.toString());
        assertTrue(r.out().contains("network: in(2) dense(32) relu dense(1)"), r.out());
        assertTrue(r.out().contains("loss mse-mean"), r.out());
        assertTrue(r.out().contains("final: train loss ") && r.out().contains(", accuracy -;"), r.out());
        JsonNode j = json(report);
        assertTrue(j.path("metrics").path("test_accuracy").isNull(), j.toString());
        assertTrue(j.path("history").get(0).path("train_accuracy").isNull());
        Cli.Result e = ok("eval", "--model", model.toString(), "--data", data);
        assertTrue(e.out().matches("(?s).*test +20 +\\S+ +- *\n.*"), e.out());
    }

    @Test
    void aPyTorchStateDictIsImportedForEvalWithTheMappingShown() throws Exception {
        Path model = dir.resolve("xor.safetensors");
        ok("train", "--data", "xor", "--threads", "1", "--out", model.toString());
        // The same tensors as nn.Sequential(Linear, Sigmoid, Linear, Sigmoid).state_dict() would name them.
        List<Tensor> torch = new ArrayList<>();
        try (SafeTensors st = SafeTensors.open(model)) {
            for (String name : st.names()) {
                torch.add(st.read(name).renamed(name.replace("fc1.", "0.").replace("fc2.", "2.")));
            }
        }
        Path sd = dir.resolve("state_dict.safetensors");
        SafeTensors.write(sd, torch, Map.of("format", "pt"));

        Cli.Result plain = Cli.run("eval", "--model", sd.toString(), "--data", "xor");
        assertEquals(ExitCodes.INPUT, plain.exit(), plain.toString());
        assertTrue(plain.err().contains("--arch"), plain.err());

        Cli.Result imported = ok("eval", "--model", sd.toString(), "--arch", "xor", "--data", "xor", "--loss", "mse-sum");
        assertTrue(imported.out().contains("imported " + sd + " in layer order:"), imported.out());
        assertTrue(imported.out().contains("0.weight -> fc1.weight F32[2, 2]"), imported.out());
        assertTrue(imported.out().matches("(?s).*test +4 +\\S+ +100\\.00 %.*"), imported.out());

        Cli.Result listing = ok("inspect", sd.toString());
        assertTrue(listing.out().contains("not a Surgeon model"), listing.out());
        assertTrue(listing.out().contains("format  pt"), listing.out());
        SavedModel original = ModelFile.read(model, Kernels.scalar());
        assertEquals(9, original.network().parameterCount());
    }

    /**
     * With two kernel threads the trainer splits each batch into two data-parallel shards and says so; with one
     * thread it does not split (and does not say so). Both runs are reproducible: the same command gives the same
     * weights twice.
     */
    @Test
    void trainWithTwoThreadsSaysItSplitsBatchesAndIsReproducible() throws Exception {
        Path a = dir.resolve("a.safetensors");
        Path b = dir.resolve("b.safetensors");
        Cli.Result two = ok("train", "--data", "monk-1", "--threads", "2", "--batch-size", "32", "--epochs", "3", "--out", a.toString());
        ok("train", "--data", "monk-1", "--threads", "2", "--batch-size", "32", "--epochs", "3", "--out", b.toString());
        boolean multiThreaded = Kernels.get().withThreads(2).threads() == 2;
        assertEquals(multiThreaded, two.out().contains("data-parallel: each batch split into 2 shards"), two.out());
        Cli.Result one = ok("train", "--data", "monk-1", "--threads", "1", "--batch-size", "32", "--epochs", "3", "--out",
                dir.resolve("c.safetensors").toString());
        assertTrue(!one.out().contains("data-parallel"), one.out());
        assertArrayEquals(ModelFile.read(a, Kernels.scalar()).network().parameters(),
                ModelFile.read(b, Kernels.scalar()).network().parameters(), "same seed and threads: the same weights");
    }
}
