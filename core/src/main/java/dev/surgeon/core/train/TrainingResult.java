package dev.surgeon.core.train;

import java.util.List;

/**
 * The history of a training run.
 *
 * @param epochs       one entry per epoch run
 * @param stoppedEarly whether early stopping ended the run
 * @param bestEpoch    epoch with the lowest monitored loss (the last epoch without early stopping)
 */
public record TrainingResult(List<EpochMetrics> epochs, boolean stoppedEarly, int bestEpoch) {
    public TrainingResult {
        epochs = List.copyOf(epochs);
    }

    public EpochMetrics last() {
        return epochs.get(epochs.size() - 1);
    }
}
