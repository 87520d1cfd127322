package dev.surgeon.blas;

import static dev.surgeon.blas.CallPolicy.CHUNK_ELEMENTS;
import static dev.surgeon.blas.CallPolicy.OPENBLAS_SINGLE_THREADED_MAX;

import java.lang.foreign.MemorySegment;

/**
 * Level-1 BLAS on vectors of any length: critical downcalls on the caller's arrays, cut into chunks of at
 * most {@link CallPolicy#CHUNK_ELEMENTS} so that no single call holds off a safepoint for long, and run in
 * the caller's OpenBLAS thread phase when OpenBLAS may thread them. Offsets are in elements.
 */
final class Vectors {
    private Vectors() {
    }

    static double dot(Precision p, int threads, int n, MemorySegment x, long xOff, MemorySegment y, long yOff) {
        boolean phase = enter(threads, n);
        try {
            double s = 0;
            for (int i = 0; i < n; i += CHUNK_ELEMENTS) {
                s += NativeBlas.dot(p, chunk(n, i), p.from(x, xOff + i), p.from(y, yOff + i));
            }
            return s;
        } finally {
            exit(phase);
        }
    }

    static void axpy(Precision p, int threads, int n, double alpha, MemorySegment x, long xOff, MemorySegment y, long yOff) {
        boolean phase = enter(threads, n);
        try {
            for (int i = 0; i < n; i += CHUNK_ELEMENTS) {
                NativeBlas.axpy(p, chunk(n, i), alpha, p.from(x, xOff + i), p.from(y, yOff + i));
            }
        } finally {
            exit(phase);
        }
    }

    static void scal(Precision p, int threads, int n, double alpha, MemorySegment x, long xOff) {
        boolean phase = enter(threads, n);
        try {
            for (int i = 0; i < n; i += CHUNK_ELEMENTS) {
                NativeBlas.scal(p, chunk(n, i), alpha, p.from(x, xOff + i));
            }
        } finally {
            exit(phase);
        }
    }

    static double asum(Precision p, int threads, int n, MemorySegment x, long xOff) {
        boolean phase = enter(threads, n);
        try {
            double s = 0;
            for (int i = 0; i < n; i += CHUNK_ELEMENTS) {
                s += NativeBlas.asum(p, chunk(n, i), p.from(x, xOff + i));
            }
            return s;
        } finally {
            exit(phase);
        }
    }

    /**
     * Euclidean norm. The chunks' norms r_c combine as {@code s·sqrt(Σ (r_c/s)²)} with {@code s = max r_c},
     * which neither overflows nor loses a NaN.
     */
    static double nrm2(Precision p, int threads, int n, MemorySegment x, long xOff) {
        if (n <= CHUNK_ELEMENTS) {
            return NativeBlas.nrm2(p, n, p.from(x, xOff));
        }
        int chunks = (n + CHUNK_ELEMENTS - 1) / CHUNK_ELEMENTS;
        double[] norms = new double[chunks];
        double scale = 0;
        boolean phase = enter(threads, n);
        try {
            for (int c = 0; c < chunks; c++) {
                int i = c * CHUNK_ELEMENTS;
                norms[c] = NativeBlas.nrm2(p, chunk(n, i), p.from(x, xOff + i));
                if (Double.isNaN(norms[c])) {
                    return Double.NaN;
                }
                scale = Math.max(scale, norms[c]);
            }
        } finally {
            exit(phase);
        }
        if (scale == 0 || Double.isInfinite(scale)) {
            return scale;
        }
        double s = 0;
        for (double r : norms) {
            s += (r / scale) * (r / scale);
        }
        return scale * Math.sqrt(s);
    }

    /**
     * Index of the first element of largest magnitude, or of the first NaN (the SPI's rule). cblas_i?amax
     * skips NaNs (it compares with {@code >}), so each chunk is first checked for a NaN through its
     * absolute sum, which is NaN exactly when the chunk holds one; only then is the chunk scanned in Java.
     */
    static int iamax(Precision p, int threads, int n, MemorySegment x, long xOff) {
        boolean phase = enter(threads, n);
        try {
            int best = -1;
            double bestAbs = -1;
            for (int i = 0; i < n; i += CHUNK_ELEMENTS) {
                int len = chunk(n, i);
                MemorySegment c = p.from(x, xOff + i);
                if (Double.isNaN(NativeBlas.asum(p, len, c))) {
                    return i + SegmentOps.firstNaN(p, len, x, xOff + i);
                }
                int j = i + (int) NativeBlas.iamax(p, len, c);
                double v = Math.abs(p.get(x, xOff + j));
                if (v > bestAbs) {
                    bestAbs = v;
                    best = j;
                }
            }
            return best;
        } finally {
            exit(phase);
        }
    }

    private static int chunk(int n, int from) {
        return Math.min(CHUNK_ELEMENTS, n - from);
    }

    /** Enters the thread phase when OpenBLAS may thread a call over n elements. */
    static boolean enter(int threads, long elements) {
        if (elements <= OPENBLAS_SINGLE_THREADED_MAX) {
            return false;
        }
        NativeThreads.enter(threads);
        return true;
    }

    static void exit(boolean phase) {
        if (phase) {
            NativeThreads.exit();
        }
    }
}
