package dev.surgeon.cli;

import dev.surgeon.core.progress.Progress;
import java.io.PrintStream;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/**
 * Progress on stderr: a redrawn bar when stderr is a terminal, plain periodic log lines otherwise (CI,
 * pipes, files), so logs stay readable and grep-able. Stdout is left to results. Stages of at most one step
 * (e.g. one curvature pass per deletion of OBS's stopping rule, repeated many times) are not logged, and on a
 * terminal their bar is erased when they end instead of being kept as a line.
 */
final class ConsoleProgress implements Progress {
    private static final long REDRAW_NANOS = 100_000_000L;      // bar: at most 10 redraws per second
    private static final long LOG_EVERY_NANOS = 10_000_000_000L; // log lines: at most one per 10 s per stage
    private static final int BAR_WIDTH = 28;
    private static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("HH:mm:ss");

    private final PrintStream err;
    private final boolean terminal;
    private String stage;
    private long total;
    private long done;
    private long startNanos;
    private long lastOutputNanos;
    private int lastLoggedQuarter;

    ConsoleProgress(PrintStream err, boolean terminal) {
        this.err = err;
        this.terminal = terminal;
    }

    /** Whether progress is drawn as a bar (stderr is a terminal) rather than logged as lines. */
    boolean isTerminal() {
        return terminal;
    }

    /**
     * Prints a result line on {@code out} (stdout) without tearing the bar: on a terminal the bar is erased
     * first and redrawn after the line.
     */
    synchronized void printAbove(java.io.PrintWriter out, String line) {
        boolean bar = terminal && stage != null;
        if (bar) {
            err.print("\r\033[K");
            err.flush();
        }
        out.println(line);
        out.flush();
        if (bar) {
            draw(System.nanoTime());
        }
    }

    /** Progress on System.err, as a bar if and only if it is attached to a terminal. */
    static ConsoleProgress forStderr() {
        var console = System.console();
        boolean tty = console != null && console.isTerminal() && System.getenv("CI") == null;
        return new ConsoleProgress(System.err, tty);
    }

    @Override
    public synchronized void start(String stageName, long totalSteps) {
        this.stage = stageName;
        this.total = totalSteps;
        this.done = 0;
        this.startNanos = System.nanoTime();
        this.lastOutputNanos = startNanos;
        this.lastLoggedQuarter = 0;
        if (terminal) {
            draw(startNanos);
        } else if (!single()) {
            log(totalSteps > 0 ? "started (" + totalSteps + " steps)" : "started");
        }
    }

    /** A stage of at most one known step: nothing to follow, so no log lines and no kept bar. */
    private boolean single() {
        return total >= 0 && total <= 1;
    }

    @Override
    public synchronized void advance(long steps) {
        done += steps;
        long now = System.nanoTime();
        if (terminal) {
            if (now - lastOutputNanos >= REDRAW_NANOS) {
                draw(now);
                lastOutputNanos = now;
            }
            return;
        }
        if (single()) {
            return;
        }
        int quarter = total > 0 ? (int) Math.min(4, 4 * done / total) : 0;
        if (quarter > lastLoggedQuarter && quarter < 4 || now - lastOutputNanos >= LOG_EVERY_NANOS) {
            lastLoggedQuarter = Math.max(lastLoggedQuarter, quarter);
            lastOutputNanos = now;
            log(counts(now));
        }
    }

    @Override
    public synchronized void finish() {
        if (stage == null) {
            return;
        }
        long now = System.nanoTime();
        if (terminal && single()) {
            err.print("\r\033[K");
        } else if (terminal) {
            draw(now);
            err.println();
        } else if (!single()) {
            log(String.format(Locale.ROOT, "done: %d steps in %s", done, duration((now - startNanos) / 1e9)));
        }
        err.flush();
        stage = null;
    }

    @Override
    public synchronized void note(String line) {
        if (terminal && stage != null) {
            err.print("\r\033[K");
            err.println(line);
            draw(System.nanoTime());
        } else {
            err.println(line);
        }
        err.flush();
    }

    private void draw(long now) {
        StringBuilder sb = new StringBuilder("\r\033[K  ").append(stage).append(' ');
        if (total > 0) {
            int filled = (int) Math.min(BAR_WIDTH, BAR_WIDTH * done / total);
            sb.append('[').append("#".repeat(filled)).append(".".repeat(BAR_WIDTH - filled)).append("] ");
        }
        sb.append(counts(now));
        err.print(sb);
        err.flush();
    }

    private String counts(long now) {
        double elapsed = (now - startNanos) / 1e9;
        double rate = elapsed > 0 ? done / elapsed : 0;
        StringBuilder sb = new StringBuilder();
        sb.append(done);
        if (total > 0) {
            sb.append('/').append(total).append(String.format(Locale.ROOT, " (%d%%)", 100 * done / total));
        }
        sb.append(String.format(Locale.ROOT, ", %.1f/s, %s", rate, duration(elapsed)));
        if (total > 0 && done > 0 && done < total) {
            sb.append(", ETA ").append(duration((total - done) / rate));
        }
        return sb.toString();
    }

    private void log(String what) {
        err.println(LocalTime.now().format(CLOCK) + " " + stage + ": " + what);
        err.flush();
    }

    static String duration(double seconds) {
        long s = Math.round(seconds);
        if (s < 60) {
            return String.format(Locale.ROOT, "%.1fs", seconds);
        }
        return s >= 3600
                ? String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60)
                : String.format(Locale.ROOT, "%d:%02d", s / 60, s % 60);
    }
}
