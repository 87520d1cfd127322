package dev.surgeon.core.nn;

import dev.surgeon.kernels.Kernels;
import java.util.Arrays;

/**
 * Max pooling over k×k windows with stride s, no padding (NCHW). The forward pass records the position of
 * each window's maximum (the first one on ties); every other pass routes values through those positions:
 * the layer is piecewise linear, a fixed selection between kinks, so its second derivative is zero and
 * its R-operator and Becker–LeCun passes are the same selection.
 */
final class MaxPool2d extends Pool2d {

    MaxPool2d(int index, LayerSpec spec, Shape inShape, Shape outShape) {
        super(index, spec, inShape, outShape);
    }

    /** Index (into the batch input array) of the maximum of every output. */
    static final class State extends LayerState {
        final int[] argmax;

        State(Kernels kernels, int capacity, int outputs) {
            super(kernels, capacity);
            this.argmax = new int[Math.multiplyExact(capacity, outputs)];
        }
    }

    @Override
    LayerState newState(Kernels kernels, int capacity) {
        return new State(kernels, capacity, outputShape().size());
    }

    @Override
    void forward(LayerState s, int batch, float[] w, boolean training) {
        if (kernel == 2 && stride == 2) {
            forwardTwoByTwo(s, batch);
            return;
        }
        int[] arg = ((State) s).argmax;
        float[] x = s.in;
        int o = 0;
        for (int bc = 0; bc < batch * channels; bc++) {
            for (int oy = 0; oy < outHeight; oy++) {
                for (int ox = 0; ox < outWidth; ox++, o++) {
                    int first = windowStart(bc, oy, ox);
                    int best = first;
                    int maxKey = orderKey(x[first]);
                    for (int ky = 0; ky < kernel; ky++) {
                        int row = first + ky * width;
                        for (int kx = 0; kx < kernel; kx++) {
                            int key = orderKey(x[row + kx]);
                            best = key > maxKey ? row + kx : best;
                            maxKey = Math.max(maxKey, key);
                        }
                    }
                    arg[o] = best;
                    s.out[o] = x[best];
                }
            }
        }
    }

    /**
     * The 2×2, stride-2 case (LeNet's pools), unrolled: the same first-maximum-in-row-major-order rule as the
     * general loop, whose variable-length window loops took 3.3–3.5 ms for LeNet-5's first pool at batch 128 in a
     * training step, against 2.3–2.6 ms unrolled.
     */
    private void forwardTwoByTwo(LayerState s, int batch) {
        int[] arg = ((State) s).argmax;
        float[] x = s.in;
        float[] out = s.out;
        int o = 0;
        for (int bc = 0; bc < batch * channels; bc++) {
            for (int oy = 0; oy < outHeight; oy++) {
                int top = windowStart(bc, oy, 0);
                for (int ox = 0; ox < outWidth; ox++, o++, top += 2) {
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
                    arg[o] = best;
                    out[o] = x[best];
                }
            }
        }
    }

    /**
     * 1 if {@code key > max}, else 0, by arithmetic: C2 compiled {@code key > max ? a : b} here as a branch, which
     * mispredicts on every other window of real activations (LeNet-5's first pool, batch 128, timed alone: 2.2 ms
     * against 1.55 ms).
     */
    private static int above(int key, int max) {
        return (int) (((long) max - key) >>> 63);
    }

    /**
     * An int with the same order as the float (for non-NaN values; a NaN ranks above +∞ or below −∞ by its
     * sign bit). Comparing these keys instead of floats lets C2 select with integer conditional moves: which
     * element of a window is largest is unpredictable, and a branch per element mispredicted often enough
     * to make the argmax pass 2× slower on LeNet-5's first pooling layer.
     */
    private static int orderKey(float v) {
        int bits = Float.floatToRawIntBits(v);
        return bits ^ ((bits >> 31) & 0x7fffffff);
    }

    /** dst = 0, then dst[argmax[o]] += src[o]. */
    private void scatter(LayerState s, int batch, float[] src, float[] dst) {
        int[] arg = ((State) s).argmax;
        int n = batch * outputShape().size();
        if (kernel == 2 && stride == 2 && height == 2 * outHeight && width == 2 * outWidth) {
            // Windows tile the input exactly: every input pixel is written once, in order, with no fill pass and no
            // read-modify-write (LeNet-5's first pool at batch 128: 2.2–2.8 ms → 1.5–1.8 ms in a training step).
            int o = 0;
            for (int bc = 0; bc < batch * channels; bc++) {
                for (int oy = 0; oy < outHeight; oy++) {
                    int top = windowStart(bc, oy, 0);
                    for (int ox = 0; ox < outWidth; ox++, o++, top += 2) {
                        int bottom = top + width;
                        dst[top] = 0f;
                        dst[top + 1] = 0f;
                        dst[bottom] = 0f;
                        dst[bottom + 1] = 0f;
                        dst[arg[o]] = src[o];
                    }
                }
            }
            return;
        }
        Arrays.fill(dst, 0, batch * inputShape().size(), 0f);
        for (int o = 0; o < n; o++) {
            dst[arg[o]] += src[o];
        }
    }

    @Override
    void backward(LayerState s, int batch, float[] w, float[] grad) {
        if (s.dIn != null) {
            scatter(s, batch, s.dOut, s.dIn);
        }
    }

    @Override
    void rForward(LayerState s, int batch, float[] w, float[] v) {
        int[] arg = ((State) s).argmax;
        int n = batch * outputShape().size();
        for (int o = 0; o < n; o++) {
            s.rOut[o] = s.rIn[arg[o]];
        }
    }

    @Override
    void rBackward(LayerState s, int batch, float[] w, float[] v, float[] hv) {
        if (s.rdIn != null) {
            scatter(s, batch, s.rdOut, s.rdIn);
        }
    }

    @Override
    void diagonalBackward(LayerState s, int batch, float[] w, boolean secondDerivativeTerms, float[] diag) {
        if (s.rdIn != null) {
            scatter(s, batch, s.rdOut, s.rdIn);
        }
    }
}
