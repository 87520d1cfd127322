package dev.surgeon.core.optim;

/**
 * Stochastic gradient descent, plain or with heavy-ball or Nesterov momentum, in PyTorch's form (METHODS F,
 * items 1–3; Polyak 1964, "Some methods of speeding up the convergence of iteration methods"; Sutskever,
 * Martens, Dahl &amp; Hinton 2013, "On the importance of initialization and momentum in deep learning"):
 * <ul>
 *   <li>plain: w ← w − η g;</li>
 *   <li>momentum: v ← μ v + g; w ← w − η v (v starts at 0, so the first step is −η g; no dampening);</li>
 *   <li>Nesterov: v ← μ v + g; w ← w − η (g + μ v).</li>
 * </ul>
 * Defaults: none for η (PyTorch requires it); μ = 0.9 is typical. Cost O(d) per step, state d floats
 * (none for plain SGD).
 */
public final class Sgd extends ElementwiseOptimizer<Sgd> {
    private final double momentum;
    private final boolean nesterov;
    float[] velocity;

    private Sgd(double learningRate, double momentum, boolean nesterov) {
        super(learningRate);
        checkUnitInterval(momentum, "momentum");
        this.momentum = momentum;
        this.nesterov = nesterov;
    }

    /** Plain SGD with learning rate η. */
    public static Sgd plain(double learningRate) {
        return new Sgd(learningRate, 0, false);
    }

    /** Heavy-ball momentum μ. */
    public static Sgd momentum(double learningRate, double momentum) {
        return new Sgd(learningRate, momentum, false);
    }

    /** Nesterov momentum μ (PyTorch form). */
    public static Sgd nesterov(double learningRate, double momentum) {
        if (momentum <= 0) {
            throw new IllegalArgumentException("Nesterov momentum needs momentum > 0, got " + momentum);
        }
        return new Sgd(learningRate, momentum, true);
    }

    @Override
    void allocate(int d) {
        velocity = momentum == 0 ? null : new float[d];
    }

    @Override
    void update(float[] w, float[] g, long t, int from, int to) {
        float lr = (float) learningRate;
        if (velocity == null) {
            for (int i = from; i < to; i++) {
                w[i] -= lr * g[i];
            }
            return;
        }
        float mu = (float) momentum;
        float[] vel = velocity;
        for (int i = from; i < to; i++) {
            float v = flushSubnormal(mu * vel[i] + g[i]);
            vel[i] = v;
            w[i] -= lr * (nesterov ? g[i] + mu * v : v);
        }
    }

    @Override
    void resetState(int q) {
        if (velocity != null) {
            velocity[q] = 0f;
        }
    }

    @Override
    public String toString() {
        return (momentum == 0 ? "SGD" : nesterov ? "SGD-Nesterov" : "SGD-momentum") + "(lr=" + learningRate
                + (momentum == 0 ? "" : ", momentum=" + momentum) + ", weight decay=" + weightDecay() + ")";
    }
}
