package dev.surgeon.core.prune;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.surgeon.core.curvature.Curvature;
import dev.surgeon.core.curvature.Damping;
import dev.surgeon.core.curvature.DataSource;
import dev.surgeon.core.curvature.DenseInverseMethod;
import dev.surgeon.core.curvature.DenseOperator;
import dev.surgeon.core.curvature.Gradients;
import dev.surgeon.core.curvature.ParameterSubset;
import dev.surgeon.core.data.Dataset;
import dev.surgeon.core.data.XorData;
import dev.surgeon.core.nn.Loss;
import dev.surgeon.core.nn.Network;
import dev.surgeon.core.nn.Reduction;
import dev.surgeon.core.optim.Sgd;
import dev.surgeon.core.train.Trainer;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Sequential OBS (METHODS B3): the downdate loop is the exact joint removal for a fixed H; the stopping rule. */
class OptimalBrainSurgeonTest {

    private static PruningContext xor(long seed, boolean biases) {
        Network net = Fixtures.network("xor", seed);
        Dataset data = XorData.dataset();
        Loss loss = Loss.meanSquaredError(Reduction.SUM);
        Trainer.builder(net, loss, Sgd.momentum(0.5, 0.9)).batchSize(4).epochs(3000).seed(seed).build().fit(data);
        return PruningContext.builder(net, loss, data).seed(seed).pruneBiases(biases).build();
    }

    @Test
    void sequentialDowndatesEndAtTheJointConstrainedMinimumAndTheStepCostsSumToItsValue() {
        PruningContext ctx = xor(3, true);
        Network net = ctx.network();
        ParameterSubset all = ParameterSubset.all(net.layout());
        DenseOperator h = Curvature.of(net, ctx.loss(), DataSource.all(ctx.train(), 4)).dense(Gradients.outputJacobian(),
                Damping.absolute(1e-6), DenseInverseMethod.RANK_ONE);
        double[] hd = h.toDense();
        int d = all.dim();
        double[] w = new double[d];
        all.gather(net.parameters(), w);
        Pruner.StepResult r = new OptimalBrainSurgeon(Integer.MAX_VALUE, 1e-6, OptimalBrainSurgeon.Mode.DOWNDATE,
                Allocation.global()).prune(ctx, 4);
        assertEquals(4, r.removed());
        boolean[] fixed = new boolean[d];
        for (int q = 0; q < d; q++) {
            fixed[q] = ctx.mask().isPruned(q);
        }
        double[] reference = DenseMath.constrainedMinimum(hd, d, fixed, w);
        for (int q = 0; q < d; q++) {
            // Float weights of magnitude up to ~10 after XOR training; the KKT solve is in double.
            assertEquals(w[q] + reference[q], net.parameters()[q], 2e-4 * Math.max(1, Math.abs(w[q])), "weight " + q);
        }
        // The exactness identity for a fixed quadratic: Σ step costs = ½ΔᵀHΔ of the final change (relative 1e-6: the
        // greedy costs are accumulated in double on the rank-one inverse of a matrix with condition number ~1e6).
        assertEquals(reference[d], r.predictedLossChange(), 1e-6 * reference[d] + 1e-12);
    }

    @Test
    void recomputationRebuildsTheHessianAfterEveryDeletion() {
        PruningContext ctx = xor(5, true);
        int before = ctx.calibrationRecords().size();
        new OptimalBrainSurgeon(Integer.MAX_VALUE, 1e-6, OptimalBrainSurgeon.Mode.RECOMPUTE, Allocation.global()).prune(ctx, 3);
        assertEquals(3, ctx.prunedCount());
        assertEquals(before + 3, ctx.calibrationRecords().size(), "one Hessian build per deletion");
        for (int q : ctx.mask().prunedIndices()) {
            assertEquals(0f, ctx.network().parameters()[q], 0);
        }
    }

    @Test
    void autoStopsBeforeTheTrainingAccuracyDropsAndSaysWhy() {
        PruningContext ctx = xor(7, true);
        double start = ctx.evaluateTrain().accuracy();
        PruningReport report = PruningRun.execute(ctx, PruningMethods.plan("obs", Map.of("sparsity", "auto", "prune_biases", "true")));
        assertEquals(start, report.after().trainAccuracy(), 0);
        assertTrue(report.notes().stream().anyMatch(n -> n.startsWith("stopping rule")), report.notes().toString());
        assertTrue(report.prunableSparsity() < 1);
        assertEquals(report.steps().size(), ctx.prunedCount(), "one weight per step");
    }
}
