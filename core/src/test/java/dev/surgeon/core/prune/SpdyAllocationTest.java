package dev.surgeon.core.prune;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.surgeon.core.curvature.DataSource;
import dev.surgeon.core.curvature.Damping;
import dev.surgeon.core.nn.Loss;
import dev.surgeon.core.nn.Network;
import dev.surgeon.core.progress.Progress;
import dev.surgeon.kernels.Kernels;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** OBC/SPDY's dynamic program (METHODS B9) vs brute force, and the error database on a small network. */
class SpdyAllocationTest {

    /**
     * Costs are whole multiples of the bucket width (budget = buckets), so the discretization is exact and the
     * program must find the brute-force optimum of Σ err under Σ cost ≤ budget.
     */
    @Test
    void dynamicProgramMatchesBruteForceOnThreeLayers() {
        SplittableRandom r = new SplittableRandom(1);
        for (int trial = 0; trial < 20; trial++) {
            double[][] err = new double[3][];
            double[][] cost = new double[3][];
            for (int l = 0; l < 3; l++) {
                int levels = 3 + r.nextInt(5);
                err[l] = new double[levels];
                cost[l] = new double[levels];
                for (int k = 0; k < levels; k++) {
                    err[l][k] = r.nextDouble() * 10;
                    cost[l][k] = 1 + r.nextInt(400);
                }
            }
            int budget = 200 + r.nextInt(800);
            double bruteBest = Double.POSITIVE_INFINITY;
            for (int a = 0; a < err[0].length; a++) {
                for (int b = 0; b < err[1].length; b++) {
                    for (int c = 0; c < err[2].length; c++) {
                        if (cost[0][a] + cost[1][b] + cost[2][c] <= budget) {
                            bruteBest = Math.min(bruteBest, err[0][a] + err[1][b] + err[2][c]);
                        }
                    }
                }
            }
            if (bruteBest == Double.POSITIVE_INFINITY) {
                int finalBudget = budget;
                assertThrows(IllegalArgumentException.class, () -> SpdyAllocation.solve(err, cost, finalBudget, finalBudget));
                continue;
            }
            SpdyAllocation dp = SpdyAllocation.solve(err, cost, budget, budget);
            int[] k = dp.levels();
            assertEquals(bruteBest, err[0][k[0]] + err[1][k[1]] + err[2][k[2]], 1e-12, "trial " + trial);
            assertEquals(bruteBest, dp.error(), 1e-12);
            assertTrue(dp.cost() <= budget);
        }
    }

    @Test
    void impossibleBudgetsAreRefused() {
        double[][] err = {{0, 1}, {0, 2}};
        double[][] cost = {{10, 5}, {10, 5}};
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SpdyAllocation.solve(err, cost, 9, 10000));
        assertTrue(e.getMessage().contains("cheapest"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> SpdyAllocation.solve(err, cost, 0, 10000));
    }

    /** The database on a small MLP: ladder, dense level, costs, and an allocation that beats the uniform one. */
    @Test
    void databaseAllocationRespectsTheBudgetAndBeatsUniformSparsity() {
        Network net = LayerReconstructionTest.network("in(12) dense(10) relu dense(6) relu dense(3)", 11);
        DataSource data = DataSource.all(LayerReconstructionTest.data(net, 60, 12), 30);
        Kernels k = Kernels.scalar();
        LayerErrorDatabase db = LayerErrorDatabase.build(net, data, Loss.named("mse-mean"), Damping.relative(0.01),
                p -> ExactObs.unstructured(0).traces(p, k, Progress.NONE), 0.2, 0.9, k, Progress.NONE);
        double[] ladder = LayerErrorDatabase.ladder(0.2, 0.9);
        assertEquals(0.0, ladder[0]);
        assertEquals(0.2, ladder[1], 1e-15);
        assertEquals(0.36, ladder[2], 1e-15);
        assertEquals(0.9, ladder[ladder.length - 1]);
        assertEquals(3, db.layers().size());
        for (LayerErrorDatabase.Entry e : db.layers()) {
            assertEquals(0.0, e.levels().get(0).error());
            assertEquals(e.denseParameters(), e.levels().get(0).parameters());
            for (LayerErrorDatabase.Level lv : e.levels()) {
                assertEquals(Math.ceil(lv.sparsity() * e.denseParameters() - 1e-9),
                        e.denseParameters() - lv.parameters(), 1e-9, e.layer() + " at " + lv.sparsity());
            }
        }
        SpdyAllocation a = SpdyAllocation.forSparsity(db, 0.5);
        assertTrue(a.cost() <= 0.5 * (120 + 60 + 18));
        // The uniform allocation at the densest level meeting the budget is feasible, so the DP can only be better.
        int uniform = 0;
        while ((1 - ladder[uniform]) > 0.5) {
            uniform++;
        }
        double uniformError = 0;
        for (LayerErrorDatabase.Entry e : db.layers()) {
            uniformError += e.levels().get(uniform).error();
        }
        assertTrue(a.error() <= uniformError + 1e-12, a.error() + " vs uniform " + uniformError);
        LayerReconstructionReport report = db.assemble(a);
        long kept = 0;
        for (int l = 0; l < 3; l++) {
            long size = db.layers().get(l).denseParameters();
            kept += db.layers().get(l).levels().get(a.levels()[l]).parameters();
            if (a.sparsities()[l] > 0) {
                assertEquals(a.sparsities()[l], report.layer(db.layers().get(l).layer()).sparsity(), 1.0 / size);
            }
        }
        assertEquals(198 - kept, report.mask().prunedCount());
    }
}
