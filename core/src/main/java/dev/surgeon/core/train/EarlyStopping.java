package dev.surgeon.core.train;

/**
 * Stop when the monitored loss (validation loss if a validation set is given, else the training loss) has
 * not improved by more than {@code minDelta} for {@code patience} consecutive epochs.
 *
 * @param patience    epochs without improvement tolerated (≥ 1)
 * @param minDelta    smallest decrease that counts as an improvement (≥ 0)
 * @param restoreBest whether to put back the parameters of the best epoch when training ends
 */
public record EarlyStopping(int patience, double minDelta, boolean restoreBest) {
    public EarlyStopping {
        if (patience < 1) {
            throw new IllegalArgumentException("patience must be >= 1 epoch, got " + patience);
        }
        if (!(minDelta >= 0)) {
            throw new IllegalArgumentException("minimum improvement must be >= 0, got " + minDelta);
        }
    }
}
