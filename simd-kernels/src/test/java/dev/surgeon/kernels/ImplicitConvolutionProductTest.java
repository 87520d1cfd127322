package dev.surgeon.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * {@link Kernels#im2colProduct} and {@link Kernels#im2colTransposedProduct}: the Vector provider's implicit GEMM
 * (panels gathered from the image) and the scalar default (im2col into scratch, then gemm) against the products
 * written out in float64 from im2col's definition. Geometries include LeNet-5's two convolutions, panel edges (column
 * counts that are not multiples of the 32-wide panel, a ones column alone in its panel or sharing it), windows that
 * span the whole image, sample ranges not starting at 0, several threads, and strided / padded geometries (the
 * unfolding fallback).
 */
class ImplicitConvolutionProductTest {
    private static final int[][] SHAPES = {
        // channels, height, width, kernel, stride, padding
        {20, 12, 12, 5, 1, 0}, {1, 28, 28, 5, 1, 0}, {3, 7, 9, 3, 1, 0}, {2, 5, 5, 5, 1, 0}, {4, 6, 11, 2, 1, 0},
        {1, 4, 35, 3, 1, 0}, {31, 3, 3, 1, 1, 0}, {2, 9, 13, 3, 2, 1}, {3, 7, 9, 3, 1, 1},
    };

    /** Entry (p, j) of X̄: row p = (c, ky, kx) or the ones row p = d_col; column j = (n − from, oy, ox). */
    private static double unfolded(ConvolutionGeometry g, float[] x, int xOff, int from, int p, int j) {
        if (p == g.patch()) {
            return 1;
        }
        int kk = g.kernel() * g.kernel();
        int c = p / kk;
        int ky = (p % kk) / g.kernel();
        int kx = p % g.kernel();
        int n = from + j / g.positions();
        int oy = (j % g.positions()) / g.outWidth();
        int ox = j % g.outWidth();
        int iy = oy * g.stride() + ky - g.padding();
        int ix = ox * g.stride() + kx - g.padding();
        if (iy < 0 || iy >= g.height() || ix < 0 || ix >= g.width()) {
            return 0;
        }
        return x[xOff + ((n * g.channels() + c) * g.height() + iy) * g.width() + ix];
    }

    @Test
    void forwardProductIsAOfTheUnfoldedImage() {
        long seed = 1;
        for (int[] s : SHAPES) {
            ConvolutionGeometry g = new ConvolutionGeometry(s[0], s[1], s[2], s[3], s[4], s[5]);
            for (int[] range : new int[][] {{0, 1}, {1, 4}, {3, 6}}) {
                int from = range[0];
                int to = range[1];
                int cols = (to - from) * g.positions();
                for (int m : new int[] {1, 13, 50}) {
                    int xOff = 3;
                    float[] x = TestArrays.randomFloats(xOff + to * g.inputSize() + 2, seed++);
                    int lda = g.patch() + 2;
                    float[] a = TestArrays.randomFloats(m * lda, seed++);
                    int ldc = cols + 5;
                    float[] c0 = TestArrays.randomFloats(m * ldc + 4, seed++);
                    float alpha = 0.75f;
                    float beta = m == 13 ? 0f : 0.5f;
                    double scale = 0;
                    double[] expected = new double[m * cols];
                    for (int i = 0; i < m; i++) {
                        for (int j = 0; j < cols; j++) {
                            double acc = 0;
                            for (int p = 0; p < g.patch(); p++) {
                                acc += (double) a[i * lda + p] * unfolded(g, x, xOff, from, p, j);
                                scale += Math.abs(a[i * lda + p]);
                            }
                            expected[i * cols + j] = alpha * acc + (beta == 0 ? 0 : beta * (double) c0[4 + i * ldc + j]);
                        }
                    }
                    double tolerance = 1e-6 * (1 + scale / (m * cols)) * Math.sqrt(g.patch());
                    for (Kernels k : TestArrays.providers()) {
                        float[] c = c0.clone();
                        float[] scratch = new float[g.patch() * cols];
                        k.im2colProduct(g, x, xOff, from, to, m, alpha, a, 0, lda, beta, c, 4, ldc, scratch);
                        for (int i = 0; i < m; i++) {
                            for (int j = 0; j < cols; j++) {
                                assertEquals(expected[i * cols + j], c[4 + i * ldc + j], tolerance,
                                        k.name() + " " + g + " samples [" + from + ", " + to + ") m " + m + " (" + i + ", " + j + ")");
                            }
                            assertEquals(c0[4 + i * ldc + cols], c[4 + i * ldc + cols], 0, "past the last column untouched");
                        }
                    }
                }
            }
        }
    }

    @Test
    void weightGradientProductIsATimesTheUnfoldedImageTransposedWithItsOnesRow() {
        long seed = 100;
        for (int[] s : SHAPES) {
            ConvolutionGeometry g = new ConvolutionGeometry(s[0], s[1], s[2], s[3], s[4], s[5]);
            for (boolean ones : new boolean[] {true, false}) {
                for (int[] range : new int[][] {{0, 2}, {2, 5}}) {
                    int from = range[0];
                    int to = range[1];
                    int cols = (to - from) * g.positions();
                    int depth = g.patch() + (ones ? 1 : 0);
                    int m = ones ? 50 : 7;
                    float[] x = TestArrays.randomFloats(to * g.inputSize(), seed++);
                    int lda = cols + 1;
                    float[] a = TestArrays.randomFloats(m * lda, seed++);
                    int ldc = depth + 3;
                    float[] c0 = TestArrays.randomFloats(m * ldc, seed++);
                    float beta = ones ? 1f : 0f;
                    double[] expected = new double[m * depth];
                    double scale = 0;
                    for (int i = 0; i < m; i++) {
                        for (int p = 0; p < depth; p++) {
                            double acc = 0;
                            for (int j = 0; j < cols; j++) {
                                acc += (double) a[i * lda + j] * unfolded(g, x, 0, from, p, j);
                                scale += Math.abs(a[i * lda + j]);
                            }
                            expected[i * depth + p] = -acc + beta * (double) c0[i * ldc + p];
                        }
                    }
                    double tolerance = 1e-6 * (1 + scale / (m * depth)) * Math.sqrt(cols);
                    for (Kernels k : TestArrays.providers()) {
                        float[] c = c0.clone();
                        float[] scratch = new float[(g.patch() + 1) * cols];
                        k.im2colTransposedProduct(g, x, 0, from, to, ones, m, -1f, a, 0, lda, beta, c, 0, ldc, scratch);
                        for (int i = 0; i < m; i++) {
                            for (int p = 0; p < depth; p++) {
                                assertEquals(expected[i * depth + p], c[i * ldc + p], tolerance,
                                        k.name() + " " + g + " ones " + ones + " (" + i + ", " + p + ")");
                            }
                            for (int p = depth; p < ldc; p++) {
                                assertEquals(c0[i * ldc + p], c[i * ldc + p], 0, "past the last column untouched");
                            }
                        }
                    }
                }
            }
        }
    }

    @Test
    void anImageTooShortForTheSampleRangeIsRefused() {
        ConvolutionGeometry g = new ConvolutionGeometry(2, 6, 6, 3, 1, 0);
        float[] x = new float[3 * g.inputSize() - 1];
        float[] a = new float[4 * g.patch()];
        float[] c = new float[4 * 3 * g.positions()];
        for (Kernels k : TestArrays.providers()) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> k.im2colProduct(g, x, 0, 0, 3, 4, 1f, a, 0, g.patch(), 0f, c, 0, 3 * g.positions(),
                            new float[g.patch() * 3 * g.positions()]));
            assertTrue(e.getMessage().contains("x") || e.getMessage().contains("range"), k.name() + ": " + e.getMessage());
        }
    }
}
