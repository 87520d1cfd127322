package dev.surgeon.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * im2col and col2im: the scalar reference against the definition written out element by element (im2col) and in
 * float64 (col2im), the two against each other through the adjoint identity ⟨im2col(x), Y⟩ = ⟨x, col2im(Y)⟩, and
 * the Vector provider bit for bit against the scalar one (it copies the same floats and adds them in the same
 * order). Geometries cover stride 1–3, padding 0–2, window 1–5, one to three channels, and runs of 1 to 37 output
 * columns (vector tails and multi-vector rows).
 */
class ConvolutionLayoutTest {
    private static final Kernels SCALAR = Kernels.named("scalar");

    private static List<ConvolutionGeometry> geometries() {
        List<ConvolutionGeometry> list = new ArrayList<>();
        int[][] shapes = {
            {1, 28, 28, 5, 1, 0}, {20, 12, 12, 5, 1, 0}, {3, 7, 9, 3, 1, 1}, {2, 11, 41, 5, 1, 2}, {1, 5, 5, 5, 1, 0},
            {2, 9, 13, 3, 2, 1}, {1, 10, 17, 4, 3, 2}, {3, 6, 6, 1, 1, 0}, {1, 3, 4, 5, 1, 2}, {2, 17, 19, 2, 2, 0},
            {2, 16, 16, 3, 1, 0}, {3, 9, 11, 4, 1, 0}, {1, 8, 15, 2, 1, 0}, {2, 17, 6, 6, 1, 0},
        };
        for (int[] s : shapes) {
            list.add(new ConvolutionGeometry(s[0], s[1], s[2], s[3], s[4], s[5]));
        }
        return list;
    }

    private static Kernels vector() {
        return Kernels.named("vector").withThreads(1);
    }

    /** x[n, c, oy·s + ky − p, ox·s + kx − p] or 0, straight from im2col's contract. */
    private static float definition(ConvolutionGeometry g, float[] x, int xOff, int n, int c, int ky, int kx, int oy,
                                    int ox) {
        int iy = oy * g.stride() + ky - g.padding();
        int ix = ox * g.stride() + kx - g.padding();
        if (iy < 0 || iy >= g.height() || ix < 0 || ix >= g.width()) {
            return 0f;
        }
        return x[xOff + ((n * g.channels() + c) * g.height() + iy) * g.width() + ix];
    }

    @Test
    void im2colMatchesItsDefinitionAndVectorMatchesScalarExactly() {
        long seed = 1;
        for (ConvolutionGeometry g : geometries()) {
            int batch = 5;
            int from = 1;
            int to = 4;
            int xOff = 3;
            int colsOff = 7;
            int width = (to - from) * g.positions();
            int ld = width + 5;
            float[] x = TestArrays.randomFloats(xOff + batch * g.inputSize(), seed++);
            float[] scalar = new float[colsOff + g.patch() * ld];
            java.util.Arrays.fill(scalar, Float.NaN);
            float[] vector = scalar.clone();
            SCALAR.im2col(g, x, xOff, from, to, scalar, colsOff, ld);
            vector().im2col(g, x, xOff, from, to, vector, colsOff, ld);
            assertArrayEquals(scalar, vector, g + ": vector im2col differs from the scalar one");
            int k = g.kernel();
            for (int c = 0; c < g.channels(); c++) {
                for (int ky = 0; ky < k; ky++) {
                    for (int kx = 0; kx < k; kx++) {
                        int row = colsOff + ((c * k + ky) * k + kx) * ld;
                        for (int n = from; n < to; n++) {
                            for (int oy = 0; oy < g.outHeight(); oy++) {
                                for (int ox = 0; ox < g.outWidth(); ox++) {
                                    int col = (n - from) * g.positions() + oy * g.outWidth() + ox;
                                    assertEquals(definition(g, x, xOff, n, c, ky, kx, oy, ox), scalar[row + col],
                                            g + " row (" + c + "," + ky + "," + kx + ") sample " + n + " (" + oy + ","
                                                    + ox + ")");
                                }
                            }
                        }
                        for (int col = width; col < ld && row + col < scalar.length; col++) {
                            assertTrue(Float.isNaN(scalar[row + col]), g + ": wrote past the columns at " + col);
                        }
                    }
                }
            }
            for (int i = 0; i < colsOff; i++) {
                assertTrue(Float.isNaN(scalar[i]), "wrote before colsOff");
            }
        }
    }

