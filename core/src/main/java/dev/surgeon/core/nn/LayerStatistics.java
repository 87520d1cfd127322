package dev.surgeon.core.nn;

/**
 * A view of one dense or convolutional layer's inputs and output gradients for a batch, as row-major
 * matrices with one row per sample (dense) or per (sample, output position) pair (convolution, rows
 * ordered sample-major, then output y, then x). Filled by {@link Network#kroneckerStatistics} and
 * {@link Network#layerInputs}; the arrays belong to the {@link Workspace} and are valid until its next pass.
 *
 * <h2>Inputs (matrix X, {@link #rows()} × {@link #inputColumns()}, stride {@link #inputStride()})</h2>
 * Dense: row n is the layer input h_n (length d_in). Convolution: row (n, τ) is the unfolded patch
 * ⟦h_n⟧_τ of length d_col = c_in·k·k in (channel, ky, kx) order — the same order as the columns of the
 * weight slice viewed as a {@code [c_out, d_col]} matrix. If {@link #hasBiasColumn()}, the entry just
 * after each row ({@code inputs[offset + r·stride + inputColumns]}) is the constant 1, so the augmented
 * rows h̄ = [h; 1] are {@code inputColumns + 1} wide at the same stride.
 *
 * <h2>Output gradients (matrix Δ, {@link #rows()} × {@link #outputColumns()})</h2>
 * Row r is ∂(seed)/∂z for the layer's pre-activation output z at that sample (and position), for the
 * output seed passed to {@link Network#kroneckerStatistics}. With the per-sample loss gradients as seed
 * (scale 1) these are the δ_n of ℓ_n — that is B·δ of a batch-mean loss, which is what K-FAC's
 * Γ = E[δδᵀ] needs (METHODS A7: no extra B² factor to apply).
 *
 * <h2>How the rows combine</h2>
 * The gradient of sample n for the weight matrix W̄ = [W | b] ({@code [c_out, d_col (+1)]}) is
 * Σ_{r of n} Δ_rᵀ h̄_r (one row for dense): vec_rowmajor(∇W̄_n) = δ_n ⊗ h̄_n for dense. K-FAC factors are
 * then A = (1/N) Σ_r h̄_r h̄_rᵀ (syrk over the input rows) and Γ = (1/N) Σ_r δ_r δ_rᵀ (syrk over the gradient
 * rows; for convolutions divide additionally by {@link #rowsPerSample()} = |T| to follow Grosse &amp; Martens
 * 2016). In the flat vector, W̄[i, j &lt; d_col] is {@code weight().offset() + i·d_col + j} and W̄[i, d_col] is
 * {@code bias().offset() + i}.
 */
public final class LayerStatistics {
    private final Layer layer;
    float[] inputs;
    int inputOffset;
    int inputStride;
    int inputColumns;
    boolean biasColumn;
    float[] outputGradients;
    int gradientOffset;
    int gradientStride;
    int outputColumns;
    int rows;
    int rowsPerSample;

    LayerStatistics(Layer layer) {
        this.layer = layer;
    }

    public Layer layer() {
        return layer;
    }

    /** The weight tensor of the layer. */
    public ParameterTensor weight() {
        return layer.parameters().get(0);
    }

    /** The bias tensor, or null when the layer has none. */
    public ParameterTensor bias() {
        return layer.parameters().size() > 1 ? layer.parameters().get(1) : null;
    }

    /** Number of rows: batch size (dense) or batch size × output positions (convolution). */
    public int rows() {
        return rows;
    }

    /** 1 for dense layers, the number of output positions |T| = H_out·W_out for convolutions. */
    public int rowsPerSample() {
        return rowsPerSample;
    }

    public float[] inputs() {
        return inputs;
    }

    public int inputOffset() {
        return inputOffset;
    }

    public int inputStride() {
        return inputStride;
    }

    /** d_in (dense) or c_in·k·k (convolution), not counting the bias column. */
    public int inputColumns() {
        return inputColumns;
    }

    /** Whether a constant-1 column follows the input columns in each row (layers with a bias, K-FAC view). */
    public boolean hasBiasColumn() {
        return biasColumn;
    }

    /** The output gradients, or null for a {@link Network#layerInputs} view. */
    public float[] outputGradients() {
        return outputGradients;
    }

    public int gradientOffset() {
        return gradientOffset;
    }

    public int gradientStride() {
        return gradientStride;
    }

    /** d_out: output units or channels. */
    public int outputColumns() {
        return outputColumns;
    }
}
