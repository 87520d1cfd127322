package dev.surgeon.core.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.surgeon.kernels.Kernels;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link WinogradConvolution}: its matrices against the definition of correlation in float64, and a training step's
 * passes through it (forward outputs, weight, bias and input gradients) against the float64 {@link ReferenceNetwork},
 * for kernels 2 to 5, with and without padding and bias, over several blocks of {@link WinogradConvolution#SAMPLES}
 * samples and a partial one, on the scalar and the Vector provider. Batches below 16 samples take the direct products
 * (covered by {@link NetworkGradientTest}).
 */
class WinogradConvolutionTest {

    /**
     * One dimension: Aᵀ[(G g) ⊙ (Bᵀ d)] equals y_u = Σ_t g_t d_{u+t} for u &lt; 4. In float64 the only error is
     * rounding through entries of at most a few units (the ½ points give powers of 2): 1e-12 relative is far above it
     * and far below any wrong entry.
     */
    @ParameterizedTest(name = "r = {0}")
    @ValueSource(ints = {2, 3, 4, 5})
    void theMatricesComputeTheCorrelation(int r) {
        int m = WinogradConvolution.TILE;
        int alpha = m + r - 1;
        double[][] mats = WinogradConvolution.matrices(r);
        double[] bt = mats[0];
        double[] g = mats[1];
        double[] at = mats[2];
        SplittableRandom random = new SplittableRandom(r);
        for (int trial = 0; trial < 20; trial++) {
            double[] d = new double[alpha];
            double[] w = new double[r];
            for (int i = 0; i < alpha; i++) {
                d[i] = random.nextDouble(-1, 1);
            }
            for (int i = 0; i < r; i++) {
                w[i] = random.nextDouble(-1, 1);
            }
            double[] products = new double[alpha];
            for (int k = 0; k < alpha; k++) {
                double gw = 0;
                double bd = 0;
                for (int t = 0; t < r; t++) {
                    gw += g[k * r + t] * w[t];
                }
                for (int l = 0; l < alpha; l++) {
                    bd += bt[k * alpha + l] * d[l];
                }
                products[k] = gw * bd;
            }
            for (int u = 0; u < m; u++) {
                double y = 0;
                for (int k = 0; k < alpha; k++) {
                    y += at[u * alpha + k] * products[k];
                }
                double exact = 0;
                for (int t = 0; t < r; t++) {
                    exact += w[t] * d[u + t];
                }
                assertEquals(exact, y, 1e-12, "r = " + r + " output " + u);
            }
        }
    }

    /**
     * A training step through Winograd convolutions against float64: the outputs and the back-propagated gradient
     * (weights, biases and, for the second convolution, the input gradient through it) of {@code batch} samples.
     *
     * <p>Tolerance: the float64 reference is exact to ~1e-12. Winograd rounds each output through transforms whose
     * entries reach 8 (Aᵀ's 2³) and 5¼ (Bᵀ), so its float32 error is several times the direct product's ~1e-7 on these
     * O(1) sums; the largest seen here is below 1e-6. Outputs are checked to 2e-5·(1 + |y|) and gradients to
     * 2e-6 + 2e-5·|g|, as in {@link NetworkGradientTest}: a wrong tile, stride or transpose moves entries by O(0.01–1).
     */
    @ParameterizedTest(name = "{0} / {1} / batch {2} / {3}")
    @CsvSource(delimiter = ';', value = {
        "in(3,12,12) conv(4,5) relu maxpool(2) flatten dense(3); cross-entropy-mean; 37; scalar",
        "in(3,12,12) conv(4,5) relu maxpool(2) flatten dense(3); cross-entropy-mean; 37; vector",
        "in(2,10,10) conv(3,3) tanh conv(4,5,pad=2) relu flatten dense(2); mse-sum; 19; vector",
        "in(2,10,10) conv(3,3) tanh conv(4,5,pad=2) relu flatten dense(2); mse-sum; 19; scalar",
        "in(2,11,11) conv(3,4,bias=false) sigmoid flatten dense(2); bce-sum; 16; vector",
        "in(2,9,9) conv(3,2) tanh conv(2,3,pad=1) flatten dense(2); mse-mean; 21; vector",
    })
    void aTrainingStepMatchesTheFloat64Reference(String spec, String loss, int batch, String provider) {
        Fixture fx = Fixture.of(spec, loss, batch, 23, Kernels.named(provider).withThreads(1));
        boolean winograd = false;
        for (Layer layer : fx.net.layers()) {
            winograd |= layer instanceof Conv2d conv && conv.usesWinograd();
        }
        assertTrue(winograd, "the case must run through Winograd");
        float[] g = fx.gradient();
        double[] ref = fx.referenceGradient();
        for (int q = 0; q < g.length; q++) {
            int index = q;
            assertEquals(ref[q], g[q], 2e-6 + 2e-5 * Math.abs(ref[q]),
                    () -> "gradient of " + fx.net.layout().tensorAt(index).describe(index));
        }
        assertTrue(ReferenceNetwork.maxAbs(ref) > 1e-3, "the test point must have a non-trivial gradient");
        double[] out = fx.ref.forward(fx.w(), fx.x, fx.batch);
        float[] got = fx.ws.outputs();
        for (int i = 0; i < out.length; i++) {
            assertEquals(out[i], got[i], 2e-5 * (1 + Math.abs(out[i])), "output " + i);
        }
    }
}
