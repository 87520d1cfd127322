package dev.surgeon.core.quant;

import dev.surgeon.core.io.ModelFile;

/**
 * One quantized weight matrix in the stored form of docs/FORMATS.md ("Sparse and quantized weights"): unsigned
 * integer codes (one per weight, row-major d_row × d_col, 0..2^bits − 1) plus a per-row (per output channel)
 * {@code scale} and {@code zero} in float, and the bit width. Weight (i, j) is scale_i·(code_ij − zero_i),
 * computed in float ({@link QuantizationGrid#value}). Pruned weights carry the code of 0, which every grid has
 * (zero is an integer code). {@link #toStored()} and {@link #fromStored} convert to and from the model file's form
 * ({@link ModelFile#write(java.nio.file.Path, dev.surgeon.core.nn.Network, dev.surgeon.core.nn.Mask,
 * dev.surgeon.core.io.Provenance, java.util.List)}, {@link ModelFile#readQuantization}).
 *
 * @param tensor the parameter tensor's name, e.g. {@code fc1.weight}
 * @param rows   d_row
 * @param cols   d_col
 * @param codes  d_row·d_col codes (unsigned bytes)
 * @param grid   the grid (bits, scales, zeros)
 */
public record QuantizedWeights(String tensor, int rows, int cols, byte[] codes, QuantizationGrid grid) {

    public QuantizedWeights {
        if (codes.length != (long) rows * cols) {
            throw new IllegalArgumentException(tensor + ": " + rows + " × " + cols + " weights need as many codes, got "
                    + codes.length);
        }
        if (grid.rows() != rows) {
            throw new IllegalArgumentException(tensor + ": the grid has " + grid.rows() + " rows, the weights " + rows);
        }
        for (int q = 0; q < codes.length; q++) {
            if (Byte.toUnsignedInt(codes[q]) > grid.maxq()) {
                throw new IllegalArgumentException(tensor + ": code " + Byte.toUnsignedInt(codes[q]) + " at " + q
                        + " exceeds the " + grid.bits() + "-bit maximum " + grid.maxq());
            }
        }
    }

    public int bits() {
        return grid.bits();
    }

    /** Code of weight (i, j), 0..maxq. */
    public int code(int i, int j) {
        return Byte.toUnsignedInt(codes[i * cols + j]);
    }

    /** The model-file form (codes, scales, zeros, bits). */
    public ModelFile.Quantization toStored() {
        return new ModelFile.Quantization(tensor, grid.bits(), grid.spec().symmetric(), codes.clone(), grid.scales(),
                grid.zeros());
    }

    /**
     * From the model-file form; the grid's range-search settings are not stored, so the spec reads "no search".
     *
     * @param cols d_col of the tensor (its length over its rows)
     */
    public static QuantizedWeights fromStored(ModelFile.Quantization q, int cols) {
        QuantizationGrid.Spec spec = q.symmetric() ? QuantizationGrid.Spec.symmetric(q.bits())
                : QuantizationGrid.Spec.asymmetric(q.bits());
        return new QuantizedWeights(q.tensor(), q.scale().length, cols, q.codes().clone(),
                QuantizationGrid.of(spec, q.scale(), q.zero()));
    }

    /** The dequantized weights, row-major (float, bit-exact with {@link QuantizationGrid#value}). */
    public float[] dequantize() {
        float[] w = new float[codes.length];
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) {
                w[i * cols + j] = (float) grid.value(i, code(i, j));
            }
        }
        return w;
    }
}
