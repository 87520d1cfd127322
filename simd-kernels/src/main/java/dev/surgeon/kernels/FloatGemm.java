package dev.surgeon.kernels;

import static dev.surgeon.kernels.VectorOps.fma;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

/**
 * Single-precision packing and micro-kernels for {@link PackedProduct} ({@code sgemm}, {@code ssyrk}).
 *
 * <p>The register tile is chosen from the species when the class initializes. With 512-bit vectors
 * (AVX-512, which also brings 32 vector registers) it is 12×32: 24 accumulators, 2 B loads and 12
 * broadcasts per k step; in L1 on a Sapphire Rapids core it ran at ~194 GFLOP/s against ~185 for 8×32 and
 * ~141 for 4×32 (peak ≈ 2 FMA ports × 16 lanes × 2 flops × clock). Narrower species get 4×2L with 8
 * accumulators, which fits the 16 registers of AVX2 without spilling (../shared/docs/KERNELS.md: 12
 * accumulators spilled there). KC keeps one B micro-panel (KC×NR) in L1 while A micro-panels stream from
 * L2; MC×KC of packed A fits in half of a 2 MiB L2.
 */
final class FloatGemm extends PackedProduct<float[]> {
    private static final VectorSpecies<Float> S = VectorOps.FLOATS;
    private static final int L = S.length();
    private static final boolean WIDE = L >= 16;
    static final int MR = WIDE ? 12 : 4;
    static final int NR = 2 * L;
    private static final int KC = 256;
    private static final int MC = 144;
    private static final int NC = 2048;

    static final FloatGemm INSTANCE = new FloatGemm();

    private FloatGemm() {
        super(MR, NR, KC, MC, NC);
    }

    @Override
    float[] primary(PackingBuffers.Lease lease, int size) {
        return lease.floats(size);
    }

    @Override
    float[] secondary(PackingBuffers.Lease lease, int size) {
        return lease.floats2(size);
    }

    @Override
    void packA(boolean trans, float[] a, int aOff, int lda, int i0, int rows, int p0, int depth, float[] dst) {
        for (int ir = 0, q = 0; ir < rows; ir += MR, q += MR * depth) {
            int h = Math.min(MR, rows - ir);
            VectorMask<Float> live = VectorOps.floatPrefix(h);
            if (trans) {
                // op(A)[i][p] = A[p][i]: the h entries of one k step are contiguous in A; the masked-off lanes
                // load as zero and pad the panel.
                int src = aOff + p0 * lda + i0 + ir;
                if (src + (depth - 1) * lda + L > a.length) {
                    // Past the array's end a masked load takes the Vector API's lane-by-lane path, which allocates.
                    packScalar(a, src, lda, depth, h, dst, q, MR);
                    continue;
                }
                for (int p = 0; p < depth; p++, src += lda) {
                    FloatVector.fromArray(S, a, src, live).intoArray(dst, q + p * MR, PANEL_ROWS);
                }
            } else {
                // h rows, each contiguous along k: one masked gather per k step (the offsets of masked-off lanes
                // are 0, as the Vector API range-checks them too), one masked store.
                int[] rowOffsets = VectorOps.gatherOffsets(h == MR ? ROWS_OF_A : EDGE_ROWS, lda, h);
                int src = aOff + (i0 + ir) * lda + p0;
                for (int p = 0; p < depth; p++) {
                    FloatVector.fromArray(S, a, src + p, rowOffsets, 0, live).intoArray(dst, q + p * MR, PANEL_ROWS);
                }
            }
        }
    }

