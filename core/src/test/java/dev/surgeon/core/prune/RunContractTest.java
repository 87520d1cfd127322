package dev.surgeon.core.prune;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.surgeon.core.data.Dataset;
import dev.surgeon.core.io.ModelFile;
import dev.surgeon.core.io.Provenance;
import dev.surgeon.core.io.SavedModel;
import dev.surgeon.core.nn.Loss;
import dev.surgeon.core.nn.Network;
import dev.surgeon.kernels.Kernels;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What every run promises: determinism, masks that survive a model file, an honest report, FLOP counts. */
class RunContractTest {

    private static PruningContext copyOf(PruningContext base, long seed, boolean biases) {
        Network net = base.network().copy(Kernels.scalar());
        return PruningContext.builder(net, base.loss(), base.train()).seed(seed).pruneBiases(biases).build();
    }

    @Test
    void theSameSeedGivesTheSameMaskAndWeightsForEveryRandomizedMethod() {
        PruningContext base = Fixtures.trainedContext("in(6) dense(8) relu dense(3)", 120, 71, false);
        Map<String, Map<String, String>> methods = Map.of(
                "random", Map.of("sparsity", "0.6"),
                "woodfisher", Map.of("sparsity", "0.6", "gradients", "16"),
                "mfac", Map.of("sparsity", "0.6", "gradients", "6", "gradient_batch", "8", "rounds", "2"),
                "cbs", Map.of("sparsity", "0.6", "gradients", "16", "start", "randomized", "restarts", "2"),
                "kfac-obs", Map.of("sparsity", "0.6", "calibration", "40", "batch", "20"),
                "han", Map.of("sparsity", "0.6", "rounds", "2", "finetune_epochs", "1", "retrain_epochs", "0"),
                "snip", Map.of("sparsity", "0.6", "snip_batch", "20", "retrain_epochs", "1"));
        for (Map.Entry<String, Map<String, String>> e : methods.entrySet()) {
            PruningContext a = copyOf(base, 5, false);
            PruningContext b = copyOf(base, 5, false);
            PruningReport ra = PruningRun.execute(a, PruningMethods.plan(e.getKey(), e.getValue()));
            PruningReport rb = PruningRun.execute(b, PruningMethods.plan(e.getKey(), e.getValue()));
            assertEquals(a.mask(), b.mask(), e.getKey() + ": masks");
            assertArrayEquals(a.network().parameters(), b.network().parameters(), e.getKey() + ": weights");
            assertArrayEquals(ra.calibrationIndices(), rb.calibrationIndices(), e.getKey() + ": calibration samples");
        }
        PruningContext c = copyOf(base, 6, false);
        PruningReport other = PruningRun.execute(c, PruningMethods.plan("woodfisher", Map.of("sparsity", "0.6", "gradients", "16")));
        PruningContext d = copyOf(base, 5, false);
        PruningReport same = PruningRun.execute(d, PruningMethods.plan("woodfisher", Map.of("sparsity", "0.6", "gradients", "16")));
        assertFalse(java.util.Arrays.equals(other.calibrationIndices(), same.calibrationIndices()), "another seed draws other samples");
    }

    @Test
    void masksSurviveSaveAndLoadThroughTheModelFile(@TempDir Path dir) throws IOException {
        PruningContext ctx = Fixtures.trainedContext("in(6) dense(8) relu dense(3)", 60, 72, false);
        PruningRun.execute(ctx, PruningMethods.plan("woodfisher", Map.of("sparsity", "0.7", "gradients", "10")));
        Path file = dir.resolve("pruned.safetensors");
        ModelFile.write(file, ctx.network(), ctx.mask(), Provenance.unknown());
        SavedModel saved = ModelFile.read(file, Kernels.scalar());
        assertEquals(ctx.mask(), saved.mask());
        assertArrayEquals(ctx.network().parameters(), saved.network().parameters());
        // Continuing from the saved mask: nothing is revived, and a lower target is refused.
        PruningContext again = PruningContext.builder(saved.network(), ctx.loss(), ctx.train()).mask(saved.mask()).build();
        assertEquals(ctx.prunedCount(), again.prunedCount());
        assertThrows(IllegalArgumentException.class,
                () -> PruningRun.execute(again, PruningMethods.plan("magnitude", Map.of("sparsity", "0.5"))));
        PruningRun.execute(again, PruningMethods.plan("magnitude", Map.of("sparsity", "0.8")));
        for (int q : saved.mask().prunedIndices()) {
            assertTrue(again.mask().isPruned(q));
        }
    }

    @Test
    void gradientMatricesTooLargeForMemoryAreRefusedBeforeAnythingIsAllocated() {
        PruningContext ctx = Fixtures.trainedContext("in(6) dense(8) relu dense(3)", 20, 75, false);
        var e = assertThrows(dev.surgeon.core.curvature.CurvatureTooLargeException.class,
                () -> GradientSampler.collect(ctx, ctx.prunable(), Integer.MAX_VALUE / 2, 1, "test"));
        assertTrue(e.getMessage().contains("gradients over") && e.getMessage().contains("2^31"), e.getMessage());
    }

