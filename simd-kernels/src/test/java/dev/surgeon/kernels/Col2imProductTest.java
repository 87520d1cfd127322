package dev.surgeon.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/**
 * {@link Kernels#col2imProduct}, a convolution's input gradient col2im(α·Wᵀ·Δ): every provider against float64 sums of
 * the definition (each output-gradient entry times each weight, added to the pixel it was read from), and the Vector
 * provider's fused path (tiles folded into the image as they are computed) bit for bit against its own gemm-then-col2im
 * default. Geometries: LeNet-5's second convolution (fused), others the fused path covers (|T| a multiple of 32, rows
 * of at most 16 floats), and ones it does not (the default); sample ranges not starting at 0, samples of x outside the
 * range left alone, 1 and 2 threads, a stale scratch and an argument out of range.
 */
class Col2imProductTest {
    private static final int[][] SHAPES = {
        // channels, height, width, kernel, stride, padding
        {20, 12, 12, 5, 1, 0}, {3, 11, 11, 4, 1, 0}, {2, 6, 6, 3, 1, 0}, {5, 12, 9, 5, 1, 0}, {1, 28, 28, 5, 1, 0},
        {3, 7, 9, 3, 1, 1}, {2, 9, 13, 3, 2, 1},
    };


    @Test
    void matchesTheFloat64DefinitionOnEveryProvider() {
        long seed = 3;
        for (int[] s : SHAPES) {
            ConvolutionGeometry g = new ConvolutionGeometry(s[0], s[1], s[2], s[3], s[4], s[5]);
            for (Kernels k : TestArrays.providers()) {
                int batch = 5;
                int from = 1;
                int to = 4;
                int filters = 7;
                int cols = (to - from) * g.positions();
                int lda = g.patch() + 2;
                int ldb = cols + 3;
                float alpha = seed % 2 == 0 ? 1f : 0.75f;
                float[] w = TestArrays.randomFloats(1 + filters * lda, seed++);
                float[] delta = TestArrays.randomFloats(2 + filters * ldb, seed++);
                float[] x = TestArrays.randomFloats(3 + batch * g.inputSize(), seed++);
                float[] before = x.clone();
                k.col2imProduct(g, from, to, filters, alpha, w, 1, lda, delta, 2, ldb, x, 3,
                        TestArrays.randomFloats(g.patch() * cols, seed++));
                double[] expected = new double[x.length];
                double[] magnitude = new double[x.length];
                int kk = g.kernel() * g.kernel();
                for (int p = 0; p < g.patch(); p++) {
                    int c = p / kk;
                    int ky = (p % kk) / g.kernel();
                    int kx = p % g.kernel();
                    for (int j = 0; j < cols; j++) {
                        int n = from + j / g.positions();
                        int oy = (j % g.positions()) / g.outWidth();
                        int ox = j % g.outWidth();
                        int iy = oy * g.stride() + ky - g.padding();
                        int ix = ox * g.stride() + kx - g.padding();
                        if (iy < 0 || iy >= g.height() || ix < 0 || ix >= g.width()) {
                            continue;
                        }
                        double v = 0;
                        double m = 0;
                        for (int f = 0; f < filters; f++) {
                            double t = (double) w[1 + f * lda + p] * delta[2 + f * ldb + j];
                            v += t;
                            m += Math.abs(t);
                        }
                        int pixel = 3 + ((n * g.channels() + c) * g.height() + iy) * g.width() + ix;
                        expected[pixel] += alpha * v;
                        magnitude[pixel] += m;
                    }
                }
                int first = 3 + from * g.inputSize();
                int end = 3 + to * g.inputSize();
                for (int i = 0; i < x.length; i++) {
                    if (i < first || i >= end) {
                        assertEquals(before[i], x[i], k.name() + " " + g + ": touched " + i + " outside the samples");
                    } else {
                        // Float sums of 7 products (a gemm entry), then of at most k² entries (col2im):
                        // error ≤ (filters + k²)·2⁻²⁴ of the summed magnitudes.
                        double tolerance = (filters + kk + 2) * 0x1p-24 * magnitude[i] + 1e-30;
                        assertEquals(expected[i], x[i], tolerance, k.name() + " " + g + " pixel " + i);
                    }
                }
            }
        }
    }

