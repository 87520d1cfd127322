package dev.surgeon.cli;

import dev.surgeon.core.train.EpochMetrics;
import dev.surgeon.core.train.TrainingListener;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Watches a training run for {@code surgeon train}: advances the progress display per batch (per L-BFGS
 * call for full-batch training), prints the compact epoch table on stdout, keeps the history for the
 * report, and stops a diverged run (non-finite loss) with an error that names the epoch and the fix.
 */
final class TrainingMonitor implements TrainingListener {
    private final ConsoleProgress progress;
    private final PrintWriter out;
    private final int interval;
    private final boolean fullBatch;
    private final double learningRate;
    private final boolean classification;
    private final List<Report.Epoch> history = new ArrayList<>();
    private boolean lastShown;

    /**
     * @param interval     print every k-th epoch (and the first and the last)
     * @param fullBatch    true for L-BFGS, where progress advances per call instead of per batch
     * @param learningRate   the base learning rate, quoted when the run diverges
     * @param classification false for regression data (no accuracies)
     */
    TrainingMonitor(ConsoleProgress progress, PrintWriter out, int interval, boolean fullBatch, double learningRate,
                    boolean classification) {
        this.progress = progress;
        this.out = out;
        this.interval = interval;
        this.fullBatch = fullBatch;
        this.learningRate = learningRate;
        this.classification = classification;
    }

    /** Prints the table header (before training starts). */
    void start() {
        progress.printAbove(out, EpochTable.HEADER);
    }

    @Override
    public void onBatch(int epoch, int batch, int samples, double loss) {
        progress.advance(1);
    }

    @Override
    public void onEpoch(EpochMetrics m) {
        if (fullBatch) {
            progress.advance(1);
        }
        Report.Epoch e = new Report.Epoch(m.epoch() + 1, Report.finite(m.trainLoss()),
                Report.accuracy(m.trainAccuracy(), classification), Report.finite(m.validationLoss()),
                Report.accuracy(m.validationAccuracy(), classification), Report.finite(m.learningRate()),
                m.seconds());
        history.add(e);
        lastShown = EpochTable.shows(e.epoch(), interval, false);
        if (lastShown) {
            progress.printAbove(out, EpochTable.row(e));
        }
        if (!Double.isFinite(m.trainLoss())) {
            throw new UserException(ExitCodes.FAILED, String.format(Locale.ROOT,
                    "training diverged in epoch %d (training loss %s); try a smaller --lr than %s", e.epoch(), m.trainLoss(),
                    learningRate));
        }
    }

    /** Prints the last epoch's row if the interval skipped it (the run ended or stopped early). */
    void finish() {
        if (!history.isEmpty() && !lastShown) {
            progress.printAbove(out, EpochTable.row(history.get(history.size() - 1)));
        }
    }

    List<Report.Epoch> history() {
        return history;
    }
}
