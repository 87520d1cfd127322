package dev.surgeon.blas;

import static dev.surgeon.blas.CallPolicy.CHUNK_ELEMENTS;

import dev.surgeon.kernels.Trans;
import dev.surgeon.kernels.Uplo;
import java.lang.foreign.MemorySegment;

/**
 * Level-2 BLAS on row-major matrices. {@code gemv} and {@code ger} are memory-bound, so a long one is not
 * copied off-heap (that would double its traffic) but cut into blocks of at most
 * {@link CallPolicy#CHUNK_ELEMENTS} matrix elements, each one short critical downcall: a column block of
 * width ≤ CHUNK_ELEMENTS, then as many rows as fit. {@code symv} and {@code syr} cannot be cut that simply
 * (each block would need the transposed triangle too); they run critical up to the same element budget and
 * on off-heap copies beyond it. Callers have handled empty shapes and {@code alpha == 0}.
 */
final class MatrixVector {
    private MatrixVector() {
    }

    /** {@code y ← alpha·op(A)·x + beta·y} for the m×n A; m, n ≥ 1. */
    static void gemv(Precision p, int threads, Trans trans, int m, int n, double alpha, MemorySegment a, long aOff, int lda,
                     MemorySegment x, long xOff, double beta, MemorySegment y, long yOff) {
        int t = cblasTrans(trans);
        forEachBlock(threads, m, n, (r0, rows, c0, cols) -> {
            MemorySegment block = p.from(a, aOff + (long) r0 * lda + c0);
            if (trans == Trans.N) {
                // y[r0..] accumulates over column blocks: beta applies to the first one only.
                NativeBlas.gemv(p, t, rows, cols, alpha, block, lda, p.from(x, xOff + c0),
                        c0 == 0 ? beta : 1, p.from(y, yOff + r0));
            } else {
                NativeBlas.gemv(p, t, rows, cols, alpha, block, lda, p.from(x, xOff + r0),
                        r0 == 0 ? beta : 1, p.from(y, yOff + c0));
            }
        });
    }

    /** {@code A ← A + alpha·x·yᵀ} for the m×n A; m, n ≥ 1; x and y must not overlap A. */
    static void ger(Precision p, int threads, int m, int n, double alpha, MemorySegment x, long xOff,
                    MemorySegment y, long yOff, MemorySegment a, long aOff, int lda) {
        forEachBlock(threads, m, n, (r0, rows, c0, cols) -> NativeBlas.ger(p, rows, cols, alpha,
                p.from(x, xOff + r0), p.from(y, yOff + c0), p.from(a, aOff + (long) r0 * lda + c0), lda));
    }

    /** One block of an m×n matrix: rows [r0, r0 + rows), columns [c0, c0 + cols). */
    @FunctionalInterface
    private interface BlockCall {
        void run(int r0, int rows, int c0, int cols);
    }

    /**
     * Cuts an m×n matrix into blocks of at most {@link CallPolicy#CHUNK_ELEMENTS} elements (column blocks of
     * width ≤ CHUNK_ELEMENTS, then as many rows as fit) and runs {@code call} on each, column block by column
     * block, in the caller's OpenBLAS thread phase.
     */
    private static void forEachBlock(int threads, int m, int n, BlockCall call) {
        int cw = Math.min(n, CHUNK_ELEMENTS);
        int rh = Math.max(1, Math.min(m, CHUNK_ELEMENTS / cw));
        boolean phase = Vectors.enter(threads, (long) m * n);
        try {
            for (int c0 = 0; c0 < n; c0 += cw) {
                for (int r0 = 0; r0 < m; r0 += rh) {
                    call.run(r0, Math.min(rh, m - r0), c0, Math.min(cw, n - c0));
                }
            }
        } finally {
            Vectors.exit(phase);
        }
    }

    /** {@code y ← alpha·A·x + beta·y} with the symmetric n×n A given by its {@code uplo} triangle; n ≥ 1. */
    static void symv(Precision p, int threads, CallPolicy.Route route, Uplo uplo, int n, double alpha,
                     MemorySegment a, long aOff, int lda, MemorySegment x, long xOff, double beta,
                     MemorySegment y, long yOff) {
        int u = cblasUplo(uplo);
        boolean phase = Vectors.enter(threads, (long) n * n);
        try {
            if (route == CallPolicy.Route.CRITICAL) {
                NativeBlas.symv(p, true, u, n, alpha, p.from(a, aOff), lda, p.from(x, xOff), beta, p.from(y, yOff));
                return;
            }
            OffHeap.countCopiedCall();
            try (OffHeap.Frame f = OffHeap.frame(OffHeap.bytes(p, n, n) + 2 * OffHeap.bytes(p, n))) {
                MemorySegment na = OffHeap.copyIn(f, p, a, aOff, n, n, lda);
                MemorySegment nx = OffHeap.copyIn(f, p, x, xOff, 1, n, n);
                MemorySegment ny = beta == 0 ? OffHeap.allocate(f, p, 1, n) : OffHeap.copyIn(f, p, y, yOff, 1, n, n);
                NativeBlas.symv(p, false, u, n, alpha, na, n, nx, beta, ny);
                OffHeap.copyOut(p, ny, 1, n, y, yOff, n);
            }
        } finally {
            Vectors.exit(phase);
        }
    }

    /** {@code A ← A + alpha·x·xᵀ} on the {@code uplo} triangle of the n×n A; n ≥ 1. */
    static void syr(Precision p, int threads, CallPolicy.Route route, Uplo uplo, int n, double alpha,
                    MemorySegment x, long xOff, MemorySegment a, long aOff, int lda) {
        int u = cblasUplo(uplo);
        boolean phase = Vectors.enter(threads, (long) n * n);
        try {
            if (route == CallPolicy.Route.CRITICAL) {
                NativeBlas.syr(p, true, u, n, alpha, p.from(x, xOff), p.from(a, aOff), lda);
                return;
            }
            OffHeap.countCopiedCall();
            try (OffHeap.Frame f = OffHeap.frame(OffHeap.bytes(p, n, n) + OffHeap.bytes(p, n))) {
                MemorySegment na = OffHeap.copyIn(f, p, a, aOff, n, n, lda);
                MemorySegment nx = OffHeap.copyIn(f, p, x, xOff, 1, n, n);
                NativeBlas.syr(p, false, u, n, alpha, nx, na, n);
                OffHeap.copyOutTriangle(p, uplo, na, n, a, aOff, lda);
            }
        } finally {
            Vectors.exit(phase);
        }
    }

    static int cblasUplo(Uplo uplo) {
        return uplo == Uplo.LOWER ? NativeBlas.LOWER : NativeBlas.UPPER;
    }

    static int cblasTrans(Trans trans) {
        return trans == Trans.N ? NativeBlas.NO_TRANS : NativeBlas.TRANS;
    }
}
