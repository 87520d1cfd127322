package dev.surgeon.core.prune;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.surgeon.core.data.Dataset;
import dev.surgeon.core.nn.Loss;
import dev.surgeon.core.nn.Network;
import dev.surgeon.core.nn.ParameterTensor;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Allocation and patterns turned into masks: exact N:M and block structure, bounds, rejections with clear messages. */
class SelectionTest {

    private static PruningContext context(String spec, boolean biases) {
        Network net = Fixtures.network(spec, 4);
        int in = net.inputShape().size();
        Dataset data = spec.startsWith("in(2,")
                ? Dataset.classification("images", new int[] {2, 6, 6}, new float[3 * in], new int[] {0, 1, 2}, 3)
                : Fixtures.classification(20, in, net.outputSize(), 5);
        return PruningContext.builder(net, Loss.softmaxCrossEntropy(), data).pruneBiases(biases).build();
    }

    private static double[] magnitudes(PruningContext ctx) {
        return new MagnitudeScorer(false).score(ctx).scores();
    }

    @Test
    void nOfMMasksKeepExactlyNInEveryGroupOfMConsecutiveInputsOfDenseLayers() {
        PruningContext ctx = context("in(8) dense(8) relu dense(4)", false);
        double[] scores = magnitudes(ctx);
        int[] removed = Selection.select(ctx, scores, Allocation.global(), new Pattern.NOfM(1, 4), 0);
        ctx.prune(removed);
        float[] w = ctx.network().parameters();
        for (ParameterTensor t : ctx.prunableTensors()) {
            int cols = t.columns();
            for (int r = 0; r < t.rows(); r++) {
                for (int g = 0; g < cols; g += 4) {
                    int nonzero = 0;
                    float kept = 0;
                    float largest = 0;
                    for (int j = g; j < g + 4; j++) {
                        float x = w[t.offset() + r * cols + j];
                        nonzero += x != 0 ? 1 : 0;
                        kept = x != 0 ? Math.abs(x) : kept;
                        largest = Math.max(largest, Math.abs(x));
                    }
                    assertEquals(1, nonzero, t.name() + " row " + r + " group " + g);
                    assertEquals(largest, kept, "the most salient weight of the group survives");
                }
            }
        }
        assertEquals(0.75, ctx.sparsity(), 1e-12);
    }

    @Test
    void nOfMGroupsOfConvolutionsRunAlongInputChannelsAtAFixedKernelPosition() {
        // The second convolution has 4 input channels; the first has 2, which no group of 4 divides.
        PruningContext ctx = context("in(2,6,6) conv(4,3) relu conv(3,2) flatten dense(3)", false);
        ParameterTensor conv2 = ctx.network().layout().tensor("conv2.weight");
        PruningContext only = PruningContext.builder(ctx.network(), ctx.loss(), ctx.train()).tensors("conv2.weight").build();
        int[] removed = Selection.select(only, magnitudes(only), Allocation.global(), new Pattern.NOfM(2, 4), 0);
        only.prune(removed);
        float[] w = only.network().parameters();
        int[] shape = conv2.shape();
        int positions = shape[2] * shape[3];
        for (int o = 0; o < shape[0]; o++) {
            for (int pos = 0; pos < positions; pos++) {
                int nonzero = 0;
                for (int c = 0; c < shape[1]; c++) {
                    nonzero += w[conv2.offset() + (o * shape[1] + c) * positions + pos] != 0 ? 1 : 0;
                }
                assertEquals(2, nonzero, "filter " + o + " position " + pos);
            }
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Selection.select(ctx, magnitudes(ctx), Allocation.global(), new Pattern.NOfM(2, 4), 0));
        assertTrue(e.getMessage().contains("conv1.weight has 2 input channels, not divisible by group=M=4"), e.getMessage());
    }

