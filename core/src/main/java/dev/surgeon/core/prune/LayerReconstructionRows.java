package dev.surgeon.core.prune;

import dev.surgeon.core.progress.Progress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

/**
 * Runs the independent rows of a layer-wise algorithm (ExactOBS, OBQ, their replays) on several threads. Each
 * thread owns one workspace (e.g. an {@link ExactObsEliminator}); rows are handed out in order from a shared
 * counter, so the result of every row, and therefore of the layer, does not depend on the thread count.
 */
public final class LayerReconstructionRows {

    /** The work on one row with the calling thread's workspace. */
    @FunctionalInterface
    public interface RowTask<W> {
        void run(W workspace, int row);
    }

    private LayerReconstructionRows() {
    }

    /**
     * Runs {@code task} for rows 0..rows−1 on up to {@code threads} threads (the caller's included), reporting one
     * progress step per row. The first exception of any row is rethrown after all threads stopped.
     */
    public static <W> void forEachRow(int rows, int threads, Supplier<W> workspace, RowTask<W> task, Progress progress) {
        int n = Math.max(1, Math.min(threads, rows));
        AtomicInteger next = new AtomicInteger();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Runnable worker = () -> {
            W ws = null;
            try {
                for (int row = next.getAndIncrement(); row < rows && failure.get() == null; row = next.getAndIncrement()) {
                    if (ws == null) {
                        ws = workspace.get();
                    }
                    task.run(ws, row);
                    synchronized (progress) {
                        progress.advance(1);
                    }
                }
            } catch (Throwable t) {
                failure.compareAndSet(null, t);
            }
        };
        List<Thread> helpers = new ArrayList<>();
        for (int t = 1; t < n; t++) {
            helpers.add(Thread.ofPlatform().name("surgeon-rows-" + t).daemon().start(worker));
        }
        worker.run();
        for (Thread t : helpers) {
            try {
                t.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                failure.compareAndSet(null, e);
            }
        }
        Throwable f = failure.get();
        if (f instanceof RuntimeException re) {
            throw re;
        }
        if (f instanceof Error err) {
            throw err;
        }
        if (f != null) {
            throw new IllegalStateException("row worker interrupted", f);
        }
    }
}
