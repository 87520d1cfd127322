package dev.surgeon.core.prune;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.surgeon.core.nn.Loss;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ScheduleTest {

    @Test
    void geometricStepsDivideTheDensityByAConstantFactorAndEndAtTheTarget() {
        double[] s = Schedule.geometric(0.5, 0.98, 4);
        assertEquals(0.98, s[3], 0);
        double fac = Math.pow(0.02 / 0.5, 0.25);
        double density = 0.5;
        for (double x : s) {
            // Each density is the previous one times fac (METHODS B6 step 6), to rounding.
            assertEquals(density * fac, 1 - x, 1e-15);
            density = 1 - x;
        }
        assertArrayEquals(new double[] {0.9}, Schedule.geometric(0.2, 0.9, 1), 0);
    }

    @Test
    void cubicStepsFollowZhuAndGupta() {
        double[] s = Schedule.cubic(0, 0.8, 4);
        for (int t = 1; t <= 4; t++) {
            double r = 1 - t / 4.0;
            assertEquals(0.8 - 0.8 * r * r * r, s[t - 1], 1e-15);
        }
        assertEquals(0.8, s[3], 0);
        // Most of the pruning happens early: the first step removes more than a quarter of the total.
        assertEquals(0.8 * (1 - Math.pow(0.75, 3)), s[0], 1e-15);
    }

    /** A pruner that records the targets it is called with and prunes the lowest indices. */
    private static final class Recording implements Pruner {
        final List<Integer> targets = new ArrayList<>();

        @Override
        public String name() {
            return "recording";
        }

        @Override
        public StepResult prune(PruningContext ctx, int targetPruned) {
            targets.add(targetPruned);
            double[] scores = new double[ctx.network().parameterCount()];
            int[] removed = Selection.select(ctx, scores, Allocation.global(), Pattern.UNSTRUCTURED, targetPruned);
            ctx.prune(removed);
            return new StepResult(removed.length, Double.NaN);
        }
    }

    @Test
    void roundsCallThePrunerAtTheGeometricCountsWithAFreshRoundEachTime() {
        PruningContext ctx = PruningContext.builder(Fixtures.network("in(8) dense(10) relu dense(3)", 1), Loss.softmaxCrossEntropy(),
                Fixtures.classification(40, 8, 3, 2)).seed(3).build();
        Recording r = new Recording();
        PruningPlan plan = new PruningPlan("test", Map.of(), r, new Schedule.Rounds(3, Retraining.NONE), Target.sparsity(0.9),
                Retraining.NONE, 0, false);
        PruningReport report = PruningRun.execute(ctx, plan);
        int p = ctx.prunableCount();
        double[] s = Schedule.geometric(0, 0.9, 3);
        List<Integer> expected = new ArrayList<>();
        for (double x : s) {
            expected.add((int) Math.round(x * p));
        }
        assertEquals(expected, r.targets);
        assertEquals(3, report.steps().size());
        assertEquals(List.of(1, 2, 3), report.steps().stream().map(PruningReport.Step::round).toList());
        assertEquals(Math.round(0.9 * p), ctx.prunedCount());
    }
}
