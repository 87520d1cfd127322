package dev.surgeon.core.optim;

/**
 * RMSProp (Tieleman &amp; Hinton 2012, "Lecture 6.5 — RMSProp", COURSERA: Neural Networks for Machine
 * Learning; METHODS F item 5): r ← ρ r + (1 − ρ) g∘²; w ← w − η g ⊘ (√r + ε), ε outside the square root
 * (TensorFlow puts it inside). Defaults (PyTorch): η = 0.01, ρ = 0.99, ε = 1e-8; the lecture and Keras use
 * ρ = 0.9, η = 1e-3. No momentum, not centered. State: d floats.
 */
public final class RmsProp extends SquaredGradientAverage<RmsProp> {

    public RmsProp() {
        this(0.01, 0.99, 1e-8);
    }

    public RmsProp(double learningRate, double rho, double epsilon) {
        super(learningRate, rho, epsilon);
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
            w[i] -= lr * g[i] / ((float) Math.sqrt(r) + eps);
        }
    }

    @Override
    public String toString() {
        return describe("RMSProp");
    }
}
