package dev.surgeon.blas;

import dev.surgeon.kernels.Uplo;
import java.lang.foreign.MemorySegment;

/**
 * The small Java-side steps around native calls, on segments of either precision: the BLAS corner cases
 * whose native behaviour differs from the SPI (scaling by beta when the product is empty or alpha is 0),
 * the O(n²) scans and transposes of the factorizations, and the unblocked leaf of the LU. None of them is
 * on a hot path, so they favour brevity over speed.
 */
final class SegmentOps {
    private SegmentOps() {
    }

    /** {@code y ← beta·y}, or {@code y ← 0} without reading y when beta is 0 (the SPI's BLAS rule). */
    static void scaleOrZero(Precision p, int n, double beta, MemorySegment y, long off) {
        if (beta == 0) {
            y.asSlice(off * p.bytes, n * p.bytes).fill((byte) 0);
        } else if (beta != 1) {
            for (long i = off; i < off + n; i++) {
                p.set(y, i, p.round(p.get(y, i) * beta));
            }
        }
    }

    /** {@link #scaleOrZero} on each row of a rows×cols matrix. */
    static void scaleRows(Precision p, int rows, int cols, double beta, MemorySegment c, long off, int ld) {
        for (int i = 0; i < rows; i++) {
            scaleOrZero(p, cols, beta, c, off + (long) i * ld);
        }
    }

    /** {@link #scaleOrZero} on the {@code uplo} triangle of an n×n matrix. */
    static void scaleTriangle(Precision p, Uplo uplo, int n, double beta, MemorySegment c, long off, int ld) {
        for (int i = 0; i < n; i++) {
            int lo = uplo == Uplo.LOWER ? 0 : i;
            int hi = uplo == Uplo.LOWER ? i : n - 1;
            scaleOrZero(p, hi - lo + 1, beta, c, off + (long) i * ld + lo);
        }
    }

    /** What non-finite values a triangle holds: a NaN anywhere wins over an infinity. */
    enum NonFinite { NONE, INFINITY, NAN }

    /** Whether the {@code uplo} triangle of an n×n matrix holds a NaN, else an infinity, else neither. */
    static NonFinite nonFiniteInTriangle(Precision p, Uplo uplo, int n, MemorySegment a, long off, int ld) {
        NonFinite found = NonFinite.NONE;
        for (int i = 0; i < n; i++) {
            int lo = uplo == Uplo.LOWER ? 0 : i;
            int hi = uplo == Uplo.LOWER ? i : n - 1;
            for (int j = lo; j <= hi; j++) {
                double v = p.get(a, off + (long) i * ld + j);
                if (Double.isNaN(v)) {
                    return NonFinite.NAN;
                }
                if (Double.isInfinite(v)) {
                    found = NonFinite.INFINITY;
                }
            }
        }
        return found;
    }

    /** Whether an n×n matrix has an exact zero on its diagonal. */
    static boolean hasZeroOnDiagonal(Precision p, int n, MemorySegment a, long off, int ld) {
        for (int i = 0; i < n; i++) {
            if (p.get(a, off + (long) i * ld + i) == 0) {
                return true;
            }
        }
        return false;
    }

    /** Index of the first NaN on the diagonal of an n×n matrix among the first {@code limit}, or -1. */
    static int firstNaNOnDiagonal(Precision p, int limit, MemorySegment a, long off, int ld) {
        for (int i = 0; i < limit; i++) {
            if (p.isNaN(a, off + (long) i * ld + i)) {
                return i;
            }
        }
        return -1;
    }

    /** Index of the first NaN among n contiguous elements, or -1. */
    static int firstNaN(Precision p, int n, MemorySegment x, long off) {
        for (int i = 0; i < n; i++) {
            if (p.isNaN(x, off + i)) {
                return i;
            }
        }
        return -1;
    }

    /** Fills an n×n matrix (row stride ld) with NaN. */
    static void fillNaN(Precision p, int rows, int cols, MemorySegment a, long off, int ld) {
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) {
                p.set(a, off + (long) i * ld + j, Double.NaN);
            }
        }
    }

    /** Transposes an n×n matrix in place. */
    static void transpose(Precision p, int n, MemorySegment a, long off, int ld) {
        for (int i = 0; i < n; i++) {
            for (int j = i + 1; j < n; j++) {
                long ij = off + (long) i * ld + j;
                long ji = off + (long) j * ld + i;
                double t = p.get(a, ij);
                p.set(a, ij, p.get(a, ji));
                p.set(a, ji, t);
            }
        }
    }

    /** Copies column {@code col} of an n-row matrix into n contiguous elements of {@code dst}. */
    static void copyColumn(Precision p, int n, MemorySegment a, long off, int ld, int col, MemorySegment dst) {
        for (int i = 0; i < n; i++) {
            p.set(dst, i, p.get(a, off + (long) i * ld + col));
        }
    }

    /** Zeroes row r and column r of an n×n matrix. */
    static void zeroRowAndColumn(Precision p, int n, int r, MemorySegment a, long off, int ld) {
        for (int i = 0; i < n; i++) {
            p.set(a, off + (long) i * ld + r, 0);
        }
        a.asSlice((off + (long) r * ld) * p.bytes, n * p.bytes).fill((byte) 0);
    }

    /**
     * Unblocked LU without pivoting of the n×n block at {@code off} (the same loop as the scalar reference),
     * the leaf of {@link Factorizations#getrfNoPivot}.
     *
     * @param pivotBase index of this block's first pivot in the whole matrix, for the exception
     */
    static void luLeaf(Precision p, int n, MemorySegment a, long off, int ld, int pivotBase) {
        for (int k = 0; k < n; k++) {
            long krow = off + (long) k * ld;
            double piv = p.get(a, krow + k);
            if (piv == 0 || Double.isNaN(piv)) {
                throw new dev.surgeon.kernels.ZeroPivotException(pivotBase + k, piv);
            }
            for (int i = k + 1; i < n; i++) {
                long row = off + (long) i * ld;
                double l = p.round(p.get(a, row + k) / piv);
                p.set(a, row + k, l);
                for (int j = k + 1; j < n; j++) {
                    p.set(a, row + j, p.round(p.get(a, row + j) - p.round(l * p.get(a, krow + j))));
                }
            }
        }
    }
}
