package dev.surgeon.core.nn;

import static dev.surgeon.kernels.Trans.N;
import static dev.surgeon.kernels.Trans.T;

import dev.surgeon.kernels.Kernels;
import java.util.Arrays;
import java.util.List;

/**
 * 2-D convolution (cross-correlation, as PyTorch's Conv2d) with square kernels, stride and zero padding;
 * NCHW activations, weight {@code [c_out, c_in, k, k]}.
 *
 * <p>Every pass is one large gemm over the whole batch on an unfolded patch matrix P (im2col,
 * "patch-major": one row per (sample, output position), B·|T| rows of d_col = c_in·k·k columns in
 * (channel, ky, kx) order — the column order of the weight viewed as {@code [c_out, d_col]}). Forward:
 * Y = P Wᵀ (B·|T| × c_out, channels last), then one reorder to NCHW fused with the bias. Backward: the
 * NCHW output gradient is reordered to channels-last rows Δ, ∇W = Δᵀ P, ∂/∂P = Δ W folded back (col2im)
 * into ∂/∂input. The R-operator, Becker–LeCun and squared-sample-gradient passes are the same products
 * with R{P}, V, P∘P and W∘W (see {@link Layer}). Per-sample gradients are one gemm Δ_nᵀ P_n per sample.
 *
 * <p>P is kept with row stride d_col + 1 and a constant 1 in the last column, so the K-FAC view of the
 * augmented patches [⟦h⟧_τ; 1] needs no copy. Memory: B·|T|·(d_col + 1) floats for P (16 MB for LeNet-5's
 * second convolution at B = 128), plus a same-sized scratch when input gradients or curvature are needed.
 */
final class Conv2d extends Layer {
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
    private final int ldp;
    private final ParameterTensor weight;
    private final ParameterTensor bias;
    private final int wOff;
    private final List<ParameterTensor> parameters;

    Conv2d(int index, LayerSpec spec, Shape inShape, Shape outShape, ParameterTensor weight, ParameterTensor bias) {
        super(index, spec, inShape, outShape);
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
        this.ldp = patch + 1;
        this.weight = weight;
        this.bias = bias;
        this.wOff = weight.offset();
        this.parameters = bias == null ? List.of(weight) : List.of(weight, bias);
    }

    @Override
    public List<ParameterTensor> parameters() {
        return parameters;
    }

    /** Patch matrices and channels-last scratch of one convolution in one workspace. */
    static final class State extends LayerState {
        final float[] patches;
        final float[] rows;
        float[] rows2;
        float[] patchScratch;
        float[] rPatches;
        float[] weightSquares;
        float[] sampleScratch;

        State(Kernels kernels, int capacity, int patchRows, int ldp, int filters) {
            super(kernels, capacity);
            this.patches = new float[Math.multiplyExact(patchRows, ldp)];
            for (int r = 0; r < patchRows; r++) {
                patches[r * ldp + ldp - 1] = 1f;
            }
            this.rows = new float[Math.multiplyExact(patchRows, filters)];
        }
    }

    @Override
    LayerState newState(Kernels kernels, int capacity) {
        return new State(kernels, capacity, Math.multiplyExact(capacity, positions), ldp, filters);
    }

    private float[] patchScratch(State st) {
        st.patchScratch = LayerState.ensure(st.patchScratch, st.capacity * positions * patch);
        return st.patchScratch;
    }

    @Override
    void forward(LayerState s, int batch, float[] w, boolean training) {
        State st = (State) s;
        unfold(s.in, batch, st.patches, ldp);
        s.kernels.gemm(N, T, batch * positions, filters, patch, 1f, st.patches, 0, ldp, w, wOff, patch,
                0f, st.rows, 0, filters);
        Ops.toChannelsFirst(st.rows, batch, filters, positions, bias == null ? null : w, biasOffset(), s.out);
    }

    private int biasOffset() {
        return bias == null ? -1 : bias.offset();
    }

    @Override
    void backward(LayerState s, int batch, float[] w, float[] grad) {
        State st = (State) s;
        Kernels k = s.kernels;
        int rowCount = batch * positions;
        Ops.toChannelsLast(s.dOut, batch, filters, positions, st.rows);
        if (grad != null) {
            k.gemm(T, N, filters, patch, rowCount, 1f, st.rows, 0, filters, st.patches, 0, ldp, 0f, grad, wOff, patch);
            if (bias != null) {
                Ops.channelSums(s.dOut, batch, filters, positions, grad, bias.offset(), false);
            }
        }
        if (s.dIn != null) {
            float[] dp = patchScratch(st);
            k.gemm(N, N, rowCount, patch, filters, 1f, st.rows, 0, filters, w, wOff, patch, 0f, dp, 0, patch);
            fold(dp, patch, batch, s.dIn);
        }
    }

