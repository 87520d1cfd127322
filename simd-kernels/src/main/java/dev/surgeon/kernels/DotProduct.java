package dev.surgeon.kernels;

import static dev.surgeon.kernels.VectorOps.fma;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@code C ← alpha·A·B̄ᵀ + beta·C} for a small C and a long shared dimension, both operands read where they lie, rows
 * contiguous along k: A is m × k (row stride lda), B is n × k (row stride ldb), and B̄ is B or, when {@code ones}, B
 * with a last row of ones, so that C's last column holds the row sums of A (a convolution's bias gradient). Each entry
 * is a dot product: a 4×4 block of C keeps 16 vector accumulators that run along k (4 loads of A, 4 of B and 16
 * multiply-adds per step) and are summed across lanes once at the end.
 *
 * <p>Why not the packed product: a per-sample convolution weight gradient (LeNet-5's first convolution: C is 20 × 26,
 * k = 576) needs op(B) = Bᵀ packed k-major, a gather per k step and half panel, and C has only two row tiles to share
 * each packed panel: {@link FloatGemm} ran it at about 45 GFLOP/s, below a third of its speed on square products.
 * Here nothing is packed and every load is contiguous.
 */
final class DotProduct {
    private static final VectorSpecies<Float> S = VectorOps.FLOATS;
    private static final int L = S.length();
    private static final int BLOCK = 4;
    /** At most this many entries of C (m·n): beyond that the packed product reuses its panels enough to win. */
    static final int MAX_ENTRIES = 1024;
    /** At least this long a shared dimension: shorter dot products are dominated by the sums across lanes. */
    static final int MIN_DEPTH = 64;

    /** Per-thread landing place of one block's 16 sums. */
    private static final ThreadLocal<float[]> SUMS = ThreadLocal.withInitial(() -> new float[BLOCK * BLOCK]);

    private DotProduct() {
    }

    /** Whether an m × n product over k is one this class should compute. */
    static boolean suits(int m, int n, int k) {
        return (long) m * n <= MAX_ENTRIES && k >= MIN_DEPTH;
    }

    /**
     * C (m × (n + 1 if ones, else n)) ← alpha·A·B̄ᵀ + beta·C; C is not read when {@code beta == 0}. Arguments are
     * checked by the caller.
     */
    static void multiply(int m, int n, int k, float alpha, float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                         boolean ones, float beta, float[] c, int cOff, int ldc) {
        float[] sums = SUMS.get();
        for (int j0 = 0; j0 < n; j0 += BLOCK) {
            int cols = Math.min(BLOCK, n - j0);
            for (int i0 = 0; i0 < m; i0 += BLOCK) {
                int rows = Math.min(BLOCK, m - i0);
                // An edge block repeats its last row or column of A or B; only the live entries are stored.
                block(k, a, aOff + i0 * lda, lda, rows, b, bOff + j0 * ldb, ldb, cols, sums);
                for (int r = 0; r < rows; r++) {
                    int ci = cOff + (i0 + r) * ldc + j0;
                    for (int q = 0; q < cols; q++) {
                        c[ci + q] = merge(alpha * sums[r * BLOCK + q], beta, c[ci + q]);
                    }
                }
            }
        }
        if (ones) {
            for (int i = 0; i < m; i++) {
                int ci = cOff + i * ldc + n;
                c[ci] = merge(alpha * rowSum(k, a, aOff + i * lda), beta, c[ci]);
            }
        }
    }

    private static float merge(float t, float beta, float old) {
        return beta == 0 ? t : VectorOps.fma(beta, old, t);
    }

