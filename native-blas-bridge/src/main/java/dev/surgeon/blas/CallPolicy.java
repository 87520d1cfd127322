package dev.surgeon.blas;

/**
 * Every routing threshold of the bridge, in one place: which calls go to the fallback provider (tiny
 * sizes, where the ~10–50 ns of a downcall and OpenBLAS's own dispatch cost more than the arithmetic),
 * which run as critical downcalls on the caller's arrays, and which copy their operands off-heap.
 *
 * <p><b>Critical versus off-heap.</b> A critical downcall keeps its thread from reaching a safepoint, so
 * GC and every other stop-the-world operation wait for it. Calls are kept critical up to an estimated
 * {@link #CRITICAL_MAX_NANOS} (1 ms, comparable to a young-generation pause) on one thread; beyond that the
 * operands are copied to native memory and a plain downcall is used. The copy is O(n²) against O(n³) work
 * but not free: measured here (Sapphire Rapids, 1 thread) it costs 8–13 % of an sgemm at n = 256…1024,
 * because a copy of a matrix that does not fit in cache runs at memory bandwidth (~12 GB/s) while sgemm
 * runs at ~145 GFLOP/s; it is the price of never stalling the JVM for more than about a millisecond.
 * Level-1 and level-2 calls are memory-bound, so a copy would double their cost: they stay critical and
 * are cut into chunks of at most {@link #CHUNK_ELEMENTS} elements (~0.1 ms each) instead, with a safepoint
 * opportunity between chunks.
 *
 * <p><b>Delegation.</b> The {@code delegateBelow} sizes below were measured against the scalar provider
 * (the Vector API provider was not merged yet); they are to be re-tuned against the Vector provider, which
 * is faster than scalar at every size and will move them up, per operation family.
 */
final class CallPolicy {
    /** Longest a critical downcall may be expected to run (estimated from the single-thread rates below). */
    static final long CRITICAL_MAX_NANOS = 1_000_000;

    /** Largest number of matrix or vector elements one critical level-1/2 downcall touches. */
    static final int CHUNK_ELEMENTS = 1 << 18;

    /**
     * Level-1/2 calls with at most this many elements run on the calling thread in OpenBLAS 0.3.21 whatever
     * its thread setting (gemv/ger thread from 2304·4 = 9216 elements, dot/axpy/asum above 10000), so they
     * skip {@link NativeThreads}' phase.
     */
    static final int OPENBLAS_SINGLE_THREADED_MAX = 9216;

    /** Where one call runs. */
    enum Route {
        /** On the fallback provider (Vector API if available, else scalar). */
        DELEGATE,
        /** A critical downcall on heap segments of the caller's arrays. */
        CRITICAL,
        /** Operands copied to native memory, a plain downcall, results copied back. */
        OFF_HEAP
    }

    /**
     * Families of operations, each with its unit of work, the size below which the fallback is faster and
     * the single-thread native rate (work units per nanosecond) that bounds critical calls.
     */
    enum Work {
        /** Level 1 ({@code dot}, {@code axpy}, …): n elements. Chunked, never copied. */
        VECTOR(32, Double.POSITIVE_INFINITY),
        /** {@code gemv}, {@code ger} and the fused forms built on them: m·n elements. Chunked, never copied. */
        MATRIX_VECTOR(1024, Double.POSITIVE_INFINITY),
        /** {@code symv}, {@code syr}: n² elements; not chunkable by rows, copied when long. */
        SYMMETRIC_MATRIX_VECTOR(1024, CHUNK_ELEMENTS / (double) CRITICAL_MAX_NANOS),
        /** {@code gemm}, {@code syrk}, {@code trsm}, {@code potrs}: flops. */
        MATRIX_MATRIX(2 * 16 * 16 * 16, 100),
        /** {@code potrf}, {@code potri}: flops (n³/3 and 2n³/3). */
        CHOLESKY(24 * 24 * 24 / 3.0, 40),
        /** {@code syev} ({@code ?syevd} with vectors): n³. */
        EIGEN(12 * 12 * 12, 2),
        /** {@code getrfNoPivot} (recursive, on trsm and gemm): 2n³/3 flops. */
        LU(2 * 48 * 48 * 48 / 3.0, 40);

        /** Work below which the call is delegated (when delegation is on). */
        final double delegateBelow;
        /** Work above which a call is expected to exceed {@link #CRITICAL_MAX_NANOS} on one thread. */
        final double criticalMax;

        Work(double delegateBelow, double unitsPerNano) {
            this.delegateBelow = delegateBelow;
            this.criticalMax = unitsPerNano * CRITICAL_MAX_NANOS;
        }
    }

    private CallPolicy() {
    }

    /** The route of a call of {@code work} units of family {@code w}. */
    static Route route(Work w, double work, boolean delegation) {
        if (delegation && work < w.delegateBelow) {
            return Route.DELEGATE;
        }
        return work <= w.criticalMax ? Route.CRITICAL : Route.OFF_HEAP;
    }
}