    @Test
    void col2imIsTheFloat64AdjointAndVectorMatchesScalarExactly() {
        long seed = 100;
        for (ConvolutionGeometry g : geometries()) {
            int batch = 4;
            int from = 1;
            int to = 3;
            int xOff = 2;
            int colsOff = 5;
            int width = (to - from) * g.positions();
            int ld = width + 3;
            float[] cols = TestArrays.randomFloats(colsOff + g.patch() * ld, seed++);
            float[] scalar = TestArrays.randomFloats(xOff + batch * g.inputSize(), seed++);
            float[] untouched = scalar.clone();
            float[] vector = scalar.clone();
            SCALAR.col2im(g, cols, colsOff, ld, from, to, scalar, xOff);
            vector().col2im(g, cols, colsOff, ld, from, to, vector, xOff);
            assertArrayEquals(scalar, vector, g + ": vector col2im differs from the scalar one");
            double[] expected = new double[scalar.length];
            double[] magnitude = new double[scalar.length];
            int k = g.kernel();
            for (int c = 0; c < g.channels(); c++) {
                for (int ky = 0; ky < k; ky++) {
                    for (int kx = 0; kx < k; kx++) {
                        for (int n = from; n < to; n++) {
                            for (int oy = 0; oy < g.outHeight(); oy++) {
                                for (int ox = 0; ox < g.outWidth(); ox++) {
                                    int iy = oy * g.stride() + ky - g.padding();
                                    int ix = ox * g.stride() + kx - g.padding();
                                    if (iy < 0 || iy >= g.height() || ix < 0 || ix >= g.width()) {
                                        continue;
                                    }
                                    float v = cols[colsOff + ((c * k + ky) * k + kx) * ld + (n - from) * g.positions()
                                            + oy * g.outWidth() + ox];
                                    int pixel = xOff + ((n * g.channels() + c) * g.height() + iy) * g.width() + ix;
                                    expected[pixel] += v;
                                    magnitude[pixel] += Math.abs(v);
                                }
                            }
                        }
                    }
                }
            }
            int first = xOff + from * g.inputSize();
            int end = xOff + to * g.inputSize();
            for (int i = 0; i < scalar.length; i++) {
                if (i < first || i >= end) {
                    assertEquals(untouched[i], scalar[i], g + ": col2im touched pixel " + i + " outside its samples");
                } else {
                    // Float sums of at most k² terms: error ≤ k²·2⁻²⁴ of the summed magnitudes.
                    double tolerance = k * k * 0x1p-24 * magnitude[i] + 1e-30;
                    assertEquals(expected[i], scalar[i], tolerance, g + ": pixel " + i);
                }
            }
        }
    }

    @Test
    void im2colAndCol2imAreAdjoint() {
        for (ConvolutionGeometry g : geometries()) {
            int batch = 3;
            int ld = batch * g.positions();
            float[] x = TestArrays.randomFloats(batch * g.inputSize(), 7);
            float[] y = TestArrays.randomFloats(g.patch() * ld, 8);
            float[] unfolded = new float[y.length];
            float[] folded = new float[x.length];
            Kernels k = vector();
            k.im2col(g, x, 0, 0, batch, unfolded, 0, ld);
            k.col2im(g, y, 0, ld, 0, batch, folded, 0);
            double left = 0;
            double right = 0;
            double scale = 0;
            for (int i = 0; i < y.length; i++) {
                left += (double) unfolded[i] * y[i];
                scale += Math.abs((double) unfolded[i] * y[i]);
            }
            for (int i = 0; i < x.length; i++) {
                right += (double) x[i] * folded[i];
            }
            assertEquals(left, right, 1e-6 * scale, g + ": ⟨im2col x, Y⟩ ≠ ⟨x, col2im Y⟩");
        }
    }

    @Test
    void rangesOutsideTheArraysAreRefusedByEveryProvider() {
        ConvolutionGeometry g = new ConvolutionGeometry(2, 6, 6, 3, 1, 0);
        int ld = 2 * g.positions();
        for (Kernels k : List.of(SCALAR, vector())) {
            float[] x = new float[2 * g.inputSize()];
            float[] cols = new float[g.patch() * ld];
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> k.im2col(g, x, 0, 0, 3, new float[g.patch() * 3 * g.positions()], 0, 3 * g.positions()));
            assertTrue(e.getMessage().contains("x"), e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> k.im2col(g, x, 0, 0, 2, cols, 1, ld));
            assertThrows(IllegalArgumentException.class, () -> k.im2col(g, x, 0, 0, 2, cols, 0, ld - 1));
            assertThrows(IllegalArgumentException.class, () -> k.col2im(g, cols, 0, ld, 1, 3, x, 0));
            assertThrows(IllegalArgumentException.class, () -> k.col2im(g, cols, 0, ld, 2, 1, x, 0));
        }
    }

    @Test
    void geometryRejectsWindowsThatDoNotFitAndReportsItsSizes() {
        assertThrows(IllegalArgumentException.class, () -> new ConvolutionGeometry(1, 4, 4, 5, 1, 0));
        assertThrows(IllegalArgumentException.class, () -> new ConvolutionGeometry(0, 4, 4, 3, 1, 0));
        assertThrows(IllegalArgumentException.class, () -> new ConvolutionGeometry(1, 4, 4, 3, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> new ConvolutionGeometry(1, 4, 4, 3, 1, -1));
        ConvolutionGeometry lenet = new ConvolutionGeometry(20, 12, 12, 5, 1, 0);
        assertEquals(8, lenet.outHeight());
        assertEquals(64, lenet.positions());
        assertEquals(500, lenet.patch());
        ConvolutionGeometry strided = new ConvolutionGeometry(1, 10, 17, 4, 3, 2);
        assertEquals((10 + 4 - 4) / 3 + 1, strided.outHeight());
        assertEquals((17 + 4 - 4) / 3 + 1, strided.outWidth());
    }
}
