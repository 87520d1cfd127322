package dev.surgeon.core.bayes;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.surgeon.core.data.Dataset;
import dev.surgeon.core.nn.ArchitectureSpec;
import dev.surgeon.core.nn.Loss;
import dev.surgeon.core.nn.Mask;
import dev.surgeon.core.nn.Network;
import dev.surgeon.core.nn.ReferenceNetwork;
import dev.surgeon.core.optim.Sgd;
import dev.surgeon.kernels.Kernels;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Flat Minimum Search (METHODS E3). The regularizer B is re-implemented here in double from an analytic output
 * Jacobian of a 2-3-2 tanh network (no R-operator, no network passes), so its central differences judge both the
 * closed-form v^k = ∂B/∂J^k and the Hessian-of-output products the library builds from them.
 */
class FlatMinimumSearchTest {
    private static final String SPEC = "in(2) dense(3) tanh dense(2)";
    private static final double FLOOR = 1e-6;

    /** J[k][q] = ∂o_k/∂w_q of the 2-3-2 tanh net (layout fc1.weight 0–5, fc1.bias 6–8, fc2.weight 9–14, fc2.bias 15–16). */
    private static double[][] jacobian(double[] w, double x0, double x1) {
        double[][] j = new double[2][17];
        for (int u = 0; u < 3; u++) {
            double h = Math.tanh(w[u * 2] * x0 + w[u * 2 + 1] * x1 + w[6 + u]);
            double dh = 1 - h * h;
            for (int k = 0; k < 2; k++) {
                double v = w[9 + k * 3 + u];
                j[k][u * 2] = v * dh * x0;
                j[k][u * 2 + 1] = v * dh * x1;
                j[k][6 + u] = v * dh;
                j[k][9 + k * 3 + u] = h;
            }
        }
        j[0][15] = 1;
        j[1][16] = 1;
        return j;
    }

    /** B(w, X) from the definition, over the parameters not in {@code pruned}. */
    private static double flatness(double[] w, double[] x, int patterns, boolean[] pruned, double epsilon) {
        double total = 0;
        int live = 0;
        for (boolean p : pruned) {
            live += p ? 0 : 1;
        }
        for (int p = 0; p < patterns; p++) {
            double[][] j = jacobian(w, x[2 * p], x[2 * p + 1]);
            double[] s = new double[17];
            double sumLog = 0;
            for (int q = 0; q < 17; q++) {
                if (!pruned[q]) {
                    s[q] = j[0][q] * j[0][q] + j[1][q] * j[1][q] + FLOOR;
                    sumLog += Math.log(s[q]);
                }
            }
            double cc = 0;
            for (int k = 0; k < 2; k++) {
                double c = 0;
                for (int q = 0; q < 17; q++) {
                    if (!pruned[q]) {
                        c += Math.abs(j[k][q]) / Math.sqrt(s[q]);
                    }
                }
                cc += c * c;
            }
            total += 0.5 * (-live * Math.log(epsilon) + sumLog + live * Math.log(cc));
        }
        return total;
    }

