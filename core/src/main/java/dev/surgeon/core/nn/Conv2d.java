package dev.surgeon.core.nn;

import static dev.surgeon.kernels.Trans.N;
import static dev.surgeon.kernels.Trans.T;

import dev.surgeon.kernels.Kernels;
import java.util.Arrays;

/**
 * 2-D convolution (cross-correlation, as PyTorch's Conv2d) with square kernels, stride and zero padding;
 * NCHW activations, weight {@code [c_out, c_in, k, k]} = a {@code [c_out, d_col]} matrix W with
 * d_col = c_in·k·k in (channel, ky, kx) order.
 *
 * <p>Every pass is one large gemm over the whole batch on the unfolded input X (im2col): d_col rows,
 * one column per (sample, output position), B·|T| columns ordered sample-major — METHODS A9's X. Forward:
 * Y = W X ([c_out, B·|T|]), then a reorder of contiguous |T|-blocks into NCHW fused with the bias. Backward:
 * the output gradient reordered the same way to Δ ([c_out, B·|T|]), ∇W = Δ Xᵀ, ∂/∂X = Wᵀ Δ folded back
 * (col2im) into ∂/∂input. The R-operator, Becker–LeCun and squared-sample-gradient passes are the same
 * products with R{X}, V, X∘X and W∘W (see {@link Layer}). Per-sample gradients are one gemm Δ_n X_nᵀ per
 * sample, reading Δ_n straight from the NCHW gradient.
 *
 * <p>X is stored with a fixed row stride of capacity·|T| and an extra row of ones (row d_col), so the K-FAC
 * view of the augmented patches [⟦h⟧_τ; 1] needs no copy. Memory: (d_col + 1)·capacity·|T| floats for X
 * (16 MB for LeNet-5's second convolution at B = 128), plus d_col·capacity·|T| scratch once input gradients
 * or curvature passes are used.
 */
final class Conv2d extends WeightedLayer {
    private final int channels;
    private final int height;
    private final int width;
    private final int filters;
    private final int kernel;
    private final int stride;
    private final int padding;
    private final int outHeight;
    private final int outWidth;
    private final int positions;
    private final int patch;

    Conv2d(int index, LayerSpec spec, Shape inShape, Shape outShape, ParameterTensor weight, ParameterTensor bias) {
        super(index, spec, inShape, outShape, weight, bias);
        this.channels = inShape.channels();
        this.height = inShape.height();
        this.width = inShape.width();
        this.filters = spec.units();
        this.kernel = spec.kernel();
        this.stride = spec.stride();
        this.padding = spec.padding();
        this.outHeight = outShape.height();
        this.outWidth = outShape.width();
        this.positions = outHeight * outWidth;
        this.patch = channels * kernel * kernel;
    }

    /** The unfolded input X, its scratch twin, and [c_out, B·|T|] buffers of one convolution in one workspace. */
    static final class State extends LayerState {
        /** Row stride of every [rows, B·|T|] buffer: capacity·|T|. */
        final int ld;
        final float[] columns;
        final float[] outputs;
        float[] outputs2;
        float[] columnScratch;
        float[] rColumns;
        float[] weightSquares;
        float[] sampleScratch;

        State(Kernels kernels, int capacity, int positions, int patch, int filters) {
            super(kernels, capacity);
            this.ld = Math.multiplyExact(capacity, positions);
            this.columns = new float[Math.multiplyExact(patch + 1, ld)];
            Arrays.fill(columns, patch * ld, (patch + 1) * ld, 1f);
            this.outputs = new float[Math.multiplyExact(filters, ld)];
        }
    }

    @Override
    LayerState newState(Kernels kernels, int capacity) {
        return new State(kernels, capacity, positions, patch, filters);
    }

    private float[] columnScratch(State st) {
        st.columnScratch = LayerState.ensure(st.columnScratch, patch * st.ld);
        return st.columnScratch;
    }

