package dev.surgeon.core.nn;

import static dev.surgeon.kernels.Trans.N;
import static dev.surgeon.kernels.Trans.T;

import dev.surgeon.kernels.ConvolutionGeometry;
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
 * <p>A training step runs these products block by block ({@link #blockSamples}) through
 * {@link dev.surgeon.kernels.Kernels#im2colProduct} and {@link dev.surgeon.kernels.Kernels#im2colTransposedProduct}
 * for Y = W X and ∇[W | b] = Δ [X; 1]ᵀ: the Vector provider gathers X's panels from the image (implicit GEMM) and
 * writes no X at all; other providers unfold each block into a small buffer first. In per-sample mode (large |T|,
 * {@link #PER_SAMPLE_POSITIONS}) the forward pass unfolds each sample above a row of ones and computes
 * Y_n = [W | b]·[X_n; 1] with one gemm that stores straight into the NCHW output, and a max pooling layer that follows
 * runs block by block inside this layer's passes ({@link #forwardThenPool}, {@link #backwardThroughPool}).
 *
 * <p>Where {@link WinogradConvolution} applies (stride 1, k ≤ 5, an output of whole 4 × 4 tiles, batch mode) the
 * forward and backward passes of batches of at least {@link WinogradConvolution#SAMPLES} samples run through it
 * instead: F(4×4, 5×5) does 6.25 times fewer multiply-adds than the direct products (LeNet-5's second convolution:
 * 615 M → 98 M per batch of 128, plus transforms). The other passes (R-operator, curvature, per-sample gradients)
 * keep the direct products, which round differently by about 1e-6 relative.
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
    private final ConvolutionGeometry geometry;
    /** Winograd F(4×4, k×k) for the batch-mode forward and backward passes, or null where it does not apply. */
    private final WinogradConvolution winograd;

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
        this.geometry = new ConvolutionGeometry(channels, height, width, kernel, stride, padding);
        this.winograd = !perSample() && WinogradConvolution.supports(kernel, stride, outHeight, outWidth)
                ? new WinogradConvolution(channels, height, width, filters, kernel, padding) : null;
    }

    /** The unfolded input X, its scratch twin, and [c_out, B·|T|] buffers of one convolution in one workspace. */
    static final class State extends LayerState {
        /** Row stride of every [rows, B·|T|] buffer: capacity·|T|. */
        final int ld;
        /** The whole batch's X with its row of ones, for the passes that need it; allocated on first use (a training step
         * unfolds block by block and never does). */
        float[] columns;
        /** Samples of the current forward pass that {@link #columns} holds unfolded; -1 when stale. */
        int columnsBatch = -1;
        final float[] outputs;
        float[] outputs2;
        float[] columnScratch;
        float[] rColumns;
        float[] weightSquares;
        float[] sampleScratch;
        float[] augmentedGradient;
        float[] augmentedWeights;
        float[] blockColumns;
        float[] blockInputs;
        WinogradConvolution.Buffers winograd;
        float[] blockOutputGradient;
        double[] biasSums;

        State(Kernels kernels, int capacity, int positions, int patch, int filters) {
            super(kernels, capacity);
            this.ld = Math.multiplyExact(capacity, positions);
            this.outputs = new float[Math.multiplyExact(filters, ld)];
        }
    }

    @Override
    LayerState newState(Kernels kernels, int capacity) {
        return new State(kernels, capacity, positions, patch, filters);
    }

    /** The buffer of X, allocated with its row of ones on first use. */
    private float[] columns(State st) {
        if (st.columns == null) {
            st.columns = new float[Math.multiplyExact(patch + 1, st.ld)];
            Arrays.fill(st.columns, patch * st.ld, (patch + 1) * st.ld, 1f);
        }
        return st.columns;
    }

    /** X for the current forward pass's batch, unfolding the input now if the forward pass did not. */
    private float[] unfolded(State st, int batch) {
        if (st.columnsBatch != batch) {
            st.kernels.im2col(geometry, st.in, 0, 0, batch, columns(st), 0, st.ld);
            st.columnsBatch = batch;
        }
        return st.columns;
    }

    private float[] columnScratch(State st) {
        st.columnScratch = LayerState.ensure(st.columnScratch, patch * st.ld);
        return st.columnScratch;
    }

    /**
     * At or above this many output positions per sample, forward and backward run one product per sample that
     * reads and writes the NCHW activations in place, instead of one batch product with [c_out, B·|T|]
     * buffers and two reorders. Per-sample products repack W every call, which pays only when |T| is large:
     * LeNet-5's first convolution (|T| = 576) saves the reorders of 5.9 MB per batch each way; its second
     * (|T| = 64) would repack its 25,000 weights 128 times.
     */
    static final int PER_SAMPLE_POSITIONS = 256;

    private boolean perSample() {
        return positions >= PER_SAMPLE_POSITIONS;
    }

    /** Columns of the augmented weight matrix [W | b]: the bias rides on X's row of ones. */
    private int augmented() {
        return bias == null ? patch : patch + 1;
    }

    /**
     * Samples per block of a training step's passes: one block's unfolded input X_b (d_col × block·|T| floats) and
     * its input-gradient columns stay within about 1 MB, so each is written and read back while in L2. A training
     * step never builds the whole X (16 MB for LeNet-5's second convolution at batch 128): providers without implicit
     * products unfold each block into one small buffer for the forward pass and again for the weight gradient. Written
     * whole, X cost 3.4 ms of a 40 ms LeNet-5 step in cache misses alone; the second unfold of a block costs less than
     * reading it back. With the implicit products blocks of 2¹⁷ and 2¹⁸ floats time the same (stop 15).
     */
    private int blockSamples() {
        return Math.max(1, (1 << 18) / (patch * positions));
    }

    @Override
    void forward(LayerState s, int batch, float[] w, boolean training) {
        forwardThenPool(s, batch, w, null, null);
    }

    /**
     * The forward pass, and when {@code pool} is not null (per-sample mode only, see {@link #fusesWithPool}) that max
     * pooling layer's forward pass over each block of samples right after the block is computed, while its output
     * (830 KB for LeNet-5's first convolution) is still in L2: pooling the whole 5.9 MB output afterwards read it back
     * from L3. The results are the same as the two passes one after the other.
     */
    void forwardThenPool(LayerState s, int batch, float[] w, MaxPool2d pool, LayerState poolState) {
        State st = (State) s;
        st.columnsBatch = -1;
        if (st.winograd != null) {
            st.winograd.transformedInputs = false;
        }
        if (winogradFor(batch)) {
            WinogradConvolution.Buffers b = winogradBuffers(st);
            winograd.prepare(s.kernels, w, wOff, b);
            int block = WinogradConvolution.SAMPLES;
            for (int from = 0; from < batch; from += block) {
                winograd.forward(s.kernels, s.in, from, Math.min(batch, from + block), w,
                        bias == null ? -1 : bias.offset(), s.out, b);
            }
            b.transformedInputs = true;
            return;
        }
        boolean perSample = perSample();
        int block = blockSamples();
        float[] xb = blockInputs(st, block);
        int depth = augmented();
        float[] wb = null;
        if (perSample) {
            wb = augmentedWeights(st, w);
            Arrays.fill(xb, patch * positions, depth * positions, 1f);
        }
        for (int from = 0; from < batch; from += block) {
            int to = Math.min(batch, from + block);
            if (perSample) {
                for (int i = from; i < to; i++) {
                    // Y_n = [W | b]·[X_n; 1], X_n unfolded into xb above its row of ones.
                    s.kernels.im2col(geometry, s.in, 0, i, i + 1, xb, 0, positions);
                    s.kernels.gemm(N, N, filters, positions, depth, 1f, wb, 0, depth, xb, 0, positions, 0f, s.out,
                            i * filters * positions, positions);
                }
            } else {
                // The provider may gather X's panels from the image (implicit GEMM) and never fill xb.
                s.kernels.im2colProduct(geometry, s.in, 0, from, to, filters, 1f, w, wOff, patch, 0f, st.outputs,
                        from * positions, st.ld, xb);
                toBatchMajor(st.outputs, st.ld, from, to, bias == null ? null : w, s.out);
            }
            if (pool != null) {
                pool.forwardSamples(poolState, from, to);
            }
        }
    }

    /**
     * Whether a training step may run the max pooling layer after this one block by block inside this layer's passes
     * ({@link #forwardThenPool}, {@link #backwardThroughPool}): in per-sample mode, whose blocks write and read the
     * NCHW activations in place.
     */
    boolean fusesWithPool() {
        return perSample();
    }

    @Override
    void backward(LayerState s, int batch, float[] w, float[] grad) {
        backwardThroughPool(s, batch, w, grad, null, null, true);
    }

    /**
     * The backward pass, preceded block by block, when {@code pool} is not null (see {@link #fusesWithPool}), by that
     * max pooling layer's backward pass over the same samples: the block's output gradient (this layer's dOut) is
     * written and then read by the products while in L2 instead of being scattered whole (5.9 MB for LeNet-5's first
     * convolution) and read back from L3. The results are the same as the two passes one after the other: the weight
     * gradient is summed over the samples in the same order.
     *
     * <p>Without {@code keepSignals} (a training step, which reads only the gradient) and with pooling windows that
     * tile this layer's output, the block's output gradient is unpooled into a block-sized scratch instead of this
     * layer's dOut, which is then left stale: the scratch stays in L2 from block to block, where writing dOut (5.9 MB
     * for LeNet-5's first convolution) missed the cache on every line.
     */
    void backwardThroughPool(LayerState s, int batch, float[] w, float[] grad, MaxPool2d pool, LayerState poolState,
                             boolean keepSignals) {
        State st = (State) s;
        Kernels k = s.kernels;
        if (winogradFor(batch)) {
            winogradBackward(st, batch, w, grad);
            return;
        }
        int n = batch * positions;
        int depth = augmented();
        int block = blockSamples();
        boolean perSample = perSample();
        if (!perSample) {
            toChannelMajor(s.dOut, batch, st.outputs);
        }
        float[] g = grad == null ? null : gradientScratch(st);
        float[] xb = grad == null ? null : blockInputs(st, block);
        float[] dx = s.dIn == null ? null : blockGradients(st, block);
        boolean scratch = pool != null && !keepSignals && pool.tilesExactly();
        // Δ of sample i is at delta[(i − first)·c_out·|T|]: dOut with first = 0, or the block's scratch.
        float[] delta = scratch ? blockOutputGradient(st, block) : s.dOut;
        for (int from = 0; from < batch; from += block) {
            int to = Math.min(batch, from + block);
            int first = scratch ? from : 0;
            if (scratch) {
                pool.backwardSamplesInto(poolState, from, to, delta);
            } else if (pool != null) {
                pool.backwardSamples(poolState, from, to);
            }
            if (grad != null) {
                // ∇[W | b] = Σ_blocks Δ_b [X_b; 1]ᵀ: X's row of ones turns the bias gradient into the last column (a
                // separate row-sum pass was a serial float sum, 4 cycles per entry). Per-sample products read Δ_n in
                // place from the NCHW gradient; batch products read the channel-major Δ.
                if (perSample) {
                    for (int i = from; i < to; i++) {
                        k.im2colTransposedProduct(geometry, s.in, 0, i, i + 1, bias != null, filters, 1f, delta,
                                (i - first) * filters * positions, positions, i == 0 ? 0f : 1f, g, 0, depth, xb);
                    }
                } else {
                    k.im2colTransposedProduct(geometry, s.in, 0, from, to, bias != null, filters, 1f, st.outputs,
                            from * positions, n, from == 0 ? 0f : 1f, g, 0, depth, xb);
                }
            }
            if (dx != null) {
                // ∂/∂input = col2im(Wᵀ Δ); the Vector provider folds each tile of the product into the image as it is
                // computed (the 16 MB of Wᵀ Δ per LeNet-5 batch is never written).
                if (perSample) {
                    for (int i = from; i < to; i++) {
                        k.col2imProduct(geometry, i, i + 1, filters, 1f, w, wOff, patch, delta,
                                (i - first) * filters * positions, positions, s.dIn, 0, dx);
                    }
                } else {
                    k.col2imProduct(geometry, from, to, filters, 1f, w, wOff, patch, st.outputs, from * positions, n,
                            s.dIn, 0, dx);
                }
            }
        }
        if (grad != null) {
            scatterGradient(g, grad);
        }
    }

    /**
     * The backward pass through {@link #winograd}: ∇U summed block by block, then ∇W = Gᵀ ∇U G; the bias gradient is
     * the output gradient's sum, in float64 across blocks.
     */
    private void winogradBackward(State st, int batch, float[] w, float[] grad) {
        Kernels k = st.kernels;
        WinogradConvolution.Buffers b = winogradBuffers(st);
        if (st.dIn != null) {
            // U again for dV = Uᵀ dM: the weights are read now, as the direct products read them, not as the forward
            // pass saw them.
            winograd.prepare(k, w, wOff, b);
        }
        double[] biasSums = null;
        if (grad != null && bias != null) {
            st.biasSums = st.biasSums == null ? new double[filters] : st.biasSums;
            biasSums = st.biasSums;
            Arrays.fill(biasSums, 0);
        }
        int block = WinogradConvolution.SAMPLES;
        for (int from = 0; from < batch; from += block) {
            winograd.backward(k, st.in, st.dOut, from, Math.min(batch, from + block), grad != null, from == 0,
                    biasSums, st.dIn, b);
        }
        b.transformedInputs = false;
        if (grad != null) {
            winograd.filterGradient(k, b, grad, wOff);
            if (biasSums != null) {
                for (int f = 0; f < filters; f++) {
                    grad[bias.offset() + f] = (float) biasSums[f];
                }
            }
        }
    }

    /** Whether batches of {@link WinogradConvolution#SAMPLES} or more run through Winograd's F(4×4, k×k). */
    boolean usesWinograd() {
        return winograd != null;
    }

    /**
     * Whether a pass over {@code batch} samples runs through {@link #winograd}: a block of
     * {@link WinogradConvolution#SAMPLES} samples costs the same however many of them are live, and at full blocks the
     * forward pass takes about 0.8 of the direct products' time (stop 17), so smaller batches (a service's single
     * sample) keep the direct products.
     */
    private boolean winogradFor(int batch) {
        return winograd != null && batch >= WinogradConvolution.SAMPLES;
    }

    private WinogradConvolution.Buffers winogradBuffers(State st) {
        if (st.winograd == null) {
            st.winograd = new WinogradConvolution.Buffers(winograd, st.capacity);
        }
        return st.winograd;
    }

    /**
     * Scratch for one block's [X_b; 1] ((d_col + 1) × block·|T| floats), which providers without implicit products
     * unfold into (see {@link dev.surgeon.kernels.Kernels#im2colTransposedProduct}); they write its row of ones too.
     */
    private float[] blockInputs(State st, int block) {
        st.blockInputs = LayerState.ensure(st.blockInputs, (patch + 1) * block * positions);
        return st.blockInputs;
    }

    /** A block's output gradient, block·c_out·|T| floats (NCHW), for a training step's fused pooling. */
    private float[] blockOutputGradient(State st, int block) {
        st.blockOutputGradient = LayerState.ensure(st.blockOutputGradient, block * filters * positions);
        return st.blockOutputGradient;
    }

    /** A [d_col, block·|T|] buffer for one block of input-gradient columns. */
    private float[] blockGradients(State st, int block) {
        st.blockColumns = LayerState.ensure(st.blockColumns, patch * block * positions);
        return st.blockColumns;
    }

    /** [W | b] (c_out × (d_col + 1)), or W without a bias, copied into the layer's scratch. */
    private float[] augmentedWeights(State st, float[] w) {
        int cols = augmented();
        st.augmentedWeights = LayerState.ensure(st.augmentedWeights, filters * cols);
        for (int f = 0; f < filters; f++) {
            System.arraycopy(w, wOff + f * patch, st.augmentedWeights, f * cols, patch);
            if (bias != null) {
                st.augmentedWeights[f * cols + patch] = w[bias.offset() + f];
            }
        }
        return st.augmentedWeights;
    }

    private float[] gradientScratch(State st) {
        // A spare 64 floats past [W | b]'s gradient: the gemm's masked vectors on the last row then stay inside the
        // array, so its last tiles are merged with vectors rather than one float at a time.
        st.augmentedGradient = LayerState.ensure(st.augmentedGradient, filters * augmented() + 64);
        return st.augmentedGradient;
    }

    /** The [c_out, d_col (+1)] gradient of [W | b] into the weight and bias slots of {@code grad}. */
    private void scatterGradient(float[] g, float[] grad) {
        int cols = augmented();
        for (int f = 0; f < filters; f++) {
            System.arraycopy(g, f * cols, grad, wOff + f * patch, patch);
            if (bias != null) {
                grad[bias.offset() + f] = g[f * cols + patch];
            }
        }
    }

    @Override
    void rForward(LayerState s, int batch, float[] w, float[] v) {
        State st = (State) s;
        Kernels k = s.kernels;
        int n = batch * positions;
        k.gemm(N, N, filters, n, patch, 1f, v, wOff, patch, unfolded(st, batch), 0, st.ld, 0f, st.outputs, 0, n);
        if (s.rIn != null) {
            st.rColumns = LayerState.ensure(st.rColumns, patch * st.ld);
            k.im2col(geometry, s.rIn, 0, 0, batch, st.rColumns, 0, n);
            k.gemm(N, N, filters, n, patch, 1f, w, wOff, patch, st.rColumns, 0, n, 1f, st.outputs, 0, n);
        }
        toBatchMajor(st.outputs, n, 0, batch, bias == null ? null : v, s.rOut);
    }

    @Override
    void rBackward(LayerState s, int batch, float[] w, float[] v, float[] hv) {
        State st = (State) s;
        Kernels k = s.kernels;
        int n = batch * positions;
        st.outputs2 = LayerState.ensure(st.outputs2, st.outputs.length);
        toChannelMajor(s.dOut, batch, st.outputs);
        toChannelMajor(s.rdOut, batch, st.outputs2);
        k.gemm(N, T, filters, patch, n, 1f, st.outputs2, 0, n, unfolded(st, batch), 0, st.ld, 0f, hv, wOff, patch);
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
            k.col2im(geometry, dx, 0, n, 0, batch, s.rdIn, 0);
        }
    }

    @Override
    void diagonalBackward(LayerState s, int batch, float[] w, boolean secondDerivativeTerms, float[] diag) {
        State st = (State) s;
        Kernels k = s.kernels;
        int n = batch * positions;
        float[] scratch = columnScratch(st);
        toChannelMajor(s.rdOut, batch, st.outputs);
        Ops.square(unfolded(st, batch), 0, st.ld, patch, n, scratch, 0, n);
        k.gemm(N, T, filters, patch, n, 1f, st.outputs, 0, n, scratch, 0, n, 0f, diag, wOff, patch);
        if (bias != null) {
            rowSums(st.outputs, n, diag, bias.offset(), false);
        }
        if (s.rdIn != null) {
            st.weightSquares = LayerState.ensure(st.weightSquares, filters * patch);
            Ops.square(w, wOff, patch, filters, patch, st.weightSquares, 0, patch);
            k.gemm(T, N, patch, n, filters, 1f, st.weightSquares, 0, patch, st.outputs, 0, n, 0f, scratch, 0, n);
            k.col2im(geometry, scratch, 0, n, 0, batch, s.rdIn, 0);
        }
    }

    @Override
    void sampleGradients(LayerState s, int batch, float[] g, int gOff, int ldg) {
        State st = (State) s;
        unfolded(st, batch);
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

    /**
     * Δ_n X_nᵀ into {@code dst[off, off + c_out·d_col)}: Δ_n is sample n's NCHW gradient, a [c_out, |T|] block
     * (X must be unfolded for the batch).
     */
    private void sampleWeightGradient(State st, int sample, float[] dst, int off) {
        st.kernels.gemm(N, T, filters, patch, positions, 1f, st.dOut, sample * filters * positions, positions,
                st.columns, sample * positions, st.ld, 0f, dst, off, patch);
    }

    @Override
    void accumulateSquaredSampleGradients(LayerState s, int batch, float[] acc) {
        State st = (State) s;
        unfolded(st, batch);
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
        v.inputs = unfolded(st, batch);
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

    /**
     * Samples [from, to) of the [c_out, ·] matrix y (row stride ld, sample n at column n·|T|) → NCHW by contiguous
     * |T|-blocks, adding {@code b[c]} when b is not null.
     */
    private void toBatchMajor(float[] y, int ld, int from, int to, float[] b, float[] out) {
        for (int i = from; i < to; i++) {
            for (int f = 0; f < filters; f++) {
                float add = b == null ? 0f : b[bias.offset() + f];
                int src = f * ld + i * positions;
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
}
