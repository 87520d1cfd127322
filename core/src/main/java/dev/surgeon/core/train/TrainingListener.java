package dev.surgeon.core.train;

/**
 * Callbacks of a {@link Trainer}. {@link #onBatch} is called after every optimizer step with primitive
 * arguments only, so a listener that does not allocate keeps the training step allocation-free.
 */
public interface TrainingListener {

    /**
     * After the optimizer step of one batch.
     *
     * @param loss the batch loss L as defined by the loss's reduction, before the step
     */
    default void onBatch(int epoch, int batch, int samples, double loss) {
    }

    /** After an epoch (and its validation). */
    default void onEpoch(EpochMetrics metrics) {
    }

    /** A listener that logs every epoch through {@link System.Logger} at INFO. */
    static TrainingListener logging() {
        System.Logger log = System.getLogger(Trainer.class.getName());
        return new TrainingListener() {
            @Override
            public void onEpoch(EpochMetrics metrics) {
                log.log(System.Logger.Level.INFO, metrics.toString());
            }
        };
    }
}
