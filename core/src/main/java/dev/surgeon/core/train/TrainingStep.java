package dev.surgeon.core.train;

import dev.surgeon.core.nn.Workspace;

/**
 * What a {@link Trainer} does with one loaded batch, when it is not the ordinary forward / backward / optimizer step:
 * variational training (one sample of the weight noise, a step on the posterior's means and variances) or flat
 * minimum search (the loss gradient plus the flatness regularizer's). The trainer keeps everything around it: the
 * epochs, the seeded batch order, learning-rate schedules, validation, early stopping and listeners.
 */
@FunctionalInterface
public interface TrainingStep {

    /**
     * One step on the batch loaded in {@code ws} (the trainer's workspace). Afterwards the network must hold the
     * weights the trainer evaluates (validation, the saved model) and {@code ws.outputs()} the outputs the batch loss
     * was computed at (the epoch's training accuracy is counted from them).
     *
     * @return the batch loss L before the step
     */
    double step(Workspace ws);
}
