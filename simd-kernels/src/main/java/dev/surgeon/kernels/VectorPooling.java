package dev.surgeon.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link Kernels#maxPool2x2} and {@link Kernels#maxUnpool2x2} with vectors, L windows of one output row at a time: the
 * two input rows (2L floats each) are split into their even and odd columns with two-vector shuffles, so that the
 * four entries of L windows sit in four vectors; the selection of {@link MaxPooling} then runs lane-wise on int order
 * keys, and the backward pass interleaves the routed gradient back. The same results as the reference, bit for bit
 * (the same keys, the same strict comparisons in the same order). A chunk whose whole vectors would reach past an
 * array runs the reference instead, so no masked load or store ever takes the Vector API's lane-by-lane path (which
 * allocates).
 *
 * <p>Why: LeNet-5's first pool (128 × 20 planes of 24 × 24) took about 2 ms forward and 2 ms backward per batch one
 * window at a time, some 7 % of a training step.
 */
final class VectorPooling {
    private static final VectorSpecies<Float> S = VectorOps.FLOATS;
    private static final VectorSpecies<Integer> I = VectorSpecies.of(int.class, S.vectorShape());
    private static final int L = S.length();
    /** Lanes 0, 2, …, 2L − 2 of the pair (a, b), and 1, 3, …, 2L − 1. */
    private static final VectorShuffle<Float> EVEN = shuffle(0, 2);
    private static final VectorShuffle<Float> ODD = shuffle(1, 2);
    /** a₀ b₀ a₁ b₁ … over the first half of (a, b), and over the second half. */
    private static final VectorShuffle<Integer> INTERLEAVE_LOW = interleave(0);
    private static final VectorShuffle<Integer> INTERLEAVE_HIGH = interleave(L / 2);
    /** 0, 2, 4, …: the offset of each window's top-left entry from the first window's. */
    private static final IntVector WINDOW_STARTS = IntVector.fromArray(I, steps(0, 2), 0);
    @SuppressWarnings("unchecked")
    private static final VectorMask<Integer>[] INT_PREFIX = new VectorMask[L + 1];

    static {
        for (int n = 0; n <= L; n++) {
            INT_PREFIX[n] = I.indexInRange(0, n);
        }
    }

    private VectorPooling() {
    }

    private static int[] steps(int first, int step) {
        int[] s = new int[L];
        for (int i = 0; i < L; i++) {
            s[i] = first + step * i;
        }
        return s;
    }

    private static VectorShuffle<Float> shuffle(int first, int step) {
        return VectorShuffle.fromArray(S, steps(first, step), 0);
    }

    private static VectorShuffle<Integer> interleave(int from) {
        int[] s = new int[L];
        for (int i = 0; i < L; i++) {
            s[i] = (i % 2 == 0 ? 0 : L) + from + i / 2;
        }
        return VectorShuffle.fromArray(I, s, 0);
    }

    /** The int order key of {@link MaxPooling#orderKey}, lane-wise. */
    private static IntVector orderKeys(IntVector bits) {
        return bits.lanewise(VectorOperators.XOR, bits.lanewise(VectorOperators.ASHR, 31).and(0x7fffffff));
    }

    static void pool(int planes, int height, int width, float[] x, int xOff, float[] out, int outOff, int[] argmax,
                     int argOff) {
        int outHeight = height / 2;
        int outWidth = width / 2;
        for (int p = 0; p < planes; p++) {
            for (int oy = 0; oy < outHeight; oy++) {
                int row = xOff + p * height * width + 2 * oy * width;
                int o = (p * outHeight + oy) * outWidth;
                for (int ox = 0; ox < outWidth; ox += L) {
                    int count = Math.min(L, outWidth - ox);
                    int top = row + 2 * ox;
                    int at = outOff + o + ox;
                    if (top + width + 2 * L > x.length || at + L > out.length || argOff + o + ox + L > argmax.length) {
                        MaxPooling.poolWindows(top, width, count, x, out, outOff + o + ox, argmax, argOff + o + ox);
                    } else {
                        poolChunk(top, width, count, x, out, outOff + o + ox, argmax, argOff + o + ox);
                    }
                }
            }
        }
    }

