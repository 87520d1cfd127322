package dev.surgeon.core.prune.experiments;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.surgeon.core.prune.structured.StructureAllocation;
import dev.surgeon.core.prune.structured.StructuredMethods;
import dev.surgeon.core.prune.structured.StructuredPlan;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Tiny versions of the experiments (a few nets, a few epochs, a synthetic 28 × 28 dataset in the MNIST layout): they run
 * end to end, produce their tables, and keep the properties that do not need full budgets.
 */
class ExperimentsSmokeTest {

    @Test
    void xorObsDeletionsKeepEveryPatternCorrect() {
        XorExperiment.Result r = XorExperiment.run(new XorExperiment.Options(6, 1, 3000, 0.5, 1e-6, 0.1));
        assertTrue(r.solved() >= 5, r.table());
        assertEquals(r.solved(), r.correct().get("OBS"), r.table());
        assertTrue(r.table().contains("| OBS |"));
    }

    @Test
    void monkObsRemovesWeightsWithoutLosingTrainingAccuracy() throws IOException {
        MonkExperiment.Result r = MonkExperiment.run(new MonkExperiment.Options(1, 0, null, 1, 150, 0.05, 1e-4, 1e-6));
        assertEquals(58, r.weightsBefore());
        assertTrue(r.weightsAfter() < r.weightsBefore(), r.row());
        assertEquals(r.report().before().trainAccuracy(), r.report().after().trainAccuracy(), 0, r.row());
        assertTrue(MonkExperiment.run(Map.of("problems", "2", "epochs", "20")).contains("| MONK-2 |"));
    }

    /** 28 × 28 images whose label is the brightest of 10 fixed stripes, in the MNIST file layout. */
    static Path syntheticMnist(Path dir, int train, int test) throws IOException {
        SplittableRandom r = new SplittableRandom(5);
        write(dir, "train", train, r);
        write(dir, "t10k", test, r);
        return dir;
    }

    private static void write(Path dir, String prefix, int n, SplittableRandom r) throws IOException {
        byte[] images = new byte[n * 784];
        byte[] labels = new byte[n];
        for (int i = 0; i < n; i++) {
            int label = r.nextInt(10);
            labels[i] = (byte) label;
            for (int p = 0; p < 784; p++) {
                int stripe = (p % 28) / 3 % 10;
                images[i * 784 + p] = (byte) (r.nextInt(60) + (stripe == label ? 150 : 0));
            }
        }
        try (DataOutputStream out = new DataOutputStream(Files.newOutputStream(dir.resolve(prefix + "-images-idx3-ubyte")))) {
            out.writeInt(0x803);
            out.writeInt(n);
            out.writeInt(28);
            out.writeInt(28);
            out.write(images);
        }
        try (DataOutputStream out = new DataOutputStream(Files.newOutputStream(dir.resolve(prefix + "-labels-idx1-ubyte")))) {
            out.writeInt(0x801);
            out.writeInt(n);
            out.write(labels);
        }
    }

    @Test
    void mlpnetSweepRunsEveryMethodAndChecksTheOrderings(@TempDir Path dir) throws IOException {
        syntheticMnist(dir, 300, 100);
        // K-FAC-OBS is left out: its 784 × 784 eigendecomposition in scalar kernels dominates; RunContractTest runs it.
        MlpnetSweep.Result r = MlpnetSweep.run(new MlpnetSweep.Options(dir, dir.resolve("mlpnet.safetensors"), List.of(0.9),
                List.of("magnitude", "diag-fisher[gradients=20]", "woodfisher[gradients=20]", "mfac[rounds=2;gradients=8]",
                        "cbs[gradients=30]"), List.of(0L)));
        assertTrue(r.dense() > 0.5, "the synthetic task is learnable: " + r.dense());
        String table = r.table();
        assertTrue(table.contains("| cbs[gradients=30] |") && table.contains("Orderings"), table);
        assertTrue(Files.isRegularFile(dir.resolve("mlpnet.safetensors")), "the dense model is cached");
        assertThrows(IllegalArgumentException.class, () -> MlpnetSweep.run(new MlpnetSweep.Options(dir,
                dir.resolve("mlpnet.safetensors"), List.of(0.5), List.of("obq"), List.of(0L))));
    }

