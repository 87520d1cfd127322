package dev.surgeon.core.bayes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.surgeon.core.data.Dataset;
import dev.surgeon.core.nn.ArchitectureSpec;
import dev.surgeon.core.nn.Loss;
import dev.surgeon.core.nn.Mask;
import dev.surgeon.core.nn.Network;
import dev.surgeon.core.nn.ReferenceNetwork;
import dev.surgeon.core.nn.Workspace;
import dev.surgeon.core.optim.Adam;
import dev.surgeon.core.optim.Sgd;
import dev.surgeon.kernels.Kernels;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/**
 * Graves 2011 variational training (METHODS E2). The MDL loss of one step, s·Σ_batch ℓ_n(μ + σ⊙ε) + c·L_C(μ, σ²)
 * with c = s·B/N and the adaptive prior at its optimum, is evaluated independently in double (reference network,
 * KL written from the definition) for a fixed ε; its central differences in μ and ln σ² must equal the pathwise
 * gradients, and Graves's estimator must differ from them exactly by its diagonal-Fisher term.
 */
class VariationalTrainingTest {
    private static final String SPEC = "in(3) dense(4) tanh dense(2)";
    private static final int B = 5;
    private static final int N = 20;

    private static Dataset data(long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] x = new float[N * 3];
        float[] t = new float[N * 2];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) (2 * r.nextDouble() - 1);
        }
        for (int i = 0; i < t.length; i++) {
            t[i] = (float) r.nextGaussian();
        }
        return Dataset.regression("random", new int[] {3}, x, 2, t);
    }

    /** L_C = KL(N(μ, σ²) ‖ N(m̂, σ̂²)) summed, with m̂, σ̂² at their optimum, from the Gaussian KL definition. */
    private static double complexity(double[] mu, double[] logVar) {
        int d = mu.length;
        double m = Arrays.stream(mu).average().orElseThrow();
        double v = 0;
        for (int q = 0; q < d; q++) {
            v += Math.exp(logVar[q]) + (mu[q] - m) * (mu[q] - m);
        }
        v /= d;
        double kl = 0;
        for (int q = 0; q < d; q++) {
            double s2 = Math.exp(logVar[q]);
            kl += 0.5 * (Math.log(v / s2) + (s2 + (mu[q] - m) * (mu[q] - m)) / v - 1);
        }
        return kl;
    }

    private static double mdl(ReferenceNetwork ref, String loss, double[] mu, double[] logVar, double[] eps, double[] x,
                              double[] t) {
        double[] w = new double[mu.length];
        for (int q = 0; q < w.length; q++) {
            w[q] = mu[q] + Math.exp(0.5 * logVar[q]) * eps[q];
        }
        double s = loss.endsWith("mean") ? 1.0 / B : 1.0;
        return ref.loss(loss, w, x, t, B) + s * B / N * complexity(mu, logVar);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"mse-mean", "mse-sum"})
    void pathwiseGradientsEqualFiniteDifferencesOfTheMdlLoss(String lossName) {
        Dataset data = data(1);
        Network net = Network.create(ArchitectureSpec.parse(SPEC), 2, Kernels.scalar());
        int d = net.parameterCount();
        VariationalTraining vt = VariationalTraining.builder(net, Loss.named(lossName), Sgd.plain(0.1), N).seed(3)
                .estimator(VariationalTraining.VarianceGradient.PATHWISE).build();
        SplittableRandom r = new SplittableRandom(4);
        float[] logVar = new float[d];
        float[] eps = new float[d];
        for (int q = 0; q < d; q++) {
            logVar[q] = (float) (2 * Math.log(0.02 + 0.3 * r.nextDouble()));
            eps[q] = (float) r.nextGaussian();
        }
        vt.setPosterior(net.parameters().clone(), logVar);
        Workspace ws = net.workspace(B);
        ws.load(data, 0, B);
        float[] grad = new float[2 * d];
        vt.objective(ws, eps, grad);

        ReferenceNetwork ref = new ReferenceNetwork(net.spec());
        double[] mu = ReferenceNetwork.toDouble(vt.mean());
        double[] lv = ReferenceNetwork.toDouble(logVar);
        double[] e = ReferenceNetwork.toDouble(eps);
        double[] x = ReferenceNetwork.toDouble(data.inputs(), B * 3);
        double[] t = ReferenceNetwork.toDouble(data.targets(), B * 2);
        double h = 1e-6;
        double[] fd = new double[2 * d];
        for (int q = 0; q < d; q++) {
            double keep = mu[q];
            mu[q] = keep + h;
            double up = mdl(ref, lossName, mu, lv, e, x, t);
            mu[q] = keep - h;
            double down = mdl(ref, lossName, mu, lv, e, x, t);
            mu[q] = keep;
            fd[q] = (up - down) / (2 * h);
            keep = lv[q];
            lv[q] = keep + h;
            up = mdl(ref, lossName, mu, lv, e, x, t);
            lv[q] = keep - h;
            down = mdl(ref, lossName, mu, lv, e, x, t);
            lv[q] = keep;
            fd[d + q] = (up - down) / (2 * h);
        }
        // Central differences in double are good to ~1e-9; the float network's gradient to ~1e-6 relative. A
        // complexity term scaled by 1 instead of s·B/N, or a missing chain factor σ², is off by O(1).
        Matrices.assertClose(fd, ReferenceNetwork.toDouble(grad), 1e-6, 1e-4, lossName + " ∂/∂[μ; ln σ²]");
    }

    @Test
    void gravesEstimatorReplacesThePathwiseTermByHalfTheSummedSquaredSampleGradients() {
        Dataset data = data(5);
        Network net = Network.create(ArchitectureSpec.parse(SPEC), 6, Kernels.scalar());
        int d = net.parameterCount();
        float[] eps = new float[d];
        float[] logVar = new float[d];
        SplittableRandom r = new SplittableRandom(7);
        for (int q = 0; q < d; q++) {
            eps[q] = (float) r.nextGaussian();
            logVar[q] = (float) (2 * Math.log(0.05 + 0.2 * r.nextDouble()));
        }
        float[] mu = net.parameters().clone();
        float[][] grads = new float[2][2 * d];
        VariationalTraining.VarianceGradient[] kinds = VariationalTraining.VarianceGradient.values();
        for (int i = 0; i < 2; i++) {
            VariationalTraining vt = VariationalTraining.builder(net, Loss.named("mse-mean"), Sgd.plain(0.1), N)
                    .estimator(kinds[i]).build();
            vt.setPosterior(mu, logVar);
            Workspace ws = net.workspace(B);
            ws.load(data, 0, B);
            vt.objective(ws, eps, grads[i]);
        }
        assertEquals(VariationalTraining.VarianceGradient.FISHER, kinds[0]);
        ReferenceNetwork ref = new ReferenceNetwork(net.spec());
        double[] w = new double[d];
        for (int q = 0; q < d; q++) {
            w[q] = mu[q] + Math.exp(0.5 * logVar[q]) * eps[q];
        }
        double[] sumSquares = new double[d];
        double[] batchGradient = new double[d];
        for (int n = 0; n < B; n++) {
            double[] x = ReferenceNetwork.toDouble(Arrays.copyOfRange(data.inputs(), n * 3, n * 3 + 3));
            double[] t = ReferenceNetwork.toDouble(Arrays.copyOfRange(data.targets(), n * 2, n * 2 + 2));
            double[] g = ref.gradient("mse-sum", w, x, t, 1);
            for (int q = 0; q < d; q++) {
                sumSquares[q] += g[q] * g[q];
                batchGradient[q] += g[q] / B;
            }
        }
        double[] expected = new double[d];
        double[] actual = new double[d];
        for (int q = 0; q < d; q++) {
            double var = Math.exp(logVar[q]);
            expected[q] = var * (0.5 * sumSquares[q] / B - batchGradient[q] * eps[q] / (2 * Math.sqrt(var)));
            actual[q] = grads[0][d + q] - grads[1][d + q];
            assertEquals(grads[1][q], grads[0][q], 0f, "the μ gradient does not depend on the estimator");
        }
        Matrices.assertClose(expected, actual, 1e-7, 1e-4, "Fisher minus pathwise term of ∂/∂ln σ²");
    }

    @Test
    void maskedWeightsHaveNoPosteriorAndStayZero() {
        Dataset data = data(8);
        Network net = Network.create(ArchitectureSpec.parse(SPEC), 9, Kernels.scalar());
        Mask mask = Mask.dense(net.layout());
        mask.prune(0);
        mask.prune(5);
        VariationalTraining vt = VariationalTraining.builder(net, Loss.named("mse-mean"), new Adam(1e-2), data.size())
                .seed(1).mask(mask).build();
        vt.trainer().batchSize(B).epochs(3).build().fit(data);
        assertEquals(0f, vt.mean()[0]);
        assertEquals(0f, vt.mean()[5]);
        assertEquals(0f, net.parameters()[5]);
        assertEquals(0.0, vt.signalToNoise()[0]);
        double m = 0;
        int count = 0;
        for (int q = 0; q < net.parameterCount(); q++) {
            if (!mask.isPruned(q)) {
                m += vt.mean()[q];
                count++;
            }
        }
        assertEquals(m / count, vt.priorMean(), 1e-6, "the prior averages the unpruned parameters only");
        Mask snr = vt.signalToNoiseMask(0.5);
        assertTrue(snr.isPruned(0) && snr.isPruned(5), "already pruned weights stay pruned");
    }

    /**
     * A weight that never sees data (its input is always 0) gets no error gradient, so only the complexity cost acts
     * on it and its posterior must converge to the adaptive prior: μ → m̂ and σ² → σ̂² (the minimum of its KL term).
     */
    @Test
    void weightsTheDataDoNotDetermineConvergeToThePrior() {
        SplittableRandom r = new SplittableRandom(10);
        // The squared error is the likelihood of unit-variance noise: targets of a few units make the data worth
        // coding (with targets of size 0.5 the MDL optimum is a constant network: every weight at the prior).
        int n = 256;
        float[] x = new float[n * 3];
        float[] t = new float[n];
        for (int i = 0; i < n; i++) {
            x[i * 3] = (float) (2 * r.nextDouble() - 1);
            x[i * 3 + 1] = (float) (2 * r.nextDouble() - 1);
            t[i] = (float) (4 * Math.sin(2 * x[i * 3]) + 2 * x[i * 3 + 1] + 0.05 * r.nextGaussian());
        }
        Dataset data = Dataset.regression("x3 dead", new int[] {3}, x, 1, t);
        Network net = Network.create(ArchitectureSpec.parse("in(3) dense(6) tanh dense(1)"), 11, Kernels.scalar());
        VariationalTraining vt = VariationalTraining.builder(net, Loss.named("mse-mean"), new Adam(0.03), n).seed(2).build();
        vt.trainer().batchSize(32).epochs(100).build().fit(data);
        float[] mu = vt.mean();
        float[] logVar = vt.logVariance();
        double sd = Math.sqrt(vt.priorVariance());
        for (int u = 0; u < 6; u++) {
            int q = u * 3 + 2;
            // Adam's steps of size ~η keep jittering around the equilibrium; a missing prior term leaves μ at its
            // initial value (|μ − m̂| ≈ σ̂) and σ at 0.01 (ln-variance 8 below the prior's).
            assertEquals(vt.priorMean(), mu[q], 0.1 * sd, "μ of the dead weight into unit " + u);
            assertEquals(Math.log(vt.priorVariance()), logVar[q], 0.3, "ln σ² of the dead weight into unit " + u);
        }
        assertTrue(Double.isFinite(vt.complexityCost()) && vt.complexityCost() > 0);
    }

    @Test
    void signalToNoiseMaskPrunesTheSmallestRatiosAmongWeightsOnly() {
        Network net = Network.create(ArchitectureSpec.parse("in(2) dense(2) tanh dense(1)"), 1, Kernels.scalar());
        VariationalTraining vt = VariationalTraining.builder(net, Loss.named("mse-mean"), Sgd.plain(0.1), 1).build();
        // Layout: fc1.weight 0..3, fc1.bias 4..5, fc2.weight 6..7, fc2.bias 8.
        float[] mu = {1, -0.1f, 0.5f, 2, 0, 0, -3, 0.2f, 0};
        float[] logVar = new float[9];
        Arrays.fill(logVar, (float) Math.log(0.01));
        logVar[3] = (float) Math.log(100);
        vt.setPosterior(mu, logVar);
        Mask m = vt.signalToNoiseMask(0.5);
        // Ratios of the six weights: 10, 1, 5, 0.2, 30, 2 → the three smallest are q = 3, 1, 7.
        assertEquals(3, m.prunedCount());
        assertTrue(m.isPruned(3) && m.isPruned(1) && m.isPruned(7), m.toString());
        Mask magnitude = VariationalTraining.magnitudeMask(net, 0.5);
        assertEquals(3, magnitude.prunedCount());
        assertTrue(!magnitude.isPruned(4) && !magnitude.isPruned(8), "biases are never pruned");
    }
}
