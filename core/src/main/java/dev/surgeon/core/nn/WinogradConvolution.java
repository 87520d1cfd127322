package dev.surgeon.core.nn;

import static dev.surgeon.kernels.Trans.N;
import static dev.surgeon.kernels.Trans.T;

import dev.surgeon.kernels.ConvolutionGeometry;
import dev.surgeon.kernels.Kernels;

/**
 * Winograd's minimal filtering F(4×4, r×r) for a stride-1 convolution's forward pass, weight gradient and input
 * gradient (Lavin &amp; Gray 2016, "Fast algorithms for convolutional neural networks", eq. 8):
 * {@code Y = Aᵀ[(G g Gᵀ) ⊙ (Bᵀ d B)]A} for each 4 × 4 output tile, d the α × α input tile under it (α = r + 3) and
 * g one filter's r × r window. Summed over input channels, the element-wise products become α² independent products
 * {@code M_ξ = U_ξ V_ξ} of [c_out, c_in] by [c_in, tiles] matrices, with 16r²/α² times fewer multiply-adds than the
 * direct products (6.25 for r = 5, 4 for r = 3). The backward pass runs the adjoint of every step: the output
 * gradient's tiles transformed by A (dM = A dY Aᵀ), ∇U_ξ = dM_ξ V_ξᵀ and dV_ξ = U_ξᵀ dM_ξ, then ∇g = Gᵀ ∇U G and
 * dd = B dV Bᵀ overlap-added into the input gradient.
 *
 * <p>The matrices come from the Toom–Cook construction with the interpolation points 0, 1, −1, 2, −2, ½, −½ (the
 * first α − 1 of them) and ∞: Aᵀ and G evaluate, Bᵀ is the transposed inverse of the evaluation matrix of the
 * product polynomial (the transposition principle turns the polynomial product into a correlation); row k of Bᵀ is
 * multiplied and row k of G divided by Π_{l≠k}(p_k − p_l). They are computed in float64 and rounded once; for r = 5
 * Bᵀ's entries reach 5.25 and Aᵀ's 8 (2³).
 *
 * <p>A block of {@link #SAMPLES} samples is first reordered with the sample innermost ([c][y][x][sample], the border
 * padded with zeros), so that each tile of one channel at one place is {@link #SAMPLES} consecutive floats per entry
 * for every sample at once: {@link Kernels#tileTransform} transforms a row of tiles per call, {@link Kernels#gemm}
 * multiplies, and the output (or, summed over overlapping tiles, the input gradient) is reordered back to NCHW. The
 * forward pass keeps every block's V for the weight gradient (2.6 MB for LeNet-5's second convolution at batch 128).
 *
 * <p>Rounding differs from the direct products: the same sums through transforms with entries up to 8, so errors are
 * a few times larger (relative L2 error about 1e-6 on LeNet-5's outputs and gradients, against 1e-7 for the direct
 * products; the tests bound them against float64).
 */
final class WinogradConvolution {
    /** Output tile side m. */
    static final int TILE = 4;
    /** The finite interpolation points, in the order they are used. */
    private static final double[] POINTS = {0, 1, -1, 2, -2, 0.5, -0.5};
    /** Samples per block, the lanes of every transform: a whole number of vectors for 4-, 8- and 16-float vectors. */
    static final int SAMPLES = 16;
    /** Columns (tiles × samples) of one round of products: its transformed tiles and products stay within 1 MB. */
    private static final int ROUND_COLUMNS = 128;
    /** Floats past the end of every product operand (see {@link Buffers#filters}). */
    private static final int SLACK = 64;

