package dev.surgeon.core.progress;

/**
 * Receives the progress of long-running work so that a front end can show it (the CLI draws a bar on a
 * terminal and prints periodic log lines otherwise). Core code calls {@link #start}, then {@link #advance}
 * as steps complete, then {@link #finish}; stages do not nest. Implementations must be cheap: callers
 * report at most once per unit of real work (a batch, a row, an epoch), never per element.
 */
public interface Progress {

    /** Discards everything. */
    Progress NONE = new Progress() {
        @Override
        public void start(String stage, long totalSteps) {
        }

        @Override
        public void advance(long steps) {
        }

        @Override
        public void finish() {
        }
    };

    /**
     * Begins a stage.
     *
     * @param stage      short human-readable name, e.g. "calibration batches", "ExactOBS rows fc1"
     * @param totalSteps number of steps the stage will take, or -1 when unknown
     */
    void start(String stage, long totalSteps);

    /** Records that {@code steps} more steps of the current stage are done. */
    void advance(long steps);

    /** Ends the current stage. */
    void finish();

    /** A free-form status line (e.g. an epoch's metrics); the default ignores it. */
    default void note(String line) {
    }
}