    @Override
    void rForward(LayerState s, int batch, float[] w, float[] v) {
        State st = (State) s;
        Kernels k = s.kernels;
        int rowCount = batch * positions;
        k.gemm(N, T, rowCount, filters, patch, 1f, st.patches, 0, ldp, v, wOff, patch, 0f, st.rows, 0, filters);
        if (s.rIn != null) {
            st.rPatches = LayerState.ensure(st.rPatches, st.capacity * positions * patch);
            unfold(s.rIn, batch, st.rPatches, patch);
            k.gemm(N, T, rowCount, filters, patch, 1f, st.rPatches, 0, patch, w, wOff, patch, 1f, st.rows, 0, filters);
        }
        Ops.toChannelsFirst(st.rows, batch, filters, positions, bias == null ? null : v, biasOffset(), s.rOut);
    }

    @Override
    void rBackward(LayerState s, int batch, float[] w, float[] v, float[] hv) {
        State st = (State) s;
        Kernels k = s.kernels;
        int rowCount = batch * positions;
        st.rows2 = LayerState.ensure(st.rows2, st.rows.length);
        Ops.toChannelsLast(s.dOut, batch, filters, positions, st.rows);
        Ops.toChannelsLast(s.rdOut, batch, filters, positions, st.rows2);
        k.gemm(T, N, filters, patch, rowCount, 1f, st.rows2, 0, filters, st.patches, 0, ldp, 0f, hv, wOff, patch);
        if (s.rIn != null) {
            k.gemm(T, N, filters, patch, rowCount, 1f, st.rows, 0, filters, st.rPatches, 0, patch, 1f, hv, wOff, patch);
        }
        if (bias != null) {
            Ops.channelSums(s.rdOut, batch, filters, positions, hv, bias.offset(), false);
        }
        if (s.rdIn != null) {
            float[] dp = patchScratch(st);
            k.gemm(N, N, rowCount, patch, filters, 1f, st.rows2, 0, filters, w, wOff, patch, 0f, dp, 0, patch);
            k.gemm(N, N, rowCount, patch, filters, 1f, st.rows, 0, filters, v, wOff, patch, 1f, dp, 0, patch);
            fold(dp, patch, batch, s.rdIn);
        }
    }

    @Override
    void diagonalBackward(LayerState s, int batch, float[] w, boolean secondDerivativeTerms, float[] diag) {
        State st = (State) s;
        Kernels k = s.kernels;
        int rowCount = batch * positions;
        float[] scratch = patchScratch(st);
        Ops.toChannelsLast(s.rdOut, batch, filters, positions, st.rows);
        Ops.square(st.patches, 0, ldp, rowCount, patch, scratch, 0, patch);
        k.gemm(T, N, filters, patch, rowCount, 1f, st.rows, 0, filters, scratch, 0, patch, 0f, diag, wOff, patch);
        if (bias != null) {
            Ops.channelSums(s.rdOut, batch, filters, positions, diag, bias.offset(), false);
        }
        if (s.rdIn != null) {
            st.weightSquares = LayerState.ensure(st.weightSquares, filters * patch);
            Ops.square(w, wOff, patch, filters, patch, st.weightSquares, 0, patch);
            k.gemm(N, N, rowCount, patch, filters, 1f, st.rows, 0, filters, st.weightSquares, 0, patch, 0f, scratch, 0, patch);
            fold(scratch, patch, batch, s.rdIn);
        }
    }

    @Override
    void sampleGradients(LayerState s, int batch, float[] g, int gOff, int ldg) {
        State st = (State) s;
        Ops.toChannelsLast(s.dOut, batch, filters, positions, st.rows);
        for (int n = 0; n < batch; n++) {
            int row = gOff + n * ldg;
            sampleWeightGradient(st, n, g, row + wOff);
            if (bias != null) {
                for (int f = 0; f < filters; f++) {
                    g[row + bias.offset() + f] = Ops.sum(s.dOut, (n * filters + f) * positions, positions);
                }
            }
        }
    }

