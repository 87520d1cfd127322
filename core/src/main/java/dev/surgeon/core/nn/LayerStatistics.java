package dev.surgeon.core.nn;

import dev.surgeon.kernels.Kernels;
import dev.surgeon.kernels.Trans;
import dev.surgeon.kernels.Uplo;

/**
 * A view of one dense or convolutional layer's inputs and output gradients over a batch, filled by
 * {@link Network#kroneckerStatistics} and {@link Network#layerInputs}. The arrays belong to the
 * {@link Workspace} and are valid until its next pass.
 *
 * <h2>The two matrices</h2>
 * Both are indexed by r, the input vector: a sample (dense), or a (sample, output position) pair
 * (convolution; r = n·|T| + τ, positions τ row-major over the output map), {@link #rows()} in all.
 * <ul>
 *   <li>Inputs: entry (r, j), j &lt; {@link #inputColumns()} = d_col, is at
 *       {@code inputs[inputOffset + r·inputSampleStride + j·inputFeatureStride]}. Dense: the layer input h_n
 *       (d_col = d_in). Convolution: the unfolded patch ⟦h_n⟧_τ (d_col = c_in·k·k in (channel, ky, kx)
 *       order, the column order of the weight viewed as {@code [c_out, d_col]}). If {@link #hasBiasColumn()},
 *       entry (r, d_col) exists at the same strides and is the constant 1: the augmented vector h̄ = [h; 1].</li>
 *   <li>Output gradients: entry (r, i), i &lt; {@link #outputColumns()} = d_out, is at
 *       {@code outputGradients[gradientOffset + r·gradientSampleStride + i·gradientFeatureStride]}: the seed
 *       back-propagated to the layer's (pre-activation) output z at that sample and position.</li>
 * </ul>
 * In each matrix exactly one stride is 1. Dense layers store the vectors as rows (feature stride 1: a
 * row-major rows × d matrix with row stride = sample stride), so Σ_r x_r x_rᵀ is a {@code syrk} with
 * {@code Trans.T}; convolutions store them as columns (sample stride 1: a row-major d × rows matrix with row
 * stride = feature stride, METHODS A9's X), so Σ_r x_r x_rᵀ is a {@code syrk} with {@code Trans.N}.
 *
 * <h2>What they are for</h2>
 * With per-sample loss gradients as seeds (scale 1) the δ are those of ℓ_n — B·δ of a batch-mean loss, which
 * is what K-FAC's Γ = E[δδᵀ] needs (METHODS A7: no B² correction left to apply). Sample n's gradient of
 * W̄ = [W | b] ({@code [c_out, d_col (+1)]}) is Σ_{r of n} δ_r h̄_rᵀ, so for dense layers
 * vec_rowmajor(∇W̄_n) = δ_n ⊗ h̄_n. K-FAC factors: A = (1/N) Σ_r h̄_r h̄_rᵀ and Γ = (1/N) Σ_r δ_r δ_rᵀ (for
 * convolutions Grosse &amp; Martens 2016 divide Γ additionally by {@link #rowsPerSample()} = |T|).
 * In the flat vector, W̄[i, j &lt; d_col] is {@code weight().offset() + i·d_col + j} and W̄[i, d_col] is
 * {@code bias().offset() + i}. Layer-wise H = (2/N) X Xᵀ (ExactOBS) uses the inputs without the bias entry.
 */
public final class LayerStatistics {
    private final Layer layer;
    float[] inputs;
    int inputOffset;
    int inputSampleStride;
    int inputFeatureStride;
    int inputColumns;
    boolean biasColumn;
    float[] outputGradients;
    int gradientOffset;
    int gradientSampleStride;
    int gradientFeatureStride;
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

    /** Number of input vectors: batch size (dense) or batch size × output positions (convolution). */
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

    /** Distance between input vectors r and r + 1. */
    public int inputSampleStride() {
        return inputSampleStride;
    }

    /** Distance between features j and j + 1 of one input vector. */
    public int inputFeatureStride() {
        return inputFeatureStride;
    }

    /** d_col: d_in (dense) or c_in·k·k (convolution), not counting the bias entry. */
    public int inputColumns() {
        return inputColumns;
    }

    /** Whether entry d_col of every input vector exists and is 1 (layers with a bias, K-FAC view only). */
    public boolean hasBiasColumn() {
        return biasColumn;
    }

    /** Entry (r, j) of the inputs (j = d_col is the bias entry when {@link #hasBiasColumn()}). */
    public float input(int r, int j) {
        return inputs[inputOffset + r * inputSampleStride + j * inputFeatureStride];
    }

    /** The output gradients, or null for a {@link Network#layerInputs} view. */
    public float[] outputGradients() {
        return outputGradients;
    }

    public int gradientOffset() {
        return gradientOffset;
    }

    /** Distance between the gradients of vectors r and r + 1. */
    public int gradientSampleStride() {
        return gradientSampleStride;
    }

    /** Distance between outputs i and i + 1 of one gradient vector. */
    public int gradientFeatureStride() {
        return gradientFeatureStride;
    }

    /** d_out: output units or channels. */
    public int outputColumns() {
        return outputColumns;
    }

    /** Entry (r, i) of the output gradients. */
    public float outputGradient(int r, int i) {
        return outputGradients[gradientOffset + r * gradientSampleStride + i * gradientFeatureStride];
    }

    /**
     * {@code C ← C + alpha·Σ_r x_r x_rᵀ} on the {@code uplo} triangle of C, with x_r the input vectors
     * including the bias entry when {@link #hasBiasColumn()} (n = d_col or d_col + 1): one syrk over the batch,
     * with the transpose this layout needs. The K-FAC factor A of the batch is this with alpha = 1/rows().
     */
    public void accumulateInputGram(Kernels kernels, Uplo uplo, float alpha, float[] c, int cOff, int ldc) {
        int n = inputColumns + (biasColumn ? 1 : 0);
        gram(kernels, uplo, alpha, inputs, inputOffset, inputSampleStride, inputFeatureStride, n, c, cOff, ldc);
    }

    /** {@code C ← C + alpha·Σ_r δ_r δ_rᵀ} (d_out × d_out) on the {@code uplo} triangle: K-FAC's Γ of the batch. */
    public void accumulateGradientGram(Kernels kernels, Uplo uplo, float alpha, float[] c, int cOff, int ldc) {
        if (outputGradients == null) {
            throw new IllegalStateException("a layerInputs view has no output gradients; use kroneckerStatistics");
        }
        gram(kernels, uplo, alpha, outputGradients, gradientOffset, gradientSampleStride, gradientFeatureStride,
                outputColumns, c, cOff, ldc);
    }

    private void gram(Kernels kernels, Uplo uplo, float alpha, float[] a, int off, int sampleStride, int featureStride,
                      int n, float[] c, int cOff, int ldc) {
        if (featureStride == 1) {
            kernels.syrk(uplo, Trans.T, n, rows, alpha, a, off, sampleStride, 1f, c, cOff, ldc);
        } else {
            kernels.syrk(uplo, Trans.N, n, rows, alpha, a, off, featureStride, 1f, c, cOff, ldc);
        }
    }
}
