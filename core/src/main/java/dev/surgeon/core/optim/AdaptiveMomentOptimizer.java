package dev.surgeon.core.optim;

/**
 * State and hyper-parameters shared by Adam, AdaMax and Nadam: a first-moment estimate m (decay β1) and a
 * second-moment-like estimate r (decay β2; the infinity norm for AdaMax), both starting at 0, and ε.
 */
abstract class AdaptiveMomentOptimizer<S extends AdaptiveMomentOptimizer<S>> extends ElementwiseOptimizer<S> {
    final double beta1;
    final double beta2;
    final double epsilon;
    float[] m;
    float[] r;

    AdaptiveMomentOptimizer(double learningRate, double beta1, double beta2, double epsilon) {
        super(learningRate);
        checkUnitInterval(beta1, "beta1");
        checkUnitInterval(beta2, "beta2");
        checkNonNegative(epsilon, "epsilon");
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.epsilon = epsilon;
    }

    @Override
    void allocate(int d) {
        m = new float[d];
        r = new float[d];
    }

    @Override
    void resetState(int q) {
        m[q] = 0f;
        r[q] = 0f;
    }

    /** "name(lr=…, betas=(…), eps=…" + extra + ", weight decay=…)". */
    final String describe(String name, String extra) {
        return name + "(lr=" + learningRate + ", betas=(" + beta1 + ", " + beta2 + "), eps=" + epsilon + extra
                + ", weight decay=" + weightDecay() + (isWeightDecayDecoupled() ? " decoupled" : "") + ")";
    }
}