    private final int channels;
    private final int height;
    private final int width;
    private final int padding;
    private final int filters;
    private final int kernel;
    /** α = r + 3, the side of an input tile. */
    private final int side;
    private final int outHeight;
    private final int outWidth;
    /** Tile rows and columns, and tile rows per round of products. */
    private final int tileRows;
    private final int tileColumns;
    private final int roundRows;
    /** Bᵀ (α × α), B (α × α), G (α × r), Gᵀ (r × α), Aᵀ (m × α), A (α × m), row-major. */
    private final float[] dataTransform;
    private final float[] dataAdjoint;
    private final float[] filterTransform;
    private final float[] filterAdjoint;
    private final float[] outputTransform;
    private final float[] outputAdjoint;

    /** Whether F(4×4, r×r) applies: stride 1, 2 ≤ r ≤ 5 and an output of whole 4 × 4 tiles. */
    static boolean supports(int kernel, int stride, int outHeight, int outWidth) {
        return stride == 1 && kernel >= 2 && kernel + TILE - 2 <= POINTS.length && outHeight % TILE == 0
                && outWidth % TILE == 0;
    }

    WinogradConvolution(int channels, int height, int width, int filters, int kernel, int padding) {
        this.channels = channels;
        this.height = height;
        this.width = width;
        this.padding = padding;
        this.filters = filters;
        this.kernel = kernel;
        this.side = kernel + TILE - 1;
        this.outHeight = height + 2 * padding - kernel + 1;
        this.outWidth = width + 2 * padding - kernel + 1;
        if (!supports(kernel, 1, outHeight, outWidth)) {
            throw new IllegalArgumentException("F(4×4, " + kernel + "×" + kernel + ") needs 2 ≤ r ≤ " + POINTS.length
                    + " and an output size divisible by 4, got " + outHeight + "×" + outWidth);
        }
        this.tileRows = outHeight / TILE;
        this.tileColumns = outWidth / TILE;
        this.roundRows = Math.max(1, Math.min(tileRows, ROUND_COLUMNS / (tileColumns * SAMPLES)));
        double[][] m = matrices(kernel);
        this.dataTransform = rowMajor(m[0], side, side, false);
        this.dataAdjoint = rowMajor(m[0], side, side, true);
        this.filterTransform = rowMajor(m[1], side, kernel, false);
        this.filterAdjoint = rowMajor(m[1], side, kernel, true);
        this.outputTransform = rowMajor(m[2], TILE, side, false);
        this.outputAdjoint = rowMajor(m[2], TILE, side, true);
    }

    /**
     * Bᵀ (α × α), G (α × r) and Aᵀ (m × α) for F(m = 4, r), row-major in float64, from the Toom–Cook construction
     * described in the class comment.
     */
    static double[][] matrices(int r) {
        int alpha = r + TILE - 1;
        int finite = alpha - 1;
        double[] evaluation = new double[alpha * alpha];
        double[] g = new double[alpha * r];
        double[] at = new double[TILE * alpha];
        for (int k = 0; k < finite; k++) {
            for (int l = 0; l < alpha; l++) {
                evaluation[k * alpha + l] = Math.pow(POINTS[k], l);
            }
            for (int t = 0; t < r; t++) {
                g[k * r + t] = Math.pow(POINTS[k], t);
            }
            for (int u = 0; u < TILE; u++) {
                at[u * alpha + k] = Math.pow(POINTS[k], u);
            }
        }
        // The point at infinity takes the leading coefficients.
        evaluation[finite * alpha + alpha - 1] = 1;
        g[finite * r + r - 1] = 1;
        at[(TILE - 1) * alpha + finite] = 1;
        double[] inverse = invert(evaluation, alpha);
        double[] bt = new double[alpha * alpha];
        for (int k = 0; k < alpha; k++) {
            double scale = 1;
            for (int l = 0; l < finite && k < finite; l++) {
                if (l != k) {
                    scale *= POINTS[k] - POINTS[l];
                }
            }
            for (int l = 0; l < alpha; l++) {
                bt[k * alpha + l] = inverse[l * alpha + k] * scale;
            }
            for (int t = 0; t < r; t++) {
                g[k * r + t] /= scale;
            }
        }
        return new double[][] {bt, g, at};
    }

