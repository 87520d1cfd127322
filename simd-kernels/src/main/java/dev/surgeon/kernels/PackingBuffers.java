package dev.surgeon.kernels;

/**
 * Reusable workspaces for the blocked kernels (packed panels of A and B, edge tiles, the scratch of base
 * cases), so that a call allocates nothing once a call of that size has run before.
 *
 * <p>A workspace is leased for one phase of one call and given back. Leases come from a JVM-wide pool
 * per slot rather than from thread-locals: every lease is distinct, so a fork/join worker that runs an
 * unrelated kernel call while it waits on a join cannot overwrite a panel another task is still reading,
 * and the memory kept is bounded by the pool size (about two leases per processor and slot, a few MiB
 * each at most) however many threads call the kernels.
 */
final class PackingBuffers {
    /** What a workspace is used for; each slot has its own pool. */
    enum Slot {
        /** The packed MC×KC block of op(A) of one task, plus its edge tile. */
        PANEL_A,
        /** The packed KC×NC panel of op(B), shared by the tasks of one call. */
        PANEL_B,
        /** Scratch of base cases and thin products. */
        SCRATCH
    }

    private static final int KEPT_PER_SLOT = 2 * KernelPool.processors();
    private static final Pool[] POOLS = {new Pool(), new Pool(), new Pool()};

    private PackingBuffers() {
    }

    /** Leases a workspace for {@code slot}; pair with {@link Lease#release()}. */
    static Lease acquire(Slot slot) {
        Pool pool = POOLS[slot.ordinal()];
        Lease lease = pool.pop();
        return lease != null ? lease : new Lease(pool);
    }

    /**
     * The free workspaces of one slot: an array stack under a lock. A lock rather than a lock-free queue
     * because a queue allocates a node per offer (two per packed product, a kilobyte per training step), and
     * the lock is held for a few instructions per call of microseconds or more.
     */
    private static final class Pool {
        private final Lease[] free = new Lease[KEPT_PER_SLOT];
        private int size;

        /**
         * The free workspace this thread used last, else the most recently returned one. Two threads training
         * data-parallel otherwise swap workspaces call after call, and every packed panel then starts in the other
         * core's cache.
         */
        synchronized Lease pop() {
            if (size == 0) {
                return null;
            }
            Thread me = Thread.currentThread();
            int pick = size - 1;
            for (int i = size - 1; i >= 0; i--) {
                if (free[i].lastUser == me) {
                    pick = i;
                    break;
                }
            }
            Lease lease = free[pick];
            free[pick] = free[size - 1];
            free[--size] = null;
            lease.lastUser = me;
            return lease;
        }

        /** Keeps the workspace unless the pool is full. */
        synchronized void push(Lease lease) {
            if (size < free.length) {
                free[size++] = lease;
            }
        }
    }

    /** One workspace: a primary and a secondary array per precision and an index array, grown on demand. */
    static final class Lease {
        private final Pool home;
        /** The thread that leased it last (compared by identity only; a dead thread's entry is harmless). */
        private Thread lastUser;
        private float[] floats = new float[0];
        private float[] floats2 = new float[0];
        private double[] doubles = new double[0];
        private double[] doubles2 = new double[0];
        private int[] ints = new int[0];

        private Lease(Pool home) {
            this.home = home;
            this.lastUser = Thread.currentThread();
        }

        float[] floats(int size) {
            if (floats.length < size) {
                floats = new float[size];
            }
            return floats;
        }

        float[] floats2(int size) {
            if (floats2.length < size) {
                floats2 = new float[size];
            }
            return floats2;
        }

        double[] doubles(int size) {
            if (doubles.length < size) {
                doubles = new double[size];
            }
            return doubles;
        }

        double[] doubles2(int size) {
            if (doubles2.length < size) {
                doubles2 = new double[size];
            }
            return doubles2;
        }

        int[] ints(int size) {
            if (ints.length < size) {
                ints = new int[size];
            }
            return ints;
        }

        /** Returns the workspace to its pool (or lets it be collected when the pool is full). */
        void release() {
            home.push(this);
        }
    }
}
