package dev.surgeon.kernels;

import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinTask;
import java.util.concurrent.ForkJoinWorkerThread;
import java.util.concurrent.RecursiveAction;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.IntConsumer;

/**
 * Fork/join parallelism for the blocked kernels: runs {@code tasks} independent pieces of one operation
 * and returns when all are done.
 *
 * <p>Composition rule: a call made from inside any {@link ForkJoinPool} (a caller that already
 * parallelizes, e.g. over layers or samples) forks its pieces into <em>that</em> pool, so the two levels
 * share its workers instead of stacking a second set of threads on top. A call from an ordinary thread
 * runs the first piece itself and hands the others to one JVM-wide pool sized to the available
 * processors — or, when no other call is using it, to a {@link WorkerTeam} of spinning threads, which hands over in
 * about a microsecond instead of a parked worker's 40–80 µs. Either way at most {@code tasks} threads work on one
 * call, and the kernels choose {@code tasks <= threads()}.
 */
final class KernelPool {
    private KernelPool() {
    }

    /** Number of processors the JVM may use: the upper bound for useful parallelism in one call. */
    static int processors() {
        return Runtime.getRuntime().availableProcessors();
    }

    /** Runs {@code body.accept(t)} for t = 0 … tasks−1, in parallel when {@code tasks > 1}. */
    static void run(int tasks, IntConsumer body) {
        if (tasks <= 1) {
            body.accept(0);
            return;
        }
        boolean inPool = Thread.currentThread() instanceof ForkJoinWorkerThread;
        if (!inPool && tasks <= Team.TEAM.size() && Team.BUSY.compareAndSet(false, true)) {
            try {
                Team.TEAM.run(tasks, body);
            } finally {
                Team.BUSY.set(false);
            }
            return;
        }
        Piece[] pieces = new Piece[tasks];
        for (int t = 0; t < tasks; t++) {
            pieces[t] = new Piece(body, t);
        }
        if (inPool) {
            ForkJoinTask.invokeAll(pieces);
            return;
        }
        ForkJoinPool pool = Shared.POOL;
        for (int t = 1; t < tasks; t++) {
            pool.execute(pieces[t]);
        }
        Throwable failure = null;
        try {
            pieces[0].invoke();
        } catch (RuntimeException | Error e) {
            failure = e;
        }
        for (int t = 1; t < tasks; t++) {
            try {
                pieces[t].join();
            } catch (RuntimeException | Error e) {
                if (failure == null) {
                    failure = e;
                }
            }
        }
        if (failure instanceof RuntimeException re) {
            throw re;
        }
        if (failure instanceof Error err) {
            throw err;
        }
    }

    private static final class Piece extends RecursiveAction {
        private static final long serialVersionUID = 1L;
        private final transient IntConsumer body;
        private final int index;

        Piece(IntConsumer body, int index) {
            this.body = body;
            this.index = index;
        }

        @Override
        protected void compute() {
            body.accept(index);
        }
    }

    /**
     * The spinning team of the first caller; a second concurrent caller (or a nested call) finds it busy and uses the
     * fork/join pool. The team hands a piece over in about a microsecond where a parked pool worker takes 40–80 µs.
     */
    private static final class Team {
        static final WorkerTeam TEAM = new WorkerTeam(processors(), "surgeon-kernels-team");
        static final AtomicBoolean BUSY = new AtomicBoolean();
    }

    /** Created on first parallel call; daemon workers, so an idle pool never keeps the JVM alive. */
    private static final class Shared {
        static final ForkJoinPool POOL = new ForkJoinPool(processors(), pool -> {
            ForkJoinWorkerThread w = ForkJoinPool.defaultForkJoinWorkerThreadFactory.newThread(pool);
            w.setName("surgeon-kernels-" + w.getPoolIndex());
            w.setDaemon(true);
            return w;
        }, null, false);
    }
}
