package dev.surgeon.core.nn;

import java.util.SplittableRandom;

/**
 * Squared error ℓ_n = ½ ‖f_n − t_n‖² (the ½ keeps ∂ℓ/∂f = f − t and Λ = I), combined by a {@link Reduction}.
 * Not PyTorch's MSELoss, which averages (f − t)² over all B·K entries without the ½: PyTorch's value is
 * 2/K times the MEAN value here. The classic XOR and MONK setups (Rumelhart et al. 1986; Hassibi &amp; Stork
 * 1993; Thrun et al. 1991) use E = ½ Σ_n Σ_k (t − o)², i.e. {@link Reduction#SUM} on sigmoid outputs.
 *
 * <p>Λ_n = I, S_n = I (C = K columns). Sampled targets: t = f + ε, ε ~ N(0, I), the Gaussian likelihood
 * whose negative log is ℓ up to a constant, so the sampled gradients have covariance JᵀJ. Accuracy: with one
 * output, the output and the target lie on the same side of 0.5 (sigmoid outputs); with several, the
 * largest output is at the position of the largest target (one-hot).
 */
public final class MeanSquaredError extends ReducedLoss {

    public MeanSquaredError(Reduction reduction) {
        super("mse", reduction);
    }

    @Override
    public void checkOutputs(int k) {
        if (k < 1) {
            throw new IllegalArgumentException("squared error needs at least 1 output");
        }
    }

    @Override
    public double value(float[] f, float[] t, int batch, int k) {
        double sum = 0;
        for (int i = 0; i < batch * k; i++) {
            double e = (double) f[i] - t[i];
            sum += e * e;
        }
        return reduce(0.5 * sum, batch);
    }

    @Override
    public void gradient(float[] f, float[] t, int batch, int k, float scale, float[] out, int outOff) {
        for (int i = 0; i < batch * k; i++) {
            out[outOff + i] = scale * (f[i] - t[i]);
        }
    }

    @Override
    public void hessianProduct(float[] f, float[] t, float[] u, int uOff, int batch, int k, float scale,
                               float[] out, int outOff) {
        for (int i = 0; i < batch * k; i++) {
            out[outOff + i] = scale * u[uOff + i];
        }
    }

    @Override
    public void hessianDiagonal(float[] f, float[] t, int batch, int k, float scale, float[] out, int outOff) {
        java.util.Arrays.fill(out, outOff, outOff + batch * k, scale);
    }

    @Override
    public int factorColumns(int k) {
        return k;
    }

    @Override
    public void hessianFactor(float[] f, float[] t, int batch, int k, float scale, float[] s, int sOff) {
        float root = (float) Math.sqrt(scale);
        java.util.Arrays.fill(s, sOff, sOff + k * batch * k, 0f);
        for (int c = 0; c < k; c++) {
            for (int n = 0; n < batch; n++) {
                s[sOff + (c * batch + n) * k + c] = root;
            }
        }
    }

    @Override
    public void sampleTargets(float[] f, int batch, int k, SplittableRandom random, float[] t, int tOff) {
        for (int i = 0; i < batch * k; i++) {
            t[tOff + i] = f[i] + (float) random.nextGaussian();
        }
    }

    @Override
    public int countCorrect(float[] f, float[] t, int batch, int k) {
        int correct = 0;
        for (int n = 0; n < batch; n++) {
            boolean ok = k == 1
                    ? (f[n] > 0.5f) == (t[n] > 0.5f)
                    : Loss.argmax(f, n * k, k) == Loss.argmax(t, n * k, k);
            if (ok) {
                correct++;
            }
        }
        return correct;
    }
}
