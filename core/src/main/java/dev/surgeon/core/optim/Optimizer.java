package dev.surgeon.core.optim;

import dev.surgeon.core.nn.Mask;

/**
 * An update rule over the flat parameter and gradient vectors of a network (one index q = one weight, see
 * {@link dev.surgeon.core.nn.ParameterLayout}). Implementations keep their per-parameter state (momenta,
 * moments) in arrays of the same length, allocated on the first step.
 *
 * <p>Masks: after every step each parameter pruned by the attached {@link Mask} is exactly 0 and its state
 * is reset to the initial value, whatever its gradient was (METHODS F: "re-apply pruning masks after every
 * step and zero the matching optimizer state"). A weight restored to the unpruned set therefore restarts
 * from fresh state.
 */
public interface Optimizer {

    /**
     * One update of {@code params} from {@code grads} (same length; grads are read, not modified).
     *
     * @throws IllegalArgumentException if the lengths differ or change between steps
     */
    void step(float[] params, float[] grads);

    /** The current learning rate η. */
    double learningRate();

    /** Sets η (learning-rate schedules call this between steps). */
    void setLearningRate(double learningRate);

    /** Attaches a mask (or detaches with null). */
    void setMask(Mask mask);

    /** Forgets all state, as if no step had been taken (the step counter restarts at 1). */
    void reset();

    /** Number of steps taken since construction or {@link #reset()}. */
    long steps();
}
