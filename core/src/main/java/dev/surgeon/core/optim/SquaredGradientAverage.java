package dev.surgeon.core.optim;

/**
 * State shared by RMSProp and AdaDelta: the running average r ← ρ r + (1 − ρ) g∘² (starting at 0) and ε.
 */
abstract class SquaredGradientAverage<S extends SquaredGradientAverage<S>> extends ElementwiseOptimizer<S> {
    final double rho;
    final double epsilon;
    float[] meanSquare;

    SquaredGradientAverage(double learningRate, double rho, double epsilon) {
        super(learningRate);
        checkUnitInterval(rho, "rho");
        checkNonNegative(epsilon, "epsilon");
        this.rho = rho;
        this.epsilon = epsilon;
    }

    @Override
    void allocate(int d) {
        meanSquare = new float[d];
    }

    @Override
    void resetState(int q) {
        meanSquare[q] = 0f;
    }

    /** "name(lr=…, rho=…, eps=…, weight decay=…)". */
    final String describe(String name) {
        return name + "(lr=" + learningRate + ", rho=" + rho + ", eps=" + epsilon + ", weight decay=" + weightDecay() + ")";
    }
}
