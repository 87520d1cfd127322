package dev.surgeon.core.nn;

import dev.surgeon.kernels.Kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Back-propagated float32 gradients against float64 central differences of the independent
 * {@link ReferenceNetwork}, for every layer type and loss.
 *
 * <p>Tolerance: the reference derivative is good to ~1e-9. The float network rounds every product and sum
 * (unit roundoff 6e-8); a gradient entry here sums at most ~100 O(1) terms through ≤ 3 layers, so its error
 * is of order 1e-7 (the largest observed over these cases is 1.2e-7). We allow 2e-6 + 2e-5·|g|, 15× that;
 * an index or transpose bug moves entries by O(0.01–1).
 */
class NetworkGradientTest {

    @ParameterizedTest(name = "{0} / {1}")
    @CsvSource(delimiter = ';', value = {
        "in(5) dense(4) tanh dense(3); cross-entropy-mean",
        "in(5) dense(4) sigmoid dense(2) sigmoid; mse-sum",
        "in(5) dense(4,bias=false) relu dense(3,bias=false); cross-entropy-sum",
        "in(4) dense(3) relu dense(2); bce-mean",
        "in(2,6,6) conv(3,3) relu maxpool(2) flatten dense(3); cross-entropy-mean",
        "in(2,7,7) conv(3,3,stride=2,pad=1) tanh avgpool(2) flatten dense(2); bce-sum",
        "in(1,5,5) conv(2,2,bias=false) sigmoid avgpool(2,stride=1) flatten dropout(0.5) dense(3) tanh; mse-mean",
        "in(2,7,7) conv(2,3,pad=1) maxpool(3,stride=2) conv(3,2) relu flatten dense(2); mse-sum",
        "in(1,6,6) flatten dense(3) sigmoid; mse-mean",
        "in(1,7,7) conv(2,3) tanh conv(3,3,stride=2,pad=2) sigmoid conv(2,4,stride=3,pad=1) flatten dense(2); cross-entropy-mean",
    })
    void backpropagationMatchesFiniteDifferences(String spec, String loss) {
        assertGradientMatchesReference(Fixture.of(spec, loss, 3, 11));
    }

    /** The backpropagated gradient against the float64 reference, at a point where it is not trivially small. */
    private static void assertGradientMatchesReference(Fixture fx) {
        float[] g = fx.gradient();
        double[] ref = fx.referenceGradient();
        for (int q = 0; q < g.length; q++) {
            int index = q;
            double tol = 2e-6 + 2e-5 * Math.abs(ref[q]);
            assertEquals(ref[q], g[q], tol, () -> "gradient of " + fx.net.layout().tensorAt(index).describe(index));
        }
        assertTrue(ReferenceNetwork.maxAbs(ref) > 1e-3, "the test point must have a non-trivial gradient");
    }

    /**
     * The forward outputs against the float64 reference: float32 sums of O(1) products, error ≲ 1e-6 here; 1e-5
     * leaves margin.
     */
    private static void assertOutputsMatchReference(Fixture fx) {
        double[] ref = fx.ref.forward(fx.w(), fx.x, fx.batch);
        float[] out = fx.ws.outputs();
        for (int i = 0; i < ref.length; i++) {
            assertEquals(ref[i], out[i], 1e-5 * (1 + Math.abs(ref[i])), "output " + i);
        }
    }

    /**
     * The convolution layer's ways of computing, each against the float64 reference on both the scalar and the
     * Vector provider: batch products in one block and in several (here 2 samples per block: d_col·|T| = 600·169),
     * and per-sample products (at least 256 output positions), each with and without an input gradient; unit-stride
     * unfolding with output rows 8 to 10 wide (whole vectors and tails). Also the 2×2 pool whose windows tile the
     * input exactly and one that does not.
     */
    @ParameterizedTest(name = "{0} / {1} / {2}")
    @CsvSource(delimiter = ';', value = {
        "in(2,10,11) conv(5,3) relu maxpool(2) flatten dense(3); cross-entropy-mean; scalar",
        "in(2,10,11) conv(5,3) relu maxpool(2) flatten dense(3); cross-entropy-mean; vector",
        "in(1,12,12) conv(3,3) tanh conv(2,3) flatten dense(2); mse-sum; scalar",
        "in(1,12,12) conv(3,3) tanh conv(2,3) flatten dense(2); mse-sum; vector",
        "in(5,16,16) conv(2,3,pad=1) relu maxpool(2) flatten dense(2); cross-entropy-mean; scalar",
        "in(5,16,16) conv(2,3,pad=1) relu maxpool(2) flatten dense(2); cross-entropy-mean; vector",
        "in(6,16,16) conv(2,3,pad=1) tanh conv(2,3,pad=1) flatten dense(2); bce-sum; vector",
        "in(2,17,17) conv(24,1) tanh conv(1,5) flatten dense(2); mse-mean; scalar",
        "in(2,17,17) conv(24,1) tanh conv(1,5) flatten dense(2); mse-mean; vector",
    })
    void everyConvolutionPathMatchesTheReference(String spec, String loss, String provider) {
        Fixture fx = Fixture.of(spec, loss, 3, 11, Kernels.named(provider).withThreads(1));
        assertGradientMatchesReference(fx);
        assertOutputsMatchReference(fx);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = ';', value = {
        "in(2,6,6) conv(3,3) relu maxpool(2) flatten dense(3); cross-entropy-mean",
        "in(2,7,7) conv(3,3,stride=2,pad=1) tanh avgpool(2) flatten dense(2); bce-sum",
        "in(3,5,5) conv(4,3,pad=2,stride=2,bias=false) flatten; mse-sum",
    })
    void forwardMatchesDirectConvolutionAndPooling(String spec, String loss) {
        assertOutputsMatchReference(Fixture.of(spec, loss, 3, 5));
    }
}
