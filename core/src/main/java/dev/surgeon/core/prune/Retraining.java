package dev.surgeon.core.prune;

import dev.surgeon.core.optim.LearningRateSchedule;
import dev.surgeon.core.optim.Sgd;
import dev.surgeon.core.progress.Progress;
import dev.surgeon.core.train.EpochMetrics;
import dev.surgeon.core.train.Trainer;
import dev.surgeon.core.train.TrainingListener;

/**
 * Fine-tuning of the surviving weights with the mask attached (pruned weights stay exactly 0, their optimizer state is
 * reset; METHODS B common rules): SGD with heavy-ball momentum and coupled weight decay, a constant or cosine-annealed
 * learning rate over the epochs, the batch order from a seed derived from the run's seed and round. Han et al. retrain
 * with 1/10 of the original learning rate (B1 step 3); SNIP trains from scratch with lr 0.1, momentum 0.9, weight decay
 * 5e-4, batch 100 (B11).
 *
 * @param epochs       passes over the training set (0 = no fine-tuning)
 * @param learningRate η
 * @param momentum     μ (0 = plain SGD)
 * @param weightDecay  coupled L2 coefficient
 * @param batchSize    samples per step
 * @param cosine       anneal η to 0 over the epochs (Loshchilov and Hutter 2017) instead of keeping it constant
 */
public record Retraining(int epochs, double learningRate, double momentum, double weightDecay, int batchSize, boolean cosine) {
    /** No fine-tuning. */
    public static final Retraining NONE = new Retraining(0, 0.01, 0.9, 0, 64, false);

    public Retraining {
        if (epochs < 0 || batchSize < 1 || !(learningRate >= 0) || !(momentum >= 0) || !(momentum < 1) || !(weightDecay >= 0)) {
            throw new IllegalArgumentException("fine-tuning needs epochs >= 0, lr >= 0, momentum in [0, 1), weight decay >= 0 "
                    + "and batch >= 1; got " + epochs + ", " + learningRate + ", " + momentum + ", " + weightDecay + ", " + batchSize);
        }
    }

    /** The same recipe for another number of epochs. */
    public Retraining withEpochs(int n) {
        return new Retraining(n, learningRate, momentum, weightDecay, batchSize, cosine);
    }

    /**
     * Trains the context's network on its training set with its mask; the time goes to stage "fine-tuning", the epochs
     * to the context's progress.
     */
    public void run(PruningContext ctx, String stage) {
        if (epochs == 0) {
            return;
        }
        ctx.timed("fine-tuning", () -> {
            Sgd sgd = (momentum > 0 ? Sgd.momentum(learningRate, momentum) : Sgd.plain(learningRate)).weightDecay(weightDecay);
            LearningRateSchedule schedule = cosine ? LearningRateSchedule.cosine(learningRate, epochs, 0)
                    : LearningRateSchedule.constant(learningRate);
            Progress progress = ctx.progress();
            TrainingListener epochsDone = new TrainingListener() {
                @Override
                public void onEpoch(EpochMetrics metrics) {
                    progress.advance(1);
                }
            };
            progress.start("fine-tuning epochs (" + stage + ")", epochs);
            try {
                Trainer.builder(ctx.network(), ctx.loss(), sgd).batchSize(batchSize).epochs(epochs).schedule(schedule)
                        .seed(ctx.derivedSeed("fine-tuning:" + stage)).mask(ctx.mask()).listener(epochsDone).build()
                        .fit(ctx.train());
            } finally {
                progress.finish();
            }
            return null;
        });
    }

    @Override
    public String toString() {
        return epochs == 0 ? "none" : epochs + " epochs of SGD (lr " + learningRate + (cosine ? " cosine" : "") + ", momentum "
                + momentum + ", weight decay " + weightDecay + ", batch " + batchSize + ")";
    }
}
