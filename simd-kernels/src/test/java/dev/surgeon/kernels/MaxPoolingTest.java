package dev.surgeon.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * {@link Kernels#maxPool2x2} and {@link Kernels#maxUnpool2x2}: the scalar reference against the definition (the first
 * largest entry of each window in row-major order), the Vector provider against the reference bit for bit on sizes
 * with partial chunks, arrays that end right after the last plane (the reference path of the last chunks), signed
 * zeros, infinities, NaNs of both signs and ties.
 */
class MaxPoolingTest {
    private static final Kernels SCALAR = Kernels.named("scalar");
    private static final int[][] SHAPES = {
        {7, 24, 24}, {3, 8, 8}, {5, 2, 2}, {2, 6, 34}, {2, 12, 66}, {3, 5, 7}, {1, 3, 40}, {4, 64, 64}, {2, 2, 96},
    };

    private static Kernels vector() {
        return Kernels.named("vector").withThreads(1);
    }

    /** Values with many exact ties (a few levels), signed zeros and, when {@code special}, infinities and NaNs. */
    private static float[] activations(int n, long seed, boolean special) {
        SplittableRandom random = new SplittableRandom(seed);
        float[] specials = {0f, -0f, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.NaN,
            Float.intBitsToFloat(0xffc00000)};
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            int r = random.nextInt(20);
            if (special && r == 0) {
                x[i] = specials[random.nextInt(specials.length)];
            } else if (r < 8) {
                x[i] = random.nextInt(4) - 2;
            } else {
                x[i] = (float) random.nextGaussian();
            }
        }
        return x;
    }

    @Test
    void theReferenceKeepsTheFirstLargestEntryOfEachWindow() {
        for (int[] s : SHAPES) {
            int planes = s[0];
            int h = s[1];
            int w = s[2];
            int xOff = 3;
            float[] x = activations(xOff + planes * h * w, 11 + h * w, false);
            int outputs = planes * (h / 2) * (w / 2);
            float[] out = new float[outputs + 2];
            int[] arg = new int[outputs + 2];
            SCALAR.maxPool2x2(planes, h, w, x, xOff, out, 1, arg, 2);
            int o = 0;
            for (int p = 0; p < planes; p++) {
                for (int oy = 0; oy < h / 2; oy++) {
                    for (int ox = 0; ox < w / 2; ox++, o++) {
                        int top = xOff + p * h * w + 2 * oy * w + 2 * ox;
                        int[] window = {top, top + 1, top + w, top + w + 1};
                        int best = window[0];
                        for (int q = 1; q < 4; q++) {
                            if (Float.compare(x[window[q]], x[best]) > 0) {
                                best = window[q];
                            }
                        }
                        assertEquals(best, arg[2 + o], Arrays.toString(s) + " output " + o);
                        assertEquals(Float.floatToRawIntBits(x[best]), Float.floatToRawIntBits(out[1 + o]));
                    }
                }
            }
        }
    }

    @Test
    void nansRankBySignAndSignedZerosAreOrdered() {
        float positiveNan = Float.NaN;
        float negativeNan = Float.intBitsToFloat(0xffc00000);
        float[][] windows = {
            {-0f, 0f, -0f, 0f}, {1f, positiveNan, Float.POSITIVE_INFINITY, 2f},
            {negativeNan, Float.NEGATIVE_INFINITY, negativeNan, Float.NEGATIVE_INFINITY}, {3f, 3f, 3f, 3f},
        };
        int[] winner = {1, 1, 1, 0};
        for (Kernels k : new Kernels[] {SCALAR, vector()}) {
            for (int t = 0; t < windows.length; t++) {
                float[] x = {windows[t][0], windows[t][1], windows[t][2], windows[t][3]};
                float[] out = new float[1];
                int[] arg = new int[1];
                k.maxPool2x2(1, 2, 2, x, 0, out, 0, arg, 0);
                assertEquals(winner[t], arg[0], k.name() + " window " + t);
            }
        }
    }

    @Test
    void vectorPoolingMatchesTheReferenceBitForBit() {
        long seed = 40;
        for (int[] s : SHAPES) {
            for (int xOff : new int[] {0, 5}) {
                int planes = s[0];
                int h = s[1];
                int w = s[2];
                int outputs = planes * (h / 2) * (w / 2);
                // The input array ends right after the last plane: the last chunks take the reference path.
                float[] x = activations(xOff + planes * h * w, seed++, true);
                float[] scalarOut = new float[outputs + 4];
                float[] vectorOut = new float[outputs + 4];
                Arrays.fill(scalarOut, 7f);
                Arrays.fill(vectorOut, 7f);
                int[] scalarArg = new int[outputs + 4];
                int[] vectorArg = new int[outputs + 4];
                SCALAR.maxPool2x2(planes, h, w, x, xOff, scalarOut, 2, scalarArg, 1);
                vector().maxPool2x2(planes, h, w, x, xOff, vectorOut, 2, vectorArg, 1);
                assertArrayEquals(scalarArg, vectorArg, Arrays.toString(s) + " argmax");
                assertArrayEquals(bits(scalarOut), bits(vectorOut), Arrays.toString(s) + " values");
            }
        }
    }

    @Test
    void vectorUnpoolingMatchesTheReferenceAndRoutesEachGradient() {
        long seed = 70;
        for (int[] s : SHAPES) {
            int planes = s[0];
            int h = s[1];
            int w = s[2];
            if (h % 2 != 0 || w % 2 != 0) {
                continue;
            }
            int outputs = planes * (h / 2) * (w / 2);
            int xOff = 2;
            float[] x = activations(xOff + planes * h * w, seed++, true);
            float[] out = new float[outputs];
            int[] arg = new int[outputs];
            SCALAR.maxPool2x2(planes, h, w, x, xOff, out, 0, arg, 0);
            float[] grad = activations(outputs, seed++, false);
            grad[0] = -0f;
            float[] scalar = activations(xOff + planes * h * w, seed++, false);
            float[] vector = scalar.clone();
            float[] before = scalar.clone();
            SCALAR.maxUnpool2x2(planes, h, w, grad, 0, arg, 0, xOff, scalar, xOff);
            vector().maxUnpool2x2(planes, h, w, grad, 0, arg, 0, xOff, vector, xOff);
            assertArrayEquals(bits(scalar), bits(vector), Arrays.toString(s));
            float[] expected = new float[scalar.length];
            System.arraycopy(before, 0, expected, 0, xOff);
            for (int o = 0; o < outputs; o++) {
                expected[arg[o]] = grad[o];
            }
            assertArrayEquals(bits(expected), bits(scalar), Arrays.toString(s) + " against the definition");
        }
    }

    @Test
    void badArgumentsAreRefusedByEveryProvider() {
        for (Kernels k : new Kernels[] {SCALAR, vector()}) {
            float[] x = new float[2 * 24 * 24];
            float[] out = new float[2 * 144];
            int[] arg = new int[2 * 144];
            assertThrows(IllegalArgumentException.class, () -> k.maxPool2x2(2, 24, 24, x, 1, out, 0, arg, 0));
            assertThrows(IllegalArgumentException.class, () -> k.maxPool2x2(2, 24, 24, x, 0, out, 1, arg, 0));
            assertThrows(IllegalArgumentException.class, () -> k.maxPool2x2(1, 1, 24, x, 0, out, 0, arg, 0));
            assertThrows(IllegalArgumentException.class, () -> k.maxUnpool2x2(1, 5, 6, out, 0, arg, 0, 0, x, 0));
            k.maxPool2x2(2, 24, 24, x, 0, out, 0, arg, 0);
            int[] stray = arg.clone();
            stray[150] = stray[150] + 2;
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> k.maxUnpool2x2(2, 24, 24, out, 0, stray, 0, 0, new float[x.length], 0));
            assertTrue(e.getMessage().contains("argmax[150]"), k.name() + ": " + e.getMessage());
        }
    }

    private static int[] bits(float[] a) {
        int[] b = new int[a.length];
        for (int i = 0; i < a.length; i++) {
            b[i] = Float.floatToRawIntBits(a[i]);
        }
        return b;
    }

    /**
     * argBase ≠ dxOff: unpooling planes [p0, p1) of a pooled batch into a buffer of just those planes (argmax recorded
     * with the whole batch at offset 0) equals the same planes of the whole unpooled batch, on every provider; a stray
     * entry is reported with its own value.
     */
    @Test
    void unpoolingIntoABufferOfJustTheBlockEqualsThatSliceOfTheWholeBatch() {
        int planes = 9;
        int h = 24;
        int w = 24;
        int plane = h * w;
        int outputs = plane / 4;
        float[] x = activations(planes * plane, 77, false);
        float[] pooled = new float[planes * outputs];
        int[] arg = new int[planes * outputs];
        SCALAR.maxPool2x2(planes, h, w, x, 0, pooled, 0, arg, 0);
        float[] grad = activations(planes * outputs, 78, false);
        float[] whole = new float[planes * plane];
        SCALAR.maxUnpool2x2(planes, h, w, grad, 0, arg, 0, 0, whole, 0);
        for (Kernels k : TestArrays.providers()) {
            for (int[] block : new int[][] {{0, 4}, {4, 9}, {3, 4}}) {
                int p0 = block[0];
                int p1 = block[1];
                float[] part = new float[3 + (p1 - p0) * plane];
                Arrays.fill(part, Float.NaN);
                k.maxUnpool2x2(p1 - p0, h, w, grad, p0 * outputs, arg, p0 * outputs, p0 * plane, part, 3);
                for (int i = 0; i < (p1 - p0) * plane; i++) {
                    assertEquals(Float.floatToRawIntBits(whole[p0 * plane + i]), Float.floatToRawIntBits(part[3 + i]),
                            k.description() + " planes " + p0 + "–" + p1 + " entry " + i);
                }
            }
            int[] stray = arg.clone();
            stray[5 * outputs + 7] += 2;
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> k.maxUnpool2x2(4, h, w, grad, 5 * outputs, stray, 5 * outputs, 5 * plane,
                            new float[4 * plane], 0));
            assertTrue(e.getMessage().contains("argmax[" + (5 * outputs + 7) + "] is " + stray[5 * outputs + 7]),
                    k.description() + ": " + e.getMessage());
        }
    }
}
