package dev.surgeon.core.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.surgeon.kernels.Kernels;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Per-sample gradients, their squares and the K-FAC statistics: consistency with the batch gradient, with
 * single-sample gradients, and the Kronecker structure of one sample's gradient (METHODS A7).
 *
 * <p>Tolerances: all quantities are float32 sums of at most ~200 O(1) products computed in different orders
 * (a batch gemm against a per-sample gemm or an outer product), so they agree to ~1e-6 relative; we allow
 * 1e-6 + 1e-5·max|expected|. A wrong row, slice or scale is off by O(max).
 */
class SampleStatisticsTest {
    private static final String[] NETS = {
        "in(5) dense(4) tanh dense(3)",
        "in(5) dense(4,bias=false) relu dense(3,bias=false)",
        "in(2,6,6) conv(3,3,pad=1) relu maxpool(2) conv(2,2,stride=2,bias=false) tanh flatten dense(3)",
        // A training forward pass unfolds block by block and leaves X stale; these passes must unfold it.
        "in(2,10,10) conv(3,2) relu maxpool(3) conv(2,2,bias=false) tanh flatten dense(3)",
    };

    @ParameterizedTest(name = "{0} / {1}")
    @CsvSource(delimiter = ';', value = {
        "0; cross-entropy-mean", "1; mse-sum", "2; cross-entropy-mean", "2; bce-sum", "3; cross-entropy-mean",
    })
    void sampleGradientsSumToTheBatchGradientAndEqualSingleSampleGradients(int net, String loss) {
        Fixture fx = Fixture.of(NETS[net], loss, 4, 7);
        int d = fx.d();
        int k = fx.net.outputSize();
        float[] seeds = new float[fx.batch * k];
        fx.net.lossSeeds(fx.ws, fx.loss, null, seeds, 0);
        int ldg = d + 3;
        float[] g = new float[2 + fx.batch * ldg];
        fx.net.sampleGradients(fx.ws, seeds, 0, g, 2, ldg);

        float[] batchGradient = fx.gradient();
        double scale = fx.loss.reduction() == Reduction.MEAN ? 1.0 / fx.batch : 1.0;
        double[] sum = new double[d];
        for (int n = 0; n < fx.batch; n++) {
            for (int q = 0; q < d; q++) {
                sum[q] += scale * g[2 + n * ldg + q];
            }
        }
        DenseCurvature.assertClose(sum, batchGradient, 1e-6, 1e-5, "s·Σ_n g_n vs the batch gradient");

        Workspace one = fx.net.workspace(1);
        int in = fx.net.inputShape().size();
        for (int n = 0; n < fx.batch; n++) {
            System.arraycopy(fx.ws.inputs(), n * in, one.inputs(), 0, in);
            System.arraycopy(fx.ws.targets(), n * k, one.targets(), 0, k);
            one.setBatch(1);
            float[] single = new float[d];
            fx.net.forward(one, false);
            // One sample: a SUM loss's gradient is ∇ℓ_n and a MEAN loss's is ∇ℓ_n / 1.
            fx.net.lossGradient(one, fx.loss, single);
            double[] row = new double[d];
            for (int q = 0; q < d; q++) {
                row[q] = g[2 + n * ldg + q];
            }
            DenseCurvature.assertClose(row, single, 1e-6, 1e-5, "row " + n + " vs the gradient of sample " + n + " alone");
        }
    }

