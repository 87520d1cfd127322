package dev.surgeon.kernels;

/**
 * {@code gemm} when C has very few rows or columns, or the whole product is tiny: as matrix-vector
 * products, without packing. Packing costs about as much as one pass over each operand, and a register
 * tile of MR×NR computes mostly padding when C is thinner than the tile, so a C with one or two rows is
 * better served by streaming op(B) once per row (a {@code gemv} per row), and one with a few columns by
 * streaming op(A) once per column.
 *
 * <p>Row by row: row i of C is {@code beta·C_i + alpha·Σ_p op(A)[i][p]·op(B)_p}, a row combination of B
 * when op(B) = B, or n dot products with the rows of B when op(B) = Bᵀ; a row of op(A) that is a strided
 * column of A is copied to scratch first. Column by column is the mirror image, the column of C being
 * accumulated in scratch (with {@code beta == 0} it is not read).
 */
final class ThinProduct {
    /** C with at most this many rows is computed row by row. */
    private static final int THIN_ROWS = 2;
    /** C with at most this many columns is computed column by column. */
    private static final int THIN_COLUMNS = 4;
    /** Products with at most this many multiply-adds skip the packing setup. */
    private static final long TINY = 4096;

    private ThinProduct() {
    }

    static boolean applies(int m, int n, int k) {
        return m <= THIN_ROWS || n <= THIN_COLUMNS || (long) m * n * k <= TINY;
    }

    /** {@code C ← alpha·op(A)·op(B) + beta·C} for m, n, k > 0 and alpha ≠ 0. */
    static <A> void multiply(PrecisionOps<A> o, boolean transA, boolean transB, int m, int n, int k, double alpha,
                             A a, int aOff, int lda, A b, int bOff, int ldb, double beta, A c, int cOff, int ldc) {
        PackingBuffers.Lease lease = PackingBuffers.acquire(PackingBuffers.Slot.SCRATCH);
        try {
            A s = o.scratch(lease, k + m);
            if (m <= n) {
                for (int i = 0; i < m; i++) {
                    A row = a;
                    int rowOff = aOff + i * lda;
                    if (transA) {
                        for (int p = 0; p < k; p++) {
                            o.set(s, p, o.get(a, aOff + p * lda + i));
                        }
                        row = s;
                        rowOff = 0;
                    }
                    int ci = cOff + i * ldc;
                    o.scaleOrZero(n, beta, c, ci);
                    if (transB) {
                        o.addRowDots(n, k, alpha, b, bOff, ldb, row, rowOff, c, ci);
                    } else {
                        o.addRowCombination(k, n, alpha, row, rowOff, b, bOff, ldb, c, ci);
                    }
                }
            } else {
                for (int j = 0; j < n; j++) {
                    A col = b;
                    int colOff = bOff + j * ldb;
                    if (!transB) {
                        for (int p = 0; p < k; p++) {
                            o.set(s, p, o.get(b, bOff + p * ldb + j));
                        }
                        col = s;
                        colOff = 0;
                    }
                    for (int i = 0; i < m; i++) {
                        o.set(s, k + i, beta == 0 ? 0 : beta * o.get(c, cOff + i * ldc + j));
                    }
                    if (transA) {
                        o.addRowCombination(k, m, alpha, col, colOff, a, aOff, lda, s, k);
                    } else {
                        o.addRowDots(m, k, alpha, a, aOff, lda, col, colOff, s, k);
                    }
                    for (int i = 0; i < m; i++) {
                        o.set(c, cOff + i * ldc + j, o.get(s, k + i));
                    }
                }
            }
        } finally {
            lease.release();
        }
    }
}
