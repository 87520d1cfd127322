package dev.surgeon.kernels;

/**
 * Reusable per-thread workspaces for the blocked kernels (packed panels of A and B, transposed strips,
 * edge tiles), so that a call allocates nothing once its thread has run a call of that size before.
 *
 * <p>A workspace is leased for the duration of one phase and given back. If the same thread asks for a
 * slot that is still leased — which happens when a fork/join worker, waiting on a join, runs an unrelated
 * kernel call — it gets a private temporary workspace instead of the busy one, so reentrancy can cost an
 * allocation but never corrupts a panel another task is reading.
 */
final class PackingBuffers {
    /** What a workspace holds; each slot is leased independently. */
    enum Slot {
        /** The packed MC×KC block of op(A) of one task, plus its edge tile. */
        PANEL_A,
        /** The packed KC×NC panel of op(B), shared by the tasks of one call. */
        PANEL_B,
        /** Transposed strips of triangular solves and the scratch of factorization base cases. */
        SCRATCH
    }

    private static final int SLOTS = Slot.values().length;
    private static final ThreadLocal<Lease[]> LEASES = ThreadLocal.withInitial(() -> new Lease[SLOTS]);

    private PackingBuffers() {
    }

    /** Leases the calling thread's workspace for {@code slot}; pair with {@link Lease#release()}. */
    static Lease acquire(Slot slot) {
        Lease[] mine = LEASES.get();
        Lease lease = mine[slot.ordinal()];
        if (lease == null) {
            lease = new Lease();
            mine[slot.ordinal()] = lease;
        }
        if (lease.leased) {
            lease = new Lease();
        }
        lease.leased = true;
        return lease;
    }

    /** One workspace: a primary and a secondary array per precision, grown on demand and kept. */
    static final class Lease {
        private boolean leased;
        private float[] floats = new float[0];
        private float[] floats2 = new float[0];
        private double[] doubles = new double[0];
        private double[] doubles2 = new double[0];
        private int[] ints = new int[0];

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

        void release() {
            leased = false;
        }
    }
}
