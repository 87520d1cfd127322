package dev.surgeon.core.train;

/**
 * What one epoch did. Losses are mean per-sample losses (1/N)·Σ_n ℓ_n whatever the loss's reduction, so
 * they compare across batch sizes; accuracy follows {@link dev.surgeon.core.nn.Loss#countCorrect}.
 *
 * @param epoch              0-based epoch (or L-BFGS call) index
 * @param trainLoss          mean ℓ over the epoch's training batches, at the weights each batch saw
 *                           (training mode: dropout active)
 * @param trainAccuracy      fraction of training samples predicted correctly during the epoch (same caveat)
 * @param validationLoss     mean ℓ on the validation set after the epoch (evaluation mode), NaN if none
 * @param validationAccuracy accuracy on the validation set after the epoch, NaN if none
 * @param learningRate       the learning rate used during the epoch
 * @param seconds            wall time of the epoch's training steps (without validation)
 * @param samples            number of training samples processed
 */
public record EpochMetrics(int epoch, double trainLoss, double trainAccuracy, double validationLoss,
                           double validationAccuracy, double learningRate, double seconds, int samples) {

    /** Training throughput of the epoch. */
    public double samplesPerSecond() {
        return seconds > 0 ? samples / seconds : Double.POSITIVE_INFINITY;
    }

    public boolean hasValidation() {
        return !Double.isNaN(validationLoss);
    }

    @Override
    public String toString() {
        return String.format(java.util.Locale.ROOT,
                "epoch %d: loss %.5f, accuracy %.4f%s, lr %.3g, %.2f s (%.0f samples/s)", epoch, trainLoss, trainAccuracy,
                hasValidation() ? String.format(java.util.Locale.ROOT, ", validation loss %.5f, accuracy %.4f",
                        validationLoss, validationAccuracy) : "", learningRate, seconds, samplesPerSecond());
    }
}
