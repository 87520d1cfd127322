package dev.surgeon.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

/**
 * Implicit GEMM for stride-1, unpadded convolutions: {@link FloatGemm}'s B micro-panels gathered straight from the
 * NCHW image instead of from an unfolded X = im2col(x) (Chellapilla et al. 2006's matrix, as {@link Kernels#im2col}
 * lays it out). X is never written, which saves writing and re-reading d_col × B·|T| floats per product (16 MB per
 * batch for LeNet-5's second convolution, twice per training step).
 *
 * <p>Two shapes of op(B):
 * <ul>
 *   <li>{@code transposed = false} (forward, C = W·X): op(B) = X, d_col × cols. Entry (p, j) with p = (c, ky, kx) and
 *       j = (n, oy, ox) is {@code x[n, c, oy + ky, ox + kx]} = x[colOffset(j) + rowOffset(p)]: one gather per half
 *       panel and k step, lane offsets colOffset(j) fixed per panel, base rowOffset(p) per k step.</li>
 *   <li>{@code transposed = true} (weight gradient, C = Δ·[X; 1]ᵀ): op(B) = [X; 1]ᵀ, cols × (d_col + 1). Entry
 *       (p, j) is X[j, p], with lane offsets rowOffset(j) per panel and base colOffset(p) per k step; the column
 *       j = d_col, present when {@code ones}, is the constant 1 (the bias gradient).</li>
 * </ul>
 * Masked-off lanes load 0, so partial panels are zero-padded as {@link FloatGemm#packB} pads them. One instance per
 * calling thread is reused ({@link #of}); worker threads of a parallel product only read it.
 */
final class ConvolutionPanels implements PackedProduct.PanelSource<float[]> {
    private static final VectorSpecies<Float> S = VectorOps.FLOATS;
    private static final int L = S.length();
    private static final int NR = FloatGemm.NR;
    private static final ThreadLocal<ConvolutionPanels> PER_THREAD = ThreadLocal.withInitial(ConvolutionPanels::new);
    private static final ThreadLocal<int[]> OFFSETS = ThreadLocal.withInitial(() -> new int[NR]);

    private float[] x;
    private int xOff;
    private int from;
    private boolean transposed;
    private boolean ones;
    private int kernel;
    private int width;
    private int planeSize;
    private int sampleSize;
    private int outWidth;
    private int positions;
    private int patch;

    private ConvolutionPanels() {
    }

    /** The calling thread's instance, set up for one product. Stride 1 and no padding only. */
    static ConvolutionPanels of(ConvolutionGeometry g, float[] x, int xOff, int from, boolean transposed, boolean ones) {
        ConvolutionPanels p = PER_THREAD.get();
        p.x = x;
        p.xOff = xOff;
        p.from = from;
        p.transposed = transposed;
        p.ones = ones;
        p.kernel = g.kernel();
        p.width = g.width();
        p.planeSize = g.height() * g.width();
        p.sampleSize = g.channels() * p.planeSize;
        p.outWidth = g.outWidth();
        p.positions = g.positions();
        p.patch = g.patch();
        return p;
    }

    /** Drops the image reference once the product is done. */
    void clear() {
        x = null;
    }

    /** Offset of row p = (c, ky, kx) of X within a sample. */
    private int rowOffset(int p) {
        int kk = kernel * kernel;
        int c = p / kk;
        int r = p - c * kk;
        int ky = r / kernel;
        return c * planeSize + ky * width + (r - ky * kernel);
    }

    /** Offset of column j = (n − from, oy, ox) of X from sample 0. */
    private int colOffset(int j) {
        int n = j / positions;
        int t = j - n * positions;
        int oy = t / outWidth;
        return (from + n) * sampleSize + oy * width + (t - oy * outWidth);
    }

