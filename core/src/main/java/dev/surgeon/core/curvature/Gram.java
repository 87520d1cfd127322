package dev.surgeon.core.curvature;

import dev.surgeon.kernels.Kernels;
import dev.surgeon.kernels.Trans;
import dev.surgeon.kernels.Uplo;

/**
 * C ← β·C + α·Σ_r x_r x_rᵀ on the lower triangle of a double n × n matrix, for vectors x_r stored with a row
 * stride and a feature stride, one of which is 1 (the layouts of {@link dev.surgeon.core.nn.LayerStatistics}:
 * dense layers row-major, convolutions column-major as METHODS' X).
 */
final class Gram {
    /** Rows summed in float before the partial sum joins the double accumulator. */
    static final int FLOAT_CHUNK = 256;
    /** Rows converted to double per exact syrk call. */
    static final int EXACT_CHUNK = 2048;

    private Gram() {
    }

    /**
     * Fast form for K-FAC statistics: float syrk over chunks of at most {@link #FLOAT_CHUNK} rows into
     * {@code scratch} (n² floats), each partial sum combined into C in double. Each entry thus carries at most a
     * 256-term float sum (relative error ≲ 256·2⁻²⁴ ≈ 1.5e-5 worst case, ~1e-6 typical) before double
     * accumulation.
     */
    static void addFloat(Kernels k, float[] x, int off, int rowStride, int featureStride, int n, int rows,
                         double alpha, double beta, double[] c, float[] scratch) {
        double b = beta;
        for (int r0 = 0; r0 < rows; r0 += FLOAT_CHUNK) {
            int cr = Math.min(FLOAT_CHUNK, rows - r0);
            if (featureStride == 1) {
                // A single vector may have both strides 1 (a convolution with one output position and one sample).
                int lda = cr == 1 ? Math.max(rowStride, n) : rowStride;
                k.syrk(Uplo.LOWER, Trans.T, n, cr, 1f, x, off + r0 * rowStride, lda, 0f, scratch, 0, n);
            } else {
                k.syrk(Uplo.LOWER, Trans.N, n, cr, 1f, x, off + r0, featureStride, 0f, scratch, 0, n);
            }
            for (int i = 0; i < n; i++) {
                int row = i * n;
                for (int j = 0; j <= i; j++) {
                    c[row + j] = b * c[row + j] + alpha * scratch[row + j];
                }
            }
            b = 1;
        }
        if (rows == 0 && beta != 1) {
            scaleLower(c, n, beta);
        }
    }

    /**
     * Exact form for the layer-wise Hessian: the float vectors are converted to double (products of floats are
     * exact in double) in chunks of {@link #EXACT_CHUNK} rows and summed by a double syrk with (α, β) applied
     * directly, so C is (up to double rounding) exactly the Gram matrix of the float data. {@code buffer} holds
     * at least n·min(rows, EXACT_CHUNK) doubles.
     */
    static void addExact(Kernels k, float[] x, int off, int rowStride, int featureStride, int n, int rows,
                         double alpha, double beta, double[] c, double[] buffer) {
        double b = beta;
        for (int r0 = 0; r0 < rows; r0 += EXACT_CHUNK) {
            int cr = Math.min(EXACT_CHUNK, rows - r0);
            if (featureStride == 1) {
                for (int r = 0; r < cr; r++) {
                    int src = off + (r0 + r) * rowStride;
                    for (int j = 0; j < n; j++) {
                        buffer[r * n + j] = x[src + j];
                    }
                }
                k.syrk(Uplo.LOWER, Trans.T, n, cr, alpha, buffer, 0, n, b, c, 0, n);
            } else {
                for (int j = 0; j < n; j++) {
                    int src = off + j * featureStride + r0 * rowStride;
                    for (int r = 0; r < cr; r++) {
                        buffer[j * cr + r] = x[src + r];
                    }
                }
                k.syrk(Uplo.LOWER, Trans.N, n, cr, alpha, buffer, 0, cr, b, c, 0, n);
            }
            b = 1;
        }
        if (rows == 0 && beta != 1) {
            scaleLower(c, n, beta);
        }
    }

    private static void scaleLower(double[] c, int n, double beta) {
        for (int i = 0; i < n; i++) {
            for (int j = 0; j <= i; j++) {
                c[i * n + j] *= beta;
            }
        }
    }
}