    /** The inverse of the n × n row-major a by Gauss–Jordan elimination with partial pivoting. */
    private static double[] invert(double[] a, int n) {
        double[] w = a.clone();
        double[] inv = new double[n * n];
        for (int i = 0; i < n; i++) {
            inv[i * n + i] = 1;
        }
        for (int col = 0; col < n; col++) {
            int pivot = col;
            for (int row = col + 1; row < n; row++) {
                if (Math.abs(w[row * n + col]) > Math.abs(w[pivot * n + col])) {
                    pivot = row;
                }
            }
            for (int j = 0; j < n; j++) {
                double t = w[col * n + j];
                w[col * n + j] = w[pivot * n + j];
                w[pivot * n + j] = t;
                t = inv[col * n + j];
                inv[col * n + j] = inv[pivot * n + j];
                inv[pivot * n + j] = t;
            }
            double d = w[col * n + col];
            for (int j = 0; j < n; j++) {
                w[col * n + j] /= d;
                inv[col * n + j] /= d;
            }
            for (int row = 0; row < n; row++) {
                double f = w[row * n + col];
                if (row != col && f != 0) {
                    for (int j = 0; j < n; j++) {
                        w[row * n + j] -= f * w[col * n + j];
                        inv[row * n + j] -= f * inv[col * n + j];
                    }
                }
            }
        }
        return inv;
    }

