package dev.surgeon.core.prune;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.surgeon.core.curvature.DataSource;
import dev.surgeon.core.curvature.Damping;
import dev.surgeon.core.nn.Network;
import dev.surgeon.core.nn.ParameterTensor;
import dev.surgeon.kernels.Kernels;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The {@code exact-obs} and {@code sparsegpt} presets: through the pruning framework they produce exactly the weights of
 * the algorithms run directly by {@link LayerReconstruction} on the same calibration samples, N:M results satisfy the
 * pattern, SPDY allocation follows the database's dynamic program, and impossible requests are refused with the reason.
 */
class LayerwisePresetsTest {
    private static final String SPEC = "in(16) dense(12) relu dense(8) relu dense(4)";

    private static PruningContext context(long seed) {
        return Fixtures.trainedContext(SPEC, 300, seed, false);
    }

    private static PruningReport run(PruningContext ctx, String method, Map<String, String> knobs) {
        Map<String, String> k = new LinkedHashMap<>(knobs);
        k.putIfAbsent("measure_samples", "0");
        return PruningRun.execute(ctx, PruningMethods.plan(method, k));
    }

    /** The calibration samples the run recorded, as a data source in feeding order. */
    private static DataSource calibration(PruningContext ctx, PruningReport r, int batch) {
        return DataSource.of(ctx.train(), r.calibration().get(0).indices(), batch);
    }

    private static void assertSameWeights(Network expected, Network actual) {
        // Bit-identical: the preset and the driver accumulate the same H in the same order and run the same algorithm.
        assertArrayEquals(expected.parameters(), actual.parameters());
    }

    @Test
    void exactObsPresetEqualsLayerReconstructionOnTheSameCalibrationSamples() {
        PruningContext ctx = context(3);
        Network dense = ctx.network().copy(Kernels.scalar());
        PruningReport r = run(ctx, "exact-obs", Map.of("sparsity", "0.5", "calibration", "200", "batch", "64",
                "relative_damping", "0.01"));
        LayerReconstructionReport direct = LayerReconstruction.of(ExactObs.unstructured(0.5)).damping(Damping.relative(0.01))
                .run(dense, calibration(ctx, r, 64));
        assertSameWeights(direct.network(), ctx.network());
        assertArrayEquals(direct.mask().prunedIndices(), ctx.mask().prunedIndices());
        assertEquals(200, r.calibrationIndices().length);
        assertEquals(3, r.layerErrors().size());
        for (int l = 0; l < 3; l++) {
            PruningContext.LayerRecord rec = r.layerErrors().get(l);
            LayerReconstructionResult d = direct.layers().get(l);
            assertEquals(d.layer(), rec.layer());
            assertEquals(d.predictedLoss(), rec.predictedError(), 0, "predicted error recorded as computed");
            assertEquals(d.reconstructionError(), rec.measuredError(), 0, "measured error recorded as computed");
            assertEquals(d.damping().used(), rec.damping(), 0);
        }
        assertEquals(3, r.damping().size(), "one damping record per layer");
    }

    @Test
    void sequentialSparseGptPresetEqualsSequentialLayerReconstruction() {
        PruningContext ctx = context(4);
        Network dense = ctx.network().copy(Kernels.scalar());
        PruningReport r = run(ctx, "sparsegpt", Map.of("sparsity", "0.5", "calibration", "150", "block_size", "4"));
        LayerReconstructionReport direct = LayerReconstruction.of(SparseGpt.unstructured(0.5).withBlockSize(4)).sequential(true)
                .damping(Damping.relative(0.01)).run(dense, calibration(ctx, r, 128));
        assertSameWeights(direct.network(), ctx.network());
        assertEquals(0.5, r.prunableSparsity(), 0.02, "per-block rounding keeps the layer counts close to the target");
    }

    @Test
    void nOfMResultsSatisfyThePatternInEveryGroup() {
        for (String method : List.of("exact-obs", "sparsegpt")) {
            PruningContext ctx = context(5);
            PruningReport r = run(ctx, method, Map.of("pattern", "nm:keep=2,group=4", "calibration", "120"));
            assertEquals(0.5, r.prunableSparsity(), 1e-12, method);
            float[] p = ctx.network().parameters();
            for (ParameterTensor w : ctx.prunableTensors()) {
                for (int q = w.offset(); q < w.end(); q += 4) {
                    int nonzero = 0;
                    for (int t = 0; t < 4; t++) {
                        nonzero += p[q + t] != 0 ? 1 : 0;
                    }
                    assertTrue(nonzero <= 2, method + ": " + w.describe(q) + " group keeps " + nonzero);
                }
            }
        }
    }

