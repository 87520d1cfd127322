package dev.surgeon.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Direct convolution and its weight gradient: the scalar reference and the Vector provider against the definition
 * accumulated in float64 (tolerance: the float rounding of a sum of m products, m·2⁻²⁴ of the summed magnitudes,
 * m = C·k² + 1 terms per output and B·|T| per weight-gradient entry), on geometries with the vector fast path
 * (stride 1, no padding; outputs 8–37 wide: whole vectors, tails, and more than four filters) and without it.
 */
class DirectConvolutionTest {
    private static final List<int[]> GEOMETRIES = List.of(
            new int[] {1, 28, 28, 5, 1, 0, 20}, new int[] {3, 13, 19, 3, 1, 0, 7}, new int[] {2, 12, 41, 5, 1, 0, 5},
            new int[] {1, 9, 9, 1, 1, 0, 3}, new int[] {2, 10, 11, 3, 2, 1, 6}, new int[] {1, 8, 12, 4, 1, 2, 4},
            new int[] {4, 15, 22, 7, 1, 0, 9});

    private static float[] random(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) (2 * r.nextDouble() - 1);
        }
        return a;
    }

    private static double pixel(ConvolutionGeometry g, float[] x, int n, int c, int oy, int ox, int ky, int kx) {
        int iy = oy * g.stride() + ky - g.padding();
        int ix = ox * g.stride() + kx - g.padding();
        if (iy < 0 || iy >= g.height() || ix < 0 || ix >= g.width()) {
            return 0;
        }
        return x[((n * g.channels() + c) * g.height() + iy) * g.width() + ix];
    }

    @Test
    void outputsMatchTheFloat64DefinitionOnEveryProvider() {
        for (int[] s : GEOMETRIES) {
            ConvolutionGeometry g = new ConvolutionGeometry(s[0], s[1], s[2], s[3], s[4], s[5]);
            int filters = s[6];
            int batch = 3;
            float[] x = random(batch * g.inputSize(), 1);
            float[] w = random(2 + filters * g.patch(), 2);
            float[] b = random(1 + filters, 3);
            for (Kernels k : List.of(Kernels.named("scalar"), Kernels.named("vector").withThreads(1))) {
                float[] out = new float[batch * filters * g.positions()];
                k.convolve(g, filters, w, 2, b, 1, x, 0, 1, batch, out, 0);
                int k2 = g.kernel();
                for (int n = 1; n < batch; n++) {
                    for (int f = 0; f < filters; f++) {
                        for (int oy = 0; oy < g.outHeight(); oy++) {
                            for (int ox = 0; ox < g.outWidth(); ox++) {
                                double sum = b[1 + f];
                                double mag = Math.abs(b[1 + f]);
                                for (int c = 0; c < g.channels(); c++) {
                                    for (int ky = 0; ky < k2; ky++) {
                                        for (int kx = 0; kx < k2; kx++) {
                                            double t = w[2 + f * g.patch() + (c * k2 + ky) * k2 + kx]
                                                    * pixel(g, x, n, c, oy, ox, ky, kx);
                                            sum += t;
                                            mag += Math.abs(t);
                                        }
                                    }
                                }
                                float got = out[((n * filters + f) * g.outHeight() + oy) * g.outWidth() + ox];
                                assertEquals(sum, got, (g.patch() + 1) * 0x1p-24 * mag + 1e-30,
                                        k.name() + " " + g + " n=" + n + " f=" + f + " (" + oy + "," + ox + ")");
                            }
                        }
                    }
                }
                for (int i = 0; i < filters * g.positions(); i++) {
                    assertEquals(0f, out[i], "sample 0 lies outside [from, to) and must stay untouched");
                }
            }
        }
    }

    @Test
    void weightGradientsMatchTheFloat64DefinitionOnEveryProvider() {
        for (int[] s : GEOMETRIES) {
            ConvolutionGeometry g = new ConvolutionGeometry(s[0], s[1], s[2], s[3], s[4], s[5]);
            int filters = s[6];
            int batch = 4;
            float[] x = random(batch * g.inputSize(), 4);
            float[] d = random(batch * filters * g.positions(), 5);
            for (Kernels k : List.of(Kernels.named("scalar"), Kernels.named("vector").withThreads(1))) {
                float[] dw = random(3 + filters * g.patch(), 6);
                float[] db = random(filters, 7);
                k.convolutionWeightGradient(g, filters, d, 0, x, 0, 1, batch, dw, 3, db, 0);
                int k2 = g.kernel();
                int terms = (batch - 1) * g.positions();
                for (int f = 0; f < filters; f++) {
                    double bias = 0;
                    double biasMag = 0;
                    for (int n = 1; n < batch; n++) {
                        for (int t = 0; t < g.positions(); t++) {
                            bias += d[(n * filters + f) * g.positions() + t];
                            biasMag += Math.abs(d[(n * filters + f) * g.positions() + t]);
                        }
                    }
                    assertEquals(bias, db[f], terms * 0x1p-24 * biasMag, k.name() + " " + g + " db[" + f + "]");
                    for (int c = 0; c < g.channels(); c++) {
                        for (int ky = 0; ky < k2; ky++) {
                            for (int kx = 0; kx < k2; kx++) {
                                double sum = 0;
                                double mag = 0;
                                for (int n = 1; n < batch; n++) {
                                    for (int oy = 0; oy < g.outHeight(); oy++) {
                                        for (int ox = 0; ox < g.outWidth(); ox++) {
                                            double t = d[((n * filters + f) * g.outHeight() + oy) * g.outWidth() + ox]
                                                    * pixel(g, x, n, c, oy, ox, ky, kx);
                                            sum += t;
                                            mag += Math.abs(t);
                                        }
                                    }
                                }
                                assertEquals(sum, dw[3 + f * g.patch() + (c * k2 + ky) * k2 + kx],
                                        terms * 0x1p-24 * mag + 1e-30,
                                        k.name() + " " + g + " dw[" + f + "," + c + "," + ky + "," + kx + "]");
                            }
                        }
                    }
                }
            }
        }
    }

    @Test
    void rangesOutsideTheArraysAreRefused() {
        ConvolutionGeometry g = new ConvolutionGeometry(1, 8, 8, 3, 1, 0);
        for (Kernels k : List.of(Kernels.named("scalar"), Kernels.named("vector").withThreads(1))) {
            float[] x = new float[2 * g.inputSize()];
            float[] w = new float[4 * g.patch()];
            float[] out = new float[2 * 4 * g.positions()];
            assertThrows(IllegalArgumentException.class, () -> k.convolve(g, 4, w, 1, null, 0, x, 0, 0, 2, out, 0));
            assertThrows(IllegalArgumentException.class, () -> k.convolve(g, 4, w, 0, null, 0, x, 0, 0, 3, out, 0));
            assertThrows(IllegalArgumentException.class, () -> k.convolve(g, 4, w, 0, new float[3], 0, x, 0, 0, 2, out, 0));
            assertThrows(IllegalArgumentException.class, () -> k.convolve(g, 0, w, 0, null, 0, x, 0, 0, 2, out, 0));
            assertThrows(IllegalArgumentException.class,
                    () -> k.convolutionWeightGradient(g, 4, out, 0, x, 0, 0, 2, new float[5], 0, null, 0));
        }
    }
}
