package dev.surgeon.kernels;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntConsumer;

/**
 * A fixed team of threads for short, frequent parallel phases: {@link #run} executes {@code body(0)} on the caller and
 * {@code body(1)} … {@code body(size − 1)} on the team's helper threads, and returns when all are done. Used by the
 * kernels' own parallel calls and by data-parallel training in core.
 *
 * <p>Why not a fork/join pool: a data-parallel training step has two phases of 0.2–1 ms each, and handing a task to a
 * parked pool worker and noticing its completion cost 40–80 µs each way on a 2-vCPU virtual machine (measured:
 * worker start delay 45 µs, join 80 µs after the worker finished) — 15 % of a LeNet-300-100 step; a 256 × 256 sgemm
 * split in two (120 µs per half) gained nothing from its second thread. Here helpers spin for
 * {@value #SPIN_MICROS} µs after each phase before parking, and the caller spins while they finish, so back-to-back
 * phases hand over in about a microsecond. An idle helper parks, and exits after {@value #IDLE_EXIT_SECONDS} s
 * without work (the next phase starts a new one), so a discarded trainer leaves no threads behind.
 *
 * <p>One caller at a time: {@link #run} is not re-entrant and not thread-safe (a trainer steps from one thread).
 */
public final class WorkerTeam {
    private static final long SPIN_MICROS = 200;
    private static final long IDLE_EXIT_SECONDS = 1;
    private static final int ACTIVE = 0;
    private static final int PARKED = 1;
    private static final int EXITED = 2;

    private final Helper[] helpers;
    private final AtomicInteger pending = new AtomicInteger();
    private final Throwable[] failures;
    private volatile long generation;
    private volatile IntConsumer body;
    // Every helper takes part in every generation (and the caller waits for all of them), so body and parties stay
    // fixed while a helper reads them.
    private volatile int parties;

    /** A team of {@code size} threads: the caller of {@link #run} and {@code size − 1} helpers (started on first use). */
    public WorkerTeam(int size, String name) {
        if (size < 1) {
            throw new IllegalArgumentException("a team needs at least 1 thread, got " + size);
        }
        this.helpers = new Helper[size - 1];
        this.failures = new Throwable[size];
        for (int i = 0; i < helpers.length; i++) {
            helpers[i] = new Helper(i + 1, name + "-" + (i + 1));
        }
    }

    public int size() {
        return helpers.length + 1;
    }

    /** Runs {@code body.accept(i)} for i = 0 … size−1 in parallel; rethrows the first failure after all have ended. */
    public void run(IntConsumer body) {
        run(size(), body);
    }

    /**
     * Runs {@code body.accept(i)} for i = 0 … parties−1 in parallel (the helpers of higher index skip this phase);
     * rethrows the first failure after all have ended.
     */
    public void run(int parties, IntConsumer body) {
        if (parties < 1 || parties > size()) {
            throw new IllegalArgumentException("parties must be in [1, " + size() + "], got " + parties);
        }
        this.body = body;
        this.parties = parties;
        pending.set(helpers.length);
        long g = generation + 1;
        generation = g; // publishes body and parties: helpers read them after seeing the new generation
        for (Helper h : helpers) {
            h.wake(g);
        }
        try {
            body.accept(0);
        } catch (RuntimeException | Error e) {
            failures[0] = e;
        }
        awaitHelpers();
        this.body = null;
        rethrowFirstFailure();
    }

    private void awaitHelpers() {
        long spinUntil = System.nanoTime() + TimeUnit.MICROSECONDS.toNanos(SPIN_MICROS);
        while (pending.get() != 0) {
            if (System.nanoTime() < spinUntil) {
                Thread.onSpinWait();
            } else {
                // A helper is slow (descheduled on a busy machine): poll without burning a CPU it may need.
                LockSupport.parkNanos(this, 20_000);
            }
        }
    }

    private void rethrowFirstFailure() {
        Throwable first = null;
        for (int i = 0; i < failures.length; i++) {
            if (first == null) {
                first = failures[i];
            }
            failures[i] = null;
        }
        if (first instanceof RuntimeException re) {
            throw re;
        }
        if (first instanceof Error err) {
            throw err;
        }
    }

    /** One helper slot: its thread comes and goes, its state tells the caller whether to unpark or restart it. */
    private final class Helper implements Runnable {
        private final int index;
        private final String name;
        private final AtomicInteger state = new AtomicInteger(EXITED);
        private volatile Thread thread;
        private long seen;

        Helper(int index, String name) {
            this.index = index;
            this.name = name;
        }

        /** Called by the caller after publishing generation g. */
        void wake(long g) {
            for (;;) {
                int s = state.get();
                if (s == ACTIVE) {
                    return; // spinning or working: it will see the new generation
                }
                if (s == PARKED && state.compareAndSet(PARKED, ACTIVE)) {
                    LockSupport.unpark(thread);
                    return;
                }
                if (s == EXITED) {
                    // The old thread has returned (its exit was a successful PARKED → EXITED swap); start another.
                    state.set(ACTIVE);
                    seen = g - 1;
                    Thread t = new Thread(this, name);
                    t.setDaemon(true);
                    thread = t;
                    t.start();
                    return;
                }
            }
        }

        @Override
        public void run() {
            for (;;) {
                if (!awaitWork()) {
                    return;
                }
                seen = generation;
                if (index < parties) {
                    try {
                        body.accept(index);
                    } catch (RuntimeException | Error e) {
                        failures[index] = e;
                    }
                }
                pending.decrementAndGet();
            }
        }

        /** Spins, then parks, until a new generation; false when idle long enough to exit. */
        private boolean awaitWork() {
            long spinUntil = System.nanoTime() + TimeUnit.MICROSECONDS.toNanos(SPIN_MICROS);
            long idleSince = 0;
            while (generation == seen) {
                if (System.nanoTime() < spinUntil) {
                    Thread.onSpinWait();
                    continue;
                }
                state.set(PARKED);
                if (generation != seen) {
                    state.compareAndSet(PARKED, ACTIVE); // fails only if the caller already claimed it: ACTIVE either way
                    return true;
                }
                if (idleSince == 0) {
                    idleSince = System.nanoTime();
                }
                LockSupport.parkNanos(this, TimeUnit.SECONDS.toNanos(IDLE_EXIT_SECONDS));
                if (generation == seen && System.nanoTime() - idleSince >= TimeUnit.SECONDS.toNanos(IDLE_EXIT_SECONDS)
                        && state.compareAndSet(PARKED, EXITED)) {
                    return false;
                }
                state.compareAndSet(PARKED, ACTIVE);
                spinUntil = System.nanoTime() + TimeUnit.MICROSECONDS.toNanos(SPIN_MICROS);
            }
            return true;
        }
    }
}
