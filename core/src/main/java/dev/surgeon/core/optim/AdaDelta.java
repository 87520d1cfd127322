package dev.surgeon.core.optim;

/**
 * AdaDelta (Zeiler 2012, "ADADELTA: An adaptive learning rate method", Algorithm 1; METHODS F item 6):
 * r ← ρ r + (1 − ρ) g∘²; Δ = −(√(u + ε) ⊘ √(r + ε)) ⊙ g; u ← ρ u + (1 − ρ) Δ∘²; w ← w + η Δ.
 * Defaults (PyTorch): ρ = 0.9, ε = 1e-6, η = 1.0 (the paper has no η, i.e. η = 1, and uses ρ = 0.95).
 * State: 2d floats.
 */
public final class AdaDelta extends SquaredGradientAverage<AdaDelta> {
    float[] meanSquareUpdate;

    public AdaDelta() {
        this(1.0, 0.9, 1e-6);
    }

    public AdaDelta(double learningRate, double rho, double epsilon) {
        super(learningRate, rho, epsilon);
    }

    @Override
    void allocate(int d) {
        super.allocate(d);
        meanSquareUpdate = new float[d];
    }

    @Override
    void update(float[] w, float[] g, long t, int from, int to) {
        float lr = (float) learningRate;
        float a = (float) rho;
        float b = (float) (1 - rho);
        float eps = (float) epsilon;
        for (int i = from; i < to; i++) {
            float r = flushSubnormal(a * meanSquare[i] + b * g[i] * g[i]);
            meanSquare[i] = r;
            float delta = -(float) Math.sqrt(meanSquareUpdate[i] + eps) / (float) Math.sqrt(r + eps) * g[i];
            meanSquareUpdate[i] = flushSubnormal(a * meanSquareUpdate[i] + b * delta * delta);
            w[i] += lr * delta;
        }
    }

    @Override
    void resetState(int q) {
        super.resetState(q);
        meanSquareUpdate[q] = 0f;
    }

    @Override
    public String toString() {
        return describe("AdaDelta");
    }
}
