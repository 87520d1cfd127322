package dev.surgeon.core.nn;

import java.util.SplittableRandom;

/**
 * A loss on the network outputs f (B × K, row-major) against targets t (B × K): per-sample losses ℓ_n
 * combined by a {@link Reduction} into the batch loss L = s·Σ_n ℓ_n (s = 1 or 1/B).
 *
 * <p>Targets are always real rows of K values: class labels become one-hot rows (or a single 0/1 value for
 * a one-output binary net), see {@link Workspace#load}. Besides value and gradient, a loss supplies what the
 * second-order passes need in output space (METHODS A2–A5):
 * <ul>
 *   <li>Λ_n = ∂²ℓ_n/∂f_n² as a product Λu ({@link #hessianProduct}) and its diagonal;</li>
 *   <li>a factorization Λ_n = S_n S_nᵀ with {@link #factorColumns} columns, for the exact diagonal of the
 *       Gauss-Newton matrix by back-propagating the columns of S (A4.1);</li>
 *   <li>targets sampled from the model's predictive distribution, for the true Fisher (A5). All three
 *       losses are "matching" losses of a likelihood (Gaussian, categorical, Bernoulli), so the sampled
 *       per-sample gradients have E[g gᵀ] = JᵀΛJ.</li>
 * </ul>
 * Every batch method takes an explicit {@code scale}: pass {@link #scale(int)} for quantities of the batch
 * loss L, or 1 for per-sample quantities of ℓ_n (per-sample gradients, K-FAC statistics).
 */
public interface Loss {

    /** Stable name, e.g. {@code mse-sum}, {@code cross-entropy-mean}, {@code bce-mean}; see {@link #named}. */
    String name();

    Reduction reduction();

    /** The factor s in L = s·Σ_n ℓ_n. */
    default float scale(int batch) {
        return reduction().scale(batch);
    }

    /** Throws {@link IllegalArgumentException} if this loss cannot be used on K outputs. */
    void checkOutputs(int k);

    /** The batch loss L (reduction applied), accumulated in double. */
    double value(float[] f, float[] t, int batch, int k);

    /** {@code out[n, :] = scale · ∂ℓ_n/∂f_n}. */
    void gradient(float[] f, float[] t, int batch, int k, float scale, float[] out, int outOff);

    /** {@code out[n, :] = scale · Λ_n u_n} for the rows u_n of u. */
    void hessianProduct(float[] f, float[] t, float[] u, int uOff, int batch, int k, float scale, float[] out, int outOff);

    /** {@code out[n, :] = scale · diag(Λ_n)}. */
    void hessianDiagonal(float[] f, float[] t, int batch, int k, float scale, float[] out, int outOff);

    /** Number C of columns of the factor S_n (Λ_n = S_n S_nᵀ, S_n is K × C). */
    int factorColumns(int k);

    /**
     * Writes √scale · S_n: column c of sample n (K values) at {@code s[sOff + (c·batch + n)·k]}, so that the
     * seeds of column c for the whole batch form one contiguous B × K block.
     */
    void hessianFactor(float[] f, float[] t, int batch, int k, float scale, float[] s, int sOff);

    /** Targets drawn from the model's predictive distribution at outputs f (true Fisher). */
    void sampleTargets(float[] f, int batch, int k, SplittableRandom random, float[] t, int tOff);

    /** Number of samples whose prediction counts as correct (see each loss for the rule). */
    int countCorrect(float[] f, float[] t, int batch, int k);

    /** Squared error ½‖f − t‖² per sample, summed or averaged over the batch. */
    static Loss meanSquaredError(Reduction reduction) {
        return new MeanSquaredError(reduction);
    }

    /** Softmax cross-entropy on logits, averaged over the batch. */
    static Loss softmaxCrossEntropy() {
        return new SoftmaxCrossEntropy(Reduction.MEAN);
    }

    /** Binary cross-entropy on logits, averaged over the batch. */
    static Loss binaryCrossEntropy() {
        return new BinaryCrossEntropy(Reduction.MEAN);
    }

    /**
     * The loss with the given {@link #name()}: {@code mse-sum}, {@code mse-mean}, {@code cross-entropy-mean}
     * (also {@code cross-entropy}), {@code cross-entropy-sum}, {@code bce-mean} (also {@code bce}),
     * {@code bce-sum}.
     */
    static Loss named(String name) {
        return switch (name) {
            case "mse-sum" -> new MeanSquaredError(Reduction.SUM);
            case "mse-mean" -> new MeanSquaredError(Reduction.MEAN);
            case "cross-entropy", "cross-entropy-mean" -> new SoftmaxCrossEntropy(Reduction.MEAN);
            case "cross-entropy-sum" -> new SoftmaxCrossEntropy(Reduction.SUM);
            case "bce", "bce-mean" -> new BinaryCrossEntropy(Reduction.MEAN);
            case "bce-sum" -> new BinaryCrossEntropy(Reduction.SUM);
            default -> throw new IllegalArgumentException("unknown loss '" + name
                    + "'; known: mse-sum, mse-mean, cross-entropy-mean, cross-entropy-sum, bce-mean, bce-sum");
        };
    }

    /** Index of the first largest value of row n. */
    static int argmax(float[] x, int off, int k) {
        int best = 0;
        for (int j = 1; j < k; j++) {
            if (x[off + j] > x[off + best]) {
                best = j;
            }
        }
        return best;
    }
}
