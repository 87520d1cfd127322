package dev.surgeon.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

/**
 * col2im fused into the product that computes a convolution's unfolded input gradient (Kernels#col2imProduct): each
 * MR×NR tile of Wᵀ·Δ is folded into the image as soon as the micro-kernel has it, so the d_col × cols matrix (16 MB
 * per batch for LeNet-5's second convolution) is neither written nor read back. Measured in a LeNet-5 training step,
 * the separate col2im took 2.8 ms reading that matrix, against 1.4 ms when the same call read an L2-resident one.
 *
 * <p>Geometry: stride 1, no padding, image rows no wider than a vector, outWidth dividing the vector length and |T|
 * a multiple of NR, so that each tile's columns are whole output rows of one sample. The image sample being folded is
 * summed in a per-thread L1 scratch with one vector-aligned slot per (channel, image row), as in
 * {@link VectorConvolutionLayout}'s col2im: tile row p = (c, ky, kx), output row oy adds its outWidth entries, loaded
 * from kx floats before them with lanes [kx, kx + outWidth) live, to slot (c, oy + ky); the rows of one (c, ky) are
 * summed in a register before they touch the slot. A slot is read right after being stored at the same address, so
 * the load is forwarded. When the tiles move on to the next sample (every row of
 * a column panel arrives before the next panel, {@link PackedProduct.TileSink}), the finished sample is stored whole.
 * Per pixel the terms are those of gemm then col2im, in another order (a sample's upper output rows, in the first
 * column panel, before its lower ones): the results agree to float rounding, and do not depend on the thread count
 * (tasks own whole samples).
 */
final class Col2imSink implements PackedProduct.TileSink<float[]> {
    private static final VectorSpecies<Float> S = VectorOps.FLOATS;
    private static final int L = S.length();
    private static final int NR = FloatGemm.NR;
    private static final ThreadLocal<Col2imSink> PER_THREAD = ThreadLocal.withInitial(Col2imSink::new);
    private static final ThreadLocal<Fold> FOLD = ThreadLocal.withInitial(Fold::new);

    /** One thread's sample in progress, for the product {@code (owner, call)}. */
    private static final class Fold {
        float[] acc = new float[0];
        int sample = -1;
        Col2imSink owner;
        long call;
    }

    private float[] x;
    private int xOff;
    private int from;
    private float alpha;
    private int channels;
    private int height;
    private int width;
    private int outWidth;
    private int positions;
    private int inputSize;
    /** Per row p of the unfolded gradient: its first slot (c·height + ky)·L, and kx. */
    private int[] rowSlot = new int[0];
    private int[] rowShift = new int[0];
    private int kernel = -1;
    private int patch = -1;
    /** Counts this thread's products, so that a fold left over by a product that failed is dropped, not stored. */
    private long call;

    private Col2imSink() {
    }

    /** Whether the fused path covers this geometry for a product over k filters. */
    static boolean covers(ConvolutionGeometry g, int k) {
        return g.stride() == 1 && g.padding() == 0 && g.width() <= L && L % g.outWidth() == 0
                && g.positions() % NR == 0 && k <= FloatGemm.INSTANCE.depthBlock();
    }

    /** The calling thread's instance, set up to overwrite samples [from, to) of x. */
    static Col2imSink of(ConvolutionGeometry g, float[] x, int xOff, int from, float alpha) {
        Col2imSink s = PER_THREAD.get();
        s.call++;
        s.x = x;
        s.xOff = xOff;
        s.from = from;
        s.alpha = alpha;
        s.channels = g.channels();
        s.height = g.height();
        s.width = g.width();
        s.outWidth = g.outWidth();
        s.positions = g.positions();
        s.inputSize = g.inputSize();
        if (s.kernel != g.kernel() || s.patch != g.patch() || s.rowSlot.length < g.patch()) {
            int k = g.kernel();
            s.rowSlot = new int[g.patch()];
            s.rowShift = new int[g.patch()];
            for (int p = 0; p < g.patch(); p++) {
                int c = p / (k * k);
                int ky = (p - c * k * k) / k;
                s.rowSlot[p] = (c * g.height() + ky) * L;
                s.rowShift[p] = p - c * k * k - ky * k;
            }
            s.kernel = k;
            s.patch = g.patch();
        }
        return s;
    }

    /** Drops the image reference once the product is done. */
    void clear() {
        x = null;
    }

    @Override
    public int columnUnit() {
        return positions;
    }

    @Override
    public void accept(float[] tile, int ti, int rows, int cols, int i, int j) {
        Fold fold = FOLD.get();
        if (fold.owner != this || fold.call != call) {
            java.util.Arrays.fill(fold.acc, 0f);
            fold.sample = -1;
            fold.owner = this;
            fold.call = call;
        }
        int sample = j / positions;
        if (sample != fold.sample) {
            if (fold.sample >= 0) {
                store(fold);
            }
            int size = channels * height * L;
            if (fold.acc.length < size) {
                fold.acc = new float[size];
            }
            fold.sample = sample;
        }
        float[] acc = fold.acc;
        int firstRow = (j - sample * positions) / outWidth;
        FloatVector scale = FloatVector.broadcast(S, alpha);
        // Rows p = (c, ky, kx) with the same (c, ky) add to the same slots: their shifted runs are summed in a register
        // first, one read-modify-write of the scratch per group and output row instead of one per tile row (the
        // chain of forwarded stores through each slot was the bound).
        for (int r = 0; r < rows; ) {
            int first = rowSlot[i + r];
            int end = r + 1;
            while (end < rows && rowSlot[i + end] == first) {
                end++;
            }
            int slot = first + firstRow * L;
            for (int q = 0; q < cols; q += outWidth, slot += L) {
                // Entries [q, q + outWidth) of each tile row, in lanes [kx, kx + outWidth), zero elsewhere. Loaded here,
                // not in a helper returning a vector: a vector that leaves a method C2 did not inline is boxed.
                int kx = rowShift[i + r];
                FloatVector sum = FloatVector.fromArray(S, tile, ti + r * NR + q - kx, VectorOps.floatRange(kx, outWidth));
                for (int rr = r + 1; rr < end; rr++) {
                    kx = rowShift[i + rr];
                    sum = sum.add(FloatVector.fromArray(S, tile, ti + rr * NR + q - kx,
                            VectorOps.floatRange(kx, outWidth)));
                }
                if (alpha != 1f) {
                    sum = sum.mul(scale);
                }
                FloatVector.fromArray(S, acc, slot).add(sum).intoArray(acc, slot);
            }
            r = end;
        }
    }

    @Override
    public void finish() {
        Fold fold = FOLD.get();
        if (fold.owner == this && fold.call == call && fold.sample >= 0) {
            store(fold);
        }
        fold.sample = -1;
    }

    /** Writes the finished sample into the image and clears the scratch for the next one. */
    private void store(Fold fold) {
        VectorConvolutionLayout.storeSlots(fold.acc, channels * height, x, xOff + (from + fold.sample) * inputSize,
                width);
    }
}
