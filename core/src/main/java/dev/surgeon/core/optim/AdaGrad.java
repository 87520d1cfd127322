package dev.surgeon.core.optim;

/**
 * AdaGrad (Duchi, Hazan &amp; Singer 2011, "Adaptive subgradient methods for online learning and stochastic
 * optimization"; METHODS F item 4): r ← r + g∘²; w ← w − η g ⊘ (√r + ε). Defaults (PyTorch): η = 0.01,
 * ε = 1e-10, r starts at 0 (no learning-rate decay). State: d floats.
 */
public final class AdaGrad extends ElementwiseOptimizer<AdaGrad> {
    private final double epsilon;
    private float[] sumOfSquares;

    public AdaGrad() {
        this(0.01, 1e-10);
    }

    public AdaGrad(double learningRate, double epsilon) {
        super(learningRate);
        checkNonNegative(epsilon, "epsilon");
        this.epsilon = epsilon;
    }

    @Override
    void allocate(int d) {
        sumOfSquares = new float[d];
    }

    @Override
    void update(float[] w, float[] g, long t, int from, int to) {
        float lr = (float) learningRate;
        float eps = (float) epsilon;
        for (int i = from; i < to; i++) {
            float r = sumOfSquares[i] + g[i] * g[i];
            sumOfSquares[i] = r;
            w[i] -= lr * g[i] / ((float) Math.sqrt(r) + eps);
        }
    }

    @Override
    void resetState(int q) {
        sumOfSquares[q] = 0f;
    }

    @Override
    public String toString() {
        return "AdaGrad(lr=" + learningRate + ", eps=" + epsilon + ", weight decay=" + weightDecay() + ")";
    }
}