    private static Dataset inputs(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] x = new float[2 * n];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) (2 * r.nextDouble() - 1);
        }
        return Dataset.regression("patterns", new int[] {2}, x, 2, new float[2 * n]);
    }

    private void checkGradient(int[] prunedIndices) {
        Network net = Network.create(ArchitectureSpec.parse(SPEC), 3, Kernels.scalar());
        Mask mask = Mask.dense(net.layout());
        boolean[] pruned = new boolean[17];
        for (int q : prunedIndices) {
            mask.prune(q);
            pruned[q] = true;
        }
        mask.apply(net.parameters());
        Dataset data = inputs(4, 4);
        FlatnessRegularizer reg = new FlatnessRegularizer(net, 0.01, FLOOR);
        var ws = net.workspace(4);
        ws.load(data, 0, 4);
        float[] grad = new float[17];
        double value = reg.valueAndGradient(ws, mask, grad);
        double[] w = ReferenceNetwork.toDouble(net.parameters());
        double[] x = ReferenceNetwork.toDouble(data.inputs());
        assertEquals(flatness(w, x, 4, pruned, 0.01), value, 1e-4 * Math.abs(value), "B(w, X)");
        double h = 1e-6;
        double[] fd = new double[17];
        for (int q = 0; q < 17; q++) {
            if (pruned[q]) {
                continue;
            }
            double keep = w[q];
            w[q] = keep + h;
            double up = flatness(w, x, 4, pruned, 0.01);
            w[q] = keep - h;
            double down = flatness(w, x, 4, pruned, 0.01);
            w[q] = keep;
            fd[q] = (up - down) / (2 * h);
        }
        // Central differences of the double reference are good to ~1e-8; the float J rows and R-operator products to
        // ~1e-5 relative. Dropping the L/C term or the S^{-3/2} part moves entries by O(0.1–1).
        Matrices.assertClose(fd, ReferenceNetwork.toDouble(grad), 1e-4, 1e-4, "∇B");
    }

    @Test
    void flatnessGradientEqualsFiniteDifferencesOfB() {
        checkGradient(new int[0]);
    }

    @Test
    void prunedWeightsLeaveTheModelAndGetNoGradient() {
        checkGradient(new int[] {3, 10});
    }

    @Test
    void weigendScheduleRaisesLambdaWhileTheErrorIsLowAndCutsItWhenTheErrorClimbs() {
        WeigendSchedule s = WeigendSchedule.of(0.1, 0.01);
        assertEquals(0.01, s.update(0.05), 1e-15, "below E_tol: +Δλ");
        assertEquals(0.02, s.update(0.08), 1e-15, "still below E_tol");
        assertEquals(0.03, s.update(0.09), 1e-15, "below E_tol even though rising");
        // Average after 0.05, 0.08, 0.09: A = 0.9·(0.9·0.05 + 0.1·0.08) + 0.1·0.09 = 0.0567.
        assertEquals(0.027, s.update(0.3), 1e-15, "above E_tol, rising, above its average: ×0.9");
        assertEquals(0.037, s.update(0.2), 1e-15, "falling: +Δλ");
        // Average now 0.9·(0.9·0.0567 + 0.1·0.3) + 0.1·0.2 ≈ 0.093, then ≈ 0.109; 0.25 rose above both E_tol and it.
        assertEquals(0.0333, s.update(0.25), 1e-12, "cut again");
        // A long memory (γ = 0.99) keeps the average high, which reaches the −Δλ branch.
        WeigendSchedule u = new WeigendSchedule(0.1, 0.01, 0.99, 0.9, 0.05);
        assertEquals(0.045, u.update(0.5), 1e-15, "first epoch above E_tol equals its average: cut");
        assertEquals(0.055, u.update(0.45), 1e-15, "falling: +Δλ");
        assertEquals(0.045, u.update(0.46), 1e-15, "rose, above E_tol, below its average 0.4991: −Δλ");
    }

    /**
     * A hidden unit with no incoming weights has the constant activation tanh(b): folding it into the output bias
     * must leave every output unchanged and kill the unit.
     */
    @Test
    void aConstantUnitIsFoldedIntoTheNextBiasWithoutChangingTheOutputs() {
        Network net = Network.create(ArchitectureSpec.parse("in(2) dense(3) tanh dense(2)"), 5, Kernels.scalar());
        float[] p = net.parameters();
        p[2] = 0;
        p[3] = 0;
        Dataset data = inputs(20, 6);
        double[] before = LaplaceApproximation.outputs(net, data);
        FlatMinimumSearch.Pruning r = FlatMinimumSearch.prune(net, null, data, 0, 1e-6);
        double[] after = LaplaceApproximation.outputs(net, data);
        Matrices.assertClose(before, after, 1e-6, 1e-6, "outputs after folding");
        assertEquals(1, r.foldedUnits());
        assertArrayEquals(new int[] {2}, r.structure().units());
        assertTrue(r.mask().isPruned(6 + 1) && r.mask().isPruned(9 + 1) && r.mask().isPruned(12 + 1), r.mask().toString());
    }

    @Test
    void insensitiveWeightsArePrunedAndTheRestKept() {
        Network net = Network.create(ArchitectureSpec.parse("in(2) dense(3) tanh dense(2)"), 7, Kernels.scalar());
        float[] p = net.parameters();
        p[0] = 1e-5f;
        Dataset data = inputs(20, 8);
        FlatMinimumSearch.Pruning r = FlatMinimumSearch.prune(net, null, data, 1e-3, 0);
        assertEquals(1, r.insensitiveWeights(), "only the tiny weight changes the outputs by less than 1e-3");
        assertTrue(r.mask().isPruned(0));
        assertEquals(0f, p[0]);
    }

    @Test
    void searchAdaptsLambdaAndKeepsTheErrorNearTheTolerance() {
        SplittableRandom r = new SplittableRandom(9);
        int n = 64;
        float[] x = new float[n * 2];
        float[] t = new float[n * 2];
        for (int i = 0; i < n; i++) {
            x[2 * i] = (float) (2 * r.nextDouble() - 1);
            x[2 * i + 1] = (float) (2 * r.nextDouble() - 1);
            t[2 * i] = (float) (0.5 * x[2 * i] + 0.05 * r.nextGaussian());
            t[2 * i + 1] = (float) (0.05 * r.nextGaussian());
        }
        Dataset data = Dataset.regression("x1 only", new int[] {2}, x, 2, t);
        Network net = Network.create(ArchitectureSpec.parse(SPEC), 10, Kernels.scalar());
        FlatMinimumSearch fms = FlatMinimumSearch.builder(net, Loss.named("mse-mean"), Sgd.momentum(0.05, 0.9))
                .tolerableError(0.004).lambdaStep(1e-5).seed(1).build();
        double before = fms.regularizer(data);
        fms.trainer().batchSize(16).epochs(40).build().fit(data);
        assertTrue(fms.lambda() > 0, "λ grew once the error fell below E_tol");
        assertTrue(fms.regularizer(data) < before, "B decreased: " + before + " → " + fms.regularizer(data));
        assertEquals(40, fms.lambdaHistory().size());
    }
}