    @Override
    void packB(boolean trans, float[] b, int bOff, int ldb, int p0, int depth, int j0, int cols, float[] dst,
               int dstOff) {
        if (trans && cols == NR) {
            // One gather per half panel and k step: on LeNet-sized products (64 × 300 × 784, B = Wᵀ) this packing
            // ran at a quarter of the product's time when written element by element, 28 % slower than NN.
            int[] rows = VectorOps.gatherOffsets(ROWS_OF_B, ldb, L);
            int base = bOff + j0 * ldb + p0;
            int second = base + L * ldb;
            for (int p = 0; p < depth; p++) {
                int d = dstOff + p * NR;
                FloatVector.fromArray(S, b, base + p, rows, 0).intoArray(dst, d);
                FloatVector.fromArray(S, b, second + p, rows, 0).intoArray(dst, d + L);
            }
        } else if (trans) {
            // A partial panel (the last columns of op(B)): masked gathers, zero past the last column. Written
            // element by element this was a third of LeNet-5's per-sample weight-gradient products (26 columns).
            int first = Math.min(L, cols);
            int rest = cols - first;
            int[] lo = VectorOps.gatherOffsets(EDGE_COLUMNS, ldb, first);
            VectorMask<Float> loLive = VectorOps.floatPrefix(first);
            int base = bOff + j0 * ldb + p0;
            if (rest == 0) {
                FloatVector zero = FloatVector.zero(S);
                for (int p = 0; p < depth; p++) {
                    int d = dstOff + p * NR;
                    FloatVector.fromArray(S, b, base + p, lo, 0, loLive).intoArray(dst, d);
                    zero.intoArray(dst, d + L);
                }
            } else {
                int[] hi = VectorOps.gatherOffsets(EDGE_COLUMNS_2, ldb, rest);
                VectorMask<Float> hiLive = VectorOps.floatPrefix(rest);
                int second = base + L * ldb;
                for (int p = 0; p < depth; p++) {
                    int d = dstOff + p * NR;
                    FloatVector.fromArray(S, b, base + p, lo, 0, loLive).intoArray(dst, d);
                    FloatVector.fromArray(S, b, second + p, hi, 0, hiLive).intoArray(dst, d + L);
                }
            }
        } else {
            VectorMask<Float> loLive = VectorOps.floatPrefix(cols);
            VectorMask<Float> hiLive = VectorOps.floatPrefix(cols - L);
            if (bOff + (p0 + depth - 1) * ldb + j0 + NR > b.length) {
                // Past the array's end a masked load takes the Vector API's lane-by-lane path, which allocates.
                packScalar(b, bOff + p0 * ldb + j0, ldb, depth, cols, dst, dstOff, NR);
                return;
            }
            for (int p = 0; p < depth; p++) {
                int src = bOff + (p0 + p) * ldb + j0;
                int d = dstOff + p * NR;
                FloatVector.fromArray(S, b, src, loLive).intoArray(dst, d);
                FloatVector.fromArray(S, b, src + L, hiLive).intoArray(dst, d + L);
            }
        }
    }

    /**
     * {@code dst[d + p·width + q] = src[s + p·ld + q]} for q < live, 0 up to width, over depth steps: a panel near the
     * end of its source array, one float at a time. Its own method: scalar code beside the vector loops of the callers
     * made C2 leave their vectors boxed (megabytes per training step).
     */
    private static void packScalar(float[] src, int s, int ld, int depth, int live, float[] dst, int d, int width) {
        for (int p = 0; p < depth; p++) {
            for (int q = 0; q < width; q++) {
                dst[d + p * width + q] = q < live ? src[s + p * ld + q] : 0f;
            }
        }
    }

    /** The first MR lanes: one k step of an A panel. */
    private static final VectorMask<Float> PANEL_ROWS = VectorOps.floatPrefix(MR);

    private static final ThreadLocal<int[]> ROWS_OF_A = VectorOps.gatherOffsetCache();
    private static final ThreadLocal<int[]> ROWS_OF_B = VectorOps.gatherOffsetCache();
    private static final ThreadLocal<int[]> EDGE_ROWS = VectorOps.gatherOffsetCache();
    private static final ThreadLocal<int[]> EDGE_COLUMNS = VectorOps.gatherOffsetCache();
    private static final ThreadLocal<int[]> EDGE_COLUMNS_2 = VectorOps.gatherOffsetCache();

