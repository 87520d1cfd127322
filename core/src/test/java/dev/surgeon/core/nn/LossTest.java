package dev.surgeon.core.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Losses against their float64 definitions ({@link ReferenceNetwork#loss}) and finite differences.
 * Tolerances: the float implementations round their inputs' derived quantities once or twice (≤ 1e-7
 * relative); reference first differences are good to 1e-9 and second differences (step 1e-4) to 1e-7, so
 * 1e-6 absolute (values are O(1)) leaves a 10× margin over the worst expected error.
 */
class LossTest {
    private static final int B = 3;
    private static final int K = 4;

    private static float[] outputs() {
        return ReferenceNetwork.randomFloats(B * K, 1, 2.5);
    }

    private static float[] targets(String name) {
        SplittableRandom r = new SplittableRandom(2);
        float[] t = new float[B * K];
        for (int n = 0; n < B; n++) {
            for (int j = 0; j < K; j++) {
                t[n * K + j] = name.startsWith("bce") ? r.nextInt(2) : (float) r.nextDouble();
            }
            if (name.startsWith("cross-entropy")) {
                java.util.Arrays.fill(t, n * K, (n + 1) * K, 0f);
                t[n * K + r.nextInt(K)] = 1f;
            }
        }
        return t;
    }

    private static double reference(String name, double[] f, float[] t) {
        return ReferenceNetwork.loss(name, f, ReferenceNetwork.toDouble(t), B, K);
    }

    @ParameterizedTest
    @ValueSource(strings = {"mse-sum", "mse-mean", "cross-entropy-mean", "cross-entropy-sum", "bce-mean", "bce-sum"})
    void valueGradientAndOutputHessianMatchTheDefinition(String name) {
        Loss loss = Loss.named(name);
        assertEquals(name, loss.name());
        float[] f = outputs();
        float[] t = targets(name);
        double[] fd = ReferenceNetwork.toDouble(f);
        assertEquals(reference(name, fd, t), loss.value(f, t, B, K), 1e-6);

        float scale = loss.scale(B);
        float[] g = new float[B * K];
        loss.gradient(f, t, B, K, scale, g, 0);
        double eps = 1e-6;
        for (int i = 0; i < B * K; i++) {
            double[] up = fd.clone();
            double[] down = fd.clone();
            up[i] += eps;
            down[i] -= eps;
            assertEquals((reference(name, up, t) - reference(name, down, t)) / (2 * eps), g[i], 1e-6, "∂L/∂f " + i);
        }

        // Λ by second differences (block diagonal over samples), against hessianProduct, hessianDiagonal and S Sᵀ.
        float[] diag = new float[B * K];
        loss.hessianDiagonal(f, t, B, K, scale, diag, 0);
        int c = loss.factorColumns(K);
        float[] s = new float[c * B * K];
        loss.hessianFactor(f, t, B, K, scale, s, 0);
        double h = 1e-4;
        for (int n = 0; n < B; n++) {
            for (int a = 0; a < K; a++) {
                float[] e = new float[B * K];
                e[n * K + a] = 1f;
                float[] column = new float[B * K];
                loss.hessianProduct(f, t, e, 0, B, K, scale, column, 0);
                for (int b = 0; b < K; b++) {
                    double second = 0;
                    for (int sa = -1; sa <= 1; sa += 2) {
                        for (int sb = -1; sb <= 1; sb += 2) {
                            double[] p = fd.clone();
                            p[n * K + a] += sa * h;
                            p[n * K + b] += sb * h;
                            second += sa * sb * reference(name, p, t);
                        }
                    }
                    second /= 4 * h * h;
                    assertEquals(second, column[n * K + b], 1e-6, "Λ[" + a + "," + b + "] of sample " + n);
                    double ssT = 0;
                    for (int col = 0; col < c; col++) {
                        ssT += (double) s[(col * B + n) * K + a] * s[(col * B + n) * K + b];
                    }
                    assertEquals(second, ssT, 1e-6, "S Sᵀ[" + a + "," + b + "] of sample " + n);
                    if (a == b) {
                        assertEquals(second, diag[n * K + a], 1e-6, "diag Λ");
                    }
                }
                // Other samples' rows are untouched by a direction in sample n.
                for (int m = 0; m < B; m++) {
                    for (int b = 0; b < K && m != n; b++) {
                        assertEquals(0f, column[m * K + b]);
                    }
                }
            }
        }
    }

    @Test
    void binaryCrossEntropyIsStableForLargeLogits() {
        Loss bce = Loss.named("bce-sum");
        float[] f = {100f, -100f, 1e4f, -1e4f};
        float[] t = {1f, 1f, 0f, 0f};
        // log(1 + e^-100) ≈ e^-100; 100 + log1p(e^-100) ≈ 100; 1e4 and ≈ 0.
        assertEquals(0 + 100 + 1e4 + 0, bce.value(f, t, 4, 1), 1e-9);
        float[] g = new float[4];
        bce.gradient(f, t, 4, 1, 1f, g, 0);
        assertEquals(0f, g[0], 1e-30);
        assertEquals(-1f, g[1]);
        assertEquals(1f, g[2]);
        assertEquals(0f, g[3], 1e-30);
        Loss ce = Loss.softmaxCrossEntropy();
        float[] logits = {1000f, 0f, -1000f, 0f};
        assertEquals(1000, ce.value(logits, new float[] {0, 1, 0, 1}, 2, 2) * 2 - Math.log(2) * 1, 1e-6 + Math.log(2));
        assertTrue(Double.isFinite(ce.value(logits, new float[] {0, 1, 1, 0}, 2, 2)));
    }

    @Test
    void sampledTargetsFollowThePredictiveDistribution() {
        int n = 20000;
        SplittableRandom random = new SplittableRandom(9);
        float[] logits = {0.5f, -1f, 1.5f};
        double z = Math.exp(0.5) + Math.exp(-1) + Math.exp(1.5);
        int[] counts = new int[3];
        float[] t = new float[3];
        Loss ce = Loss.softmaxCrossEntropy();
        for (int i = 0; i < n; i++) {
            ce.sampleTargets(logits, 1, 3, random, t, 0);
            counts[Loss.argmax(t, 0, 3)]++;
            assertEquals(1f, t[0] + t[1] + t[2]);
        }
        for (int j = 0; j < 3; j++) {
            double p = Math.exp(logits[j]) / z;
            // 5 standard deviations of a binomial frequency: a fixed seed cannot fail by chance in practice.
            assertEquals(p, counts[j] / (double) n, 5 * Math.sqrt(p * (1 - p) / n), "class " + j);
        }
        Loss bce = Loss.binaryCrossEntropy();
        double ones = 0;
        for (int i = 0; i < n; i++) {
            bce.sampleTargets(new float[] {0.8f}, 1, 1, random, t, 0);
            ones += t[0];
        }
        double p = 1 / (1 + Math.exp(-0.8));
        assertEquals(p, ones / n, 5 * Math.sqrt(p * (1 - p) / n));
        Loss mse = Loss.meanSquaredError(Reduction.SUM);
        double sum = 0;
        double sumSq = 0;
        for (int i = 0; i < n; i++) {
            mse.sampleTargets(new float[] {2f}, 1, 1, random, t, 0);
            sum += t[0] - 2;
            sumSq += (t[0] - 2) * (t[0] - 2);
        }
        assertEquals(0, sum / n, 5 / Math.sqrt(n));
        assertEquals(1, sumSq / n, 5 * Math.sqrt(2.0 / n));
    }

    @Test
    void accuracyRulesPerLoss() {
        Loss mse = Loss.meanSquaredError(Reduction.SUM);
        assertEquals(2, mse.countCorrect(new float[] {0.7f, 0.2f, 0.4f}, new float[] {1f, 0f, 1f}, 3, 1));
        assertEquals(1, mse.countCorrect(new float[] {0.1f, 0.9f, 0.8f, 0.2f}, new float[] {0, 1, 0, 1}, 2, 2));
        Loss bce = Loss.binaryCrossEntropy();
        assertEquals(2, bce.countCorrect(new float[] {0.3f, -2f, -0.1f}, new float[] {1f, 0f, 1f}, 3, 1));
        assertEquals(1, bce.countCorrect(new float[] {1f, -1f, 1f, 1f}, new float[] {1, 0, 1, 0}, 2, 2));
        Loss ce = Loss.softmaxCrossEntropy();
        assertEquals(1, ce.countCorrect(new float[] {0f, 3f, 1f, 2f, 0f, 0f}, new float[] {0, 1, 0, 0, 1, 0}, 2, 3));
        assertThrows(IllegalArgumentException.class, () -> ce.checkOutputs(1));
        assertThrows(IllegalArgumentException.class, () -> Loss.named("hinge"));
    }
}