    /** Σ_p a[off + p] over p < k. */
    private static float rowSum(int k, float[] a, int off) {
        FloatVector s = FloatVector.zero(S);
        int bound = S.loopBound(k);
        int p = 0;
        for (; p < bound; p += L) {
            s = s.add(FloatVector.fromArray(S, a, off + p));
        }
        float tail = 0f;
        for (; p < k; p++) {
            tail += a[off + p];
        }
        // The halving folds, as in block.
        if (L >= 16) {
            s = s.add(s.rearrange(VectorOps.FLOAT_FOLD_8));
        }
        if (L >= 8) {
            s = s.add(s.rearrange(VectorOps.FLOAT_FOLD_4));
        }
        if (L >= 4) {
            s = s.add(s.rearrange(VectorOps.FLOAT_FOLD_2));
        }
        if (L >= 2) {
            s = s.add(s.rearrange(VectorOps.FLOAT_FOLD_1));
        }
        return (s.lane(0) + 0f) + tail;
    }

    /**
     * sums[r·4 + q] = Σ_p A[r][p]·B[q][p] for the 4 rows of A at {@code a0} and of B at {@code b0} (rows past
     * {@code rows} / {@code cols} repeat the last live one).
     */
    private static void block(int k, float[] a, int a0, int lda, int rows, float[] b, int b0, int ldb, int cols,
                              float[] sums) {
        int a1 = a0 + Math.min(1, rows - 1) * lda;
        int a2 = a0 + Math.min(2, rows - 1) * lda;
        int a3 = a0 + Math.min(3, rows - 1) * lda;
        int b1 = b0 + Math.min(1, cols - 1) * ldb;
        int b2 = b0 + Math.min(2, cols - 1) * ldb;
        int b3 = b0 + Math.min(3, cols - 1) * ldb;
        FloatVector s00 = FloatVector.zero(S); FloatVector s01 = FloatVector.zero(S);
        FloatVector s02 = FloatVector.zero(S); FloatVector s03 = FloatVector.zero(S);
        FloatVector s10 = FloatVector.zero(S); FloatVector s11 = FloatVector.zero(S);
        FloatVector s12 = FloatVector.zero(S); FloatVector s13 = FloatVector.zero(S);
        FloatVector s20 = FloatVector.zero(S); FloatVector s21 = FloatVector.zero(S);
        FloatVector s22 = FloatVector.zero(S); FloatVector s23 = FloatVector.zero(S);
        FloatVector s30 = FloatVector.zero(S); FloatVector s31 = FloatVector.zero(S);
        FloatVector s32 = FloatVector.zero(S); FloatVector s33 = FloatVector.zero(S);
        int bound = S.loopBound(k);
        int p = 0;
        for (; p < bound; p += L) {
            FloatVector x0 = FloatVector.fromArray(S, a, a0 + p);
            FloatVector x1 = FloatVector.fromArray(S, a, a1 + p);
            FloatVector x2 = FloatVector.fromArray(S, a, a2 + p);
            FloatVector x3 = FloatVector.fromArray(S, a, a3 + p);
            FloatVector y0 = FloatVector.fromArray(S, b, b0 + p);
            FloatVector y1 = FloatVector.fromArray(S, b, b1 + p);
            FloatVector y2 = FloatVector.fromArray(S, b, b2 + p);
            FloatVector y3 = FloatVector.fromArray(S, b, b3 + p);
            s00 = fma(x0, y0, s00); s01 = fma(x0, y1, s01); s02 = fma(x0, y2, s02); s03 = fma(x0, y3, s03);
            s10 = fma(x1, y0, s10); s11 = fma(x1, y1, s11); s12 = fma(x1, y2, s12); s13 = fma(x1, y3, s13);
            s20 = fma(x2, y0, s20); s21 = fma(x2, y1, s21); s22 = fma(x2, y2, s22); s23 = fma(x2, y3, s23);
            s30 = fma(x3, y0, s30); s31 = fma(x3, y1, s31); s32 = fma(x3, y2, s32); s33 = fma(x3, y3, s33);
        }
        // Lane sums by the halving folds of VectorOps.FLOAT_FOLD_8…1, written out: unlike reduceLanes(ADD) every JIT
        // tier adds in this order, so a training run's first (interpreted) steps give the bits the compiled ones do.
        if (L >= 16) {
            s00 = s00.add(s00.rearrange(VectorOps.FLOAT_FOLD_8)); s01 = s01.add(s01.rearrange(VectorOps.FLOAT_FOLD_8));
            s02 = s02.add(s02.rearrange(VectorOps.FLOAT_FOLD_8)); s03 = s03.add(s03.rearrange(VectorOps.FLOAT_FOLD_8));
            s10 = s10.add(s10.rearrange(VectorOps.FLOAT_FOLD_8)); s11 = s11.add(s11.rearrange(VectorOps.FLOAT_FOLD_8));
            s12 = s12.add(s12.rearrange(VectorOps.FLOAT_FOLD_8)); s13 = s13.add(s13.rearrange(VectorOps.FLOAT_FOLD_8));
            s20 = s20.add(s20.rearrange(VectorOps.FLOAT_FOLD_8)); s21 = s21.add(s21.rearrange(VectorOps.FLOAT_FOLD_8));
            s22 = s22.add(s22.rearrange(VectorOps.FLOAT_FOLD_8)); s23 = s23.add(s23.rearrange(VectorOps.FLOAT_FOLD_8));
            s30 = s30.add(s30.rearrange(VectorOps.FLOAT_FOLD_8)); s31 = s31.add(s31.rearrange(VectorOps.FLOAT_FOLD_8));
            s32 = s32.add(s32.rearrange(VectorOps.FLOAT_FOLD_8)); s33 = s33.add(s33.rearrange(VectorOps.FLOAT_FOLD_8));
        }
        if (L >= 8) {
            s00 = s00.add(s00.rearrange(VectorOps.FLOAT_FOLD_4)); s01 = s01.add(s01.rearrange(VectorOps.FLOAT_FOLD_4));
            s02 = s02.add(s02.rearrange(VectorOps.FLOAT_FOLD_4)); s03 = s03.add(s03.rearrange(VectorOps.FLOAT_FOLD_4));
            s10 = s10.add(s10.rearrange(VectorOps.FLOAT_FOLD_4)); s11 = s11.add(s11.rearrange(VectorOps.FLOAT_FOLD_4));
            s12 = s12.add(s12.rearrange(VectorOps.FLOAT_FOLD_4)); s13 = s13.add(s13.rearrange(VectorOps.FLOAT_FOLD_4));
            s20 = s20.add(s20.rearrange(VectorOps.FLOAT_FOLD_4)); s21 = s21.add(s21.rearrange(VectorOps.FLOAT_FOLD_4));
            s22 = s22.add(s22.rearrange(VectorOps.FLOAT_FOLD_4)); s23 = s23.add(s23.rearrange(VectorOps.FLOAT_FOLD_4));
            s30 = s30.add(s30.rearrange(VectorOps.FLOAT_FOLD_4)); s31 = s31.add(s31.rearrange(VectorOps.FLOAT_FOLD_4));
            s32 = s32.add(s32.rearrange(VectorOps.FLOAT_FOLD_4)); s33 = s33.add(s33.rearrange(VectorOps.FLOAT_FOLD_4));
        }
        if (L >= 4) {
            s00 = s00.add(s00.rearrange(VectorOps.FLOAT_FOLD_2)); s01 = s01.add(s01.rearrange(VectorOps.FLOAT_FOLD_2));
            s02 = s02.add(s02.rearrange(VectorOps.FLOAT_FOLD_2)); s03 = s03.add(s03.rearrange(VectorOps.FLOAT_FOLD_2));
            s10 = s10.add(s10.rearrange(VectorOps.FLOAT_FOLD_2)); s11 = s11.add(s11.rearrange(VectorOps.FLOAT_FOLD_2));
            s12 = s12.add(s12.rearrange(VectorOps.FLOAT_FOLD_2)); s13 = s13.add(s13.rearrange(VectorOps.FLOAT_FOLD_2));
            s20 = s20.add(s20.rearrange(VectorOps.FLOAT_FOLD_2)); s21 = s21.add(s21.rearrange(VectorOps.FLOAT_FOLD_2));
            s22 = s22.add(s22.rearrange(VectorOps.FLOAT_FOLD_2)); s23 = s23.add(s23.rearrange(VectorOps.FLOAT_FOLD_2));
            s30 = s30.add(s30.rearrange(VectorOps.FLOAT_FOLD_2)); s31 = s31.add(s31.rearrange(VectorOps.FLOAT_FOLD_2));
            s32 = s32.add(s32.rearrange(VectorOps.FLOAT_FOLD_2)); s33 = s33.add(s33.rearrange(VectorOps.FLOAT_FOLD_2));
        }
        if (L >= 2) {
            s00 = s00.add(s00.rearrange(VectorOps.FLOAT_FOLD_1)); s01 = s01.add(s01.rearrange(VectorOps.FLOAT_FOLD_1));
            s02 = s02.add(s02.rearrange(VectorOps.FLOAT_FOLD_1)); s03 = s03.add(s03.rearrange(VectorOps.FLOAT_FOLD_1));
            s10 = s10.add(s10.rearrange(VectorOps.FLOAT_FOLD_1)); s11 = s11.add(s11.rearrange(VectorOps.FLOAT_FOLD_1));
            s12 = s12.add(s12.rearrange(VectorOps.FLOAT_FOLD_1)); s13 = s13.add(s13.rearrange(VectorOps.FLOAT_FOLD_1));
            s20 = s20.add(s20.rearrange(VectorOps.FLOAT_FOLD_1)); s21 = s21.add(s21.rearrange(VectorOps.FLOAT_FOLD_1));
            s22 = s22.add(s22.rearrange(VectorOps.FLOAT_FOLD_1)); s23 = s23.add(s23.rearrange(VectorOps.FLOAT_FOLD_1));
            s30 = s30.add(s30.rearrange(VectorOps.FLOAT_FOLD_1)); s31 = s31.add(s31.rearrange(VectorOps.FLOAT_FOLD_1));
            s32 = s32.add(s32.rearrange(VectorOps.FLOAT_FOLD_1)); s33 = s33.add(s33.rearrange(VectorOps.FLOAT_FOLD_1));
        }
        sums[0] = s00.lane(0) + 0f; sums[1] = s01.lane(0) + 0f;
        sums[2] = s02.lane(0) + 0f; sums[3] = s03.lane(0) + 0f;
        sums[4] = s10.lane(0) + 0f; sums[5] = s11.lane(0) + 0f;
        sums[6] = s12.lane(0) + 0f; sums[7] = s13.lane(0) + 0f;
        sums[8] = s20.lane(0) + 0f; sums[9] = s21.lane(0) + 0f;
        sums[10] = s22.lane(0) + 0f; sums[11] = s23.lane(0) + 0f;
        sums[12] = s30.lane(0) + 0f; sums[13] = s31.lane(0) + 0f;
        sums[14] = s32.lane(0) + 0f; sums[15] = s33.lane(0) + 0f;
        if (bound < k) {
            tail(bound, k, a, a0, lda, rows, b, b0, ldb, cols, sums);
        }
    }

    /**
     * Adds the products of k steps [from, k) to the 16 sums, one float at a time. Kept out of {@link #block}: with a
     * masked copy of its loop body the method had too many vector temporaries for C1's register allocator, which then
     * left it to an interpreter-speed tier that boxed every vector (50× slower, gigabytes allocated).
     */
    private static void tail(int from, int k, float[] a, int a0, int lda, int rows, float[] b, int b0, int ldb, int cols,
                             float[] sums) {
        for (int r = 0; r < BLOCK; r++) {
            // The same repeated last row or column as block's.
            int rowA = a0 + Math.min(r, rows - 1) * lda;
            for (int q = 0; q < BLOCK; q++) {
                int rowB = b0 + Math.min(q, cols - 1) * ldb;
                float t = 0f;
                for (int p = from; p < k; p++) {
                    t = VectorOps.fma(a[rowA + p], b[rowB + p], t);
                }
                sums[r * BLOCK + q] += t;
            }
        }
    }
}