    @Test
    void flopsFollowTheStatedConvention() {
        // conv: c_out·c_in·k²·H_out·W_out = 2·1·9·4·4 = 288; dense: 32·3 = 96; biases not counted.
        Network net = Fixtures.network("in(1,6,6) conv(2,3) relu flatten dense(3)", 1);
        assertEquals(384, Flops.dense(net));
        assertEquals(384, Flops.effective(net));
        net.parameters()[0] = 0f;                                      // one conv weight: 16 positions
        net.parameters()[net.layout().tensor("fc1.weight").offset()] = 0f; // one dense weight
        net.parameters()[net.layout().tensor("conv1.bias").offset()] = 0f; // a bias: not counted
        assertEquals(384 - 16 - 1, Flops.effective(net));
    }

    @Test
    void theReportCarriesTheContractFieldsInJsonCsvAndMarkdown(@TempDir Path dir) throws IOException {
        PruningContext ctx = Fixtures.trainedContext("in(6) dense(8) relu dense(3)", 60, 73, false);
        Dataset test = Fixtures.classification(30, 6, 3, 80);
        PruningContext withTest = PruningContext.builder(ctx.network(), ctx.loss(), ctx.train()).test(test).seed(9).build();
        PruningReport r = PruningRun.execute(withTest, PruningMethods.plan("woodfisher", Map.of("sparsity", "0.5", "gradients", "10")));
        assertEquals(6 * 8 + 8 + 8 * 3 + 3, r.totalWeights());
        assertEquals(r.totalWeights() - withTest.prunedCount(), r.nonzeroWeights() + zerosOutsideMask(withTest));
        assertEquals(0.5, r.prunableSparsity(), 0.01);
        assertTrue(Double.isFinite(r.after().testAccuracy()));
        assertTrue(r.predictedLossChange() > 0 && r.measuredLossChange() != 0);
        assertEquals(10, r.calibrationIndices().length);
        assertTrue(r.timings().containsKey("total") && r.timings().containsKey("scores"));
        assertFalse(r.damping().isEmpty());
        Map<String, Object> tree = r.toTree();
        for (String key : List.of("command", "seed", "method", "params", "total_weights", "nonzero_weights", "sparsity", "metrics",
                "layers", "timings", "provenance", "flops", "loss_change", "steps", "damping", "calibration")) {
            assertTrue(tree.containsKey(key), key);
        }
        String csv = r.toCsv();
        assertTrue(csv.startsWith("key,value\n"));
        assertTrue(csv.contains("\nlayers.0.name,fc1.weight\n"), csv);
        assertTrue(csv.contains("\nparams.gradients,10\n"), csv);
        assertTrue(csv.contains("\nprovenance.calibration_indices.9,"), csv);
        String md = r.toMarkdown();
        assertTrue(md.contains("## Parameters") && md.contains("| fc1.weight | [8, 6] |"), md);
        Path json = dir.resolve("r.json");
        r.write(json);
        assertTrue(Files.readString(json).contains("\"method\": \"woodfisher\""));
        assertThrows(IllegalArgumentException.class, () -> r.write(dir.resolve("r.txt")));
        assertNotEquals(r.before().trainLoss(), r.after().trainLoss());
    }

    private static long zerosOutsideMask(PruningContext ctx) {
        long n = 0;
        for (int q = 0; q < ctx.network().parameterCount(); q++) {
            n += ctx.network().parameters()[q] == 0f && !ctx.mask().isPruned(q) ? 1 : 0;
        }
        return n;
    }

    @Test
    void biasesArePrunedOnlyWhenAskedAndThePlanMustMatchTheContext() {
        PruningContext ctx = Fixtures.trainedContext("in(6) dense(8) relu dense(3)", 60, 74, false);
        PruningRun.execute(ctx, PruningMethods.plan("magnitude", Map.of("sparsity", "0.9")));
        for (var t : ctx.network().layout().tensors()) {
            if (t.role() == dev.surgeon.core.nn.ParameterTensor.Role.BIAS) {
                assertEquals(0, ctx.mask().sparsity(t), 0, t.name());
            }
        }
        PruningContext noBias = Fixtures.trainedContext("in(6) dense(8) relu dense(3)", 60, 74, false);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> PruningRun.execute(noBias,
                PruningMethods.plan("magnitude", Map.of("sparsity", "0.5", "prune_biases", "true"))));
        assertTrue(e.getMessage().contains("pruneBiases(true)"), e.getMessage());
        PruningContext withBias = copyOf(noBias, 1, true);
        PruningRun.execute(withBias, PruningMethods.plan("snip", Map.of("sparsity", "0.9", "prune_biases", "true", "snip_batch", "30",
                "retrain_epochs", "0")));
        assertTrue(withBias.prunedCount() == Math.round(0.9 * withBias.prunableCount()));
        Loss loss = withBias.loss();
        assertTrue(loss != null);
    }
}