    @Test
    void sampleGradientsOfOneLayerAreTheMatchingColumns() {
        Fixture fx = Fixture.of(NETS[2], "cross-entropy-mean", 3, 19);
        int d = fx.d();
        float[] seeds = new float[fx.batch * fx.net.outputSize()];
        fx.net.lossSeeds(fx.ws, fx.loss, null, seeds, 0);
        float[] all = new float[fx.batch * d];
        fx.net.sampleGradients(fx.ws, seeds, 0, all, 0, d);
        ParameterTensor w = fx.net.layout().tensor("conv2.weight");
        ParameterTensor b = fx.net.layout().tensor("fc1.bias");
        int from = w.offset();
        int to = b.end();
        float[] part = new float[1 + fx.batch * (to - from)];
        fx.net.sampleGradients(fx.ws, seeds, 0, from, to, part, 1, to - from);
        for (int n = 0; n < fx.batch; n++) {
            for (int q = from; q < to; q++) {
                assertEquals(all[n * d + q], part[1 + n * (to - from) + q - from], "sample " + n + ", " + q);
            }
        }
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> fx.net.sampleGradients(fx.ws, seeds, 0, from + 1, to, part, 0, to - from));
        // A range of whole tensors that ends between a layer's weight and its bias would leave the weight's
        // columns unwritten (the layer writes both together): refused instead of silently skipped.
        int weightOnlyEnd = fx.net.layout().tensor("fc1.weight").end();
        IllegalArgumentException split = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> fx.net.sampleGradients(fx.ws, seeds, 0, from, weightOnlyEnd, part, 0, weightOnlyEnd - from));
        org.junit.jupiter.api.Assertions.assertTrue(split.getMessage().contains("fc1.weight"), split.getMessage());
    }

    @Test
    void sumOfSquaredSampleGradientsEqualsTheRowSquares() {
        for (String spec : NETS) {
            Fixture fx = Fixture.of(spec, "cross-entropy-mean", 5, 9);
            int d = fx.d();
            float[] seeds = new float[fx.batch * fx.net.outputSize()];
            fx.net.lossSeeds(fx.ws, fx.loss, new SplittableRandom(3), seeds, 0);
            float[] g = new float[fx.batch * d];
            fx.net.sampleGradients(fx.ws, seeds, 0, g, 0, d);
            double[] expected = new double[d];
            for (int n = 0; n < fx.batch; n++) {
                for (int q = 0; q < d; q++) {
                    expected[q] += (double) g[n * d + q] * g[n * d + q];
                }
            }
            float[] squares = new float[d];
            fx.net.sumOfSquaredSampleGradients(fx.ws, seeds, 0, squares);
            DenseCurvature.assertClose(expected, squares, 1e-7, 1e-5, "Σ_n g_n∘² for " + spec);
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"cross-entropy-mean", "mse-sum", "bce-mean"})
    void sampledTargetsGiveTheGaussNewtonDiagonalInExpectation(String loss) {
        // True Fisher = GGN for these likelihood losses (METHODS A5): E_y[Σ_n g_n(y)∘²]·s = diag(s·Σ J_nᵀΛ_nJ_n).
        Fixture fx = Fixture.of("in(3) dense(4) tanh dense(3)", loss, 2, 29);
        int d = fx.d();
        float[] exact = new float[d];
        fx.net.gaussNewtonDiagonal(fx.ws, fx.loss, exact);
        float[] seeds = new float[fx.batch * fx.net.outputSize()];
        float[] squares = new float[d];
        double[] mean = new double[d];
        SplittableRandom random = new SplittableRandom(31);
        int draws = 20000;
        float scale = fx.loss.scale(fx.batch);
        for (int i = 0; i < draws; i++) {
            fx.net.lossSeeds(fx.ws, fx.loss, random, seeds, 0);
            fx.net.sumOfSquaredSampleGradients(fx.ws, seeds, 0, squares);
            for (int q = 0; q < d; q++) {
                mean[q] += (double) scale * squares[q] / draws;
            }
        }
        // Each entry averages 20000 draws of a squared (roughly Gaussian) quantity: relative standard error
        // ≈ √(2/20000) = 1%. 5% of the largest entry plus 5% of each entry stays clear of chance, while using
        // data targets instead (the empirical Fisher) or a wrong scale misses by far more.
        double max = ReferenceNetwork.maxAbs(mean);
        for (int q = 0; q < d; q++) {
            assertEquals(exact[q], mean[q], 0.05 * max + 0.05 * Math.abs(exact[q]), "entry " + q);
        }
    }

    @ParameterizedTest(name = "net {0}")
    @ValueSource(ints = {2, 3})
    void kroneckerStatisticsFactorEverySampleGradient(int net) {
        Fixture fx = Fixture.of(NETS[net], "cross-entropy-mean", 3, 13);
        int d = fx.d();
        float[] seeds = new float[fx.batch * fx.net.outputSize()];
        fx.net.lossSeeds(fx.ws, fx.loss, null, seeds, 0);
        float[] g = new float[fx.batch * d];
        fx.net.sampleGradients(fx.ws, seeds, 0, g, 0, d);
        List<LayerStatistics> stats = fx.net.kroneckerStatistics(fx.ws, seeds, 0);
        assertEquals(3, stats.size());
        for (LayerStatistics s : stats) {
            assertEquals(fx.batch * s.rowsPerSample(), s.rows());
            ParameterTensor w = s.weight();
            ParameterTensor b = s.bias();
            assertEquals(b != null, s.hasBiasColumn());
            int cols = s.inputColumns();
            for (int n = 0; n < fx.batch; n++) {
                // Sample n's gradient of W̄ = [W | b] is Σ_{r of n} δ_r h̄_rᵀ (METHODS A7).
                double[] expected = new double[d];
                float[] actual = new float[d];
                for (int i = 0; i < s.outputColumns(); i++) {
                    for (int j = 0; j <= cols; j++) {
                        if (j == cols && b == null) {
                            continue;
                        }
                        double sum = 0;
                        for (int r = n * s.rowsPerSample(); r < (n + 1) * s.rowsPerSample(); r++) {
                            sum += s.outputGradient(r, i) * (double) s.input(r, j);
                        }
                        int q = j < cols ? w.offset() + i * cols + j : b.offset() + i;
                        expected[q] = sum;
                        actual[q] = g[n * d + q];
                    }
                }
                DenseCurvature.assertClose(expected, actual, 1e-6, 1e-5, s.weight().name() + " of sample " + n);
            }
        }
    }

    @Test
    void gramHelpersSumTheOuterProductsOfTheVectors() {
        Fixture fx = Fixture.of(NETS[2], "cross-entropy-mean", 3, 23);
        float[] seeds = new float[fx.batch * fx.net.outputSize()];
        fx.net.lossSeeds(fx.ws, fx.loss, new SplittableRandom(1), seeds, 0);
        for (LayerStatistics s : fx.net.kroneckerStatistics(fx.ws, seeds, 0)) {
            int n = s.inputColumns() + (s.hasBiasColumn() ? 1 : 0);
            float[] a = new float[n * n];
            s.accumulateInputGram(Kernels.scalar(), dev.surgeon.kernels.Uplo.UPPER, 0.5f, a, 0, n);
            int m = s.outputColumns();
            float[] gamma = new float[m * m];
            s.accumulateGradientGram(Kernels.scalar(), dev.surgeon.kernels.Uplo.UPPER, 2f, gamma, 0, m);
            for (int i = 0; i < n; i++) {
                for (int j = i; j < n; j++) {
                    double sum = 0;
                    for (int r = 0; r < s.rows(); r++) {
                        sum += (double) s.input(r, i) * s.input(r, j);
                    }
                    assertEquals(0.5 * sum, a[i * n + j], 1e-5 * (1 + Math.abs(sum)), s.weight().name() + " A");
                }
            }
            for (int i = 0; i < m; i++) {
                for (int j = i; j < m; j++) {
                    double sum = 0;
                    for (int r = 0; r < s.rows(); r++) {
                        sum += (double) s.outputGradient(r, i) * s.outputGradient(r, j);
                    }
                    assertEquals(2 * sum, gamma[i * m + j], 1e-5 * (1e-3 + Math.abs(sum)), s.weight().name() + " Γ");
                }
            }
        }
    }

    @Test
    void oneSampleFisherBlockOfADenseLayerIsTheKroneckerProductOfItsStatistics() {
        // One sample, one layer: g gᵀ = (δδᵀ) ⊗ (h̄h̄ᵀ) exactly in row-major order (METHODS A7: vec(∇W̄) = h̄ ⊗ δ
        // column-major, δ ⊗ h̄ row-major).
        Fixture fx = Fixture.of("in(4) dense(3) tanh dense(2)", "cross-entropy-mean", 1, 17);
        float[] seeds = new float[2];
        fx.net.lossSeeds(fx.ws, fx.loss, new SplittableRandom(5), seeds, 0);
        float[] g = new float[fx.d()];
        fx.net.sampleGradients(fx.ws, seeds, 0, g, 0, fx.d());
        for (LayerStatistics s : fx.net.kroneckerStatistics(fx.ws, seeds, 0)) {
            int cols = s.inputColumns() + 1;
            for (int a = 0; a < s.outputColumns() * cols; a++) {
                for (int c = 0; c < s.outputColumns() * cols; c++) {
                    double kron = s.outputGradient(0, a / cols) * (double) s.outputGradient(0, c / cols)
                            * s.input(0, a % cols) * s.input(0, c % cols);
                    double outer = (double) g[flat(s, a)] * g[flat(s, c)];
                    assertEquals(outer, kron, 1e-7 + 1e-5 * Math.abs(outer), s.weight().name() + " (" + a + "," + c + ")");
                }
            }
        }
    }

    /** Flat index of entry a of the row-major [W | b]. */
    private static int flat(LayerStatistics s, int a) {
        int cols = s.inputColumns() + 1;
        int i = a / cols;
        int j = a % cols;
        return j < s.inputColumns() ? s.weight().offset() + i * s.inputColumns() + j : s.bias().offset() + i;
    }

    @Test
    void layerInputsReproduceEachLayersPreActivation() {
        // z = W x + b for every row of X: the rows are the (unfolded) inputs of the layer, in the weight's
        // column order. Here each layer's output is observable: conv → flatten is the network output.
        Network net = Network.create(ArchitectureSpec.parse("in(2,5,5) conv(3,3,stride=2,pad=1) flatten"), 3, Kernels.scalar());
        Workspace ws = net.workspace(2);
        float[] x = ReferenceNetwork.randomFloats(2 * 50, 4, 1);
        System.arraycopy(x, 0, ws.inputs(), 0, x.length);
        ws.setBatch(2);
        float[] out = net.forward(ws, false);
        LayerStatistics s = net.layerInputs(ws).get(0);
        assertNull(s.outputGradients());
        assertEquals(9, s.rowsPerSample());
        float[] w = net.parameters();
        for (int r = 0; r < s.rows(); r++) {
            int n = r / 9;
            int t = r % 9;
            for (int f = 0; f < 3; f++) {
                double z = w[s.bias().offset() + f];
                for (int j = 0; j < s.inputColumns(); j++) {
                    z += (double) w[s.weight().offset() + f * s.inputColumns() + j] * s.input(r, j);
                }
                assertEquals(out[n * 27 + f * 9 + t], z, 1e-5, "row " + r + " filter " + f);
            }
        }
        // The first rows of a dense layer's X are its inputs.
        Fixture fx = Fixture.of("in(5) dense(4) tanh dense(3)", "cross-entropy-mean", 2, 1);
        LayerStatistics first = fx.net.layerInputs(fx.ws).get(0);
        for (int i = 0; i < 10; i++) {
            assertEquals(fx.ws.inputs()[i], first.input(i / 5, i % 5));
        }
        assertTrue(!first.hasBiasColumn() && first.inputSampleStride() == 5 && first.inputFeatureStride() == 1);
    }
}
