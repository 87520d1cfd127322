package dev.surgeon.blas;

import dev.surgeon.kernels.Uplo;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.atomic.LongAdder;

/**
 * Off-heap memory for native calls: operands of long calls are copied here so that the call can use a
 * plain (non-critical) downcall and leave the JVM free to reach safepoints, and LAPACK's by-reference
 * scalars and workspaces live here too.
 *
 * <p>Each platform thread keeps one reusable buffer of up to {@link #MAX_REUSED_BYTES}: malloc, zeroing and
 * first-touch page faults of a fresh multi-megabyte block cost about as much as the copy itself. A call
 * that needs more (or a nested frame on the same thread) gets a confined arena of its own, freed when the
 * frame closes; for calls that large the allocation is negligible next to the O(n³) work.
 */
final class OffHeap {
    /** Largest buffer a thread keeps between calls (the memory a thread may retain after a long call). */
    static final long MAX_REUSED_BYTES = 32L << 20;

    private static final long ALIGNMENT = 64;

    /** Bytes to reserve in a frame for one {@link Frame#lapackArgs()} block. */
    static final long ARGS_BYTES = align(LapackArgs.BYTES);

    private static final ThreadLocal<Reusable> REUSABLE = ThreadLocal.withInitial(Reusable::new);

    /** Calls that copied their operands off-heap (observable by tests; incremented only on long calls). */
    private static final LongAdder COPIED_CALLS = new LongAdder();

    private OffHeap() {
    }

    static long copiedCalls() {
        return COPIED_CALLS.sum();
    }

    static void countCopiedCall() {
        COPIED_CALLS.increment();
    }

    /** Bytes to reserve in a frame for {@code elements} values of precision {@code p}. */
    static long bytes(Precision p, long elements) {
        return align(Math.max(1, elements) * p.bytes);
    }

    /** Bytes to reserve for a packed copy of a rows×cols matrix. */
    static long bytes(Precision p, int rows, int cols) {
        return bytes(p, (long) rows * cols);
    }

    /** Opens a frame able to hand out {@code capacity} bytes (the sum of {@link #bytes} of its allocations). */
    static Frame frame(long capacity) {
        Reusable r = REUSABLE.get();
        if (capacity <= MAX_REUSED_BYTES && !r.inUse) {
            r.ensure(capacity);
            r.inUse = true;
            return new Frame(r.segment, null, r);
        }
        Arena arena = Arena.ofConfined();
        return new Frame(arena.allocate(capacity, ALIGNMENT), arena, null);
    }

    /**
     * Copies the rows×cols row-major matrix at element {@code off} of {@code src} (row stride {@code ld})
     * into a packed off-heap copy with row stride {@code max(1, cols)}.
     */
    static MemorySegment copyIn(Frame f, Precision p, MemorySegment src, long off, int rows, int cols, int ld) {
        MemorySegment dst = f.allocate(bytes(p, rows, cols));
        copyRows(p, src, off, ld, dst, 0, Math.max(1, cols), rows, cols);
        return dst;
    }

    /** An uninitialized packed rows×cols matrix (for outputs that are not read). */
    static MemorySegment allocate(Frame f, Precision p, int rows, int cols) {
        return f.allocate(bytes(p, rows, cols));
    }

    /** Copies a packed rows×cols off-heap matrix back to element {@code off} of {@code dst} (row stride ld). */
    static void copyOut(Precision p, MemorySegment src, int rows, int cols, MemorySegment dst, long off, int ld) {
        copyRows(p, src, 0, Math.max(1, cols), dst, off, ld, rows, cols);
    }

    /** Copies back only the {@code uplo} triangle (row-major sense) of a packed n×n off-heap matrix. */
    static void copyOutTriangle(Precision p, Uplo uplo, MemorySegment src, int n, MemorySegment dst, long off, int ld) {
        for (int i = 0; i < n; i++) {
            int lo = uplo == Uplo.LOWER ? 0 : i;
            int hi = uplo == Uplo.LOWER ? i + 1 : n;
            MemorySegment.copy(src, ((long) i * n + lo) * p.bytes, dst, (off + (long) i * ld + lo) * p.bytes,
                    (long) (hi - lo) * p.bytes);
        }
    }

    private static void copyRows(Precision p, MemorySegment src, long srcOff, int srcLd,
                                 MemorySegment dst, long dstOff, int dstLd, int rows, int cols) {
        if (srcLd == cols && dstLd == cols) {
            MemorySegment.copy(src, srcOff * p.bytes, dst, dstOff * p.bytes, (long) rows * cols * p.bytes);
            return;
        }
        for (int i = 0; i < rows; i++) {
            MemorySegment.copy(src, (srcOff + (long) i * srcLd) * p.bytes, dst, (dstOff + (long) i * dstLd) * p.bytes,
                    (long) cols * p.bytes);
        }
    }

    private static long align(long bytes) {
        return (bytes + ALIGNMENT - 1) & -ALIGNMENT;
    }

    /** A bump allocator over one off-heap block, valid until {@link #close()}. */
    static final class Frame implements AutoCloseable {
        private final MemorySegment block;
        private final Arena own;
        private final Reusable reusable;
        private long used;

        private Frame(MemorySegment block, Arena own, Reusable reusable) {
            this.block = block;
            this.own = own;
            this.reusable = reusable;
        }

        /** {@code bytes} (a multiple of 64 from {@link OffHeap#bytes}) of uninitialized, 64-byte aligned memory. */
        MemorySegment allocate(long bytes) {
            if (used + bytes > block.byteSize()) {
                throw new IllegalStateException("off-heap frame of " + block.byteSize() + " bytes overrun by "
                        + (used + bytes - block.byteSize()));
            }
            MemorySegment s = block.asSlice(used, bytes);
            used += bytes;
            return s;
        }

        LapackArgs lapackArgs() {
            return new LapackArgs(allocate(ARGS_BYTES));
        }

        @Override
        public void close() {
            if (own != null) {
                own.close();
            } else {
                reusable.inUse = false;
            }
        }
    }

    /** One thread's reusable block; grows to the largest request up to {@link #MAX_REUSED_BYTES}. */
    private static final class Reusable {
        MemorySegment segment = MemorySegment.NULL;
        boolean inUse;

        void ensure(long capacity) {
            if (segment.byteSize() < capacity) {
                long size = Math.min(MAX_REUSED_BYTES, Math.max(capacity, 2 * segment.byteSize()));
                // An automatic arena: the block is freed by the GC once the thread (and so this object) is gone.
                segment = Arena.ofAuto().allocate(size, ALIGNMENT);
            }
        }
    }
}
