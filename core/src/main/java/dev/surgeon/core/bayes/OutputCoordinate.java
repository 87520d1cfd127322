package dev.surgeon.core.bayes;

import dev.surgeon.core.nn.Loss;
import dev.surgeon.core.nn.Reduction;
import java.util.SplittableRandom;

/**
 * The "loss" ℓ_n = f_k(x_n): the k-th network output itself, summed over the batch. Its output-space gradient is
 * e_k and its output-space Hessian is 0, so {@link dev.surgeon.core.nn.Network#hessianVectorProduct} with it
 * returns exactly the Hessian of the output, Σ_n ∇²_w f_k(x_n) · v, from the R-operator's second-derivative terms
 * alone (Pearlmutter 1994; METHODS A2 with Λ = 0). Flat Minimum Search needs these products (METHODS E3). Not a
 * training loss: it has no targets, no accuracy and no sampled targets.
 * Notation: docs/NOTATION.md.
 */
final class OutputCoordinate implements Loss {
    private final int k;

    OutputCoordinate(int k) {
        this.k = k;
    }

    @Override
    public String name() {
        return "output-" + k;
    }

    @Override
    public Reduction reduction() {
        return Reduction.SUM;
    }

    @Override
    public void checkOutputs(int outputs) {
        if (k >= outputs) {
            throw new IllegalArgumentException("output " + k + " does not exist in " + outputs + " outputs");
        }
    }

    @Override
    public double value(float[] f, float[] t, int batch, int outputs) {
        double s = 0;
        for (int n = 0; n < batch; n++) {
            s += f[n * outputs + k];
        }
        return s;
    }

    @Override
    public void gradient(float[] f, float[] t, int batch, int outputs, float scale, float[] out, int outOff) {
        java.util.Arrays.fill(out, outOff, outOff + batch * outputs, 0f);
        for (int n = 0; n < batch; n++) {
            out[outOff + n * outputs + k] = scale;
        }
    }

    @Override
    public void hessianProduct(float[] f, float[] t, float[] u, int uOff, int batch, int outputs, float scale,
                               float[] out, int outOff) {
        java.util.Arrays.fill(out, outOff, outOff + batch * outputs, 0f);
    }

    @Override
    public void hessianDiagonal(float[] f, float[] t, int batch, int outputs, float scale, float[] out, int outOff) {
        java.util.Arrays.fill(out, outOff, outOff + batch * outputs, 0f);
    }

    @Override
    public int factorColumns(int outputs) {
        return 0;
    }

    @Override
    public void hessianFactor(float[] f, float[] t, int batch, int outputs, float scale, float[] s, int sOff) {
    }

    @Override
    public void sampleTargets(float[] f, int batch, int outputs, SplittableRandom random, float[] t, int tOff) {
        throw new UnsupportedOperationException("an output coordinate is not a likelihood; it has no targets to sample");
    }

    @Override
    public int countCorrect(float[] f, float[] t, int batch, int outputs) {
        return 0;
    }
}