    @Test
    void spdyAllocationMeetsTheBudgetAndPrunesEachLayerToItsLevel() {
        PruningContext ctx = context(6);
        Network dense = ctx.network().copy(Kernels.scalar());
        PruningReport r = run(ctx, "exact-obs", Map.of("sparsity", "0.6", "allocation", "spdy", "calibration", "200",
                "relative_damping", "0.01"));
        assertTrue(r.prunableSparsity() >= 0.6 - 1e-9, "the parameter budget (1 − s)·weights holds: " + r.prunableSparsity());
        assertTrue(r.notes().stream().anyMatch(n -> n.startsWith("SPDY allocation")), r.notes().toString());
        // Same database and program run directly: the same per-layer sparsities and weights.
        DataSource cal = calibration(ctx, r, 128);
        LayerErrorDatabase db = LayerErrorDatabase.exactObs(dense, cal, ctx.loss(), Damping.relative(0.01), Kernels.scalar(),
                dev.surgeon.core.progress.Progress.NONE);
        LayerReconstructionReport direct = db.assemble(SpdyAllocation.forSparsity(db, 0.6));
        assertSameWeights(direct.network(), ctx.network());
    }

    @Test
    void impossibleRequestsAreRefusedWithTheReason() {
        PruningContext ctx = context(7);
        IllegalArgumentException nm = assertThrows(IllegalArgumentException.class,
                () -> PruningMethods.plan("exact-obs", Map.of("pattern", "nm:keep=4,group=4")));
        assertTrue(nm.getMessage().contains("1 <= N < M"), nm.getMessage());
        IllegalArgumentException s1 = assertThrows(IllegalArgumentException.class,
                () -> PruningMethods.plan("sparsegpt", Map.of("sparsity", "1")));
        assertTrue(s1.getMessage().contains("[0, 1)"), s1.getMessage());
        IllegalArgumentException blocks = assertThrows(IllegalArgumentException.class,
                () -> PruningMethods.plan("sparsegpt", Map.of("pattern", "blocks:4")));
        assertTrue(blocks.getMessage().contains("exact-obs"), blocks.getMessage());
        // fc1 has 16 inputs, not divisible by M = 5.
        float[] before = ctx.network().parameters().clone();
        IllegalArgumentException width = assertThrows(IllegalArgumentException.class,
                () -> run(ctx, "exact-obs", Map.of("pattern", "nm:keep=2,group=5")));
        assertTrue(width.getMessage().contains("divisible by M = 5"), width.getMessage());
        assertArrayEquals(before, ctx.network().parameters(), "refused before any layer was changed");
        IllegalArgumentException spdyNm = assertThrows(IllegalArgumentException.class,
                () -> PruningMethods.plan("exact-obs", Map.of("pattern", "nm:keep=2,group=4", "allocation", "spdy")));
        assertTrue(spdyNm.getMessage().contains("unstructured and block"), spdyNm.getMessage());
        IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class,
                () -> PruningMethods.plan("exact-obs", Map.of("allocation", "greedy")));
        assertTrue(unknown.getMessage().contains("spdy"), unknown.getMessage());
    }

    @Test
    void sparseGptRefusesLayersThatArePrunedAlready() {
        PruningContext ctx = context(8);
        run(ctx, "magnitude", Map.of("sparsity", "0.3"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> run(ctx, "sparsegpt", Map.of("sparsity", "0.6", "calibration", "100")));
        assertTrue(e.getMessage().contains("already has"), e.getMessage());
    }

    @Test
    void exactObsKeepsEarlierPrunedWeightsAtZero() {
        PruningContext ctx = context(9);
        run(ctx, "magnitude", Map.of("sparsity", "0.3"));
        int[] first = ctx.mask().prunedIndices().clone();
        PruningReport r = run(ctx, "exact-obs", Map.of("sparsity", "0.6", "calibration", "100"));
        for (int q : first) {
            assertTrue(ctx.mask().isPruned(q));
            assertEquals(0f, ctx.network().parameters()[q]);
        }
        assertEquals(0.6, r.prunableSparsity(), 0.01);
        assertFalse(r.layerErrors().isEmpty());
    }
}
