package dev.surgeon.core.optim;

/**
 * Nadam (Dozat 2016, "Incorporating Nesterov momentum into Adam"; METHODS F item 9), in PyTorch's form with
 * the momentum schedule μ_t = β1 (1 − ½·0.96^{ψ·t}), ψ = 4e-3:
 * m ← β1 m + (1 − β1) g; r ← β2 r + (1 − β2) g∘²; Π_t = Π_{t−1} μ_t (Π_0 = 1); denominator
 * D = √(r/(1 − β2^t)) + ε;
 * w ← w − η (1 − μ_t)/(1 − Π_t) · g ⊘ D − η μ_{t+1}/(1 − Π_t μ_{t+1}) · m ⊘ D.
 * Defaults (PyTorch): η = 2e-3, β1 = 0.9, β2 = 0.999, ε = 1e-8, ψ = 4e-3. State: 2d floats. A pruned
 * weight's moments are reset; the schedule product Π is global and is not.
 */
public final class Nadam extends AdaptiveMomentOptimizer<Nadam> {
    private final double momentumDecay;
    private double muProduct = 1;

    public Nadam() {
        this(2e-3, 0.9, 0.999, 1e-8, 4e-3);
    }

    public Nadam(double learningRate, double beta1, double beta2, double epsilon, double momentumDecay) {
        super(learningRate, beta1, beta2, epsilon);
        checkNonNegative(momentumDecay, "momentum decay");
        this.momentumDecay = momentumDecay;
    }

    private double mu(long t) {
        return beta1 * (1 - 0.5 * Math.pow(0.96, t * momentumDecay));
    }

    @Override
    void allocate(int d) {
        super.allocate(d);
        muProduct = 1;
    }

    @Override
    void startStep(long t) {
        muProduct *= mu(t);
    }

    @Override
    void update(float[] w, float[] g, long t, int from, int to) {
        double mu = mu(t);
        double muNext = mu(t + 1);
        float gradientWeight = (float) (learningRate * (1 - mu) / (1 - muProduct));
        float momentumWeight = (float) (learningRate * muNext / (1 - muProduct * muNext));
        float rootCorrection = (float) Math.sqrt(1 - Math.pow(beta2, t));
        float b1 = (float) beta1;
        float c1 = (float) (1 - beta1);
        float b2 = (float) beta2;
        float c2 = (float) (1 - beta2);
        float eps = (float) epsilon;
        for (int i = from; i < to; i++) {
            float mi = flushSubnormal(b1 * m[i] + c1 * g[i]);
            float ri = flushSubnormal(b2 * r[i] + c2 * g[i] * g[i]);
            m[i] = mi;
            r[i] = ri;
            float denominator = (float) Math.sqrt(ri) / rootCorrection + eps;
            w[i] -= (gradientWeight * g[i] + momentumWeight * mi) / denominator;
        }
    }

    @Override
    public String toString() {
        return describe("Nadam", ", momentum decay=" + momentumDecay);
    }
}
