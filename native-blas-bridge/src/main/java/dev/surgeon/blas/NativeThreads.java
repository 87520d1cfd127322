package dev.surgeon.blas;

/**
 * OpenBLAS's thread count ({@code openblas_set_num_threads}) is one process-wide setting, but every
 * {@link OpenBlasKernels} instance has its own bound ({@code withThreads(n)}). Calls large enough for
 * OpenBLAS to split across threads therefore run inside a <em>phase</em> of their thread count: any number
 * of calls with the same count run concurrently; a call wanting a different count waits until the running
 * ones have finished, then switches the setting. So a call never runs with another instance's count, which
 * also keeps results reproducible (threaded reductions round differently with a different split).
 *
 * <p>A call arriving while others wait queues behind them, so a stream of calls of one count cannot starve
 * a caller of another; under such mixed contention calls are serialized. Calls small enough that OpenBLAS
 * runs them on the calling thread whatever the setting ({@link CallPolicy#OPENBLAS_SINGLE_THREADED_MAX})
 * skip the phase: they cost a few nanoseconds and must stay that cheap.
 *
 * <p>The bridge owns OpenBLAS's setting from its first threaded call on ({@code OPENBLAS_NUM_THREADS} only
 * applies until then; {@code -Dsurgeon.threads} and {@code withThreads} are the knobs). Phases are not
 * reentrant: code inside a phase calls {@link NativeBlas} directly and never enters again (with a caller
 * of another count waiting, a nested enter would wait for itself).
 */
final class NativeThreads {
    private static final Object LOCK = new Object();
    private static int current = -1;   // the count OpenBLAS was last set to by us; -1 = never set
    private static int running;        // calls inside the current phase
    private static int waiting;        // callers blocked in enter()

    private NativeThreads() {
    }

    /** Waits until a call with {@code threads} OpenBLAS threads may run; pair with {@link #exit()}. */
    static void enter(int threads) {
        boolean interrupted = false;
        synchronized (LOCK) {
            if (!(running == 0 || current == threads && waiting == 0)) {
                waiting++;
                do {
                    try {
                        LOCK.wait();
                    } catch (InterruptedException e) {
                        interrupted = true; // the wait is short and must complete; the flag is restored below
                    }
                } while (!(running == 0 || current == threads && waiting == 1));
                waiting--;
            }
            if (current != threads) {
                NativeBlas.setNumThreads(threads);
                current = threads;
            }
            running++;
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    static void exit() {
        synchronized (LOCK) {
            if (--running == 0) {
                LOCK.notifyAll();
            }
        }
    }
}
