package dev.surgeon.core.nn;

import java.util.SplittableRandom;

/**
 * Softmax cross-entropy on logits: p = softmax(f), ℓ_n = −Σ_k t_k log p_k = logsumexp(f) − tᵀf for target
 * rows that sum to 1 (one-hot labels, or sampled labels), computed with the max subtracted so no exp
 * overflows. Averaged over the batch by default (PyTorch's {@code cross_entropy}).
 *
 * <p>∂ℓ/∂f = p − t. Λ = diag(p) − p pᵀ, so Λu = p ⊙ u − p (pᵀu) (METHODS A2); diag Λ = p ⊙ (1 − p).
 * Factor S = diag(√p) − p √pᵀ, whose column c is √p_c (e_c − p) (A4.1; S Sᵀ = Λ because Σ_c p_c = 1).
 * Sampled targets: one-hot of y ~ Categorical(p). Accuracy: argmax f equals argmax t.
 */
public final class SoftmaxCrossEntropy extends ReducedLoss {

    public SoftmaxCrossEntropy(Reduction reduction) {
        super("cross-entropy", reduction);
    }

    @Override
    public void checkOutputs(int k) {
        if (k < 2) {
            throw new IllegalArgumentException("softmax cross-entropy needs at least 2 outputs (one per class), got " + k
                    + "; use binary cross-entropy or squared error for one output");
        }
    }

    /** p = softmax(f_n) into p[pOff..pOff+k), in double; returns logsumexp(f_n). */
    static double softmax(float[] f, int off, int k, double[] p) {
        double max = Double.NEGATIVE_INFINITY;
        for (int j = 0; j < k; j++) {
            max = Math.max(max, f[off + j]);
        }
        double sum = 0;
        for (int j = 0; j < k; j++) {
            p[j] = Math.exp(f[off + j] - max);
            sum += p[j];
        }
        for (int j = 0; j < k; j++) {
            p[j] /= sum;
        }
        return max + Math.log(sum);
    }

    /** A probability buffer per thread, so the batch methods do not allocate per call. */
    private static final ThreadLocal<double[][]> BUFFER = ThreadLocal.withInitial(() -> new double[1][16]);

    private static double[] buffer(int k) {
        double[][] holder = BUFFER.get();
        if (holder[0].length < k) {
            holder[0] = new double[k];
        }
        return holder[0];
    }

    @Override
    public double value(float[] f, float[] t, int batch, int k) {
        double[] p = buffer(k);
        double sum = 0;
        for (int n = 0; n < batch; n++) {
            double lse = softmax(f, n * k, k, p);
            for (int j = 0; j < k; j++) {
                float tj = t[n * k + j];
                if (tj != 0f) {
                    sum += tj * (lse - f[n * k + j]);
                }
            }
        }
        return reduce(sum, batch);
    }

    @Override
    public void gradient(float[] f, float[] t, int batch, int k, float scale, float[] out, int outOff) {
        double[] p = buffer(k);
        for (int n = 0; n < batch; n++) {
            softmax(f, n * k, k, p);
            for (int j = 0; j < k; j++) {
                out[outOff + n * k + j] = (float) (scale * (p[j] - t[n * k + j]));
            }
        }
    }

    @Override
    public void hessianProduct(float[] f, float[] t, float[] u, int uOff, int batch, int k, float scale,
                               float[] out, int outOff) {
        double[] p = buffer(k);
        for (int n = 0; n < batch; n++) {
            softmax(f, n * k, k, p);
            double pu = 0;
            for (int j = 0; j < k; j++) {
                pu += p[j] * u[uOff + n * k + j];
            }
            for (int j = 0; j < k; j++) {
                out[outOff + n * k + j] = (float) (scale * p[j] * (u[uOff + n * k + j] - pu));
            }
        }
    }

    @Override
    public void hessianDiagonal(float[] f, float[] t, int batch, int k, float scale, float[] out, int outOff) {
        double[] p = buffer(k);
        for (int n = 0; n < batch; n++) {
            softmax(f, n * k, k, p);
            for (int j = 0; j < k; j++) {
                out[outOff + n * k + j] = (float) (scale * p[j] * (1 - p[j]));
            }
        }
    }

    @Override
    public int factorColumns(int k) {
        return k;
    }

    @Override
    public void hessianFactor(float[] f, float[] t, int batch, int k, float scale, float[] s, int sOff) {
        double[] p = buffer(k);
        double root = Math.sqrt(scale);
        for (int n = 0; n < batch; n++) {
            softmax(f, n * k, k, p);
            for (int c = 0; c < k; c++) {
                double a = root * Math.sqrt(p[c]);
                int col = sOff + (c * batch + n) * k;
                for (int j = 0; j < k; j++) {
                    s[col + j] = (float) (a * ((j == c ? 1 : 0) - p[j]));
                }
            }
        }
    }

    @Override
    public void sampleTargets(float[] f, int batch, int k, SplittableRandom random, float[] t, int tOff) {
        double[] p = buffer(k);
        for (int n = 0; n < batch; n++) {
            softmax(f, n * k, k, p);
            double u = random.nextDouble();
            int y = k - 1;
            double cumulative = 0;
            for (int j = 0; j < k; j++) {
                cumulative += p[j];
                if (u < cumulative) {
                    y = j;
                    break;
                }
            }
            java.util.Arrays.fill(t, tOff + n * k, tOff + (n + 1) * k, 0f);
            t[tOff + n * k + y] = 1f;
        }
    }

    @Override
    public int countCorrect(float[] f, float[] t, int batch, int k) {
        int correct = 0;
        for (int n = 0; n < batch; n++) {
            if (Loss.argmax(f, n * k, k) == Loss.argmax(t, n * k, k)) {
                correct++;
            }
        }
        return correct;
    }
}