    /** The rows × cols row-major m, or its transpose (cols × rows), rounded to float. */
    private static float[] rowMajor(double[] m, int rows, int cols, boolean transpose) {
        float[] out = new float[rows * cols];
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) {
                out[transpose ? j * rows + i : i * cols + j] = (float) m[i * cols + j];
            }
        }
        return out;
    }

    private int paddedHeight() {
        return height + 2 * padding;
    }

    private int paddedWidth() {
        return width + 2 * padding;
    }

    /** Columns of one round of products: {@link #roundRows} rows of tiles of every sample of a block. */
    private int roundColumns() {
        return roundRows * tileColumns * SAMPLES;
    }

    /** Per-workspace buffers; allocated on first use. */
    static final class Buffers {
        /** The block's input, [c_in][H + 2p][W + 2p][sample], and its gradient. */
        final float[] input;
        final float[] inputGradient;
        /**
         * V = Bᵀ d B per ξ ([α², c_in, round columns]) of every round of every block of the last forward pass, kept for
         * the weight gradient; the backward pass overwrites each with dV once used.
         */
        final float[] data;
        /** Whether {@link #data} holds the last forward pass's V (false once a backward pass has used it). */
        boolean transformedInputs;
        /** The products M_ξ = U_ξ V_ξ ([α², c_out, round columns]), or the transformed output gradient dM. */
        final float[] products;
        /** The block's output or output gradient, [c_out][H_out][W_out][sample]. */
        final float[] output;
        /**
         * U = G g Gᵀ per ξ ([α², c_out, c_in]), the same transposed per ξ ([α², c_in, c_out]), and the filters as
         * [r², c_out·c_in] before it. Both layouts, so that every product reads its A operand as op(A) = Aᵀ: packing
         * then loads contiguous k steps, where A itself would be gathered.
         */
        final float[] filters;
        final float[] filtersTransposed;
        final float[] filterRows;
        /** ∇U summed over the blocks ([α², c_out, c_in]), then ∇g as [r², c_out·c_in]. */
        final float[] filterGradient;
        final float[] filterGradientRows;

        Buffers(WinogradConvolution w, int capacity) {
            int columns = w.roundColumns();
            int rounds = (w.tileRows + w.roundRows - 1) / w.roundRows;
            int blocks = (capacity + SAMPLES - 1) / SAMPLES;
            int xi = w.side * w.side;
            int pairs = w.filters * w.channels;
            int image = w.channels * w.paddedHeight() * w.paddedWidth() * SAMPLES;
            this.input = new float[image];
            this.inputGradient = new float[image];
            this.data = new float[Math.addExact(Math.multiplyExact(blocks * rounds, xi * w.channels * columns), SLACK)];
            this.products = new float[xi * w.filters * columns + SLACK];
            this.output = new float[w.filters * w.outHeight * w.outWidth * SAMPLES];
            // A spare 64 floats past each operand of a product: the packing's vectors on the last panel then stay
            // inside the array and never take the Vector API's allocating lane-by-lane path.
            this.filters = new float[xi * pairs + SLACK];
            this.filtersTransposed = new float[xi * pairs + SLACK];
            this.filterRows = new float[w.kernel * w.kernel * pairs];
            this.filterGradient = new float[xi * pairs];
            this.filterGradientRows = new float[w.kernel * w.kernel * pairs];
        }
    }

    /** U_ξ = (G g Gᵀ)_ξ for every (c_out, c_in) pair of the [c_out, c_in·r²] weight matrix at {@code w[wOff]}. */
    void prepare(Kernels k, float[] w, int wOff, Buffers b) {
        int pairs = filters * channels;
        int window = kernel * kernel;
        k.transpose(pairs, window, w, wOff, window, b.filterRows, 0, pairs);
        k.tileTransform(side, kernel, filterTransform, 0, false, 1, pairs, b.filterRows, 0, kernel * pairs, pairs, 0,
                b.filters, 0, side * pairs, pairs, 0);
        for (int e = 0; e < side * side; e++) {
            k.transpose(filters, channels, b.filters, e * pairs, channels, b.filtersTransposed, e * pairs, filters);
        }
    }

    /** ∇g = Gᵀ ∇U G from {@code b.filterGradient} into the [c_out, c_in·r²] slots at {@code grad[wOff]}. */
    void filterGradient(Kernels k, Buffers b, float[] grad, int wOff) {
        int pairs = filters * channels;
        int window = kernel * kernel;
        k.tileTransform(kernel, side, filterAdjoint, 0, false, 1, pairs, b.filterGradient, 0, side * pairs, pairs, 0,
                b.filterGradientRows, 0, kernel * pairs, pairs, 0);
        k.transpose(window, pairs, b.filterGradientRows, 0, pairs, grad, wOff, window);
    }

    /**
     * Samples [from, to) of the NCHW batch x (planes of h × w) into [plane][y][x][sample] with a zero border of
     * {@code border} pixels (written once, never overwritten); lanes from to − from up to {@link #SAMPLES} are zeroed.
     */
    private static void gather(Kernels k, float[] x, int from, int to, int planes, int h, int w, int border,
                               float[] dst) {
        int count = to - from;
        int ph = h + 2 * border;
        int pw = w + 2 * border;
        int plane = h * w;
        for (int c = 0; c < planes; c++) {
            int src = (from * planes + c) * plane;
            if (border == 0) {
                k.transpose(count, plane, x, src, planes * plane, dst, c * plane * SAMPLES, SAMPLES);
            } else {
                for (int y = 0; y < h; y++) {
                    k.transpose(count, w, x, src + y * w, planes * plane, dst,
                            ((c * ph + y + border) * pw + border) * SAMPLES, SAMPLES);
                }
            }
        }
        if (count < SAMPLES) {
            for (int c = 0; c < planes; c++) {
                for (int y = 0; y < h; y++) {
                    int d = ((c * ph + y + border) * pw + border) * SAMPLES;
                    for (int xx = 0; xx < w; xx++) {
                        java.util.Arrays.fill(dst, d + xx * SAMPLES + count, d + (xx + 1) * SAMPLES, 0f);
                    }
                }
            }
        }
    }

    /**
     * The inverse of {@link #gather} for lanes [0, to − from): [plane][y][x][sample] without its border into samples
     * [from, to) of the NCHW batch y.
     */
    private static void scatter(Kernels k, float[] src, int planes, int h, int w, int border, int from, int to,
                                float[] y) {
        int count = to - from;
        int ph = h + 2 * border;
        int pw = w + 2 * border;
        int plane = h * w;
        for (int c = 0; c < planes; c++) {
            int dst = (from * planes + c) * plane;
            if (border == 0) {
                k.transpose(plane, count, src, c * plane * SAMPLES, SAMPLES, y, dst, planes * plane);
            } else {
                for (int row = 0; row < h; row++) {
                    k.transpose(w, count, src, ((c * ph + row + border) * pw + border) * SAMPLES, SAMPLES, y,
                            dst + row * w, planes * plane);
                }
            }
        }
    }

    /** Offset in {@code b.data} of the V of round ty0 / roundRows of the block that starts at sample {@code from}. */
    private int dataOffset(int from, int ty0) {
        int rounds = (tileRows + roundRows - 1) / roundRows;
        return ((from / SAMPLES) * rounds + ty0 / roundRows) * side * side * channels * roundColumns();
    }

    /** V for tile rows [ty0, ty1) of the block in {@code b.input}, at {@code b.data[off]}. */
    private void transformData(Kernels k, int ty0, int ty1, Buffers b, int off) {
        int columns = roundColumns();
        int pw = paddedWidth();
        int ph = paddedHeight();
        for (int c = 0; c < channels; c++) {
            for (int ty = ty0; ty < ty1; ty++) {
                k.tileTransform(side, side, dataTransform, 0, false, tileColumns, SAMPLES, b.input,
                        (c * ph + TILE * ty) * pw * SAMPLES, pw * SAMPLES, SAMPLES, TILE * SAMPLES,
                        b.data, off + c * columns + (ty - ty0) * tileColumns * SAMPLES, side * channels * columns,
                        channels * columns, SAMPLES);
            }
        }
    }

    /**
     * The forward pass of samples [from, to) (at most {@link #SAMPLES}) of the NCHW input x into the NCHW output y,
     * plus the bias at {@code w[biasOff]} (biasOff &lt; 0: none). {@link #prepare} must have transformed the weights.
     */
    void forward(Kernels k, float[] x, int from, int to, float[] w, int biasOff, float[] y, Buffers b) {
        int columns = roundColumns();
        int xi = side * side;
        gather(k, x, from, to, channels, height, width, padding, b.input);
        for (int ty0 = 0; ty0 < tileRows; ty0 += roundRows) {
            int ty1 = Math.min(tileRows, ty0 + roundRows);
            int n = (ty1 - ty0) * tileColumns * SAMPLES;
            int off = dataOffset(from, ty0);
            transformData(k, ty0, ty1, b, off);
            for (int e = 0; e < xi; e++) {
                k.gemm(T, N, filters, n, channels, 1f, b.filtersTransposed, e * filters * channels, filters, b.data,
                        off + e * channels * columns, columns, 0f, b.products, e * filters * columns, columns);
            }
            for (int f = 0; f < filters; f++) {
                for (int ty = ty0; ty < ty1; ty++) {
                    k.tileTransform(TILE, side, outputTransform, 0, false, tileColumns, SAMPLES, b.products,
                            f * columns + (ty - ty0) * tileColumns * SAMPLES, side * filters * columns,
                            filters * columns, SAMPLES, b.output, (f * outHeight + TILE * ty) * outWidth * SAMPLES,
                            outWidth * SAMPLES, SAMPLES, TILE * SAMPLES);
                }
            }
        }
        scatter(k, b.output, filters, outHeight, outWidth, 0, from, to, y);
        if (biasOff >= 0) {
            int positions = outHeight * outWidth;
            for (int n = from; n < to; n++) {
                for (int f = 0; f < filters; f++) {
                    float add = w[biasOff + f];
                    int o = (n * filters + f) * positions;
                    for (int t = 0; t < positions; t++) {
                        y[o + t] += add;
                    }
                }
            }
        }
    }

    /**
     * The backward pass of samples [from, to) (at most {@link #SAMPLES}): with the NCHW output gradient dy, adds
     * their part of ∇U into {@code b.filterGradient} (overwrites it when {@code first}) and their bias gradient into
     * {@code biasGradient} (when not null), and overwrites their input gradient in dx (when not null). x is the forward
     * pass's input; {@link #prepare} must have transformed the weights.
     */
    void backward(Kernels k, float[] x, float[] dy, int from, int to, boolean weights, boolean first,
                  double[] biasGradient, float[] dx, Buffers b) {
        int columns = roundColumns();
        int xi = side * side;
        int positions = outHeight * outWidth;
        gather(k, dy, from, to, filters, outHeight, outWidth, 0, b.output);
        if (biasGradient != null) {
            for (int f = 0; f < filters; f++) {
                biasGradient[f] += Ops.sum(b.output, f * positions * SAMPLES, positions * SAMPLES);
            }
        }
        // The forward pass left this block's V in b.data unless a backward pass has since replaced it with dV.
        boolean recompute = weights && !b.transformedInputs;
        if (recompute) {
            gather(k, x, from, to, channels, height, width, padding, b.input);
        }
        if (dx != null) {
            java.util.Arrays.fill(b.inputGradient, 0f);
        }
        int pw = paddedWidth();
        int ph = paddedHeight();
        for (int ty0 = 0; ty0 < tileRows; ty0 += roundRows) {
            int ty1 = Math.min(tileRows, ty0 + roundRows);
            int n = (ty1 - ty0) * tileColumns * SAMPLES;
            int off = dataOffset(from, ty0);
            for (int f = 0; f < filters; f++) {
                for (int ty = ty0; ty < ty1; ty++) {
                    k.tileTransform(side, TILE, outputAdjoint, 0, false, tileColumns, SAMPLES, b.output,
                            (f * outHeight + TILE * ty) * outWidth * SAMPLES, outWidth * SAMPLES, SAMPLES,
                            TILE * SAMPLES, b.products, f * columns + (ty - ty0) * tileColumns * SAMPLES,
                            side * filters * columns, filters * columns, SAMPLES);
                }
            }
            if (recompute) {
                transformData(k, ty0, ty1, b, off);
            }
            for (int e = 0; e < xi; e++) {
                if (weights) {
                    k.gemm(N, T, filters, channels, n, 1f, b.products, e * filters * columns, columns, b.data,
                            off + e * channels * columns, columns, first && ty0 == 0 ? 0f : 1f, b.filterGradient,
                            e * filters * channels, channels);
                }
                if (dx != null) {
                    // dV_ξ = U_ξᵀ dM_ξ replaces V_ξ, which the weight gradient above has just used.
                    k.gemm(T, N, channels, n, filters, 1f, b.filters, e * filters * channels, channels, b.products,
                            e * filters * columns, columns, 0f, b.data, off + e * channels * columns, columns);
                }
            }
            if (dx != null) {
                // Neighbouring tiles overlap by r − 1 pixels: each row of tiles is added in order.
                for (int c = 0; c < channels; c++) {
                    for (int ty = ty0; ty < ty1; ty++) {
                        k.tileTransform(side, side, dataAdjoint, 0, true, tileColumns, SAMPLES, b.data,
                                off + c * columns + (ty - ty0) * tileColumns * SAMPLES, side * channels * columns,
                                channels * columns, SAMPLES, b.inputGradient, (c * ph + TILE * ty) * pw * SAMPLES,
                                pw * SAMPLES, SAMPLES, TILE * SAMPLES);
                    }
                }
            }
        }
        if (dx != null) {
            scatter(k, b.inputGradient, channels, height, width, padding, from, to, dx);
        }
    }
}