    @Test
    void structuredExperimentsRunAndReportTheirTables(@TempDir Path dir) throws IOException {
        syntheticMnist(dir, 200, 100);
        String model = dir.resolve("mlp.safetensors").toString();
        String table = StructuredLenet.run(Map.of("net", "lenet-300-100", "data", dir.toString(), "model", model,
                "methods", "filter-norm,sosp-h", "flops", "0.5", "retrain-epochs", "1", "calibration", "50",
                "structured", "neurons", "latency-reps", "3"));
        assertTrue(table.contains("| filter-norm | 0.500 |") && table.contains("| sosp-h | 0.500 |"), table);
        String oracle = StructuredOracle.run(Map.of("net", "lenet-300-100", "data", dir.toString(), "model", model,
                "samples", "40", "taus", "0.05"));
        assertTrue(oracle.contains("| taylor-fo |") && oracle.contains("measured safe rate"), oracle);
    }

    @Test
    void structuredScheduleArgumentsReachThePresetsAsRoundsAndFinetuneSteps() {
        StructuredPlan iterative = StructuredMethods.plan("sosp-h",
                StructuredLenet.presetKnobs("per-flop", "all", 0.25, 1000, 1, 0.01, 4, 250));
        assertEquals(4, iterative.rounds());
        assertEquals(250, iterative.betweenSteps());
        assertEquals(0.25, iterative.keepFlops());
        assertEquals(StructureAllocation.Mode.PER_FLOP, iterative.allocation().mode());
        StructuredPlan oneShot = StructuredMethods.plan("filter-norm", StructuredLenet.presetKnobs(null, "all", 0.5, 1000, 1, 0.01, 1, 0));
        assertEquals(1, oneShot.rounds());
        assertEquals(0, oneShot.betweenSteps());
        assertEquals(StructureAllocation.Mode.UNIFORM, oneShot.allocation().mode(), "the preset's own allocation without @");
        // A bad schedule is refused before the data are read or the dense network is trained (the data folder does not exist).
        Map<String, String> base = Map.of("net", "lenet-5", "data", "/nonexistent/fashion-mnist");
        for (Map.Entry<String, String> bad : List.of(Map.entry("rounds", "0"), Map.entry("finetune-steps", "-1"),
                Map.entry("finetune-steps", "10"))) {
            Map<String, String> a = new HashMap<>(base);
            a.put(bad.getKey(), bad.getValue());
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> StructuredLenet.run(a));
            assertTrue(e.getMessage().contains(bad.getKey()), e.getMessage());
        }
        IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class,
                () -> StructuredLenet.run(Map.of("finetune_steps", "10")));
        assertTrue(unknown.getMessage().contains("rounds, finetune-steps"), unknown.getMessage());
    }

    @Test
    void lenetSnipAndHanRunAtEverySparsity(@TempDir Path dir) throws IOException {
        syntheticMnist(dir, 200, 100);
        LenetSparseTraining.Result r = LenetSparseTraining.run(new LenetSparseTraining.Options(dir, dir.resolve("lenet.safetensors"),
                List.of(0.9), 1, 1, 1, 0));
        assertEquals(2, r.rows().size());
        assertTrue(r.table().contains("| snip | 90 % |") && r.table().contains("| han | 90 % |"), r.table());
    }

    @Test
    void theRegistryNamesEveryExperiment() {
        assertEquals(List.of("xor", "monk", "mlpnet", "lenet", "structured", "structured-oracle"), Experiments.all().stream().map(Experiments.Entry::name).toList());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Experiments.named("cifar"));
        assertTrue(e.getMessage().contains("xor, monk, mlpnet, lenet"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Experiments.arguments(List.of("nets")));
    }
}