    @Override
    void forward(LayerState s, int batch, float[] w, boolean training) {
        State st = (State) s;
        int n = batch * positions;
        unfold(s.in, batch, st.columns, st.ld);
        s.kernels.gemm(N, N, filters, n, patch, 1f, w, wOff, patch, st.columns, 0, st.ld, 0f, st.outputs, 0, n);
        toBatchMajor(st.outputs, batch, bias == null ? null : w, s.out);
    }

    @Override
    void backward(LayerState s, int batch, float[] w, float[] grad) {
        State st = (State) s;
        Kernels k = s.kernels;
        int n = batch * positions;
        toChannelMajor(s.dOut, batch, st.outputs);
        if (grad != null) {
            k.gemm(N, T, filters, patch, n, 1f, st.outputs, 0, n, st.columns, 0, st.ld, 0f, grad, wOff, patch);
            if (bias != null) {
                rowSums(st.outputs, n, grad, bias.offset(), false);
            }
        }
        if (s.dIn != null) {
            float[] dx = columnScratch(st);
            k.gemm(T, N, patch, n, filters, 1f, w, wOff, patch, st.outputs, 0, n, 0f, dx, 0, n);
            fold(dx, n, batch, s.dIn);
        }
    }

    @Override
    void rForward(LayerState s, int batch, float[] w, float[] v) {
        State st = (State) s;
        Kernels k = s.kernels;
        int n = batch * positions;
        k.gemm(N, N, filters, n, patch, 1f, v, wOff, patch, st.columns, 0, st.ld, 0f, st.outputs, 0, n);
        if (s.rIn != null) {
            st.rColumns = LayerState.ensure(st.rColumns, patch * st.ld);
            unfold(s.rIn, batch, st.rColumns, n);
            k.gemm(N, N, filters, n, patch, 1f, w, wOff, patch, st.rColumns, 0, n, 1f, st.outputs, 0, n);
        }
        toBatchMajor(st.outputs, batch, bias == null ? null : v, s.rOut);
    }

    @Override
    void rBackward(LayerState s, int batch, float[] w, float[] v, float[] hv) {
        State st = (State) s;
        Kernels k = s.kernels;
        int n = batch * positions;
        st.outputs2 = LayerState.ensure(st.outputs2, st.outputs.length);
        toChannelMajor(s.dOut, batch, st.outputs);
        toChannelMajor(s.rdOut, batch, st.outputs2);
        k.gemm(N, T, filters, patch, n, 1f, st.outputs2, 0, n, st.columns, 0, st.ld, 0f, hv, wOff, patch);
        if (s.rIn != null) {
            k.gemm(N, T, filters, patch, n, 1f, st.outputs, 0, n, st.rColumns, 0, n, 1f, hv, wOff, patch);
        }
        if (bias != null) {
            rowSums(st.outputs2, n, hv, bias.offset(), false);
        }
        if (s.rdIn != null) {
            float[] dx = columnScratch(st);
            k.gemm(T, N, patch, n, filters, 1f, w, wOff, patch, st.outputs2, 0, n, 0f, dx, 0, n);
            k.gemm(T, N, patch, n, filters, 1f, v, wOff, patch, st.outputs, 0, n, 1f, dx, 0, n);
            fold(dx, n, batch, s.rdIn);
        }
    }

    @Override
    void diagonalBackward(LayerState s, int batch, float[] w, boolean secondDerivativeTerms, float[] diag) {
        State st = (State) s;
        Kernels k = s.kernels;
        int n = batch * positions;
        float[] scratch = columnScratch(st);
        toChannelMajor(s.rdOut, batch, st.outputs);
        Ops.square(st.columns, 0, st.ld, patch, n, scratch, 0, n);
        k.gemm(N, T, filters, patch, n, 1f, st.outputs, 0, n, scratch, 0, n, 0f, diag, wOff, patch);
        if (bias != null) {
            rowSums(st.outputs, n, diag, bias.offset(), false);
        }
        if (s.rdIn != null) {
            st.weightSquares = LayerState.ensure(st.weightSquares, filters * patch);
            Ops.square(w, wOff, patch, filters, patch, st.weightSquares, 0, patch);
            k.gemm(T, N, patch, n, filters, 1f, st.weightSquares, 0, patch, st.outputs, 0, n, 0f, scratch, 0, n);
            fold(scratch, n, batch, s.rdIn);
        }
    }