    @Override
    void kernel(int rows, int depth, float[] ap, int ai, float[] bp, int bi, int bStride, float[] tile, int ti,
                int ld) {
        if (!WIDE || rows <= 4) {
            kernel4x2(depth, ap, ai, bp, bi, bStride, tile, ti, ld);
        } else if (rows <= 8) {
            // An edge panel with 5–8 live rows (e.g. 20 = 12 + 8 filters): two thirds of the full kernel's work.
            kernel8x2(depth, ap, ai, bp, bi, bStride, tile, ti, ld);
        } else {
            kernel12x2(depth, ap, ai, bp, bi, bStride, tile, ti, ld);
        }
    }

    @Override
    void mergeTile(float[] tile, int rows, int cols, float[] c, int ci, int ldc, double alpha, double beta,
                   Uplo tri, int diag) {
        float al = (float) alpha;
        float be = (float) beta;
        if (tri == null && rows == MR && cols == NR) {
            mergeFullTile(tile, c, ci, ldc, al, be);
            return;
        }
        if (tri == null) {
            mergeEdgeTile(tile, rows, cols, c, ci, ldc, al, be);
            return;
        }
        mergeScalar(tile, rows, cols, c, ci, ldc, al, be, tri, diag);
    }

    /**
     * A tile that overhangs C (the last rows or columns): masked vectors per row. Element by element this merge
     * cost more than the micro-kernel on short products (LeNet-5's first convolution: 20 rows = 12 + 8, depth 26).
     */
    private static void mergeEdgeTile(float[] tile, int rows, int cols, float[] c, int ci, int ldc, float alpha,
                                      float beta) {
        if (ci + (rows - 1) * ldc + (cols - 1) / L * L + L > c.length) {
            // The last row's masked vector would reach past C's end, where the Vector API takes a lane-by-lane path
            // that allocates on every call: this tile goes one float at a time, in a method of its own (scalar code
            // beside vector loops made C2 leave their vectors boxed).
            mergeScalar(tile, rows, cols, c, ci, ldc, alpha, beta, null, 0);
            return;
        }
        FloatVector al = FloatVector.broadcast(S, alpha);
        FloatVector be = FloatVector.broadcast(S, beta);
        for (int v = 0; v < cols; v += L) {
            VectorMask<Float> live = VectorOps.floatPrefix(cols - v);
            for (int r = 0; r < rows; r++) {
                int i = ci + r * ldc + v;
                FloatVector t = FloatVector.fromArray(S, tile, r * NR + v).mul(al);
                if (beta != 0) {
                    t = fma(FloatVector.fromArray(S, c, i, live), be, t);
                }
                t.intoArray(c, i, live);
            }
        }
    }

    /**
     * {@code C ← alpha·tile + beta·C} over rows × cols, one float at a time (C not read when beta is 0), only where the
     * entry lies in the triangle {@code tri} (null: everywhere; {@code diag} as in {@link #mergeTile}).
     */
    private static void mergeScalar(float[] tile, int rows, int cols, float[] c, int ci, int ldc, float alpha,
                                    float beta, Uplo tri, int diag) {
        for (int r = 0; r < rows; r++) {
            int lo = tri == Uplo.UPPER ? Math.max(0, r + diag) : 0;
            int hi = tri == Uplo.LOWER ? Math.min(cols, r + diag + 1) : cols;
            int row = ci + r * ldc;
            for (int col = lo; col < hi; col++) {
                float t = alpha * tile[r * NR + col];
                c[row + col] = beta == 0 ? t : fma(beta, c[row + col], t);
            }
        }
    }

