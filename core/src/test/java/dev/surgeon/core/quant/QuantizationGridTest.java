package dev.surgeon.core.quant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Per-channel grids (METHODS C1): ranges, zero points, codes on the grid, and the range search. */
class QuantizationGridTest {

    private static double[] randomRows(int rows, int cols, long seed, boolean outliers) {
        SplittableRandom r = new SplittableRandom(seed);
        double[] w = new double[rows * cols];
        for (int q = 0; q < w.length; q++) {
            w[q] = r.nextGaussian() + (outliers && r.nextDouble() < 0.02 ? 8 * r.nextGaussian() : 0);
        }
        return w;
    }

    @Test
    void asymmetricGridCoversTheRowRangeWithinHalfAStep() {
        double[] w = randomRows(6, 40, 1, false);
        for (int bits = 2; bits <= 8; bits++) {
            QuantizationGrid g = QuantizationGrid.fit(QuantizationGrid.Spec.asymmetric(bits), w, 0, 6, 40);
            assertEquals((1 << bits) - 1, g.maxq());
            for (int i = 0; i < 6; i++) {
                float z = g.zero(i);
                assertTrue(z == Math.rint(z) && z >= 0 && z <= g.maxq(), "zero " + z);
                assertEquals(0.0, g.value(i, g.code(i, 0)), "0 is a grid point");
                for (int j = 0; j < 40; j++) {
                    double x = w[i * 40 + j];
                    int c = g.code(i, x);
                    assertTrue(c >= 0 && c <= g.maxq());
                    // Inside the range every weight is within half a step of its grid point (float scale: + 1e-6 slack).
                    assertTrue(Math.abs(x - g.quantize(i, x)) <= 0.5 * g.scale(i) * (1 + 1e-6), "bits " + bits + " x " + x);
                    assertEquals(g.value(i, c), g.quantize(i, x));
                }
            }
        }
    }

    @Test
    void symmetricGridHasTheMiddleZeroAndAScaleFromTheLargestMagnitude() {
        double[] w = {0.5, -2.0, 1.0, 0.25, 3.0, 1.0, -0.5, 0.0};
        QuantizationGrid g = QuantizationGrid.fit(QuantizationGrid.Spec.symmetric(4), w, 0, 2, 4);
        assertEquals(8f, g.zero(0));
        assertEquals(8f, g.zero(1));
        assertEquals((float) (4.0 / 15), g.scale(0));
        assertEquals((float) (6.0 / 15), g.scale(1));
        // An all-zero row uses the range [−1, 1].
        QuantizationGrid z = QuantizationGrid.fit(QuantizationGrid.Spec.asymmetric(2), new double[4], 0, 1, 4);
        assertEquals((float) (2.0 / 3), z.scale(0));
        assertEquals(2f, z.zero(0));
    }

    /** p = 1 is the search's first candidate, so its error Σ|x − q|^2.4 is never larger; with outliers it is smaller. */
    @Test
    void rangeSearchIsNeverWorseThanNoSearch() {
        boolean strictlyBetter = false;
        for (boolean symmetric : new boolean[] {false, true}) {
            for (int bits : new int[] {2, 3, 4, 8}) {
                double[] w = randomRows(8, 64, bits + (symmetric ? 100 : 0), true);
                QuantizationGrid.Spec plain = symmetric ? QuantizationGrid.Spec.symmetric(bits) : QuantizationGrid.Spec.asymmetric(bits);
                QuantizationGrid a = QuantizationGrid.fit(plain, w, 0, 8, 64);
                QuantizationGrid b = QuantizationGrid.fit(plain.withSearch(), w, 0, 8, 64);
                for (int i = 0; i < 8; i++) {
                    double ea = 0;
                    double eb = 0;
                    for (int j = 0; j < 64; j++) {
                        double x = w[i * 64 + j];
                        ea += Math.pow(Math.abs(x - a.quantize(i, x)), 2.4);
                        eb += Math.pow(Math.abs(x - b.quantize(i, x)), 2.4);
                    }
                    assertTrue(eb <= ea, "row " + i + " bits " + bits + ": " + eb + " > " + ea);
                    strictlyBetter |= eb < ea;
                }
            }
        }
        assertTrue(strictlyBetter, "the search found a better range somewhere");
    }

    @Test
    void invalidSpecsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> QuantizationGrid.Spec.asymmetric(1));
        assertThrows(IllegalArgumentException.class, () -> QuantizationGrid.Spec.symmetric(9));
        assertThrows(IllegalArgumentException.class, () -> QuantizationGrid.Spec.asymmetric(4).withSearch(100, 1.0, 2.4));
        assertThrows(IllegalArgumentException.class, () -> QuantizationGrid.fit(QuantizationGrid.Spec.asymmetric(4),
                new double[] {1, Double.NaN}, 0, 1, 2));
        assertThrows(IllegalArgumentException.class, () -> QuantizationGrid.of(QuantizationGrid.Spec.asymmetric(4),
                new float[] {0.1f}, new float[] {16f}));
    }
}
