package dev.surgeon.core.prune;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.surgeon.core.data.Dataset;
import dev.surgeon.core.nn.Loss;
import dev.surgeon.core.nn.Network;
import dev.surgeon.core.nn.Reduction;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * METHODS R5 end to end: a linear model f = w₁x₁ + w₂x₂ at its zero-residual minimum w = (1, 0.5), squared error, so the
 * mean loss is exactly ½δᵀHδ with H = (1/P)Σ x xᵀ ≈ [[1, 2.4], [2.4, 16]]. Magnitude removes the smaller w₂; OBD
 * (½H₁₁w₁² = 1 < ½H₂₂w₂² = 4) and OBS (w₁²/[H⁻¹]₁₁ < w₂²/[H⁻¹]₂₂) remove w₁; only OBS moves w₂ to the minimum of the
 * loss on the line w₁ = 0; ΔL(OBS) ≤ ΔL(OBD); OBS's prediction is the measured change.
 */
class TwoWeightQuadraticTest {
    private static final int P = 64;

    private static Dataset data() {
        SplittableRandom r = new SplittableRandom(3);
        float[] x = new float[2 * P];
        float[] t = new float[P];
        for (int n = 0; n < P; n++) {
            double a = r.nextGaussian();
            double b = 4 * (0.6 * a + 0.8 * r.nextGaussian());
            x[2 * n] = (float) a;
            x[2 * n + 1] = (float) b;
            t[n] = (float) (1.0 * x[2 * n] + 0.5 * x[2 * n + 1]);
        }
        return Dataset.regression("two-weight quadratic", new int[] {2}, x, 1, t);
    }

    private static PruningContext context() {
        Network net = Fixtures.network("in(2) dense(1,bias=false)", 0);
        net.parameters()[0] = 1f;
        net.parameters()[1] = 0.5f;
        return PruningContext.builder(net, Loss.meanSquaredError(Reduction.SUM), data()).build();
    }

    private static PruningReport prune(PruningContext ctx, String method, Map<String, String> knobs) {
        return PruningRun.execute(ctx, PruningMethods.plan(method, knobs));
    }

    @Test
    void magnitudeObdAndObsChooseAsTheTheoryPredictsAndOnlyObsReoptimizesTheSurvivor() {
        Dataset d = data();
        double sxx = 0;
        double sxt = 0;
        for (int n = 0; n < P; n++) {
            sxx += d.inputs()[2 * n + 1] * (double) d.inputs()[2 * n + 1];
            sxt += d.inputs()[2 * n + 1] * (double) d.targets()[n];
        }
        double w2Star = sxt / sxx;

        PruningContext mag = context();
        prune(mag, "magnitude", Map.of("sparsity", "count:1"));
        assertTrue(mag.mask().isPruned(1) && !mag.mask().isPruned(0), "magnitude removes the smaller weight w₂");

        PruningContext obd = context();
        PruningReport obdReport = prune(obd, "obd", Map.of("sparsity", "count:1", "rounds", "1", "schedule", "one-shot",
                "finetune_epochs", "0"));
        assertTrue(obd.mask().isPruned(0), "OBD removes w₁");
        assertEquals(0.5f, obd.network().parameters()[1], 0, "OBD leaves the survivor where it was");

        PruningContext obs = context();
        PruningReport obsReport = prune(obs, "obs", Map.of("sparsity", "count:1"));
        assertTrue(obs.mask().isPruned(0), "OBS removes w₁");
        // The survivor moves to argmin over w₂ of the loss with w₁ = 0 (float weights; α = 1e-6 damping shifts it by
        // about α/H₂₂ relative).
        assertEquals(w2Star, obs.network().parameters()[1], 1e-5);
        assertTrue(w2Star - 0.5 > 0.1, "the constrained minimum is far from the old value: the test can fail");

        double obsMeasured = obsReport.measuredLossChange();
        double obdMeasured = obdReport.measuredLossChange();
        assertTrue(obsMeasured < obdMeasured, "ΔL(OBS) " + obsMeasured + " < ΔL(OBD) " + obdMeasured);
        // The loss is exactly quadratic: predictions match measurements to float rounding of the weights and the damping.
        assertEquals(obsMeasured, obsReport.predictedLossChange(), 1e-5 * obdMeasured);
        assertEquals(obdMeasured, obdReport.predictedLossChange(), 1e-5 * obdMeasured);
    }

    @Test
    void theStoppingRuleOnRegressionDataNeedsTheLossRule() {
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> prune(context(), "obs", Map.of("sparsity", "auto")));
        assertTrue(e.getMessage().contains("auto_loss"), e.getMessage());
        PruningContext ctx = context();
        // The start is an exact fit (loss ≈ 0), so the first removal already more than doubles the loss: nothing is
        // removed, and the report says why.
        PruningReport r = prune(ctx, "obs", Map.of("sparsity", "auto", "auto_loss", "1"));
        assertTrue(r.notes().stream().anyMatch(n -> n.contains("raise the training loss")), r.notes().toString());
        assertEquals(0, ctx.prunedCount());
    }
}
