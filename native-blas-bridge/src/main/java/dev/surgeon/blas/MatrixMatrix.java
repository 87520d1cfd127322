package dev.surgeon.blas;

import static dev.surgeon.blas.MatrixVector.cblasTrans;
import static dev.surgeon.blas.MatrixVector.cblasUplo;

import dev.surgeon.kernels.Diag;
import dev.surgeon.kernels.Side;
import dev.surgeon.kernels.Trans;
import dev.surgeon.kernels.Uplo;
import java.lang.foreign.MemorySegment;

/**
 * Level-3 BLAS on row-major matrices, as one critical downcall on the caller's arrays or, for calls
 * beyond {@link CallPolicy}'s critical budget, on packed off-heap copies with a plain downcall. Only what
 * the routine reads is copied in (C not when beta is 0) and only what it writes is copied back (one
 * triangle for syrk). Callers have handled empty shapes and {@code alpha == 0}; every call runs in the
 * caller's OpenBLAS thread phase.
 */
final class MatrixMatrix {
    private MatrixMatrix() {
    }

    static void gemm(Precision p, int threads, CallPolicy.Route route, Trans transA, Trans transB, int m, int n, int k,
                     double alpha, MemorySegment a, long aOff, int lda, MemorySegment b, long bOff, int ldb,
                     double beta, MemorySegment c, long cOff, int ldc) {
        int ta = cblasTrans(transA);
        int tb = cblasTrans(transB);
        NativeThreads.enter(threads);
        try {
            if (route == CallPolicy.Route.CRITICAL) {
                NativeBlas.gemm(p, true, ta, tb, m, n, k, alpha, p.from(a, aOff), lda, p.from(b, bOff), ldb,
                        beta, p.from(c, cOff), ldc);
                return;
            }
            OffHeap.countCopiedCall();
            int aRows = transA == Trans.N ? m : k;
            int aCols = transA == Trans.N ? k : m;
            int bRows = transB == Trans.N ? k : n;
            int bCols = transB == Trans.N ? n : k;
            try (OffHeap.Frame f = OffHeap.frame(OffHeap.bytes(p, aRows, aCols) + OffHeap.bytes(p, bRows, bCols)
                    + OffHeap.bytes(p, m, n))) {
                MemorySegment na = OffHeap.copyIn(f, p, a, aOff, aRows, aCols, lda);
                MemorySegment nb = OffHeap.copyIn(f, p, b, bOff, bRows, bCols, ldb);
                MemorySegment nc = beta == 0 ? OffHeap.allocate(f, p, m, n) : OffHeap.copyIn(f, p, c, cOff, m, n, ldc);
                NativeBlas.gemm(p, false, ta, tb, m, n, k, alpha, na, Math.max(1, aCols), nb, Math.max(1, bCols),
                        beta, nc, n);
                OffHeap.copyOut(p, nc, m, n, c, cOff, ldc);
            }
        } finally {
            NativeThreads.exit();
        }
    }

    static void syrk(Precision p, int threads, CallPolicy.Route route, Uplo uplo, Trans trans, int n, int k,
                     double alpha, MemorySegment a, long aOff, int lda, double beta, MemorySegment c, long cOff, int ldc) {
        int u = cblasUplo(uplo);
        int t = cblasTrans(trans);
        NativeThreads.enter(threads);
        try {
            if (route == CallPolicy.Route.CRITICAL) {
                NativeBlas.syrk(p, true, u, t, n, k, alpha, p.from(a, aOff), lda, beta, p.from(c, cOff), ldc);
                return;
            }
            OffHeap.countCopiedCall();
            int aRows = trans == Trans.N ? n : k;
            int aCols = trans == Trans.N ? k : n;
            try (OffHeap.Frame f = OffHeap.frame(OffHeap.bytes(p, aRows, aCols) + OffHeap.bytes(p, n, n))) {
                MemorySegment na = OffHeap.copyIn(f, p, a, aOff, aRows, aCols, lda);
                MemorySegment nc = beta == 0 ? OffHeap.allocate(f, p, n, n) : OffHeap.copyIn(f, p, c, cOff, n, n, ldc);
                NativeBlas.syrk(p, false, u, t, n, k, alpha, na, Math.max(1, aCols), beta, nc, n);
                OffHeap.copyOutTriangle(p, uplo, nc, n, c, cOff, ldc);
            }
        } finally {
            NativeThreads.exit();
        }
    }

    static void trsm(Precision p, int threads, CallPolicy.Route route, Side side, Uplo uplo, Trans transA, Diag diag,
                     int m, int n, double alpha, MemorySegment a, long aOff, int lda, MemorySegment b, long bOff, int ldb) {
        int s = side == Side.LEFT ? NativeBlas.LEFT : NativeBlas.RIGHT;
        int u = cblasUplo(uplo);
        int t = cblasTrans(transA);
        int d = diag == Diag.UNIT ? NativeBlas.UNIT : NativeBlas.NON_UNIT;
        int order = side == Side.LEFT ? m : n;
        NativeThreads.enter(threads);
        try {
            if (route == CallPolicy.Route.CRITICAL) {
                NativeBlas.trsm(p, true, s, u, t, d, m, n, alpha, p.from(a, aOff), lda, p.from(b, bOff), ldb);
                return;
            }
            OffHeap.countCopiedCall();
            try (OffHeap.Frame f = OffHeap.frame(OffHeap.bytes(p, order, order) + OffHeap.bytes(p, m, n))) {
                MemorySegment na = OffHeap.copyIn(f, p, a, aOff, order, order, lda);
                MemorySegment nb = OffHeap.copyIn(f, p, b, bOff, m, n, ldb);
                NativeBlas.trsm(p, false, s, u, t, d, m, n, alpha, na, order, nb, n);
                OffHeap.copyOut(p, nb, m, n, b, bOff, ldb);
            }
        } finally {
            NativeThreads.exit();
        }
    }
}