    @Override
    void sampleGradients(LayerState s, int batch, float[] g, int gOff, int ldg) {
        State st = (State) s;
        for (int i = 0; i < batch; i++) {
            int row = gOff + i * ldg;
            sampleWeightGradient(st, i, g, row + wOff);
            if (bias != null) {
                for (int f = 0; f < filters; f++) {
                    g[row + bias.offset() + f] = Ops.sum(s.dOut, (i * filters + f) * positions, positions);
                }
            }
        }
    }

    /** Δ_n X_nᵀ into {@code dst[off, off + c_out·d_col)}: Δ_n is sample n's NCHW gradient, a [c_out, |T|] block. */
    private void sampleWeightGradient(State st, int sample, float[] dst, int off) {
        st.kernels.gemm(N, T, filters, patch, positions, 1f, st.dOut, sample * filters * positions, positions,
                st.columns, sample * positions, st.ld, 0f, dst, off, patch);
    }

    @Override
    void accumulateSquaredSampleGradients(LayerState s, int batch, float[] acc) {
        State st = (State) s;
        st.sampleScratch = LayerState.ensure(st.sampleScratch, filters * patch);
        for (int i = 0; i < batch; i++) {
            sampleWeightGradient(st, i, st.sampleScratch, 0);
            Ops.accumulateSquares(st.sampleScratch, 0, filters * patch, acc, wOff);
            if (bias != null) {
                for (int f = 0; f < filters; f++) {
                    float b = Ops.sum(s.dOut, (i * filters + f) * positions, positions);
                    acc[bias.offset() + f] += b * b;
                }
            }
        }
    }

    @Override
    void statistics(LayerState s, int batch, boolean kronecker, LayerStatistics v) {
        State st = (State) s;
        int n = batch * positions;
        v.rows = n;
        v.rowsPerSample = positions;
        v.inputs = st.columns;
        v.inputOffset = 0;
        v.inputSampleStride = 1;
        v.inputFeatureStride = st.ld;
        v.inputColumns = patch;
        v.biasColumn = kronecker && bias != null;
        v.outputColumns = filters;
        if (kronecker) {
            toChannelMajor(s.dOut, batch, st.outputs);
            v.outputGradients = st.outputs;
            v.gradientOffset = 0;
            v.gradientSampleStride = 1;
            v.gradientFeatureStride = n;
        } else {
            v.outputGradients = null;
        }
    }

    /** [c_out, B·|T|] → NCHW by contiguous |T|-blocks, adding {@code b[c]} when b is not null. */
    private void toBatchMajor(float[] y, int batch, float[] b, float[] out) {
        int n = batch * positions;
        for (int f = 0; f < filters; f++) {
            float add = b == null ? 0f : b[bias.offset() + f];
            for (int i = 0; i < batch; i++) {
                int src = f * n + i * positions;
                int dst = (i * filters + f) * positions;
                for (int t = 0; t < positions; t++) {
                    out[dst + t] = y[src + t] + add;
                }
            }
        }
    }

    /** NCHW → [c_out, B·|T|] by contiguous |T|-blocks. */
    private void toChannelMajor(float[] x, int batch, float[] y) {
        int n = batch * positions;
        for (int i = 0; i < batch; i++) {
            for (int f = 0; f < filters; f++) {
                System.arraycopy(x, (i * filters + f) * positions, y, f * n + i * positions, positions);
            }
        }
    }

