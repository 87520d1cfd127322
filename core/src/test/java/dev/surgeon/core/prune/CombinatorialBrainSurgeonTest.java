package dev.surgeon.core.prune;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.surgeon.core.curvature.BlockPartition;
import dev.surgeon.core.curvature.ParameterSubset;
import dev.surgeon.kernels.Kernels;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** CBS (METHODS B7, R19): the swap gain against recomputing f(Q), monotone local search, the joint update. */
class CombinatorialBrainSurgeonTest {
    private static final Kernels K = Kernels.scalar();

    /** f(Q) = Σ_{a,b∈Q} w_a H_ab w_b from the explicit matrix. */
    private static double objective(double[] h, int n, double[] w, boolean[] q) {
        double s = 0;
        for (int a = 0; a < n; a++) {
            for (int b = 0; b < n; b++) {
                if (q[a] && q[b]) {
                    s += w[a] * h[a * n + b] * w[b];
                }
            }
        }
        return s;
    }

    @Test
    void swapGainEqualsTheChangeOfTheRecomputedObjective() {
        ParameterSubset s = ParameterSubset.all(Fixtures.network("in(13) dense(1)", 0).layout());
        int n = s.dim();
        int m = 6;
        double lambda = 1e-2;
        double[] gt = DenseMath.randomVector(n * m, 1);
        GradientModel model = new GradientModel("F", s, gt, m, lambda, m, BlockPartition.whole(n),
                GradientModel.Representation.AUTO, K);
        double[] h = new double[n * n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                h[i * n + j] = model.entry(i, j);
            }
        }
        double[] w = DenseMath.randomVector(n, 2);
        CombinatorialBrainSurgeon cbs = new CombinatorialBrainSurgeon(CombinatorialBrainSurgeon.Options.defaults(m));
        CombinatorialBrainSurgeon.Search search = cbs.new Search(model, w, K);
        SplittableRandom r = new SplittableRandom(3);
        boolean[] q = new boolean[n];
        for (int i = 0; i < n; i += 2) {
            q[i] = true;
        }
        search.reset(q);
        assertEquals(objective(h, n, w, q), search.objective(q), 1e-12);
        for (int trial = 0; trial < 30; trial++) {
            int i;
            int j;
            do {
                i = r.nextInt(n);
            } while (!q[i]);
            do {
                j = r.nextInt(n);
            } while (q[j]);
            double before = objective(h, n, w, q);
            double gain = search.swapGain(i, j);
            search.swap(q, i, j);
            double after = objective(h, n, w, q);
            // Δf = −α_i + β_j − γ_ij (derived in METHODS B7); values O(10), double rounding.
            assertEquals(after - before, gain, 1e-11 * Math.max(1, Math.abs(before)), "trial " + trial);
            assertEquals(after, search.objective(q), 1e-11 * Math.max(1, after), "u is kept up to date");
        }
    }

    @Test
    void localSearchNeverIncreasesTheObjectiveAndImprovesOnMagnitude() {
        ParameterSubset s = ParameterSubset.all(Fixtures.network("in(39) dense(1)", 0).layout());
        int n = s.dim();
        int m = 5;
        // Strongly correlated coordinates, where pairs of weights cancel: magnitude is not optimal.
        double[] gt = DenseMath.randomVector(n * m, 4);
        GradientModel model = new GradientModel("F", s, gt, m, 1e-3, m, BlockPartition.whole(n),
                GradientModel.Representation.AUTO, K);
        double[] w = DenseMath.randomVector(n, 5);
        int[] all = new int[n];
        for (int i = 0; i < n; i++) {
            all[i] = i;
        }
        CombinatorialBrainSurgeon cbs = new CombinatorialBrainSurgeon(CombinatorialBrainSurgeon.Options.defaults(m));
        CombinatorialBrainSurgeon.Search search = cbs.new Search(model, w, K);
        boolean[] q = CombinatorialBrainSurgeon.magnitudeStart(w, all, 20);
        double start = search.objective(q);
        int iterations = search.run(q, all);
        double end = search.objective(q);
        int size = 0;
        for (boolean b : q) {
            size += b ? 1 : 0;
        }
        assertEquals(20, size, "swaps keep the set size");
        assertTrue(iterations >= 1);
        assertTrue(end < start - 1e-4, "the search improves on the magnitude start: " + start + " → " + end);
        boolean[] rq = CombinatorialBrainSurgeon.randomizedStart(w, all, 20, new SplittableRandom(1));
        int rs = 0;
        for (boolean b : rq) {
            rs += b ? 1 : 0;
        }
        assertEquals(20, rs, "the randomized start removes exactly k");
    }

    @Test
    void cbsPrunesToTheTargetWithTheExactJointUpdate() {
        PruningContext ctx = Fixtures.trainedContext("in(6) dense(5) relu dense(3)", 80, 41, false);
        PruningReport report = PruningRun.execute(ctx, PruningMethods.plan("cbs", Map.of("sparsity", "0.5", "gradients", "30")));
        assertEquals(Math.round(0.5 * ctx.prunableCount()), ctx.prunedCount());
        for (int q : ctx.mask().prunedIndices()) {
            assertEquals(0f, ctx.network().parameters()[q], 0);
        }
        assertTrue(report.predictedLossChange() >= 0 && Double.isFinite(report.predictedLossChange()));
        assertTrue(report.notes().stream().anyMatch(x -> x.contains("f(Q)")), report.notes().toString());
    }
}
