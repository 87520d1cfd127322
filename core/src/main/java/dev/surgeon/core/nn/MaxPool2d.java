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
        forwardSamples(s, 0, batch);
    }

    /**
     * The forward pass of samples [from, to) only: {@link Conv2d} calls it block by block right after computing those
     * samples, while its output is still in cache ({@link Network#forward}).
     */
    void forwardSamples(LayerState s, int from, int to) {
        if (kernel == 2 && stride == 2) {
            forwardTwoByTwo(s, from, to);
            return;
        }
        int[] arg = ((State) s).argmax;
        float[] x = s.in;
        int o = from * outputShape().size();
        for (int bc = from * channels; bc < to * channels; bc++) {
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
     * The 2×2, stride-2 case (LeNet's pools): {@link Kernels#maxPool2x2}, the same selection rule as the general loop
     * (the first maximum in row-major order under {@link #orderKey}'s order).
     */
    private void forwardTwoByTwo(LayerState s, int from, int to) {
        int outputs = outputShape().size();
        s.kernels.maxPool2x2((to - from) * channels, height, width, s.in, from * inputShape().size(), s.out,
                from * outputs, ((State) s).argmax, from * outputs);
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

    /** Whether the 2×2 windows at stride 2 tile the input exactly ({@link dev.surgeon.kernels.Kernels#maxUnpool2x2}). */
    boolean tilesExactly() {
        return kernel == 2 && stride == 2 && height == 2 * outHeight && width == 2 * outWidth;
    }

    /** dst = 0, then dst[argmax[o]] += src[o], over samples [from, to). */
    private void scatter(LayerState s, int from, int to, float[] src, float[] dst) {
        int[] arg = ((State) s).argmax;
        int end = to * outputShape().size();
        if (tilesExactly()) {
            // Windows tile the input exactly: every input pixel is written once, with no fill pass and no
            // read-modify-write (Kernels.maxUnpool2x2).
            unpool(s, from, to, src, dst, from * inputShape().size());
            return;
        }
        Arrays.fill(dst, from * inputShape().size(), to * inputShape().size(), 0f);
        for (int o = from * outputShape().size(); o < end; o++) {
            dst[arg[o]] += src[o];
        }
    }

    /**
     * The backward pass of samples [from, to) into {@code dst[0, (to − from)·input size)} instead of the layer's
     * input gradient: a training step's block-sized scratch that stays in cache (needs {@link #tilesExactly}).
     */
    void backwardSamplesInto(LayerState s, int from, int to, float[] dst) {
        unpool(s, from, to, s.dOut, dst, 0);
    }

    /** {@link dev.surgeon.kernels.Kernels#maxUnpool2x2} of samples [from, to) of src into dst from dstOff on. */
    private void unpool(LayerState s, int from, int to, float[] src, float[] dst, int dstOff) {
        int outputs = outputShape().size();
        s.kernels.maxUnpool2x2((to - from) * channels, height, width, src, from * outputs, ((State) s).argmax,
                from * outputs, from * inputShape().size(), dst, dstOff);
    }

    @Override
    void backward(LayerState s, int batch, float[] w, float[] grad) {
        backwardSamples(s, 0, batch);
    }

    /**
     * The backward pass of samples [from, to) only: {@link Conv2d} calls it block by block right before the products
     * that read the gradient it writes ({@link Network}'s backward pass).
     */
    void backwardSamples(LayerState s, int from, int to) {
        if (s.dIn != null) {
            scatter(s, from, to, s.dOut, s.dIn);
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
            scatter(s, 0, batch, s.rdOut, s.rdIn);
        }
    }

    @Override
    void diagonalBackward(LayerState s, int batch, float[] w, boolean secondDerivativeTerms, float[] diag) {
        if (s.rdIn != null) {
            scatter(s, 0, batch, s.rdOut, s.rdIn);
        }
    }
}