    @Test
    void blocksAreRemovedWholeAndWidthsMustDivide() {
        PruningContext ctx = context("in(8) dense(6) relu dense(4)", false);
        int[] removed = Selection.select(ctx, magnitudes(ctx), Allocation.global(), new Pattern.Blocks(2), 30);
        ctx.prune(removed);
        assertEquals(30, ctx.prunedCount());
        for (ParameterTensor t : ctx.prunableTensors()) {
            for (int q = t.offset(); q < t.end(); q += 2) {
                assertEquals(ctx.mask().isPruned(q), ctx.mask().isPruned(q + 1), "block at " + t.describe(q));
            }
        }
        PruningContext odd = context("in(7) dense(6) relu dense(4)", false);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Selection.select(odd, magnitudes(odd), Allocation.global(), new Pattern.Blocks(2), 10));
        assertTrue(e.getMessage().contains("fc1.weight has rows of 7 weights, not divisible by the block size 2"), e.getMessage());
        PruningContext biases = context("in(8) dense(6) relu dense(4)", true);
        assertThrows(IllegalArgumentException.class,
                () -> Selection.select(biases, magnitudes(biases), Allocation.global(), new Pattern.NOfM(2, 4), 0));
    }

    @Test
    void perLayerAllocationGivesEveryTensorTheSameSparsityAndGlobalRespectsBounds() {
        PruningContext ctx = context("in(10) dense(8) relu dense(5)", false);
        int target = (int) Math.round(0.5 * ctx.prunableCount());
        int[] removed = Selection.select(ctx, magnitudes(ctx), Allocation.perLayer(), Pattern.UNSTRUCTURED, target);
        ctx.prune(removed);
        assertEquals(0.5, ctx.mask().sparsity(ctx.network().layout().tensor("fc1.weight")), 1e-12);
        assertEquals(0.5, ctx.mask().sparsity(ctx.network().layout().tensor("fc2.weight")), 1e-12);

        PruningContext g = context("in(10) dense(8) relu dense(5)", false);
        // Make fc2 look worthless so that an unbounded global threshold would empty it.
        for (int q = g.network().layout().tensor("fc2.weight").offset(); q < g.network().layout().tensor("fc2.weight").end(); q++) {
            g.network().parameters()[q] *= 1e-3f;
        }
        Allocation bounded = Allocation.global().withBounds("fc2", 0, 0.4);
        int[] r2 = Selection.select(g, magnitudes(g), bounded, Pattern.UNSTRUCTURED, 40);
        g.prune(r2);
        assertEquals(40, g.prunedCount());
        assertEquals(16, Math.round(g.mask().sparsity(g.network().layout().tensor("fc2.weight")) * 40), "fc2 capped at 40 %");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Selection.select(context(
                "in(10) dense(8) relu dense(5)", false), new double[133], Allocation.global().withBounds(0, 0.2), Pattern.UNSTRUCTURED, 60));
        assertTrue(e.getMessage().contains("impossible with the per-layer bounds"), e.getMessage());
        IllegalArgumentException name = assertThrows(IllegalArgumentException.class, () -> Selection.select(context(
                "in(10) dense(8) relu dense(5)", false), new double[133], Allocation.global().withBounds("fc9", 0, 1), Pattern.UNSTRUCTURED, 6));
        assertTrue(name.getMessage().contains("fc9"), name.getMessage());
    }

    @Test
    void targetsBelowTheCurrentSparsityOrAboveThePrunableCountAreRejected() {
        PruningContext ctx = context("in(10) dense(8) relu dense(5)", false);
        ctx.prune(Selection.select(ctx, magnitudes(ctx), Allocation.global(), Pattern.UNSTRUCTURED, 50));
        IllegalArgumentException below = assertThrows(IllegalArgumentException.class,
                () -> Selection.select(ctx, magnitudes(ctx), Allocation.global(), Pattern.UNSTRUCTURED, 20));
        assertTrue(below.getMessage().contains("not revived"), below.getMessage());
        IllegalArgumentException above = assertThrows(IllegalArgumentException.class,
                () -> Selection.select(ctx, magnitudes(ctx), Allocation.global(), Pattern.UNSTRUCTURED, 1000));
        assertTrue(above.getMessage().contains("only 120 parameters are prunable"), above.getMessage());
        double[] nan = magnitudes(ctx);
        nan[ctx.network().layout().tensor("fc1.weight").offset() + 79] = Double.NaN;
        assertThrows(IllegalStateException.class, () -> Selection.select(ctx, nan, Allocation.global(), Pattern.UNSTRUCTURED, 60));
    }

    @Test
    void methodSettingsRejectImpossibleRequestsWithClearMessages() {
        IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class, () -> PruningMethods.named("obq"));
        assertTrue(unknown.getMessage().contains("woodfisher"), unknown.getMessage());
        IllegalArgumentException knob = assertThrows(IllegalArgumentException.class,
                () -> PruningMethods.plan("woodfisher", Map.of("alpha", "1")));
        assertTrue(knob.getMessage().contains("damping"), "lists the known settings: " + knob.getMessage());
        IllegalArgumentException nm = assertThrows(IllegalArgumentException.class,
                () -> PruningMethods.plan("magnitude", Map.of("pattern", "nm:keep=2,group=4", "sparsity", "0.9")));
        assertTrue(nm.getMessage().contains("fixes the sparsity at 0.5"), nm.getMessage());
        assertEquals(Target.sparsity(0.5), PruningMethods.plan("magnitude", Map.of("pattern", "nm:keep=2,group=4")).target());
        assertThrows(IllegalArgumentException.class, () -> PruningMethods.plan("magnitude", Map.of("sparsity", "1.0")));
        assertThrows(IllegalArgumentException.class, () -> PruningMethods.plan("magnitude", Map.of("sparsity", "-0.5")));
        assertThrows(IllegalArgumentException.class, () -> PruningMethods.plan("woodfisher", Map.of("gradients", "many")));
        assertThrows(IllegalArgumentException.class, () -> PruningMethods.plan("obs", Map.of("scope", "layer")));
        assertThrows(IllegalArgumentException.class, () -> PruningMethods.plan("cbs", Map.of("pattern", "blocks:4")));
        IllegalArgumentException rounds = assertThrows(IllegalArgumentException.class,
                () -> PruningMethods.plan("magnitude", Map.of("rounds", "3")));
        assertTrue(rounds.getMessage().contains("rounds or cubic"), rounds.getMessage());
        Allocation bounded = ((ScoredPruner) PruningMethods.plan("magnitude", Map.of("layer_bounds", "fc1:0.2:0.6, fc2.weight:0:0.3"))
                .pruner()).allocation();
        assertEquals(new Allocation.Bounds(0.2, 0.6), bounded.bounds().get("fc1"));
        assertEquals(new Allocation.Bounds(0, 0.3), bounded.bounds().get("fc2.weight"));
        IllegalArgumentException lb = assertThrows(IllegalArgumentException.class,
                () -> PruningMethods.plan("magnitude", Map.of("layer_bounds", "fc1:0.5")));
        assertTrue(lb.getMessage().contains("LAYER:MIN:MAX"), lb.getMessage());
        for (MethodDefinition d : PruningMethods.all()) {
            PruningPlan plan = d.plan(Map.of());
            assertEquals(d.knobs().size(), plan.params().size(), d.name() + ": every knob is reported");
        }
    }
}