    /** {@code count} ≤ L windows from x[top]; the loads are whole vectors (checked by the caller), the stores masked. */
    private static void poolChunk(int top, int width, int count, float[] x, float[] out, int at, int[] argmax,
                                  int argAt) {
        int bottom = top + width;
        FloatVector ta = FloatVector.fromArray(S, x, top);
        FloatVector tb = FloatVector.fromArray(S, x, top + L);
        FloatVector ba = FloatVector.fromArray(S, x, bottom);
        FloatVector bb = FloatVector.fromArray(S, x, bottom + L);
        IntVector best = ta.rearrange(EVEN, tb).reinterpretAsInts();
        IntVector topRight = ta.rearrange(ODD, tb).reinterpretAsInts();
        IntVector bottomLeft = ba.rearrange(EVEN, bb).reinterpretAsInts();
        IntVector bottomRight = ba.rearrange(ODD, bb).reinterpretAsInts();
        IntVector maxKey = orderKeys(best);
        IntVector offset = IntVector.zero(I);
        IntVector key = orderKeys(topRight);
        VectorMask<Integer> above = key.compare(VectorOperators.GT, maxKey);
        best = best.blend(topRight, above);
        offset = offset.blend(1, above);
        maxKey = maxKey.max(key);
        key = orderKeys(bottomLeft);
        above = key.compare(VectorOperators.GT, maxKey);
        best = best.blend(bottomLeft, above);
        offset = offset.blend(width, above);
        maxKey = maxKey.max(key);
        key = orderKeys(bottomRight);
        above = key.compare(VectorOperators.GT, maxKey);
        best = best.blend(bottomRight, above);
        offset = offset.blend(width + 1, above);
        IntVector where = WINDOW_STARTS.add(top).add(offset);
        if (count == L) {
            best.reinterpretAsFloats().intoArray(out, at);
            where.intoArray(argmax, argAt);
        } else {
            best.reinterpretAsFloats().intoArray(out, at, VectorOps.floatPrefix(count));
            where.intoArray(argmax, argAt, INT_PREFIX[count]);
        }
    }

    static void unpool(int planes, int height, int width, float[] grad, int gradOff, int[] argmax, int argOff,
                       int shift, float[] dx, int dxOff) {
        int outHeight = height / 2;
        int outWidth = width / 2;
        for (int p = 0; p < planes; p++) {
            for (int oy = 0; oy < outHeight; oy++) {
                int row = dxOff + p * height * width + 2 * oy * width;
                int o = (p * outHeight + oy) * outWidth;
                for (int ox = 0; ox < outWidth; ox += L) {
                    int count = Math.min(L, outWidth - ox);
                    int top = row + 2 * ox;
                    int at = gradOff + o + ox;
                    int argAt = argOff + o + ox;
                    if (at + L > grad.length || argAt + L > argmax.length || top + width + 2 * L > dx.length) {
                        MaxPooling.unpoolWindows(top, width, count, grad, at, argmax, argAt, shift, dx);
                    } else {
                        unpoolChunk(top, width, count, grad, at, argmax, argAt, shift, dx);
                    }
                }
            }
        }
    }

    /** {@code count} ≤ L windows at dx[top]; the loads are whole vectors (checked by the caller), the stores masked. */
    private static void unpoolChunk(int top, int width, int count, float[] grad, int at, int[] argmax, int argAt,
                                    int shift, float[] dx) {
        IntVector g = FloatVector.fromArray(S, grad, at).reinterpretAsInts();
        IntVector offset = IntVector.fromArray(I, argmax, argAt).sub(WINDOW_STARTS.add(top - shift));
        VectorMask<Integer> topLeft = offset.compare(VectorOperators.EQ, 0);
        VectorMask<Integer> topRight = offset.compare(VectorOperators.EQ, 1);
        VectorMask<Integer> bottomLeft = offset.compare(VectorOperators.EQ, width);
        VectorMask<Integer> bottomRight = offset.compare(VectorOperators.EQ, width + 1);
        long stray = ~topLeft.or(topRight).or(bottomLeft).or(bottomRight).toLong() & ((1L << count) - 1);
        if (stray != 0) {
            int w = Long.numberOfTrailingZeros(stray);
            throw MaxPooling.outsideWindow(argAt + w, argmax[argAt + w], top + 2 * w - shift);
        }
        IntVector zero = IntVector.zero(I);
        IntVector tl = zero.blend(g, topLeft);
        IntVector tr = zero.blend(g, topRight);
        IntVector bl = zero.blend(g, bottomLeft);
        IntVector br = zero.blend(g, bottomRight);
        FloatVector topLow = tl.rearrange(INTERLEAVE_LOW, tr).reinterpretAsFloats();
        FloatVector topHigh = tl.rearrange(INTERLEAVE_HIGH, tr).reinterpretAsFloats();
        FloatVector bottomLow = bl.rearrange(INTERLEAVE_LOW, br).reinterpretAsFloats();
        FloatVector bottomHigh = bl.rearrange(INTERLEAVE_HIGH, br).reinterpretAsFloats();
        int bottom = top + width;
        if (count == L) {
            topLow.intoArray(dx, top);
            topHigh.intoArray(dx, top + L);
            bottomLow.intoArray(dx, bottom);
            bottomHigh.intoArray(dx, bottom + L);
        } else {
            VectorMask<Float> low = VectorOps.floatPrefix(2 * count);
            VectorMask<Float> high = VectorOps.floatPrefix(2 * count - L);
            topLow.intoArray(dx, top, low);
            topHigh.intoArray(dx, top + L, high);
            bottomLow.intoArray(dx, bottom, low);
            bottomHigh.intoArray(dx, bottom + L, high);
        }
    }
}
