package dev.surgeon.core.optim;

import dev.surgeon.core.nn.Mask;

/**
 * Common part of the optimizers whose update is not elementwise (K-FAC, M-FAC, the natural gradient): the learning
 * rate, the step counter and the mask contract of {@link Optimizer} — state that predates a mask change is cleared
 * ({@link #clearState}) at the next step or when a mask is attached.
 */
abstract class MaskedOptimizer implements Optimizer {
    private double learningRate;
    Mask mask;
    private long maskVersion;
    long t;

    MaskedOptimizer(double learningRate) {
        setLearningRate(learningRate);
    }

    /** Clears the state a mask change invalidates (momenta, stored gradients, previous steps). */
    abstract void clearState();

    /** At the start of a step: clears the state if the mask changed since it was last seen. */
    final void checkMask() {
        if (mask != null && mask.version() != maskVersion) {
            maskVersion = mask.version();
            clearState();
        }
    }

    @Override
    public double learningRate() {
        return learningRate;
    }

    @Override
    public void setLearningRate(double eta) {
        ElementwiseOptimizer.checkNonNegative(eta, "learning rate");
        this.learningRate = eta;
    }

    @Override
    public final void setMask(Mask mask) {
        this.mask = mask;
        this.maskVersion = mask == null ? 0 : mask.version();
        clearState();
    }

    @Override
    public long steps() {
        return t;
    }

    /** v, after checking it is finite and &gt; 0. */
    static double positive(double v, String what) {
        if (!(v > 0) || Double.isInfinite(v)) {
            throw new IllegalArgumentException(what + " must be finite and > 0, got " + v);
        }
        return v;
    }
}
