package dev.surgeon.core.optim;

/**
 * The learning rate as a function of the epoch (0-based); the trainer sets it on the optimizer at the start
 * of every epoch. Implementations: {@link #constant}, {@link #step} (PyTorch's StepLR) and {@link #cosine}
 * (PyTorch's CosineAnnealingLR without restarts; Loshchilov &amp; Hutter 2017, "SGDR: Stochastic gradient
 * descent with warm restarts", eq. 5 with a single period).
 */
@FunctionalInterface
public interface LearningRateSchedule {

    /** η at the given epoch. */
    double rate(int epoch);

    static LearningRateSchedule constant(double rate) {
        ElementwiseOptimizer.checkNonNegative(rate, "learning rate");
        return epoch -> rate;
    }

    /** η = base · γ^⌊epoch / stepSize⌋. */
    static LearningRateSchedule step(double base, int stepSize, double gamma) {
        ElementwiseOptimizer.checkNonNegative(base, "learning rate");
        ElementwiseOptimizer.checkNonNegative(gamma, "gamma");
        if (stepSize < 1) {
            throw new IllegalArgumentException("step size must be >= 1 epoch, got " + stepSize);
        }
        return epoch -> base * Math.pow(gamma, Math.floorDiv(epoch, stepSize));
    }

    /**
     * η = η_min + (base − η_min)(1 + cos(π·epoch/period))/2 for epoch ≤ period, then η_min.
     */
    static LearningRateSchedule cosine(double base, int period, double minimum) {
        ElementwiseOptimizer.checkNonNegative(base, "learning rate");
        ElementwiseOptimizer.checkNonNegative(minimum, "minimum learning rate");
        if (period < 1) {
            throw new IllegalArgumentException("cosine period must be >= 1 epoch, got " + period);
        }
        return epoch -> epoch >= period ? minimum
                : minimum + (base - minimum) * (1 + Math.cos(Math.PI * epoch / period)) / 2;
    }
}
