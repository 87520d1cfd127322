package dev.surgeon.kernels;

/**
 * The scalar reference of {@link Kernels#maxPool2x2} and {@link Kernels#maxUnpool2x2}, and the argument checks every
 * provider runs first.
 *
 * <p>The maximum of a window is its first largest entry in row-major order (top left, top right, bottom left, bottom
 * right) under the order of {@link #orderKey}: the float order, with −0 below +0 and a NaN above +∞ or below −∞ by
 * its sign bit. Comparing these int keys lets C2 select with conditional moves: which entry of a window wins is
 * unpredictable on real activations, and a branch per entry made the pass 2× slower on LeNet-5's first pool.
 */
final class MaxPooling {
    private MaxPooling() {
    }

    /** An int with the order described above. */
    static int orderKey(float v) {
        int bits = Float.floatToRawIntBits(v);
        return bits ^ ((bits >> 31) & 0x7fffffff);
    }

    /** Checks the arguments of {@link Kernels#maxPool2x2}. */
    static void checkPool(int planes, int height, int width, int xLen, int xOff, int outLen, int outOff, int argLen,
                          int argOff) {
        checkShape(planes, height, width);
        long outputs = (long) planes * (height / 2) * (width / 2);
        checkRange("x", xLen, xOff, (long) planes * height * width);
        checkRange("out", outLen, outOff, outputs);
        checkRange("argmax", argLen, argOff, outputs);
    }

    /** Checks the arguments of {@link Kernels#maxUnpool2x2}. */
    static void checkUnpool(int planes, int height, int width, int gradLen, int gradOff, int argLen, int argOff,
                            int dxLen, int dxOff) {
        checkShape(planes, height, width);
        if (height % 2 != 0 || width % 2 != 0) {
            throw new IllegalArgumentException("maxUnpool2x2 needs windows that tile the plane: height " + height
                    + " and width " + width + " must be even");
        }
        long outputs = (long) planes * (height / 2) * (width / 2);
        checkRange("grad", gradLen, gradOff, outputs);
        checkRange("argmax", argLen, argOff, outputs);
        checkRange("dx", dxLen, dxOff, (long) planes * height * width);
    }

    private static void checkShape(int planes, int height, int width) {
        if (planes < 0 || height < 2 || width < 2) {
            throw new IllegalArgumentException("2×2 pooling needs planes >= 0 and planes of at least 2 × 2, got "
                    + planes + " planes of " + height + " × " + width);
        }
    }

    private static void checkRange(String name, int length, int off, long count) {
        if (off < 0 || off + count > length) {
            throw new IllegalArgumentException(name + ": " + count + " values at offset " + off
                    + " do not fit an array of " + length);
        }
    }

    /** {@link Kernels#maxPool2x2} over planes [p0, p1), one window at a time. */
    static void pool(int p0, int p1, int height, int width, float[] x, int xOff, float[] out, int outOff, int[] argmax,
                     int argOff) {
        int outHeight = height / 2;
        int outWidth = width / 2;
        for (int p = p0; p < p1; p++) {
            for (int oy = 0; oy < outHeight; oy++) {
                int o = (p * outHeight + oy) * outWidth;
                poolWindows(xOff + p * height * width + 2 * oy * width, width, outWidth, x, out, outOff + o, argmax,
                        argOff + o);
            }
        }
    }

    /** {@code count} windows side by side, the first at x[top] (rows {@code width} apart), to out[at…], argmax[argAt…]. */
    static void poolWindows(int top, int width, int count, float[] x, float[] out, int at, int[] argmax, int argAt) {
        for (int w = 0; w < count; w++, top += 2) {
            int bottom = top + width;
            int maxKey = orderKey(x[top]);
            int key = orderKey(x[top + 1]);
            int best = top + above(key, maxKey);
            maxKey = Math.max(maxKey, key);
            key = orderKey(x[bottom]);
            best += above(key, maxKey) * (bottom - best);
            maxKey = Math.max(maxKey, key);
            key = orderKey(x[bottom + 1]);
            best += above(key, maxKey) * (bottom + 1 - best);
            argmax[argAt + w] = best;
            out[at + w] = x[best];
        }
    }

    /**
     * 1 if {@code key > max}, else 0, by arithmetic: C2 compiled {@code key > max ? a : b} as a branch, which
     * mispredicts on every other window of real activations.
     */
    private static int above(int key, int max) {
        return (int) (((long) max - key) >>> 63);
    }

    /**
     * {@link Kernels#maxUnpool2x2} over planes [p0, p1): every pixel written once, in order; an argmax entry plus
     * {@code shift} (dxOff − argBase) is its index in dx.
     */
    static void unpool(int p0, int p1, int height, int width, float[] grad, int gradOff, int[] argmax, int argOff,
                       int shift, float[] dx, int dxOff) {
        int outHeight = height / 2;
        int outWidth = width / 2;
        for (int p = p0; p < p1; p++) {
            for (int oy = 0; oy < outHeight; oy++) {
                int o = (p * outHeight + oy) * outWidth;
                unpoolWindows(dxOff + p * height * width + 2 * oy * width, width, outWidth, grad, gradOff + o, argmax,
                        argOff + o, shift, dx);
            }
        }
    }

    /**
     * {@code count} windows side by side, the first at dx[top], from grad[at…] and argmax[argAt…] (plus shift: the
     * index in dx).
     */
    static void unpoolWindows(int top, int width, int count, float[] grad, int at, int[] argmax, int argAt, int shift,
                              float[] dx) {
        for (int w = 0; w < count; w++, top += 2) {
            int bottom = top + width;
            int where = argmax[argAt + w] + shift;
            if (where != top && where != top + 1 && where != bottom && where != bottom + 1) {
                throw outsideWindow(argAt + w, where - shift, top - shift);
            }
            dx[top] = 0f;
            dx[top + 1] = 0f;
            dx[bottom] = 0f;
            dx[bottom + 1] = 0f;
            dx[where] = grad[at + w];
        }
    }

    static IllegalArgumentException outsideWindow(int entry, int at, int top) {
        return new IllegalArgumentException("argmax[" + entry + "] is " + at
                + ", outside its 2×2 window at " + top + ": pass the indices maxPool2x2 recorded for this layout");
    }
}
