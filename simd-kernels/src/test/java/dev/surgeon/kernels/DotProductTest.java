package dev.surgeon.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * {@link DotProduct} against float64 sums of its definition, C ← α·A·[B; 1]ᵀ + βC: edge blocks (m and n not multiples
 * of 4), k with and without a tail shorter than a vector, offsets and strides wider than k, and C entries outside the
 * product left alone.
 */
class DotProductTest {

    @Test
    void matchesTheFloat64Definition() {
        long seed = 1;
        int checked = 0;
        for (int m : new int[] {1, 3, 4, 5, 20}) {
            for (int n : new int[] {1, 4, 7, 25}) {
                for (int k : new int[] {64, 100, 576}) {
                    for (boolean ones : new boolean[] {false, true}) {
                        float alpha = seed % 2 == 0 ? 1f : -0.5f;
                        float beta = seed % 3 == 0 ? 0f : seed % 3 == 1 ? 1f : 0.3f;
                        int lda = k + 3;
                        int ldb = k + 5;
                        int cols = n + (ones ? 1 : 0);
                        int ldc = cols + 2;
                        float[] a = TestArrays.randomFloats(2 + m * lda, seed++);
                        float[] b = TestArrays.randomFloats(1 + n * ldb, seed++);
                        float[] c = TestArrays.randomFloats(4 + m * ldc, seed++);
                        float[] before = c.clone();
                        DotProduct.multiply(m, n, k, alpha, a, 2, lda, b, 1, ldb, ones, beta, c, 4, ldc);
                        for (int i = 0; i < m; i++) {
                            for (int j = 0; j < ldc; j++) {
                                int at = 4 + i * ldc + j;
                                if (j >= cols) {
                                    assertEquals(before[at], c[at], "wrote outside C at " + i + "," + j);
                                    continue;
                                }
                                double sum = 0;
                                double magnitude = 0;
                                for (int p = 0; p < k; p++) {
                                    double bv = j == n ? 1.0 : b[1 + j * ldb + p];
                                    sum += (double) a[2 + i * lda + p] * bv;
                                    magnitude += Math.abs(a[2 + i * lda + p] * bv);
                                }
                                double expected = alpha * sum + (beta == 0 ? 0 : beta * (double) before[at]);
                                // Float sums of k products (16 lanes, then across lanes): error ≤ (k/16 + 4)·2⁻²⁴ of
                                // the summed magnitudes, doubled for the final scaling and the βC term.
                                double tolerance = 2 * (k / 16.0 + 4) * 0x1p-24 * (magnitude + Math.abs(before[at]))
                                        + 1e-30;
                                assertEquals(expected, c[at], tolerance,
                                        "m=" + m + " n=" + n + " k=" + k + " ones=" + ones + " at " + i + "," + j);
                                checked++;
                            }
                        }
                    }
                }
            }
        }
        assertTrue(checked > 7_000, "checked " + checked);
    }

    @Test
    void betaZeroIgnoresWhatCHolds() {
        float[] a = TestArrays.randomFloats(4 * 64, 9);
        float[] b = TestArrays.randomFloats(4 * 64, 10);
        float[] c = new float[4 * 5];
        java.util.Arrays.fill(c, Float.NaN);
        DotProduct.multiply(4, 4, 64, 1f, a, 0, 64, b, 0, 64, true, 0f, c, 0, 5);
        for (float v : c) {
            assertTrue(Float.isFinite(v), "NaN in C leaked through beta = 0");
        }
    }

    /**
     * The summation order, bit for bit: lane i of an entry's accumulator is the fused chain over k steps i, i + L, …,
     * and the lanes are summed by the halving folds of {@link VectorOps#FLOAT_FOLD_8} (lane i + lane i + w for w = L/2,
     * …, 1, then + 0), the same in every JIT tier. reduceLanes(ADD), which this replaced, added lane by lane before C2
     * compiled it, so a training run's first steps differed from run to run.
     */
    @Test
    void lanesAreSummedByHalvingFoldsInEveryTier() {
        int lanes = VectorOps.FLOAT_LANES;
        int k = 3 * lanes;
        int m = 5;
        int n = 6;
        float[] a = TestArrays.randomFloats(m * k, 21);
        float[] b = TestArrays.randomFloats(n * k, 22);
        for (int i = 0; i < a.length; i++) {
            // Magnitudes from 2⁻¹² to 2¹²: the sum then depends on its order.
            a[i] = Math.scalb(a[i], (i * 7) % 25 - 12);
        }
        float[] ones = new float[k];
        java.util.Arrays.fill(ones, 1f);
        for (int call = 0; call < 3; call++) {
            float[] c = new float[m * (n + 1)];
            DotProduct.multiply(m, n, k, 1f, a, 0, k, b, 0, k, true, 0f, c, 0, n + 1);
            for (int i = 0; i < m; i++) {
                for (int j = 0; j <= n; j++) {
                    float[] other = j == n ? ones : b;
                    int otherOff = j == n ? 0 : j * k;
                    float[] lane = new float[lanes];
                    for (int p = 0; p < k; p++) {
                        lane[p % lanes] = j == n ? lane[p % lanes] + a[i * k + p]
                                : VectorOps.fma(a[i * k + p], other[otherOff + p], lane[p % lanes]);
                    }
                    for (int w = lanes / 2; w >= 1; w /= 2) {
                        float[] next = new float[lanes];
                        for (int q = 0; q < lanes; q++) {
                            next[q] = lane[q] + lane[(q + w) % lanes];
                        }
                        lane = next;
                    }
                    float expected = lane[0] + 0f;
                    assertEquals(Float.floatToRawIntBits(expected), Float.floatToRawIntBits(c[i * (n + 1) + j]),
                            "call " + call + " entry " + i + "," + j);
                }
            }
        }
    }
}