    /** {@code dst[f] (=|+=) Σ_j y[f, j]} over the [c_out, n] matrix y. */
    private void rowSums(float[] y, int n, float[] dst, int off, boolean accumulate) {
        for (int f = 0; f < filters; f++) {
            float sum = Ops.sum(y, f * n, n);
            dst[off + f] = accumulate ? dst[off + f] + sum : sum;
        }
    }

    /**
     * im2col: row (c, ky, kx) of X, column (sample, oy, ox) = x[sample, c, oy·s + ky − p, ox·s + kx − p]
     * (0 outside the image); row stride ld. The inner loop runs along an output row.
     */
    private void unfold(float[] x, int batch, float[] cols, int ld) {
        int plane = height * width;
        for (int c = 0; c < channels; c++) {
            for (int ky = 0; ky < kernel; ky++) {
                for (int kx = 0; kx < kernel; kx++) {
                    int row = ((c * kernel + ky) * kernel + kx) * ld;
                    // Output columns ox whose input column ox·s + kx − p lies inside [0, width).
                    int lo = firstInside(kx, width, outWidth);
                    int hi = endInside(kx, width, outWidth);
                    for (int i = 0; i < batch; i++) {
                        int xc = (i * channels + c) * plane;
                        for (int oy = 0; oy < outHeight; oy++) {
                            int dst = row + (i * outHeight + oy) * outWidth;
                            int iy = oy * stride + ky - padding;
                            if (iy < 0 || iy >= height || lo >= hi) {
                                Arrays.fill(cols, dst, dst + outWidth, 0f);
                                continue;
                            }
                            Arrays.fill(cols, dst, dst + lo, 0f);
                            int src = xc + iy * width + kx - padding;
                            if (stride == 1) {
                                System.arraycopy(x, src + lo, cols, dst + lo, hi - lo);
                            } else {
                                for (int ox = lo; ox < hi; ox++) {
                                    cols[dst + ox] = x[src + ox * stride];
                                }
                            }
                            Arrays.fill(cols, dst + hi, dst + outWidth, 0f);
                        }
                    }
                }
            }
        }
    }

    /** col2im: dx = Σ over the columns of dcols (row stride ld) scattered back to their input pixels. */
    private void fold(float[] dcols, int ld, int batch, float[] dx) {
        int plane = height * width;
        Arrays.fill(dx, 0, batch * channels * plane, 0f);
        for (int c = 0; c < channels; c++) {
            for (int ky = 0; ky < kernel; ky++) {
                for (int kx = 0; kx < kernel; kx++) {
                    int row = ((c * kernel + ky) * kernel + kx) * ld;
                    int lo = firstInside(kx, width, outWidth);
                    int hi = endInside(kx, width, outWidth);
                    for (int i = 0; i < batch; i++) {
                        int xc = (i * channels + c) * plane;
                        for (int oy = 0; oy < outHeight; oy++) {
                            int iy = oy * stride + ky - padding;
                            if (iy < 0 || iy >= height) {
                                continue;
                            }
                            int src = row + (i * outHeight + oy) * outWidth;
                            int dst = xc + iy * width + kx - padding;
                            if (stride == 1) {
                                // Contiguous on both sides: C2 vectorizes this form.
                                for (int ox = lo; ox < hi; ox++) {
                                    dx[dst + ox] += dcols[src + ox];
                                }
                            } else {
                                for (int ox = lo; ox < hi; ox++) {
                                    dx[dst + ox * stride] += dcols[src + ox];
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /** Smallest ox with 0 ≤ ox·s + k − p. */
    private int firstInside(int k, int size, int outSize) {
        int need = padding - k;
        return need <= 0 ? 0 : Math.min(outSize, (need + stride - 1) / stride);
    }

    /** One past the largest ox with ox·s + k − p &lt; size. */
    private int endInside(int k, int size, int outSize) {
        int limit = size - 1 + padding - k;
        return limit < 0 ? 0 : Math.min(outSize, limit / stride + 1);
    }
}