    private static void mergeFullTile(float[] tile, float[] c, int ci, int ldc, float alpha, float beta) {
        FloatVector al = FloatVector.broadcast(S, alpha);
        if (beta == 0) {
            for (int r = 0; r < MR; r++) {
                for (int v = 0; v < NR; v += L) {
                    FloatVector.fromArray(S, tile, r * NR + v).mul(al).intoArray(c, ci + r * ldc + v);
                }
            }
        } else {
            FloatVector be = FloatVector.broadcast(S, beta);
            for (int r = 0; r < MR; r++) {
                for (int v = 0; v < NR; v += L) {
                    int i = ci + r * ldc + v;
                    FloatVector t = FloatVector.fromArray(S, tile, r * NR + v).mul(al);
                    fma(FloatVector.fromArray(S, c, i), be, t).intoArray(c, i);
                }
            }
        }
    }

    /** 12×2·L register tile: 24 accumulators, 2 B loads and 12 broadcasts per k step. */
    private static void kernel12x2(int depth, float[] ap, int ai, float[] bp, int bi, int bStride, float[] tile,
                                   int ti, int ld) {
        FloatVector c0a = FloatVector.zero(S); FloatVector c0b = FloatVector.zero(S);
        FloatVector c1a = FloatVector.zero(S); FloatVector c1b = FloatVector.zero(S);
        FloatVector c2a = FloatVector.zero(S); FloatVector c2b = FloatVector.zero(S);
        FloatVector c3a = FloatVector.zero(S); FloatVector c3b = FloatVector.zero(S);
        FloatVector c4a = FloatVector.zero(S); FloatVector c4b = FloatVector.zero(S);
        FloatVector c5a = FloatVector.zero(S); FloatVector c5b = FloatVector.zero(S);
        FloatVector c6a = FloatVector.zero(S); FloatVector c6b = FloatVector.zero(S);
        FloatVector c7a = FloatVector.zero(S); FloatVector c7b = FloatVector.zero(S);
        FloatVector c8a = FloatVector.zero(S); FloatVector c8b = FloatVector.zero(S);
        FloatVector c9a = FloatVector.zero(S); FloatVector c9b = FloatVector.zero(S);
        FloatVector c10a = FloatVector.zero(S); FloatVector c10b = FloatVector.zero(S);
        FloatVector c11a = FloatVector.zero(S); FloatVector c11b = FloatVector.zero(S);
        for (int p = 0; p < depth; p++) {
            int b = bi + p * bStride;
            int a = ai + p * 12;
            FloatVector b0 = FloatVector.fromArray(S, bp, b);
            FloatVector b1 = FloatVector.fromArray(S, bp, b + L);
            FloatVector x;
            x = FloatVector.broadcast(S, ap[a]);
            c0a = fma(x, b0, c0a); c0b = fma(x, b1, c0b);
            x = FloatVector.broadcast(S, ap[a + 1]);
            c1a = fma(x, b0, c1a); c1b = fma(x, b1, c1b);
            x = FloatVector.broadcast(S, ap[a + 2]);
            c2a = fma(x, b0, c2a); c2b = fma(x, b1, c2b);
            x = FloatVector.broadcast(S, ap[a + 3]);
            c3a = fma(x, b0, c3a); c3b = fma(x, b1, c3b);
            x = FloatVector.broadcast(S, ap[a + 4]);
            c4a = fma(x, b0, c4a); c4b = fma(x, b1, c4b);
            x = FloatVector.broadcast(S, ap[a + 5]);
            c5a = fma(x, b0, c5a); c5b = fma(x, b1, c5b);
            x = FloatVector.broadcast(S, ap[a + 6]);
            c6a = fma(x, b0, c6a); c6b = fma(x, b1, c6b);
            x = FloatVector.broadcast(S, ap[a + 7]);
            c7a = fma(x, b0, c7a); c7b = fma(x, b1, c7b);
            x = FloatVector.broadcast(S, ap[a + 8]);
            c8a = fma(x, b0, c8a); c8b = fma(x, b1, c8b);
            x = FloatVector.broadcast(S, ap[a + 9]);
            c9a = fma(x, b0, c9a); c9b = fma(x, b1, c9b);
            x = FloatVector.broadcast(S, ap[a + 10]);
            c10a = fma(x, b0, c10a); c10b = fma(x, b1, c10b);
            x = FloatVector.broadcast(S, ap[a + 11]);
            c11a = fma(x, b0, c11a); c11b = fma(x, b1, c11b);
        }
        c0a.intoArray(tile, ti); c0b.intoArray(tile, ti + L);
        c1a.intoArray(tile, ti + 1 * ld); c1b.intoArray(tile, ti + 1 * ld + L);
        c2a.intoArray(tile, ti + 2 * ld); c2b.intoArray(tile, ti + 2 * ld + L);
        c3a.intoArray(tile, ti + 3 * ld); c3b.intoArray(tile, ti + 3 * ld + L);
        c4a.intoArray(tile, ti + 4 * ld); c4b.intoArray(tile, ti + 4 * ld + L);
        c5a.intoArray(tile, ti + 5 * ld); c5b.intoArray(tile, ti + 5 * ld + L);
        c6a.intoArray(tile, ti + 6 * ld); c6b.intoArray(tile, ti + 6 * ld + L);
        c7a.intoArray(tile, ti + 7 * ld); c7b.intoArray(tile, ti + 7 * ld + L);
        c8a.intoArray(tile, ti + 8 * ld); c8b.intoArray(tile, ti + 8 * ld + L);
        c9a.intoArray(tile, ti + 9 * ld); c9b.intoArray(tile, ti + 9 * ld + L);
        c10a.intoArray(tile, ti + 10 * ld); c10b.intoArray(tile, ti + 10 * ld + L);
        c11a.intoArray(tile, ti + 11 * ld); c11b.intoArray(tile, ti + 11 * ld + L);
    }

