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
 * but not free: measured here (Sapphire Rapids, 1 thread) it costs about 10–20 % of an sgemm at
 * n = 384…1024, because a copy of a matrix that does not fit in cache runs at memory bandwidth (~12 GB/s)
 * while sgemm runs at 100–150 GFLOP/s; it is the price of never stalling the JVM for more than about a
 * millisecond.
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
     *
     * <p>Rates: the slow end of what OpenBLAS 0.3.21 reached here on one thread through the bridge
     * (Sapphire Rapids, a noisy shared machine; AVX2 machines are slower, which only moves calls to the
     * off-heap route earlier): sgemm 144–155 GFLOP/s (100 under load), dgemm 64–70, ssyrk 111–140,
     * strsm 61–93; spotrf 16–42, dpotrf 16–30, spotri 8–35 for n = 128…1024; ssyevd 2.6–8.6 n³/ns for
     * n = 128…512; the recursive LU 17–49 GFLOP/s. So a critical call lasts at most about 1 ms on one thread:
     * sgemm up to n ≈ 290, potrf n ≈ 350, potri n ≈ 280, syev n ≈ 125, LU n ≈ 280.
     *
     * <p>Delegation sizes: where the native path overtook the scalar provider in the same run: sdot costs
     * 12.6 ns through the bridge at n = 16 against 4.8 ns for the scalar loop (~0.3 ns per element), so level
     * 1 crosses over near n = 45; gemv from 32×32, symv from 64×64, gemm from n = 8, potrf from n = 16, syev
     * from n = 8, the LU from n = 48.
     */
    enum Work {
        /** Level 1 ({@code dot}, {@code axpy}, …): n elements. Chunked, never copied. */
        VECTOR(48, Double.POSITIVE_INFINITY),
        /** {@code gemv}, {@code ger} and the fused forms built on them: m·n elements. Chunked, never copied. */
        MATRIX_VECTOR(32 * 32, Double.POSITIVE_INFINITY),
        /**
         * {@code symv}, {@code syr}: n² elements, not chunkable by rows, so copied when long; memory-bound at
         * ≥ 1 element/ns (4–8 bytes at ≥ 10 GB/s), i.e. critical up to n ≈ 1000.
         */
        SYMMETRIC_MATRIX_VECTOR(64 * 64, 1),
        /** {@code gemm}, {@code syrk}, {@code trsm}, {@code potrs}: flops. */
        MATRIX_MATRIX(2 * 8 * 8 * 8, 50),
        /** {@code potrf}, {@code potri}: flops (n³/3 and 2n³/3). */
        CHOLESKY(16 * 16 * 16 / 3.0, 15),
        /** {@code syev} ({@code ?syevd} with vectors): n³. */
        EIGEN(8 * 8 * 8, 2),
        /** {@code getrfNoPivot} (recursive, on trsm and gemm): 2n³/3 flops. */
        LU(2 * 48 * 48 * 48 / 3.0, 15);

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
