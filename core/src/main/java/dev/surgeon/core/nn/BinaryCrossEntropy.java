package dev.surgeon.core.nn;

import java.util.SplittableRandom;

/**
 * Binary cross-entropy on logits (PyTorch's {@code binary_cross_entropy_with_logits}): each of the K outputs
 * is an independent Bernoulli with p = σ(f), and ℓ_n = Σ_k [log(1 + e^{f_k}) − t_k f_k], computed as
 * max(f, 0) − t f + log1p(e^{−|f|}), which neither overflows nor loses the small terms for large |f|.
 * The network must end with the logits (no sigmoid layer): the sigmoid is part of the loss.
 *
 * <p>∂ℓ/∂f = σ(f) − t; Λ = diag(σ(1 − σ)) (METHODS A3), S = diag(√(σ(1 − σ))). Sampled targets:
 * t_k ~ Bernoulli(σ(f_k)). Accuracy: a sample is correct when every output is on the target's side
 * (f &gt; 0 ⇔ t &gt; 0.5).
 */
public final class BinaryCrossEntropy extends ReducedLoss {

    public BinaryCrossEntropy(Reduction reduction) {
        super("bce", reduction);
    }

    @Override
    public void checkOutputs(int k) {
        if (k < 1) {
            throw new IllegalArgumentException("binary cross-entropy needs at least 1 output");
        }
    }

    @Override
    public double value(float[] f, float[] t, int batch, int k) {
        double sum = 0;
        for (int i = 0; i < batch * k; i++) {
            double z = f[i];
            sum += Math.max(z, 0) - t[i] * z + Math.log1p(Math.exp(-Math.abs(z)));
        }
        return reduce(sum, batch);
    }

    @Override
    public void gradient(float[] f, float[] t, int batch, int k, float scale, float[] out, int outOff) {
        for (int i = 0; i < batch * k; i++) {
            out[outOff + i] = (float) (scale * (Sigmoid.logistic(f[i]) - t[i]));
        }
    }

    @Override
    public void hessianProduct(float[] f, float[] t, float[] u, int uOff, int batch, int k, float scale,
                               float[] out, int outOff) {
        for (int i = 0; i < batch * k; i++) {
            double p = Sigmoid.logistic(f[i]);
            out[outOff + i] = (float) (scale * p * (1 - p) * u[uOff + i]);
        }
    }

    @Override
    public void hessianDiagonal(float[] f, float[] t, int batch, int k, float scale, float[] out, int outOff) {
        for (int i = 0; i < batch * k; i++) {
            double p = Sigmoid.logistic(f[i]);
            out[outOff + i] = (float) (scale * p * (1 - p));
        }
    }

    @Override
    public int factorColumns(int k) {
        return k;
    }

    @Override
    public void hessianFactor(float[] f, float[] t, int batch, int k, float scale, float[] s, int sOff) {
        java.util.Arrays.fill(s, sOff, sOff + k * batch * k, 0f);
        for (int n = 0; n < batch; n++) {
            for (int c = 0; c < k; c++) {
                double p = Sigmoid.logistic(f[n * k + c]);
                s[sOff + (c * batch + n) * k + c] = (float) Math.sqrt(scale * p * (1 - p));
            }
        }
    }

    @Override
    public void sampleTargets(float[] f, int batch, int k, SplittableRandom random, float[] t, int tOff) {
        for (int i = 0; i < batch * k; i++) {
            t[tOff + i] = random.nextDouble() < Sigmoid.logistic(f[i]) ? 1f : 0f;
        }
    }

    @Override
    public int countCorrect(float[] f, float[] t, int batch, int k) {
        int correct = 0;
        for (int n = 0; n < batch; n++) {
            boolean ok = true;
            for (int j = 0; j < k; j++) {
                ok &= (f[n * k + j] > 0f) == (t[n * k + j] > 0.5f);
            }
            if (ok) {
                correct++;
            }
        }
        return correct;
    }
}