    /** 8×2·L register tile over a 12-row A panel: the kernel of an edge panel with 5 to 8 live rows. */
    private static void kernel8x2(int depth, float[] ap, int ai, float[] bp, int bi, int bStride, float[] tile,
                                   int ti, int ld) {
        FloatVector c0a = FloatVector.zero(S); FloatVector c0b = FloatVector.zero(S);
        FloatVector c1a = FloatVector.zero(S); FloatVector c1b = FloatVector.zero(S);
        FloatVector c2a = FloatVector.zero(S); FloatVector c2b = FloatVector.zero(S);
        FloatVector c3a = FloatVector.zero(S); FloatVector c3b = FloatVector.zero(S);
        FloatVector c4a = FloatVector.zero(S); FloatVector c4b = FloatVector.zero(S);
        FloatVector c5a = FloatVector.zero(S); FloatVector c5b = FloatVector.zero(S);
        FloatVector c6a = FloatVector.zero(S); FloatVector c6b = FloatVector.zero(S);
        FloatVector c7a = FloatVector.zero(S); FloatVector c7b = FloatVector.zero(S);
        for (int p = 0; p < depth; p++) {
            int b = bi + p * bStride;
            int a = ai + p * MR;
            FloatVector b0 = FloatVector.fromArray(S, bp, b);
            FloatVector b1 = FloatVector.fromArray(S, bp, b + L);
            FloatVector x;
            x = FloatVector.broadcast(S, ap[a]);
            c0a = fma(x, b0, c0a); c0b = fma(x, b1, c0b);
            x = FloatVector.broadcast(S, ap[a + 1]);
            c1a = fma(x, b0, c1a); c1b = fma(x, b1, c1b);
            x = FloatVector.broadcast(S, ap[a + 2]);
            c2a = fma(x, b0, c2a); c2b = fma(x, b1, c2b);
            x = FloatVector.broadcast(S, ap[a + 3]);
            c3a = fma(x, b0, c3a); c3b = fma(x, b1, c3b);
            x = FloatVector.broadcast(S, ap[a + 4]);
            c4a = fma(x, b0, c4a); c4b = fma(x, b1, c4b);
            x = FloatVector.broadcast(S, ap[a + 5]);
            c5a = fma(x, b0, c5a); c5b = fma(x, b1, c5b);
            x = FloatVector.broadcast(S, ap[a + 6]);
            c6a = fma(x, b0, c6a); c6b = fma(x, b1, c6b);
            x = FloatVector.broadcast(S, ap[a + 7]);
            c7a = fma(x, b0, c7a); c7b = fma(x, b1, c7b);
        }
        c0a.intoArray(tile, ti); c0b.intoArray(tile, ti + L);
        c1a.intoArray(tile, ti + 1 * ld); c1b.intoArray(tile, ti + 1 * ld + L);
        c2a.intoArray(tile, ti + 2 * ld); c2b.intoArray(tile, ti + 2 * ld + L);
        c3a.intoArray(tile, ti + 3 * ld); c3b.intoArray(tile, ti + 3 * ld + L);
        c4a.intoArray(tile, ti + 4 * ld); c4b.intoArray(tile, ti + 4 * ld + L);
        c5a.intoArray(tile, ti + 5 * ld); c5b.intoArray(tile, ti + 5 * ld + L);
        c6a.intoArray(tile, ti + 6 * ld); c6b.intoArray(tile, ti + 6 * ld + L);
        c7a.intoArray(tile, ti + 7 * ld); c7b.intoArray(tile, ti + 7 * ld + L);
    }

