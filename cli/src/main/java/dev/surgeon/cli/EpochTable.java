package dev.surgeon.cli;

import java.util.Locale;

/**
 * The compact per-epoch table of {@code surgeon train} (console and Markdown): epoch, training loss and
 * accuracy (averaged over the epoch's batches, dropout on), test loss and accuracy (after the epoch), and
 * seconds. Long runs show every k-th epoch, k chosen so that about {@value #MAX_ROWS} rows appear, plus the
 * first and the last epoch.
 */
final class EpochTable {
    /** About this many rows are shown for long runs. */
    static final int MAX_ROWS = 20;
    static final String HEADER = String.format(Locale.ROOT, "%7s  %11s  %9s  %11s  %9s  %8s",
            "epoch", "train loss", "train acc", "test loss", "test acc", "seconds");

    private EpochTable() {
    }

    /** Show every k-th epoch: 1 for short runs, else ⌈epochs / MAX_ROWS⌉ (0 = automatic for {@code every}). */
    static int interval(int epochs, int every) {
        if (every > 0) {
            return every;
        }
        return Math.max(1, (epochs + MAX_ROWS - 1) / MAX_ROWS);
    }

    /** Whether the 1-based epoch gets a row: the first, every k-th, and the last one run. */
    static boolean shows(int epoch, int interval, boolean last) {
        return epoch == 1 || epoch % interval == 0 || last;
    }

    static String row(Report.Epoch e) {
        return String.format(Locale.ROOT, "%7d  %11s  %9s  %11s  %9s  %8.2f", e.epoch(), loss(e.trainLoss()),
                percent(e.trainAccuracy()), loss(e.testLoss()), percent(e.testAccuracy()), e.seconds());
    }

    static String loss(Double v) {
        return v == null ? "-" : String.format(Locale.ROOT, "%.5g", v);
    }

    static String percent(Double v) {
        return v == null ? "-" : String.format(Locale.ROOT, "%.2f %%", 100 * v);
    }
}