    @Override
    public void pack(int p0, int depth, int j0, int cols, float[] dst, int dstOff) {
        // The k steps walk (c, ky, kx) (forward) or (n, oy, ox) (transposed) with counters: two divisions per step
        // cost about as much as the two gathers.
        int outer;
        int middle;
        int inner;
        int innerEnd;
        int middleEnd;
        int outerStride;
        if (transposed) {
            int n = p0 / positions;
            int t = p0 - n * positions;
            outer = from + n;
            middle = t / outWidth;
            inner = t - middle * outWidth;
            innerEnd = outWidth;
            middleEnd = positions / outWidth;
            outerStride = sampleSize;
        } else {
            int kk = kernel * kernel;
            outer = p0 / kk;
            int r = p0 - outer * kk;
            middle = r / kernel;
            inner = r - middle * kernel;
            innerEnd = kernel;
            middleEnd = kernel;
            outerStride = planeSize;
        }
        if (!transposed && cols == NR) {
            // The last k step reads furthest into the image: row offset (c, ky, kx) of k index p0 + depth − 1.
            int lastBase = xOff + rowOffset(p0 + depth - 1);
            if (loadsRows(j0, lastBase) && loadsRows(j0 + L, lastBase)) {
                packRows(j0, depth, dst, dstOff, outer, middle, inner, innerEnd, middleEnd, outerStride);
                return;
            }
        }
        int[] lanes = OFFSETS.get();
        int live = cols;
        boolean withOnes = false;
        if (transposed) {
            live = Math.max(0, Math.min(cols, patch - j0));
            withOnes = ones && j0 + live == patch && live < cols;
            for (int q = 0; q < NR; q++) {
                lanes[q] = q < live ? rowOffset(j0 + q) : 0;
            }
        } else {
            for (int q = 0; q < NR; q++) {
                lanes[q] = q < live ? colOffset(j0 + q) : 0;
            }
        }
        VectorMask<Float> lo = VectorOps.floatPrefix(live);
        VectorMask<Float> hi = VectorOps.floatPrefix(live - L);
        for (int p = 0, d = dstOff; p < depth; p++, d += NR) {
            int base = xOff + outer * outerStride + middle * width + inner;
            FloatVector.fromArray(S, x, base, lanes, 0, lo).intoArray(dst, d);
            FloatVector.fromArray(S, x, base, lanes, L, hi).intoArray(dst, d + L);
            if (withOnes) {
                // One scalar store in one panel of the product: masks built per call for a blend (andNot of two
                // table masks) were boxed in some JIT runs, 270 KB per LeNet-5 step.
                dst[d + live] = 1f;
            }
            if (++inner == innerEnd) {
                inner = 0;
                if (++middle == middleEnd) {
                    middle = 0;
                    outer++;
                }
            }
        }
    }

    /**
     * Lanes of a forward half panel starting at column j that lie in its first output row (at most L); the rest, if
     * any, start the next output row.
     */
    private int firstRun(int j) {
        return Math.min(L, outWidth - (j % positions) % outWidth);
    }

    /** Where the second load of the half panel at column j starts: lane {@link #firstRun} lands on the next row. */
    private int secondLoad(int j) {
        int first = firstRun(j);
        return first < L ? colOffset(j + first) - first : colOffset(j);
    }

    /**
     * Whether the L lanes of a forward half panel starting at column j are one run of one output row, or the end of one
     * output row and the start of the next in the same sample, and both loads stay inside the image up to the last k
     * step (base {@code lastBase}); otherwise the panel is gathered.
     */
    private boolean loadsRows(int j, int lastBase) {
        int first = firstRun(j);
        boolean rows = first == L || (j % positions + L <= positions && L - first <= outWidth);
        return rows && lastBase + Math.max(colOffset(j), secondLoad(j)) + L <= x.length;
    }

    /**
     * A full forward panel whose two halves are each one run or two runs of output rows (LeNet-5's second convolution:
     * 8 + 8 columns per half): per k step two loads and a blend per half instead of a gather. On this machine a 16-lane
     * gather cost about 2.2 ns against 0.8 ns for two loads and a blend.
     */
    private void packRows(int j0, int depth, float[] dst, int dstOff, int outer, int middle, int inner, int innerEnd,
                          int middleEnd, int outerStride) {
        int lo1 = colOffset(j0);
        int lo2 = secondLoad(j0);
        int hi1 = colOffset(j0 + L);
        int hi2 = secondLoad(j0 + L);
        VectorMask<Float> loRun = VectorOps.floatPrefix(firstRun(j0));
        VectorMask<Float> hiRun = VectorOps.floatPrefix(firstRun(j0 + L));
        for (int p = 0, d = dstOff; p < depth; p++, d += NR) {
            int base = xOff + outer * outerStride + middle * width + inner;
            // Lanes of the second row from the second load, the first row's from the first (a full mask: one run).
            FloatVector.fromArray(S, x, base + lo2).blend(FloatVector.fromArray(S, x, base + lo1), loRun)
                    .intoArray(dst, d);
            FloatVector.fromArray(S, x, base + hi2).blend(FloatVector.fromArray(S, x, base + hi1), hiRun)
                    .intoArray(dst, d + L);
            if (++inner == innerEnd) {
                inner = 0;
                if (++middle == middleEnd) {
                    middle = 0;
                    outer++;
                }
            }
        }
    }
}
