package dev.surgeon.core.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.surgeon.core.nn.ArchitectureSpec;
import dev.surgeon.core.nn.Mask;
import dev.surgeon.core.nn.ParameterLayout;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The first-order optimizers against reference trajectories and against the mask contract.
 *
 * <p>Reference values: PyTorch 1.13 (float32) on w0 = (0.5, −1.2, 2.0) with the gradients below, printed by
 * <pre>
 *   p = torch.nn.Parameter(torch.tensor(w0)); opt = torch.optim.X([p], ...)
 *   for g in G: p.grad = torch.tensor(g); opt.step(); print(p.tolist())
 * </pre>
 * (X and hyper-parameters as in {@link #optimizer}). Both sides compute in float32 with the same formulas but
 * possibly different operation order, so values agree to a few ulps of 2 (≈ 2e-7); we allow 2e-6.
 * Exception: Nadam's row is the formula evaluated in float64 by hand (a 20-line Python loop), because
 * PyTorch 1.13 computes Π_{t+1} as Π_t·μ_t·μ_{t+1} (μ_t twice); later PyTorch versions and Dozat's
 * formula use Π_t·μ_{t+1}, as {@link Nadam} does.
 */
class OptimizerTest {
    private static final float[] W0 = {0.5f, -1.2f, 2.0f};
    private static final float[][] G = {{0.1f, -0.3f, 0.7f}, {-0.2f, 0.05f, 0.4f}, {0.3f, 0.3f, -0.1f}, {0.01f, -0.02f, 0.01f}};

    static Optimizer optimizer(String name) {
        return switch (name) {
            case "sgd" -> Sgd.plain(0.1);
            case "sgd-wd" -> Sgd.plain(0.1).weightDecay(0.01);
            case "momentum" -> Sgd.momentum(0.1, 0.9);
            case "nesterov" -> Sgd.nesterov(0.1, 0.9);
            case "adagrad" -> new AdaGrad();
            case "rmsprop" -> new RmsProp();
            case "adadelta" -> new AdaDelta();
            case "adam" -> new Adam();
            case "adam-l2" -> new Adam(1e-3).weightDecay(0.1);
            case "amsgrad" -> Adam.amsGrad(1e-3);
            case "adamw" -> Adam.adamW(1e-3, 1e-2);
            case "adamax" -> new AdaMax();
            case "nadam" -> new Nadam();
            default -> throw new IllegalArgumentException(name);
        };
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = ';', value = {
        "sgd; 0.49000000953674316,-1.1700000762939453,1.9299999475479126;0.5099999904632568,-1.1750000715255737,1.8899999856948853;0.47999998927116394,-1.2050000429153442,1.899999976158142;0.4790000021457672,-1.2030000686645508,1.8989999294281006",
        "sgd-wd; 0.4894999861717224,-1.1687999963760376,1.9279999732971191;0.5090104937553406,-1.1726311445236206,1.8860719203948975;0.47850146889686584,-1.2014585733413696,1.8941859006881714;0.4770229756832123,-1.1982570886611938,1.8912917375564575",
        "momentum; 0.49000000953674316,-1.1700000762939453,1.9299999475479126;0.5009999871253967,-1.1480001211166382,1.8269999027252197;0.48089998960494995,-1.1582001447677612,1.7442998886108398;0.46180999279022217,-1.1653801202774048,1.6688698530197144",
        "nesterov; 0.48100000619888306,-1.1430000066757202,1.8669999837875366;0.5109000205993652,-1.1282000541687012,1.7343000173568726;0.4628100097179413,-1.1673800945281982,1.6698700189590454;0.4446290135383606,-1.171842098236084,1.6009830236434937",
        "adagrad; 0.49000000953674316,-1.190000057220459,1.9900000095367432;0.4989442825317383,-1.1916440725326538,1.9850386381149292;0.49092644453048706,-1.1986665725708008,1.9862695932388306;0.49065926671028137,-1.198198914527893,1.9861465692520142",
        "rmsprop; 0.40000009536743164,-1.1000001430511475,1.899999976158142;0.48953235149383545,-1.116520643234253,1.8501980304718018;0.4091819226741791,-1.1870973110198975,1.862614393234253;0.40649107098579407,-1.1823737621307373,1.861366629600525",
        "adadelta; 0.496839314699173,-1.1968379020690918,1.9968377351760864;0.5008785128593445,-1.197611689567566,1.9945303201675415;0.4960108995437622,-1.2008795738220215,1.9951947927474976;0.4957946836948395,-1.2005990743637085,1.9951262474060059",
        "adam; 0.49900001287460327,-1.1990000009536743,1.9989999532699585;0.4993661046028137,-1.1984614133834839,1.9980489015579224;0.49902287125587463,-1.1986140012741089,1.997398018836975;0.4987262785434723,-1.198711633682251,1.996857762336731",
        "adam-l2; 0.49900001287460327,-1.1990000009536743,1.9989999532699585;0.4990529716014862,-1.1982167959213257,1.9980295896530151;0.498527854681015,-1.1979085206985474,1.997223973274231;0.4980180859565735,-1.1974984407424927,1.9964656829833984",
        "amsgrad; 0.49900001287460327,-1.1990000009536743,1.9989999532699585;0.4993661046028137,-1.1984614133834839,1.9980489015579224;0.49902287125587463,-1.1986140012741089,1.997398018836975;0.4987263083457947,-1.198711633682251,1.99685800075531",
        "adamw; 0.49899500608444214,-1.1989879608154297,1.998979926109314;0.49935609102249146,-1.1984373331069946,1.9980088472366333;0.49900785088539124,-1.198577880859375,1.9973379373550415;0.49870625138282776,-1.1986634731292725,1.9967776536941528",
        "adamax; 0.49799999594688416,-1.1980000734329224,1.9980000257492065;0.4985789358615875,-1.1972273588180542,1.996449589729309;0.49808448553085327,-1.1974782943725586,1.9955759048461914;0.4977140426635742,-1.1976176500320435,1.9949473142623901",
        "nadam; 0.49788709665457953,-1.1978870965137194,1.9978870964734736;0.499700211525285,-1.1981064271858235,1.9967402859767542;0.4979330781959628,-1.199616926508975,1.9968326854620144;0.4977782124486338,-1.1995404889587475,1.9966339385945768",
    })
    void firstStepsMatchPyTorch(String name, String step1, String step2, String step3, String step4) {
        Optimizer opt = optimizer(name);
        float[] w = W0.clone();
        String[] expected = {step1, step2, step3, step4};
        for (int t = 0; t < G.length; t++) {
            opt.step(w, G[t]);
            String[] e = expected[t].split(",");
            for (int i = 0; i < w.length; i++) {
                assertEquals(Double.parseDouble(e[i]), w[i], 2e-6, name + ": w[" + i + "] after step " + (t + 1));
            }
        }
        assertEquals(4, opt.steps());
    }

    @Test
    void handComputedFirstSteps() {
        // SGD with momentum: v1 = g1, w1 = w0 − η g1; v2 = μ g1 + g2, w2 = w1 − η v2.
        Optimizer sgd = Sgd.momentum(0.1, 0.9);
        float[] w = W0.clone();
        sgd.step(w, G[0]);
        sgd.step(w, G[1]);
        for (int i = 0; i < 3; i++) {
            double w1 = W0[i] - 0.1 * G[0][i];
            assertEquals(w1 - 0.1 * (0.9 * G[0][i] + G[1][i]), w[i], 1e-6);
        }
        // Adam's first step is −η·g/(|g| + ε/(√(1−β2)…)) ≈ −η·sign(g): m̂ = g and r̂ = g² at t = 1.
        Optimizer adam = new Adam(0.01);
        w = W0.clone();
        adam.step(w, G[0]);
        for (int i = 0; i < 3; i++) {
            assertEquals(W0[i] - 0.01 * Math.signum(G[0][i]), w[i], 1e-6);
        }
        // AdamW decays before the step: w1 = (1 − η wd) w0 − η sign(g1).
        Optimizer adamW = Adam.adamW(0.01, 0.5);
        w = W0.clone();
        adamW.step(w, G[0]);
        for (int i = 0; i < 3; i++) {
            assertEquals((1 - 0.01 * 0.5) * W0[i] - 0.01 * Math.signum(G[0][i]), w[i], 1e-6);
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"sgd", "sgd-wd", "momentum", "nesterov", "adagrad", "rmsprop", "adadelta", "adam",
        "adam-l2", "amsgrad", "adamw", "adamax", "nadam"})
    void prunedWeightsStayExactlyZeroThroughHundredSteps(String name) {
        ParameterLayout layout = ParameterLayout.of(ArchitectureSpec.parse("in(6) dense(5) relu dense(3)"));
        int d = layout.size();
        Mask mask = Mask.dense(layout);
        SplittableRandom random = new SplittableRandom(3);
        float[] w = new float[d];
        for (int q = 0; q < d; q++) {
            w[q] = (float) random.nextDouble(-1, 1);
            if (q % 3 == 0) {
                mask.prune(q);
            }
        }
        Optimizer opt = optimizer(name);
        opt.setMask(mask);
        float[] g = new float[d];
        for (int step = 0; step < 100; step++) {
            for (int q = 0; q < d; q++) {
                g[q] = (float) random.nextDouble(-1, 1);
            }
            opt.step(w, g);
            for (int q : mask.prunedIndices()) {
                assertEquals(0, Float.floatToRawIntBits(w[q]), name + ": pruned weight " + q + " is " + w[q] + " after step " + step);
            }
        }
        int moved = 0;
        for (int q = 0; q < d; q++) {
            moved += !mask.isPruned(q) && w[q] != 0f ? 1 : 0;
        }
        assertTrue(moved > d / 2, "unpruned weights keep training");
    }

    @Test
    void restoredWeightStartsFromFreshState() {
        ParameterLayout layout = ParameterLayout.of(ArchitectureSpec.parse("in(2) dense(1,bias=false)"));
        Mask mask = Mask.dense(layout);
        mask.prune(0);
        Optimizer opt = Sgd.momentum(0.1, 0.9);
        opt.setMask(mask);
        float[] w = {0f, 1f};
        for (int i = 0; i < 10; i++) {
            opt.step(w, new float[] {1f, 1f});
        }
        mask.restore(0);
        opt.step(w, new float[] {1f, 1f});
        // Momentum of weight 0 was reset every step while pruned: its first free step is −η g.
        assertEquals(-0.1f, w[0], 1e-7);
    }

    @Test
    void optimizersRefuseBadArguments() {
        Supplier<Optimizer> adam = Adam::new;
        Optimizer a = adam.get();
        a.step(new float[3], new float[3]);
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> a.step(new float[4], new float[4]));
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> a.step(new float[3], new float[2]));
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> Sgd.momentum(0.1, 1.5));
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> new Adam(-1));
        a.reset();
        a.step(new float[3], new float[3]);
        assertEquals(1, a.steps());
    }

    @Test
    void schedulesFollowTheirFormulas() {
        LearningRateSchedule step = LearningRateSchedule.step(0.1, 3, 0.5);
        assertEquals(0.1, step.rate(0), 1e-15);
        assertEquals(0.1, step.rate(2), 1e-15);
        assertEquals(0.05, step.rate(3), 1e-15);
        assertEquals(0.025, step.rate(7), 1e-15);
        LearningRateSchedule cosine = LearningRateSchedule.cosine(0.1, 10, 0.001);
        assertEquals(0.1, cosine.rate(0), 1e-15);
        assertEquals(0.001 + 0.099 / 2, cosine.rate(5), 1e-15);
        assertEquals(0.001, cosine.rate(10), 1e-15);
        assertEquals(0.001, cosine.rate(12), 1e-15);
        assertEquals(0.3, LearningRateSchedule.constant(0.3).rate(99));
    }

    /**
     * A weight whose gradient becomes exactly zero: its momentum (and Adam's moments) decay geometrically, and
     * without a flush they reach the subnormal range and stay there for ever (round(0.9·k·2⁻¹⁴⁹) = k·2⁻¹⁴⁹ for small
     * k), which makes every later step pay the CPU's subnormal penalty. 100,000 zero-gradient steps take 0.9^t and
     * 0.999^t (from 9e-3) below 2⁻¹⁴⁹, so the state must end exactly zero — and never be subnormal on the way.
     */
    @Test
    void optimizerStateOfAWeightWithZeroGradientEndsAtZeroNotSubnormal() {
        Sgd sgd = Sgd.momentum(0.05, 0.9);
        Adam adam = new Adam(0.001);
        Nadam nadam = new Nadam();
        AdaMax adaMax = new AdaMax();
        AdaDelta adaDelta = new AdaDelta();
        RmsProp rmsProp = new RmsProp();
        List<ElementwiseOptimizer<?>> all = List.of(sgd, adam, nadam, adaMax, adaDelta, rmsProp);
        float[][] w = new float[all.size()][];
        for (int o = 0; o < all.size(); o++) {
            w[o] = new float[] {1f, 2f};
            all.get(o).step(w[o], new float[] {1f, -3f});
        }
        float[] zero = new float[2];
        for (int t = 0; t < 100_000; t++) {
            for (int o = 0; o < all.size(); o++) {
                all.get(o).step(w[o], zero);
            }
            for (float v : new float[] {sgd.velocity[0], sgd.velocity[1], adam.m[0], adam.m[1], adam.r[0], adam.r[1],
                    nadam.m[0], nadam.r[1], adaMax.m[0], adaMax.m[1], adaDelta.meanSquare[0], adaDelta.meanSquareUpdate[1],
                    rmsProp.meanSquare[0]}) {
                assertTrue(v == 0f || Math.abs(v) >= Float.MIN_NORMAL, "subnormal optimizer state " + v + " at step " + t);
            }
        }
        assertEquals(0f, sgd.velocity[0]);
        assertEquals(0f, adam.m[1]);
        assertEquals(0f, adam.r[1]);
        assertEquals(0f, nadam.m[0]);
        assertEquals(0f, adaMax.m[1]);
        assertEquals(0f, adaDelta.meanSquare[0]);
    }
}
