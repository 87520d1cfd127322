package dev.surgeon.core.prune;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.surgeon.core.curvature.Curvature;
import dev.surgeon.core.curvature.DataSource;
import dev.surgeon.core.curvature.Damping;
import dev.surgeon.core.curvature.LayerwiseHessian;
import dev.surgeon.core.data.Dataset;
import dev.surgeon.core.nn.ArchitectureSpec;
import dev.surgeon.core.nn.Loss;
import dev.surgeon.core.nn.Network;
import dev.surgeon.core.nn.ParameterTensor;
import dev.surgeon.core.progress.Progress;
import dev.surgeon.core.quant.Obq;
import dev.surgeon.core.quant.QuantizationGrid;
import dev.surgeon.kernels.Kernels;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The network driver: one-shot vs sequential inputs, skipped layers, masks and quantized layers in the copy. */
class LayerReconstructionTest {
    private static final Kernels K = Kernels.scalar();

    static Network network(String spec, long seed) {
        return Network.create(ArchitectureSpec.parse(spec), seed, K);
    }

    static Dataset data(Network net, int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        int in = net.inputShape().size();
        float[] x = new float[n * in];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) r.nextGaussian();
        }
        int k = net.outputSize();
        float[] t = new float[n * k];
        for (int i = 0; i < t.length; i++) {
            t[i] = (float) r.nextGaussian();
        }
        return Dataset.regression("random", net.inputShape().dims(), x, k, t);
    }

    static double[] weights(Network net, ParameterTensor w) {
        double[] d = new double[w.length()];
        for (int q = 0; q < d.length; q++) {
            d[q] = net.parameters()[w.offset() + q];
        }
        return d;
    }

    /** One-shot: each layer equals ExactOBS run directly on the H that Curvature computes from the dense network. */
    @Test
    void oneShotCompressesEveryLayerAgainstTheDenseInputs() {
        Network net = network("in(16) dense(12) relu dense(8) relu dense(4)", 1);
        DataSource data = DataSource.all(data(net, 64, 2), 20);
        LayerReconstructionReport report = LayerReconstruction.of(ExactObs.unstructured(0.6)).kernels(K).run(net, data);
        List<LayerwiseHessian> hs = Curvature.of(net, Loss.named("mse-mean"), data).layerwiseHessians(Damping.none());
        assertEquals(3, report.layers().size());
        for (int l = 0; l < 3; l++) {
            ParameterTensor w = net.layers().get(2 * l).parameters().get(0);
            LayerReconstructionProblem p = LayerReconstructionProblem.dense(w.name(), weights(net, w), w.rows(),
                    w.columns(), hs.get(l));
            LayerReconstructionResult direct = ExactObs.unstructured(0.6).compress(p, K, Progress.NONE);
            LayerReconstructionResult viaDriver = report.layer(w.name());
            assertArrayEquals(direct.pruned(), viaDriver.pruned(), w.name());
            assertTrue(LayerFixture.maxAbsDiff(direct.weights(), viaDriver.weights()) < 1e-12, w.name());
            for (int q = 0; q < w.length(); q++) {
                assertEquals((float) direct.weights()[q], report.network().parameters()[w.offset() + q]);
                assertEquals(direct.pruned()[q], report.mask().isPruned(w.offset() + q));
            }
        }
        assertArrayEquals(data.indices(), report.calibrationIndices());
        assertEquals(Math.ceil(0.6 * 192) + Math.ceil(0.6 * 96) + Math.ceil(0.6 * 32),
                report.mask().prunedCount(), 1e-9, "ExactOBS prunes ⌈s·size⌉ weights per layer");
        // The original network is untouched.
        assertNotEquals(0f, net.parameters()[report.mask().prunedIndices()[0]]);
    }

    /** Sequential: layer 2 is reconstructed against the inputs that the compressed layer 1 produces. */
    @Test
    void sequentialUsesTheInputsOfTheAlreadyCompressedLayers() {
        Network net = network("in(16) dense(12) relu dense(8)", 3);
        DataSource data = DataSource.all(data(net, 64, 4), 64);
        SparseGpt method = SparseGpt.unstructured(0.5);
        LayerReconstructionReport seq = LayerReconstruction.of(method).sequential(true).kernels(K).run(net, data);
        LayerReconstructionReport once = LayerReconstruction.of(method).kernels(K).run(net, data);
        ParameterTensor w2 = net.layers().get(2).parameters().get(0);
        // H of layer 2 as seen after layer 1 was compressed (report network: layer 1 compressed), SparseGPT's damping.
        LayerwiseHessian h = Curvature.of(seq.network(), Loss.named("mse-mean"), data)
                .layerwiseHessians(Damping.relative(0.01)).get(1);
        LayerReconstructionProblem p = LayerReconstructionProblem.dense(w2.name(), weights(net, w2), 8, 12, h);
        LayerReconstructionResult direct = method.compress(p, K, Progress.NONE);
        assertTrue(LayerFixture.maxAbsDiff(direct.weights(), seq.layer(w2.name()).weights()) < 1e-12);
        assertTrue(LayerFixture.maxAbsDiff(once.layer(w2.name()).weights(), seq.layer(w2.name()).weights()) > 1e-6,
                "one-shot and sequential differ for the second layer");
        assertTrue(seq.sequential());
        // SparseGPT's relative damping 0.01·mean(diag H) of the sequential H was used (and recorded) for layer 2.
        assertEquals(h.lambda(), seq.layer(w2.name()).damping().used(), 1e-15 * h.lambda());
        assertTrue(h.lambda() > 0);
    }

    @Test
    void incompatibleLayersAreRefusedOrSkippedWithTheReason() {
        Network net = network("in(1,6,6) conv(4,3) relu conv(4,3) relu flatten dense(8) relu dense(2)", 5);
        DataSource data = DataSource.all(data(net, 24, 6), 12);
        LayerReconstruction nm = LayerReconstruction.of(ExactObs.nOfM(2, 4)).kernels(K);
        LayerReconstructionPatternException e = assertThrows(LayerReconstructionPatternException.class,
                () -> nm.run(net, data));
        assertEquals("conv1.weight", e.layer());
        LayerReconstructionReport r = nm.skipIncompatibleLayers(true).run(net, data);
        assertEquals(1, r.skipped().size());
        assertEquals("conv1.weight", r.skipped().get(0).layer());
        assertTrue(r.skipped().get(0).reason().contains("c_in = 1"), r.skipped().get(0).reason());
        assertEquals(3, r.layers().size());
        ExactObsTest.checkNOfM(r.layer("conv2.weight"), 4, 36, 9, 2, 4);
        assertThrows(IllegalArgumentException.class, () -> nm.layers("fc9.weight").run(net, data));
    }

    @Test
    void quantizedLayersCarryCodesAndTheNetworkHoldsTheirValues() {
        Network net = network("in(8) dense(6) relu dense(3)", 7);
        DataSource data = DataSource.all(data(net, 40, 8), 40);
        LayerReconstructionReport r = LayerReconstruction.of(Obq.of(QuantizationGrid.Spec.asymmetric(4)))
                .method("fc2.weight", SparseGpt.gptq(QuantizationGrid.Spec.symmetric(3)))
                .kernels(K).run(net, data);
        assertEquals(2, r.quantized().size());
        assertTrue(r.layer("fc2.weight").method().startsWith("GPTQ"));
        for (var q : r.quantized()) {
            ParameterTensor t = net.layout().tensor(q.tensor());
            float[] values = q.dequantize();
            for (int i = 0; i < values.length; i++) {
                assertEquals(values[i], r.network().parameters()[t.offset() + i]);
            }
        }
        assertTrue(r.toMarkdown().contains("fc1.weight"));
    }
}
