package dev.surgeon.core.optim;

/**
 * AdaMax (Kingma &amp; Ba 2015, "Adam: A method for stochastic optimization", Algorithm 2; METHODS F item 8):
 * m ← β1 m + (1 − β1) g; u ← max(β2 u, |g| + ε); w ← w − (η/(1 − β1^t)) m ⊘ u (u is stored as r). ε enters inside the max, as
 * in PyTorch, instead of METHODS' m ⊘ (u + ε): both only guard the division, and they differ by at most ε
 * in the denominator. Defaults (PyTorch): η = 2e-3, β1 = 0.9, β2 = 0.999, ε = 1e-8. State: 2d floats.
 */
public final class AdaMax extends AdaptiveMomentOptimizer<AdaMax> {

    public AdaMax() {
        this(2e-3, 0.9, 0.999, 1e-8);
    }

    public AdaMax(double learningRate, double beta1, double beta2, double epsilon) {
        super(learningRate, beta1, beta2, epsilon);
    }

    @Override
    void update(float[] w, float[] g, long t, int from, int to) {
        float b1 = (float) beta1;
        float c1 = (float) (1 - beta1);
        float b2 = (float) beta2;
        float eps = (float) epsilon;
        float stepSize = (float) (learningRate / (1 - Math.pow(beta1, t)));
        for (int i = from; i < to; i++) {
            float mi = flushSubnormal(b1 * m[i] + c1 * g[i]);
            float ui = Math.max(b2 * r[i], Math.abs(g[i]) + eps);
            m[i] = mi;
            r[i] = ui;
            w[i] -= stepSize * mi / ui;
        }
    }

    @Override
    public String toString() {
        return describe("AdaMax", "");
    }
}
