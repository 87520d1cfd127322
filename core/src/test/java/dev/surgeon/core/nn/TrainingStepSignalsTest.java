package dev.surgeon.core.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.surgeon.kernels.Kernels;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A training step's backward pass ({@link Network#lossGradient}), which may leave inner signals stale — a convolution
 * followed by max pooling then unpools each block's gradient into a block-sized scratch — gives the same gradient, bit
 * for bit, as the pass that keeps every signal; and a method that reads signals afterwards (the Hessian-vector
 * product, which needs the convolution's output gradient) is unaffected, because it runs its own backward pass.
 */
class TrainingStepSignalsTest {
    /** conv(4,5) on 20 × 20 gives |T| = 256 (per-sample products, fused with the pool); 45 samples are 2 blocks of 40. */
    private static final String SPEC = "in(1,20,20) conv(4,5) maxpool(2) flatten dense(3)";

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"scalar", "vector"})
    void theTrainingStepsGradientEqualsTheOneThatKeepsEverySignal(String provider) {
        Fixture fx = Fixture.of(SPEC, "cross-entropy-mean", 45, 7, Kernels.named(provider).withThreads(1));
        Network net = fx.net;
        Loss loss = Loss.named("cross-entropy-mean");
        float[] training = new float[net.parameterCount()];
        net.lossAndGradient(fx.ws, loss, training, false);
        float[] kept = new float[net.parameterCount()];
        net.forward(fx.ws, false);
        loss.gradient(fx.ws.outputs(), fx.ws.targets(), 45, 3, loss.scale(45), fx.ws.outputGradient(), 0);
        net.backward(fx.ws, kept, true);
        for (int i = 0; i < kept.length; i++) {
            assertEquals(Float.floatToRawIntBits(kept[i]), Float.floatToRawIntBits(training[i]), "gradient entry " + i);
        }
        double[] ref = fx.referenceGradient();
        for (int i = 0; i < ref.length; i++) {
            assertEquals(ref[i], training[i], 2e-6 + 2e-5 * Math.abs(ref[i]), "against float64, entry " + i);
        }
        assertTrue(ReferenceNetwork.maxAbs(ref) > 1e-3, "the test point must have a non-trivial gradient");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"scalar", "vector"})
    void aHessianProductAfterATrainingStepIsTheSameAsWithout(String provider) {
        Kernels k = Kernels.named(provider).withThreads(1);
        Fixture fx = Fixture.of(SPEC, "mse-sum", 45, 9, k);
        Loss loss = Loss.named("mse-sum");
        float[] v = ReferenceNetwork.randomFloats(fx.d(), 3, 1.0);
        float[] before = new float[fx.d()];
        fx.net.forward(fx.ws, false);
        fx.net.hessianVectorProduct(fx.ws, loss, v, before);
        fx.net.lossAndGradient(fx.ws, loss, new float[fx.d()], false);
        float[] after = new float[fx.d()];
        fx.net.hessianVectorProduct(fx.ws, loss, v, after);
        for (int i = 0; i < before.length; i++) {
            assertEquals(Float.floatToRawIntBits(before[i]), Float.floatToRawIntBits(after[i]), "Hv entry " + i);
        }
    }
}