    /**
     * 4×2·L register tile: 8 accumulators, 2 B loads and 4 broadcasts per k step. The whole kernel when vectors are
     * narrow (MR = 4); with MR = 12 the kernel of an edge panel with at most 4 live rows (LeNet-5's 50 filters end
     * in a 2-row panel, which the 12-row kernel computed at the cost of a full one).
     */
    private static void kernel4x2(int depth, float[] ap, int ai, float[] bp, int bi, int bStride, float[] tile,
                                   int ti, int ld) {
        FloatVector c0a = FloatVector.zero(S); FloatVector c0b = FloatVector.zero(S);
        FloatVector c1a = FloatVector.zero(S); FloatVector c1b = FloatVector.zero(S);
        FloatVector c2a = FloatVector.zero(S); FloatVector c2b = FloatVector.zero(S);
        FloatVector c3a = FloatVector.zero(S); FloatVector c3b = FloatVector.zero(S);
        for (int p = 0; p < depth; p++) {
            int b = bi + p * bStride;
            int a = ai + p * MR;
            FloatVector b0 = FloatVector.fromArray(S, bp, b);
            FloatVector b1 = FloatVector.fromArray(S, bp, b + L);
            FloatVector x;
            x = FloatVector.broadcast(S, ap[a]);
            c0a = fma(x, b0, c0a); c0b = fma(x, b1, c0b);
            x = FloatVector.broadcast(S, ap[a + 1]);
            c1a = fma(x, b0, c1a); c1b = fma(x, b1, c1b);
            x = FloatVector.broadcast(S, ap[a + 2]);
            c2a = fma(x, b0, c2a); c2b = fma(x, b1, c2b);
            x = FloatVector.broadcast(S, ap[a + 3]);
            c3a = fma(x, b0, c3a); c3b = fma(x, b1, c3b);
        }
        c0a.intoArray(tile, ti); c0b.intoArray(tile, ti + L);
        c1a.intoArray(tile, ti + 1 * ld); c1b.intoArray(tile, ti + 1 * ld + L);
        c2a.intoArray(tile, ti + 2 * ld); c2b.intoArray(tile, ti + 2 * ld + L);
        c3a.intoArray(tile, ti + 3 * ld); c3b.intoArray(tile, ti + 3 * ld + L);
    }

}