    @Test
    void theFusedPathAgreesWithGemmThenCol2imAndIsThreadCountIndependent() {
        Kernels vector = Kernels.named("vector").withThreads(1);
        Kernels twoThreads = Kernels.named("vector").withThreads(2);
        long seed = 50;
        for (int[] s : SHAPES) {
            ConvolutionGeometry g = new ConvolutionGeometry(s[0], s[1], s[2], s[3], s[4], s[5]);
            int from = 2;
            int to = 11;
            int filters = 50;
            int cols = (to - from) * g.positions();
            float[] w = TestArrays.randomFloats(filters * g.patch(), seed++);
            float[] delta = TestArrays.randomFloats(filters * cols, seed++);
            float[] reference = TestArrays.randomFloats(12 * g.inputSize(), seed++);
            float[] fused = reference.clone();
            float[] fusedTwo = reference.clone();
            float[] scratch = new float[g.patch() * cols];
            vector.gemm(Trans.T, Trans.N, g.patch(), cols, filters, 1f, w, 0, g.patch(), delta, 0, cols, 0f, scratch, 0,
                    cols);
            vector.col2im(g, scratch, 0, cols, from, to, reference, 0);
            vector.col2imProduct(g, from, to, filters, 1f, w, 0, g.patch(), delta, 0, cols, fused, 0, scratch);
            twoThreads.col2imProduct(g, from, to, filters, 1f, w, 0, g.patch(), delta, 0, cols, fusedTwo, 0, scratch);
            // The same terms per pixel, added in another order (the fused path sums a sample's upper output rows, the
            // first column panel, before its lower ones, and the window offsets of one (c, ky) in a register first):
            // equal to within the rounding of k² additions of the terms' magnitudes, col2im(|W|ᵀ|Δ|).
            float[] absW = w.clone();
            float[] absDelta = delta.clone();
            for (int i = 0; i < absW.length; i++) {
                absW[i] = Math.abs(absW[i]);
            }
            for (int i = 0; i < absDelta.length; i++) {
                absDelta[i] = Math.abs(absDelta[i]);
            }
            float[] magnitude = new float[reference.length];
            vector.gemm(Trans.T, Trans.N, g.patch(), cols, filters, 1f, absW, 0, g.patch(), absDelta, 0, cols, 0f,
                    scratch, 0, cols);
            vector.col2im(g, scratch, 0, cols, from, to, magnitude, 0);
            for (int i = 0; i < reference.length; i++) {
                double tolerance = 2 * g.kernel() * g.kernel() * 0x1p-24 * magnitude[i] + 1e-30;
                assertEquals(reference[i], fused[i], tolerance, g + ": one thread, entry " + i);
            }
            assertArrayEquals(fused, fusedTwo, g + ": two threads give the one-thread result bit for bit");
        }
    }

    @Test
    void rangesOutsideTheArraysAreRefused() {
        ConvolutionGeometry g = new ConvolutionGeometry(20, 12, 12, 5, 1, 0);
        for (Kernels k : TestArrays.providers()) {
            float[] w = new float[50 * 500];
            float[] delta = new float[50 * 128];
            float[] scratch = new float[500 * 128];
            assertThrows(IllegalArgumentException.class, () -> k.col2imProduct(g, 0, 2, 50, 1f, w, 0, 500, delta, 0,
                    128, new float[2 * g.inputSize() - 1], 0, scratch));
            assertThrows(IllegalArgumentException.class, () -> k.col2imProduct(g, 0, 2, 50, 1f, w, 1, 500, delta, 0,
                    128, new float[2 * g.inputSize()], 0, scratch));
        }
    }
}
