package dev.surgeon.kernels;

import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link Kernels#im2col} and {@link Kernels#col2im} with vectors for stride 1: each output row of a window offset is
 * one run of outWidth floats (8 for LeNet-5's second convolution), copied or accumulated as whole vectors instead of a
 * library call or a scalar loop per run. Without padding a run's tail is a whole vector too where that is safe, and a
 * masked one (its mask made once per call) only at the end of a row or of an array; with padding the tail is scalar.
 * Same loop order per pixel, and the same additions in the same order, as the scalar reference
 * ({@link ConvolutionLayout}): the results are identical. Strided convolutions use the reference. The preferred
 * species only: a second, narrower one made C2 box the gemm micro-kernel's vectors (docs/BENCHMARKS.md).
 */
final class VectorConvolutionLayout {
    private static final VectorSpecies<Float> S = VectorOps.FLOATS;
    private static final int L = S.length();
    private static final FloatVector NEGATIVE_ZERO = FloatVector.broadcast(S, -0f);

    private VectorConvolutionLayout() {
    }

    static void im2col(ConvolutionGeometry g, float[] x, int xOff, int from, int to, float[] cols, int colsOff, int ld) {
        if (g.stride() != 1) {
            ConvolutionLayout.im2col(g, x, xOff, from, to, cols, colsOff, ld);
            return;
        }
        if (g.padding() == 0) {
            im2colInside(g, x, xOff, from, to, cols, colsOff, ld);
            return;
        }
        int k = g.kernel();
        int p = g.padding();
        int outHeight = g.outHeight();
        int outWidth = g.outWidth();
        int positions = g.positions();
        int plane = g.height() * g.width();
        for (int c = 0; c < g.channels(); c++) {
            for (int ky = 0; ky < k; ky++) {
                for (int kx = 0; kx < k; kx++) {
                    int row = colsOff + ((c * k + ky) * k + kx) * ld;
                    int lo = g.firstInside(kx);
                    int hi = g.endInside(kx);
                    int bound = lo + S.loopBound(hi - lo);
                    for (int n = from; n < to; n++) {
                        int xc = xOff + (n * g.channels() + c) * plane;
                        int dst = row + (n - from) * positions;
                        for (int oy = 0; oy < outHeight; oy++, dst += outWidth) {
                            int iy = oy + ky - p;
                            if (iy < 0 || iy >= g.height()) {
                                Arrays.fill(cols, dst, dst + outWidth, 0f);
                                continue;
                            }
                            for (int ox = 0; ox < lo; ox++) {
                                cols[dst + ox] = 0f;
                            }
                            int src = xc + iy * g.width() + kx - p;
                            int ox = lo;
                            for (; ox < bound; ox += L) {
                                FloatVector.fromArray(S, x, src + ox).intoArray(cols, dst + ox);
                            }
                            for (; ox < hi; ox++) {
                                cols[dst + ox] = x[src + ox];
                            }
                            for (ox = hi; ox < outWidth; ox++) {
                                cols[dst + ox] = 0f;
                            }
                        }
                    }
                }
            }
        }
    }

    static void col2im(ConvolutionGeometry g, float[] cols, int colsOff, int ld, int from, int to, float[] x, int xOff) {
        if (g.stride() != 1) {
            ConvolutionLayout.col2im(g, cols, colsOff, ld, from, to, x, xOff);
            return;
        }
        if (g.padding() == 0 && g.width() <= L) {
            col2imNarrow(g, cols, colsOff, ld, from, to, x, xOff);
            return;
        }
        if (g.padding() == 0) {
            col2imInside(g, cols, colsOff, ld, from, to, x, xOff);
            return;
        }
        int k = g.kernel();
        int p = g.padding();
        int outHeight = g.outHeight();
        int outWidth = g.outWidth();
        int positions = g.positions();
        int plane = g.height() * g.width();
        Arrays.fill(x, xOff + from * g.inputSize(), xOff + to * g.inputSize(), 0f);
        for (int c = 0; c < g.channels(); c++) {
            for (int ky = 0; ky < k; ky++) {
                for (int kx = 0; kx < k; kx++) {
                    int row = colsOff + ((c * k + ky) * k + kx) * ld;
                    int lo = g.firstInside(kx);
                    int hi = g.endInside(kx);
                    int bound = lo + S.loopBound(hi - lo);
                    for (int n = from; n < to; n++) {
                        int xc = xOff + (n * g.channels() + c) * plane;
                        int src0 = row + (n - from) * positions;
                        for (int oy = 0; oy < outHeight; oy++) {
                            int iy = oy + ky - p;
                            if (iy < 0 || iy >= g.height()) {
                                continue;
                            }
                            int src = src0 + oy * outWidth;
                            int dst = xc + iy * g.width() + kx - p;
                            int ox = lo;
                            for (; ox < bound; ox += L) {
                                FloatVector.fromArray(S, x, dst + ox).add(FloatVector.fromArray(S, cols, src + ox))
                                        .intoArray(x, dst + ox);
                            }
                            for (; ox < hi; ox++) {
                                x[dst + ox] += cols[src + ox];
                            }
                        }
                    }
                }
            }
        }
    }

    /**
     * Stride 1 without padding: every run lies inside the image, so the loops carry no edge logic; each sample's
     * runs of one window offset are outHeight rows of outWidth floats, one whole vector each when outWidth is 8.
     */
    private static void im2colInside(ConvolutionGeometry g, float[] x, int xOff, int from, int to, float[] cols,
                                     int colsOff, int ld) {
        int k = g.kernel();
        int width = g.width();
        int outHeight = g.outHeight();
        int outWidth = g.outWidth();
        int positions = g.positions();
        int plane = g.height() * width;
        int bound = S.loopBound(outWidth);
        VectorMask<Float> tail = VectorOps.floatPrefix(outWidth - bound);
        for (int c = 0; c < g.channels(); c++) {
            for (int ky = 0; ky < k; ky++) {
                for (int kx = 0; kx < k; kx++) {
                    int dst = colsOff + ((c * k + ky) * k + kx) * ld;
                    // A run's tail is copied as a whole vector when its spill past the run lands in this row's later
                    // runs (overwritten next) and its load stays inside x; the row's last run uses the mask. Masked
                    // stores on every run made im2col 1.3× slower.
                    int spillEnd = dst + (to - from) * positions - L;
                    for (int n = from; n < to; n++) {
                        int src = xOff + (n * g.channels() + c) * plane + ky * width + kx;
                        for (int oy = 0; oy < outHeight; oy++, src += width, dst += outWidth) {
                            int ox = 0;
                            for (; ox < bound; ox += L) {
                                FloatVector.fromArray(S, x, src + ox).intoArray(cols, dst + ox);
                            }
                            if (ox < outWidth) {
                                if (dst + ox <= spillEnd && src + ox + L <= x.length) {
                                    FloatVector.fromArray(S, x, src + ox).intoArray(cols, dst + ox);
                                } else if (src + ox + L <= x.length && dst + ox + L <= cols.length) {
                                    FloatVector.fromArray(S, x, src + ox, tail).intoArray(cols, dst + ox, tail);
                                } else {
                                    // Past an array's end a masked vector takes the lane-by-lane path (allocating).
                                    System.arraycopy(x, src + ox, cols, dst + ox, outWidth - ox);
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /**
     * col2im for stride 1 without padding (see {@link #im2colInside}); the same additions to each pixel in the same
     * order. Samples are the innermost loop: consecutive read-modify-writes then touch different planes. Output rows
     * one after the other overlapped the previous row's masked store (16 lanes, 8 written), which blocks store
     * forwarding and made col2im as slow as the scalar reference.
     */
    private static void col2imInside(ConvolutionGeometry g, float[] cols, int colsOff, int ld, int from, int to,
                                     float[] x, int xOff) {
        int k = g.kernel();
        int width = g.width();
        int outHeight = g.outHeight();
        int outWidth = g.outWidth();
        int positions = g.positions();
        int plane = g.height() * width;
        int inputSize = g.inputSize();
        int bound = S.loopBound(outWidth);
        VectorMask<Float> tail = VectorOps.floatPrefix(outWidth - bound);
        VectorMask<Float> beyond = tail.not();
        Arrays.fill(x, xOff + from * inputSize, xOff + to * inputSize, 0f);
        for (int c = 0; c < g.channels(); c++) {
            for (int ky = 0; ky < k; ky++) {
                for (int kx = 0; kx < k; kx++) {
                    int row = colsOff + ((c * k + ky) * k + kx) * ld;
                    for (int oy = 0; oy < outHeight; oy++) {
                        int src = row + oy * outWidth;
                        int dst = xOff + from * inputSize + c * plane + (oy + ky) * width + kx;
                        for (int n = from; n < to; n++, src += positions, dst += inputSize) {
                            int ox = 0;
                            for (; ox < bound; ox += L) {
                                FloatVector.fromArray(S, x, dst + ox).add(FloatVector.fromArray(S, cols, src + ox))
                                        .intoArray(x, dst + ox);
                            }
                            if (ox < outWidth) {
                                if (dst + ox + L <= x.length && src + ox + L <= cols.length) {
                                    // Whole vectors: the lanes past the run add −0.0, which leaves every float
                                    // (±0 included) unchanged, and store back what they loaded.
                                    FloatVector.fromArray(S, x, dst + ox)
                                            .add(FloatVector.fromArray(S, cols, src + ox).blend(NEGATIVE_ZERO, beyond))
                                            .intoArray(x, dst + ox);
                                } else {
                                    FloatVector.fromArray(S, x, dst + ox, tail)
                                            .add(FloatVector.fromArray(S, cols, src + ox, tail))
                                            .intoArray(x, dst + ox, tail);
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /** Per-thread accumulator of {@link #col2imNarrow}: one vector per image row. */
    private static final ThreadLocal<float[][]> PLANE = ThreadLocal.withInitial(() -> new float[1][0]);

    /**
     * col2im for stride 1, no padding and image rows no wider than a vector (LeNet-5's second convolution: 12 of 16
     * lanes). One channel plane of one sample at a time is summed in an L1 scratch with one vector-aligned slot per image
     * row, then stored once. Each window offset (ky, kx) adds row oy of its columns, loaded from kx floats before the run
     * with lanes [kx, kx + outWidth) live, to slot oy + ky: every read-modify-write hits one slot exactly, so the load
     * is forwarded from the previous store. {@link #col2imInside}'s runs of 8 at unaligned, overlapping offsets missed
     * store forwarding and took 2.2–2.8 ms per LeNet-5 batch. Per pixel the same additions in the same (ky, kx) order
     * as the reference; masked-off lanes add +0.0 to sums that start at +0.0 and so can never be −0.0.
     */
    private static void col2imNarrow(ConvolutionGeometry g, float[] cols, int colsOff, int ld, int from, int to,
                                     float[] x, int xOff) {
        int k = g.kernel();
        int channels = g.channels();
        int height = g.height();
        int width = g.width();
        int outHeight = g.outHeight();
        int outWidth = g.outWidth();
        int positions = g.positions();
        int plane = height * width;
        float[][] holder = PLANE.get();
        if (holder[0].length < height * L) {
            holder[0] = new float[height * L];
        }
        float[] acc = holder[0];
        // storeSlots leaves the scratch zero for the next plane.
        java.util.Arrays.fill(acc, 0, height * L, 0f);
        for (int n = from; n < to; n++) {
            int column = (n - from) * positions;
            for (int c = 0; c < channels; c++) {
                for (int ky = 0; ky < k; ky++) {
                    for (int kx = 0; kx < k; kx++) {
                        VectorMask<Float> run = VectorOps.floatRange(kx, outWidth);
                        int src = colsOff + ((c * k + ky) * k + kx) * ld + column - kx;
                        // Whole-vector loads only: a masked load reaching past the array takes the Vector API's
                        // lane-by-lane path, and those few loads at the end of the columns doubled the time of the
                        // whole loop. The runs there are added one float at a time.
                        int safe = Math.min(outHeight, Math.max(0, Math.floorDiv(cols.length - L - src, outWidth) + 1));
                        int oy = 0;
                        int slot = ky * L;
                        for (; oy < safe; oy++, slot += L, src += outWidth) {
                            FloatVector.fromArray(S, acc, slot).add(FloatVector.fromArray(S, cols, src, run))
                                    .intoArray(acc, slot);
                        }
                        for (; oy < outHeight; oy++, slot += L, src += outWidth) {
                            for (int ox = kx; ox < kx + outWidth; ox++) {
                                acc[slot + ox] += cols[src + ox];
                            }
                        }
                    }
                }
                storeSlots(acc, height, x, xOff + (n * channels + c) * plane, width);
            }
        }
    }

    /**
     * Stores {@code slots} vector-aligned rows of a col2im scratch (slot s at {@code acc[s·L]}, its first {@code width}
     * lanes live) as consecutive image rows from {@code x[dst]}, and clears them. A row whose vector would reach past
     * x's end is copied instead: there a masked store takes the Vector API's lane-by-lane path, which allocates.
     */
    static void storeSlots(float[] acc, int slots, float[] x, int dst, int width) {
        FloatVector zero = FloatVector.zero(S);
        VectorMask<Float> row = VectorOps.floatPrefix(width);
        for (int slot = 0, end = slots * L; slot < end; slot += L, dst += width) {
            if (dst + L <= x.length) {
                FloatVector.fromArray(S, acc, slot).intoArray(x, dst, row);
            } else {
                System.arraycopy(acc, slot, x, dst, width);
            }
            zero.intoArray(acc, slot);
        }
    }
}
