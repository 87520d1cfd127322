package dev.surgeon.blas;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.surgeon.kernels.ConvolutionGeometry;
import dev.surgeon.kernels.Kernels;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The implicit convolution products on the OpenBLAS provider: with delegation they run on the Vector fallback's
 * implicit GEMM (and the input gradient on its fused col2im), without it im2col + OpenBLAS sgemm (the SPI defaults);
 * both agree with the scalar provider. Max pooling always runs on the fallback.
 */
class ConvolutionProductRoutingTest {

    private static float[] random(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) (2 * r.nextDouble() - 1);
        }
        return a;
    }

    @Test
    void bothRoutesAgreeWithTheScalarProvider() {
        OpenBlasKernels delegating = OpenBlasTestSupport.defaultKernels();
        OpenBlasKernels nativeOnly = delegating.nativeOnly();
        assertEquals(delegating.fallback().name().equals("vector"), delegating.implicitOnFallback());
        assertFalse(nativeOnly.implicitOnFallback(), "without delegation the products stay on OpenBLAS");
        Kernels scalar = Kernels.named("scalar");
        ConvolutionGeometry g = new ConvolutionGeometry(20, 12, 12, 5, 1, 0);
        int from = 1;
        int to = 4;
        int cols = (to - from) * g.positions();
        int m = 50;
        float[] x = random(to * g.inputSize(), 1);
        float[] w = random(m * g.patch(), 2);
        float[] dy = random(m * cols, 3);
        for (OpenBlasKernels k : new OpenBlasKernels[] {delegating, nativeOnly}) {
            float[] expected = new float[m * cols];
            float[] actual = new float[m * cols];
            scalar.im2colProduct(g, x, 0, from, to, m, 1f, w, 0, g.patch(), 0f, expected, 0, cols, new float[g.patch() * cols]);
            k.im2colProduct(g, x, 0, from, to, m, 1f, w, 0, g.patch(), 0f, actual, 0, cols, new float[g.patch() * cols]);
            for (int i = 0; i < expected.length; i++) {
                assertEquals(expected[i], actual[i], 2e-5f * (1 + Math.abs(expected[i])) * 10, "forward " + i);
            }
            int depth = g.patch() + 1;
            float[] gExpected = new float[m * depth];
            float[] gActual = new float[m * depth];
            scalar.im2colTransposedProduct(g, x, 0, from, to, true, m, 1f, dy, 0, cols, 0f, gExpected, 0, depth,
                    new float[depth * cols]);
            k.im2colTransposedProduct(g, x, 0, from, to, true, m, 1f, dy, 0, cols, 0f, gActual, 0, depth,
                    new float[depth * cols]);
            for (int i = 0; i < gExpected.length; i++) {
                assertEquals(gExpected[i], gActual[i], 2e-4f * (1 + Math.abs(gExpected[i])), "weight gradient " + i);
            }
            assertTrue(Float.isFinite(gActual[depth - 1]), "bias column");
            float[] dxExpected = new float[to * g.inputSize()];
            float[] dxActual = new float[to * g.inputSize()];
            scalar.col2imProduct(g, from, to, m, 1f, w, 0, g.patch(), dy, 0, cols, dxExpected, 0,
                    new float[g.patch() * cols]);
            k.col2imProduct(g, from, to, m, 1f, w, 0, g.patch(), dy, 0, cols, dxActual, 0, new float[g.patch() * cols]);
            for (int i = 0; i < dxExpected.length; i++) {
                assertEquals(dxExpected[i], dxActual[i], 2e-4f * (1 + Math.abs(dxExpected[i])), "input gradient " + i);
            }
            float[] pooled = new float[3 * 72];
            int[] arg = new int[3 * 72];
            float[] pooledScalar = new float[3 * 72];
            int[] argScalar = new int[3 * 72];
            k.maxPool2x2(3, 12, 12, x, 0, pooled, 0, arg, 0);
            scalar.maxPool2x2(3, 12, 12, x, 0, pooledScalar, 0, argScalar, 0);
            assertArrayEquals(argScalar, arg, "max pooling");
            float[] back = new float[3 * 144];
            float[] backScalar = new float[3 * 144];
            k.maxUnpool2x2(3, 12, 12, pooled, 0, arg, 0, 0, back, 0);
            scalar.maxUnpool2x2(3, 12, 12, pooled, 0, arg, 0, 0, backScalar, 0);
            assertArrayEquals(backScalar, back, "max unpooling");
        }
    }
}
