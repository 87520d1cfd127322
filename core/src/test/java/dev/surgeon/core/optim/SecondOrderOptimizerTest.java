package dev.surgeon.core.optim;

import static dev.surgeon.core.bayes.Matrices.assertClose;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.surgeon.core.bayes.Matrices;
import dev.surgeon.core.curvature.GradientStorage;
import dev.surgeon.core.curvature.KfacDamping;
import dev.surgeon.core.curvature.KroneckerFactors;
import dev.surgeon.core.data.Dataset;
import dev.surgeon.core.nn.ArchitectureSpec;
import dev.surgeon.core.nn.Loss;
import dev.surgeon.core.nn.Mask;
import dev.surgeon.core.nn.Network;
import dev.surgeon.core.nn.ParameterTensor;
import dev.surgeon.core.nn.ReferenceNetwork;
import dev.surgeon.core.nn.Workspace;
import dev.surgeon.core.train.Evaluation;
import dev.surgeon.core.train.Trainer;
import dev.surgeon.kernels.Kernels;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * K-FAC, M-FAC and the exact natural gradient (METHODS A7, F items 13–15) against explicit dense preconditioned
 * steps computed here in double: dense inverses of the damped matrices each optimizer claims to use, built from
 * their definitions (the Gauss-Newton matrix from the reference network's finite-difference Jacobian, Kronecker
 * products from the optimizer's own factors, the M-FAC window from the pushed gradients). Then the contracts:
 * Levenberg–Marquardt moves λ the right way, masks keep pruned weights at exactly 0.
 */
class SecondOrderOptimizerTest {
    private static final String SPEC = "in(3) dense(4) tanh dense(3)";
    private static final int B = 6;

    private static Dataset classes(int n, long seed) {
        return classes(n, seed, new int[] {3});
    }

    /** Three classes from the first two input values; inputs of the given shape, U(−1, 1). */
    private static Dataset classes(int n, long seed, int[] shape) {
        SplittableRandom r = new SplittableRandom(seed);
        int size = 1;
        for (int s : shape) {
            size *= s;
        }
        float[] x = new float[n * size];
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < size; j++) {
                x[i * size + j] = (float) (2 * r.nextDouble() - 1);
            }
            y[i] = (x[i * size] > 0 ? 1 : 0) + (x[i * size + 1] > 0.3 ? 1 : 0);
        }
        return Dataset.classification("three classes", shape, x, y, 3);
    }

    /** (1/B) Σ_n J_nᵀ (diag p_n − p_n p_nᵀ) J_n for softmax cross-entropy, from the reference network. */
    private static double[][] gaussNewton(Network net, Dataset data, int from, int count) {
        ReferenceNetwork ref = new ReferenceNetwork(net.spec());
        double[] w = ReferenceNetwork.toDouble(net.parameters());
        double[] x = ReferenceNetwork.toDouble(Arrays.copyOfRange(data.inputs(), from * 3, (from + count) * 3));
        double[][] j = ref.jacobian(w, x, count);
        double[] f = ref.forward(w, x, count);
        int d = w.length;
        double[][] g = new double[d][d];
        for (int n = 0; n < count; n++) {
            double[] p = new double[3];
            double z = 0;
            for (int k = 0; k < 3; k++) {
                p[k] = Math.exp(f[n * 3 + k]);
                z += p[k];
            }
            for (int k = 0; k < 3; k++) {
                p[k] /= z;
            }
            for (int a = 0; a < 3; a++) {
                for (int b = 0; b < 3; b++) {
                    double l = ((a == b ? p[a] : 0) - p[a] * p[b]) / count;
                    for (int q = 0; q < d; q++) {
                        for (int s = 0; s < d; s++) {
                            g[q][s] += j[n * 3 + a][q] * l * j[n * 3 + b][s];
                        }
                    }
                }
            }
        }
        return g;
    }

    private static double[] toDouble(float[] a) {
        return ReferenceNetwork.toDouble(a);
    }

    private static float[] gradient(Network net, Workspace ws, Loss loss) {
        float[] g = new float[net.parameterCount()];
        net.lossAndGradient(ws, loss, g, false);
        return g;
    }

    // ------------------------------------------------------------------------------------------------
    // M-FAC

    /**
     * Three steps with a window of m = 2: the third step must use exactly the last two (weight-decayed) gradients,
     * F̂ = λI + ½(g₂g₂ᵀ + g₃g₃ᵀ), and the momentum average v = μv + (1 − μ)u.
     */
    @Test
    void mfacStepIsTheDenseSlidingWindowInverseWithMomentumAndWeightDecay() {
        int d = 7;
        double eta = 0.1;
        double lambda = 0.2;
        double mu = 0.5;
        double wd = 0.01;
        Mfac mfac = new Mfac(eta, 2, lambda, mu, wd, GradientStorage.DOUBLE, Kernels.scalar());
        SplittableRandom r = new SplittableRandom(1);
        float[] w = new float[d];
        for (int q = 0; q < d; q++) {
            w[q] = (float) r.nextGaussian();
        }
        double[][] pushed = new double[3][];
        double[] velocity = new double[d];
        double[] expected = toDouble(w);
        for (int step = 0; step < 3; step++) {
            float[] g = new float[d];
            for (int q = 0; q < d; q++) {
                g[q] = (float) r.nextGaussian();
            }
            pushed[step] = new double[d];
            for (int q = 0; q < d; q++) {
                pushed[step][q] = g[q] + wd * w[q];
            }
            double[][] f = new double[d][d];
            for (int i = Math.max(0, step - 1); i <= step; i++) {
                for (int a = 0; a < d; a++) {
                    for (int b = 0; b < d; b++) {
                        f[a][b] += pushed[i][a] * pushed[i][b] / 2;
                    }
                }
            }
            for (int a = 0; a < d; a++) {
                f[a][a] += lambda;
            }
            double[] u = Matrices.solve(f, pushed[step]);
            for (int q = 0; q < d; q++) {
                velocity[q] = mu * velocity[q] + (1 - mu) * u[q];
                expected[q] = w[q] - eta * velocity[q];
            }
            mfac.step(w, g);
            // Double window storage: the step agrees with the dense solve to float rounding of w.
            assertClose(expected, toDouble(w), 1e-6, 1e-6, "M-FAC step " + (step + 1));
        }
        assertEquals(3, mfac.steps());
    }

    // ------------------------------------------------------------------------------------------------
    // Natural gradient

    @Test
    void naturalGradientStepIsTheDenseDampedFisherSolve() {
        Dataset data = classes(B, 2);
        Network net = Network.create(ArchitectureSpec.parse(SPEC), 3, Kernels.scalar());
        Loss loss = Loss.softmaxCrossEntropy();
        for (boolean masked : new boolean[] {false, true}) {
            NaturalGradient ng = new NaturalGradient(net).learningRate(0.5).damping(0.1).decay(0).weightDecay(0.01);
            Mask mask = Mask.dense(net.layout());
            if (masked) {
                mask.prune(2);
                mask.prune(17);
                mask.apply(net.parameters());
                ng.setMask(mask);
            }
            Workspace ws = net.workspace(B);
            ws.load(data, 0, B);
            float[] g = gradient(net, ws, loss);
            mask.applyToGradient(g);
            double[][] f = gaussNewton(net, data, 0, B);
            double[] w = toDouble(net.parameters());
            int d = w.length;
            double[] rhs = new double[d];
            for (int q = 0; q < d; q++) {
                f[q][q] += 0.1;
                rhs[q] = g[q] + 0.01 * w[q];
            }
            for (int q : mask.prunedIndices()) {
                for (int j = 0; j < d; j++) {
                    f[q][j] = 0;
                    f[j][q] = 0;
                }
                f[q][q] = 1;
                rhs[q] = 0;
            }
            double[] x = Matrices.solve(f, rhs);
            double[] expected = new double[d];
            for (int q = 0; q < d; q++) {
                expected[q] = w[q] - 0.5 * x[q];
            }
            ng.prepare(ws, loss);
            ng.step(net.parameters(), g);
            // F from float per-sample rows vs the finite-difference reference (~1e-6 relative), λ = 0.1 keeps the
            // solve well conditioned. An F of the summed loss (B times larger) or a missing Λ is off by O(1).
            assertClose(expected, toDouble(net.parameters()), 1e-5, 1e-4, "natural-gradient step" + (masked ? ", masked" : ""));
            for (int q : mask.prunedIndices()) {
                assertEquals(0f, net.parameters()[q]);
            }
        }
    }

    // ------------------------------------------------------------------------------------------------
    // K-FAC

    /** blockdiag over layers of the dense (Γ ⊗ A) with row-major [W | b] order, or with the damped factors. */
    private static double[][] kronecker(Network net, KroneckerFactors f, double gammaTikhonov, double lambdaEigen) {
        int d = net.parameterCount();
        double[][] m = new double[d][d];
        for (KroneckerFactors.LayerFactors l : f.layers()) {
            double[] a = l.inputFactor();
            double[] g = l.gradientFactor();
            int na = l.inputDim();
            int ng = l.outputDim();
            if (gammaTikhonov > 0) {
                double pi = Math.sqrt((trace(a, na) / na) / (trace(g, ng) / ng));
                for (int i = 0; i < na; i++) {
                    a[i * na + i] += pi * gammaTikhonov;
                }
                for (int i = 0; i < ng; i++) {
                    g[i * ng + i] += gammaTikhonov / pi;
                }
            }
            ParameterTensor w = l.weight();
            int cols = w.columns();
            int[] index = new int[ng * na];
            for (int i = 0; i < ng; i++) {
                for (int j = 0; j < na; j++) {
                    index[i * na + j] = j < cols ? w.offset() + i * cols + j : l.bias().offset() + i;
                }
            }
            for (int r = 0; r < ng * na; r++) {
                for (int c = 0; c < ng * na; c++) {
                    m[index[r]][index[c]] = g[(r / na) * ng + c / na] * a[(r % na) * na + c % na];
                }
                m[index[r]][index[r]] += lambdaEigen;
            }
        }
        return m;
    }

    private static double trace(double[] a, int n) {
        double s = 0;
        for (int i = 0; i < n; i++) {
            s += a[i * n + i];
        }
        return s;
    }

    /** Dense and convolutional layers (KFC: unfolded patches, Γ over output positions) in the same row-major order. */
    @org.junit.jupiter.params.ParameterizedTest(name = "{0}")
    @org.junit.jupiter.params.provider.ValueSource(strings = {SPEC, "in(1,3,3) conv(2,2) tanh flatten dense(3)"})
    void kfacKlClipStepIsTheDenseKroneckerInverseClippedThenMomentumSgd(String spec) {
        Network net = Network.create(ArchitectureSpec.parse(spec), 5, Kernels.scalar());
        Dataset data = classes(2 * B, 4, net.inputShape().dims());
        Loss loss = Loss.softmaxCrossEntropy();
        double eta = 0.3;
        double lambda = 0.05;
        double wd = 0.002;
        double clip = 1e-3;
        Kfac kfac = Kfac.klClip(net).learningRate(eta).damping(lambda).weightDecay(wd).klClip(clip).statisticsPeriod(1)
                .inversePeriod(1).momentum(0.9).seed(6).build();
        Workspace ws = net.workspace(B);
        double[] velocity = new double[net.parameterCount()];
        for (int step = 0; step < 2; step++) {
            ws.load(data, step * B, B);
            float[] g = gradient(net, ws, loss);
            double[] w = toDouble(net.parameters());
            kfac.prepare(ws, loss);
            double[] p = Matrices.solve(kronecker(net, kfac.factors(), 0, lambda), toDouble(g));
            double vg = eta * eta * Matrices.dot(p, toDouble(g));
            double nu = Math.min(1, Math.sqrt(clip / vg));
            assertTrue(nu < 1, "the clip is active in this test (ν = " + nu + ")");
            double[] expected = new double[w.length];
            for (int q = 0; q < w.length; q++) {
                velocity[q] = 0.9 * velocity[q] + nu * p[q] + wd * w[q];
                expected[q] = w[q] - eta * velocity[q];
            }
            kfac.step(net.parameters(), g);
            assertClose(expected, toDouble(net.parameters()), 1e-6, 1e-5, spec + ": K-FAC KL-clip step " + (step + 1));
        }
    }

    /**
     * The paper's rule: Δ = −F̆⁻¹∇h with the factored-Tikhonov F̆, then (α, μ) from the 2×2 quadratic model with the
     * exact Gauss-Newton matrix of the batch (here from the reference network). Step 1 has no previous step (μ = 0);
     * step 2 solves the full 2×2 system.
     */
    @Test
    void kfacQuadraticModelStepSolvesTheTwoByTwoSystemWithTheExactFisher() {
        Dataset data = classes(2 * B, 7);
        Network net = Network.create(ArchitectureSpec.parse(SPEC), 8, Kernels.scalar());
        Loss loss = Loss.softmaxCrossEntropy();
        double lambda = 0.3;
        double wd = 0.01;
        Kfac kfac = Kfac.paper(net, lambda).weightDecay(wd).inversePeriod(1).gammaPeriod(1000)
                .levenbergMarquardt(false, 5).seed(9).build();
        Workspace ws = net.workspace(B);
        int d = net.parameterCount();
        double[] previous = new double[d];
        double c = lambda + wd;
        for (int step = 0; step < 2; step++) {
            ws.load(data, step * B, B);
            float[] g = gradient(net, ws, loss);
            double[] w = toDouble(net.parameters());
            double[] gh = new double[d];
            for (int q = 0; q < d; q++) {
                gh[q] = g[q] + wd * w[q];
            }
            double[][] f = gaussNewton(net, data, step * B, B);
            kfac.prepare(ws, loss);
            double[] delta = Matrices.solve(kronecker(net, kfac.factors(), Math.sqrt(lambda + wd), 0), gh);
            for (int q = 0; q < d; q++) {
                delta[q] = -delta[q];
            }
            double[] fd = Matrices.multiply(f, delta);
            double[] fp = Matrices.multiply(f, previous);
            double m11 = Matrices.dot(delta, fd) + c * Matrices.dot(delta, delta);
            double m12 = Matrices.dot(delta, fp) + c * Matrices.dot(delta, previous);
            double m22 = Matrices.dot(previous, fp) + c * Matrices.dot(previous, previous);
            double b1 = Matrices.dot(gh, delta);
            double b2 = Matrices.dot(gh, previous);
            double alpha;
            double mu;
            if (step == 0) {
                alpha = -b1 / m11;
                mu = 0;
            } else {
                double det = m11 * m22 - m12 * m12;
                alpha = -(m22 * b1 - m12 * b2) / det;
                mu = -(m11 * b2 - m12 * b1) / det;
                assertTrue(Math.abs(mu) > 1e-3, "the momentum term is exercised (μ = " + mu + ")");
            }
            double[] expected = new double[d];
            for (int q = 0; q < d; q++) {
                previous[q] = alpha * delta[q] + mu * previous[q];
                expected[q] = w[q] + previous[q];
            }
            kfac.step(net.parameters(), g);
            // The Fisher products are float R-operator passes against a finite-difference reference (~1e-6).
            assertClose(expected, toDouble(net.parameters()), 1e-6, 1e-4, "K-FAC quadratic-model step " + (step + 1));
        }
    }

    @Test
    void levenbergMarquardtRaisesTheDampingAfterABadStepAndLowersItAfterAGoodOne() {
        LevenbergMarquardt lm = new LevenbergMarquardt(5);
        assertEquals(Math.pow(0.95, 5), lm.omega(), 1e-15);
        assertTrue(lm.update(1.0, 1.0) < 1.0, "ρ = 1: the model is trusted, λ shrinks");
        assertTrue(lm.update(1.0, -2.0) > 1.0, "ρ < 0: the loss rose, λ grows");
        assertEquals(1.0, lm.update(1.0, 0.5), 0.0, "1/4 ≤ ρ ≤ 3/4 keeps λ");
        assertEquals(1.0, lm.update(1.0, LevenbergMarquardt.ratio(-1, 0.5)), 0.0, "no predicted decrease: unchanged");

        // In the optimizer. (a) Linear least squares is exactly quadratic with Hessian = Gauss-Newton, and the model's
        // extra c‖δ‖² only overestimates the curvature: ρ ≥ 1, λ falls by ω₁ every T₁ = 5 steps.
        SplittableRandom r = new SplittableRandom(10);
        float[] x = new float[64 * 3];
        float[] t = new float[64];
        for (int i = 0; i < 64; i++) {
            for (int j = 0; j < 3; j++) {
                x[i * 3 + j] = (float) r.nextGaussian();
            }
            t[i] = x[i * 3] - 2 * x[i * 3 + 1] + (float) (0.1 * r.nextGaussian());
        }
        Network linear = Network.create(ArchitectureSpec.parse("in(3) dense(1)"), 11, Kernels.scalar());
        Kfac good = Kfac.paper(linear, 1.0).levenbergMarquardt(true, 5).seed(1).build();
        Trainer.builder(linear, Loss.meanSquaredError(dev.surgeon.core.nn.Reduction.MEAN), good).batchSize(16).epochs(5)
                .build().fit(Dataset.regression("linear", new int[] {3}, x, 1, t));
        assertTrue(good.lastReductionRatio() > 0.75, "ρ = " + good.lastReductionRatio());
        assertEquals(Math.pow(lm.omega(), 4), good.damping(), 1e-12, "20 steps: four decreases by ω₁");
        // (b) h(w) = ½(tanh w + 5)² from w = −0.8: the Gauss-Newton model (curvature (1 − f²)² = 0.31) predicts a
        // decrease of 9.4 for its step to w ≈ −8.6, but tanh saturates at −1 and h only falls from 9.40 to 8.0:
        // ρ ≈ 0.15 < 1/4 after the first step, so λ must grow by 1/ω₁ (adjusted every step here, T₁ = 1).
        Network tanh = Network.create(ArchitectureSpec.parse("in(1) dense(1,bias=false) tanh"), 1, Kernels.scalar());
        tanh.parameters()[0] = -0.8f;
        float[] ones = new float[16];
        float[] targets = new float[16];
        Arrays.fill(ones, 1f);
        Arrays.fill(targets, -5f);
        Kfac bad = Kfac.paper(tanh, 1e-3).levenbergMarquardt(true, 1).seed(1).build();
        Trainer trainer = Trainer.builder(tanh, Loss.meanSquaredError(dev.surgeon.core.nn.Reduction.MEAN), bad).batchSize(16)
                .build();
        trainer.workspace().load(Dataset.regression("far", new int[] {1}, ones, 1, targets), 0, 16);
        trainer.step();
        assertEquals(0.15, bad.lastReductionRatio(), 0.03, "ρ of the overshooting step");
        assertEquals(1e-3 / 0.95, bad.damping(), 1e-15, "one increase by 1/ω₁ (ω₁ = 19/20 for T₁ = 1)");
    }

    @Test
    void kfacAndMfacTrainATinyClassifier() {
        Dataset data = classes(256, 12);
        Loss loss = Loss.softmaxCrossEntropy();
        Optimizer[] optimizers = {null, null};
        for (int i = 0; i < 2; i++) {
            Network net = Network.create(ArchitectureSpec.parse(SPEC), 13, Kernels.scalar());
            double before = Evaluation.of(net, loss, data, 64).loss();
            optimizers[i] = i == 0 ? Kfac.paper(net, 1.0).seed(2).build()
                    : new Mfac(0.05, 16, 1e-2, 0, 0, GradientStorage.FLOAT, Kernels.scalar());
            Trainer.builder(net, loss, optimizers[i]).batchSize(32).epochs(10).seed(3).build().fit(data);
            double after = Evaluation.of(net, loss, data, 64).loss();
            assertTrue(after < 0.6 * before, optimizers[i] + ": loss " + before + " → " + after);
        }
    }

    /** Every optimizer keeps pruned weights at exactly 0 through training, and a new mask resets its state. */
    @Test
    void secondOrderOptimizersRespectMasks() {
        Dataset data = classes(64, 14);
        Loss loss = Loss.softmaxCrossEntropy();
        for (int which = 0; which < 4; which++) {
            Network net = Network.create(ArchitectureSpec.parse(SPEC), 15, Kernels.scalar());
            Optimizer opt = switch (which) {
                case 0 -> Kfac.paper(net, 1.0).weightDecay(1e-3).build();
                case 1 -> Kfac.klClip(net).learningRate(0.05).statisticsPeriod(1).inversePeriod(3).build();
                case 2 -> new Mfac(0.05, 8, 1e-2, 0.5, 1e-3, GradientStorage.FLOAT, Kernels.scalar());
                default -> new NaturalGradient(net).learningRate(0.5).damping(0.1);
            };
            Mask mask = Mask.dense(net.layout());
            for (int q = 0; q < net.parameterCount(); q += 3) {
                mask.prune(q);
            }
            Trainer.builder(net, loss, opt).batchSize(16).epochs(3).mask(mask).build().fit(data);
            for (int q : mask.prunedIndices()) {
                assertEquals(0f, net.parameters()[q], opt + " moved pruned weight " + q);
            }
            mask.prune(1);
            Trainer.builder(net, loss, opt).batchSize(16).epochs(1).mask(mask).build().fit(data);
            assertEquals(0f, net.parameters()[1], opt + " after a mask change");
        }
    }

    @Test
    void curvatureOptimizersNeedTheBatchAndTheNetworksOwnParameters() {
        Network net = Network.create(ArchitectureSpec.parse(SPEC), 16, Kernels.scalar());
        Kfac kfac = Kfac.paper(net, 1.0).build();
        float[] g = new float[net.parameterCount()];
        assertThrows(IllegalStateException.class, () -> kfac.step(net.parameters(), g));
        assertThrows(IllegalArgumentException.class, () -> kfac.step(net.parameters().clone(), g));
        NaturalGradient ng = new NaturalGradient(net);
        assertThrows(IllegalStateException.class, () -> ng.step(net.parameters(), g));
        assertThrows(IllegalArgumentException.class, () -> Kfac.paper(net, 1.0).dampingVariant(KfacDamping.Variant.EIGEN)
                .statisticsPeriod(0));
    }
}
