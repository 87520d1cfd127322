package dev.surgeon.core.optim;

/**
 * Adam and its AMSGrad and AdamW variants (METHODS F items 7, 10, 11).
 * <ul>
 *   <li>Adam (Kingma &amp; Ba 2015, "Adam: A method for stochastic optimization", Algorithm 1):
 *       m ← β1 m + (1 − β1) g; r ← β2 r + (1 − β2) g∘²; m̂ = m/(1 − β1^t); r̂ = r/(1 − β2^t);
 *       w ← w − η m̂ ⊘ (√r̂ + ε).</li>
 *   <li>AMSGrad (Reddi, Kale &amp; Kumar 2018, "On the convergence of Adam and beyond"): r_max ← max(r_max, r)
 *       replaces r, divided by (1 − β2^t) as PyTorch does (the paper has no bias correction).</li>
 *   <li>AdamW (Loshchilov &amp; Hutter 2019, "Decoupled weight decay regularization"): w ← w − η·wd·w, then the
 *       Adam step with g not containing wd·w ({@link #adamW}). Adam with {@link #weightDecay} (L2, coupled)
 *       is a different method.</li>
 * </ul>
 * Defaults (PyTorch): η = 1e-3, β1 = 0.9, β2 = 0.999, ε = 1e-8 (Keras 1e-7); AdamW wd = 1e-2.
 * State: 2d floats (3d for AMSGrad).
 */
public final class Adam extends AdaptiveMomentOptimizer<Adam> {
    private final boolean amsGrad;
    private float[] rMax;

    public Adam() {
        this(1e-3);
    }

    public Adam(double learningRate) {
        this(learningRate, 0.9, 0.999, 1e-8, false);
    }

    public Adam(double learningRate, double beta1, double beta2, double epsilon, boolean amsGrad) {
        super(learningRate, beta1, beta2, epsilon);
        this.amsGrad = amsGrad;
    }

    /** AMSGrad with PyTorch's defaults and learning rate η. */
    public static Adam amsGrad(double learningRate) {
        return new Adam(learningRate, 0.9, 0.999, 1e-8, true);
    }

    /** AdamW: Adam with decoupled weight decay wd (PyTorch default 1e-2). */
    public static Adam adamW(double learningRate, double weightDecay) {
        return new Adam(learningRate).decoupledWeightDecay(weightDecay);
    }

    @Override
    void allocate(int d) {
        super.allocate(d);
        rMax = amsGrad ? new float[d] : null;
    }

    @Override
    void update(float[] w, float[] g, long t, int from, int to) {
        float b1 = (float) beta1;
        float b2 = (float) beta2;
        float c1 = (float) (1 - beta1);
        float c2 = (float) (1 - beta2);
        // η m̂ ⊘ (√r̂ + ε) = (η/(1 − β1^t)) m ⊘ (√r / √(1 − β2^t) + ε), PyTorch's arrangement.
        float stepSize = (float) (learningRate / (1 - Math.pow(beta1, t)));
        float rootCorrection = (float) Math.sqrt(1 - Math.pow(beta2, t));
        float eps = (float) epsilon;
        for (int i = from; i < to; i++) {
            float mi = flushSubnormal(b1 * m[i] + c1 * g[i]);
            float ri = flushSubnormal(b2 * r[i] + c2 * g[i] * g[i]);
            m[i] = mi;
            r[i] = ri;
            if (rMax != null) {
                ri = Math.max(rMax[i], ri);
                rMax[i] = ri;
            }
            w[i] -= stepSize * mi / ((float) Math.sqrt(ri) / rootCorrection + eps);
        }
    }

    @Override
    void resetState(int q) {
        super.resetState(q);
        if (rMax != null) {
            rMax[q] = 0f;
        }
    }

    @Override
    public String toString() {
        return describe(amsGrad ? "AMSGrad" : isWeightDecayDecoupled() ? "AdamW" : "Adam", "");
    }
}