    /** The weight gradient of sample n, Δ_nᵀ P_n, into {@code dst[off, off + c_out·d_col)} (rows must hold Δ). */
    private void sampleWeightGradient(State st, int n, float[] dst, int off) {
        st.kernels.gemm(T, N, filters, patch, positions, 1f, st.rows, n * positions * filters, filters,
                st.patches, n * positions * ldp, ldp, 0f, dst, off, patch);
    }

    @Override
    void accumulateSquaredSampleGradients(LayerState s, int batch, float[] acc) {
        State st = (State) s;
        st.sampleScratch = LayerState.ensure(st.sampleScratch, filters * patch);
        Ops.toChannelsLast(s.dOut, batch, filters, positions, st.rows);
        for (int n = 0; n < batch; n++) {
            sampleWeightGradient(st, n, st.sampleScratch, 0);
            Ops.accumulateSquares(st.sampleScratch, 0, filters * patch, acc, wOff);
            if (bias != null) {
                for (int f = 0; f < filters; f++) {
                    float b = Ops.sum(s.dOut, (n * filters + f) * positions, positions);
                    acc[bias.offset() + f] += b * b;
                }
            }
        }
    }

    @Override
    void statistics(LayerState s, int batch, boolean kronecker, LayerStatistics v) {
        State st = (State) s;
        v.rows = batch * positions;
        v.rowsPerSample = positions;
        v.inputs = st.patches;
        v.inputOffset = 0;
        v.inputStride = ldp;
        v.inputColumns = patch;
        v.biasColumn = kronecker && bias != null;
        v.outputColumns = filters;
        if (kronecker) {
            Ops.toChannelsLast(s.dOut, batch, filters, positions, st.rows);
            v.outputGradients = st.rows;
            v.gradientOffset = 0;
            v.gradientStride = filters;
        } else {
            v.outputGradients = null;
        }
    }

    /** im2col: writes the patch of every (sample, output position) as one row of p (row stride ldp). */
    private void unfold(float[] x, int batch, float[] p, int ld) {
        int plane = height * width;
        for (int b = 0; b < batch; b++) {
            int xb = b * channels * plane;
            for (int oy = 0; oy < outHeight; oy++) {
                int y0 = oy * stride - padding;
                for (int ox = 0; ox < outWidth; ox++) {
                    int x0 = ox * stride - padding;
                    int dst = ((b * outHeight + oy) * outWidth + ox) * ld;
                    for (int c = 0; c < channels; c++) {
                        int xc = xb + c * plane;
                        for (int ky = 0; ky < kernel; ky++, dst += kernel) {
                            int iy = y0 + ky;
                            if (iy < 0 || iy >= height) {
                                Arrays.fill(p, dst, dst + kernel, 0f);
                                continue;
                            }
                            int src = xc + iy * width;
                            for (int kx = 0; kx < kernel; kx++) {
                                int ix = x0 + kx;
                                p[dst + kx] = ix >= 0 && ix < width ? x[src + ix] : 0f;
                            }
                        }
                    }
                }
            }
        }
    }

    /** col2im: dx = Σ over patches of the rows of dp scattered back to their input positions (dx overwritten). */
    private void fold(float[] dp, int ld, int batch, float[] dx) {
        int plane = height * width;
        Arrays.fill(dx, 0, batch * channels * plane, 0f);
        for (int b = 0; b < batch; b++) {
            int xb = b * channels * plane;
            for (int oy = 0; oy < outHeight; oy++) {
                int y0 = oy * stride - padding;
                for (int ox = 0; ox < outWidth; ox++) {
                    int x0 = ox * stride - padding;
                    int src = ((b * outHeight + oy) * outWidth + ox) * ld;
                    for (int c = 0; c < channels; c++) {
                        int xc = xb + c * plane;
                        for (int ky = 0; ky < kernel; ky++, src += kernel) {
                            int iy = y0 + ky;
                            if (iy < 0 || iy >= height) {
                                continue;
                            }
                            int dst = xc + iy * width;
                            for (int kx = 0; kx < kernel; kx++) {
                                int ix = x0 + kx;
                                if (ix >= 0 && ix < width) {
                                    dx[dst + ix] += dp[src + kx];
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    @Override
    public String toString() {
        return super.toString() + " " + Arrays.toString(weight.shape());
    }
}
