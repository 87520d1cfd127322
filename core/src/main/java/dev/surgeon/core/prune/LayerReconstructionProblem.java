package dev.surgeon.core.prune;

import dev.surgeon.core.curvature.LayerwiseHessian;
import dev.surgeon.kernels.Kernels;
import dev.surgeon.kernels.Trans;

/**
 * One layer-wise compression problem (METHODS A9): the weight W (d_row × d_col, row-major, double) of a dense or
 * convolutional layer and its layer-wise Hessian H = (2/N) X Xᵀ with the damping to use; minimize
 * (1/N)‖W X − Ŵ X‖_F² = ½ Σ_i (w_i − ŵ_i)ᵀ H (w_i − ŵ_i) under a sparsity or quantization constraint.
 *
 * @param layer           a name for messages and results (e.g. {@code fc1.weight})
 * @param rows            d_row (outputs)
 * @param cols            d_col (inputs, or c_in·k·k for a convolution, columns in (channel, ky, kx) order)
 * @param kernelPositions k·k for a convolution, 1 for a dense layer (N:M groups run along channels at a
 *                        fixed kernel position)
 * @param weights         W, d_row·d_col entries (not modified)
 * @param hessian         H for this layer (its damping is the one the algorithms use)
 */
public record LayerReconstructionProblem(String layer, int rows, int cols, int kernelPositions, double[] weights,
                                         LayerwiseHessian hessian) {

    public LayerReconstructionProblem {
        if (rows < 1 || cols < 1) {
            throw new IllegalArgumentException(layer + ": a layer needs rows and columns >= 1, got " + rows + " × " + cols);
        }
        if (kernelPositions < 1 || cols % kernelPositions != 0) {
            throw new IllegalArgumentException(layer + ": " + kernelPositions + " kernel positions do not divide the "
                    + cols + " columns");
        }
        if (weights.length != (long) rows * cols) {
            throw new IllegalArgumentException(layer + ": " + rows + " × " + cols + " needs " + ((long) rows * cols)
                    + " weights, got " + weights.length);
        }
        if (hessian.columns() != cols) {
            throw new IllegalArgumentException(layer + ": the Hessian is " + hessian.columns() + " × " + hessian.columns()
                    + " but the layer has " + cols + " columns");
        }
        for (int q = 0; q < weights.length; q++) {
            if (!Double.isFinite(weights[q])) {
                throw new IllegalArgumentException(layer + ": weight [" + q / cols + ", " + q % cols + "] is " + weights[q]
                        + "; the model holds non-finite weights");
            }
        }
    }

    /** A dense layer's problem. */
    public static LayerReconstructionProblem dense(String layer, double[] weights, int rows, int cols,
                                                   LayerwiseHessian hessian) {
        return new LayerReconstructionProblem(layer, rows, cols, 1, weights, hessian);
    }

    /** Input channels c_in = d_col / kernel positions (d_col for a dense layer). */
    public int inputChannels() {
        return cols / kernelPositions;
    }

    /** W with the dead columns (inputs that never fired, METHODS A9 step 3) set to 0: the algorithms' start. */
    public double[] startingWeights() {
        double[] w = weights.clone();
        for (int j : hessian.deadColumns()) {
            for (int i = 0; i < rows; i++) {
                w[i * cols + j] = 0;
            }
        }
        return w;
    }

    /**
     * The measured reconstruction error (1/N)‖(W − Ŵ)X‖_F² = ½ Σ_i eᵢᵀ H eᵢ with the undamped H (dead columns,
     * whose inputs are 0, contribute nothing). Cost O(d_row·d_col²).
     */
    public double reconstructionError(double[] compressed, Kernels kernels) {
        double[] e = new double[weights.length];
        for (int q = 0; q < e.length; q++) {
            e[q] = weights[q] - compressed[q];
        }
        return quadratic(e, kernels);
    }

    /** (1/N)‖W X‖_F², the error of Ŵ = 0, for relative errors. */
    public double energy(Kernels kernels) {
        return quadratic(weights.clone(), kernels);
    }

    private double quadratic(double[] e, Kernels kernels) {
        for (int j : hessian.deadColumns()) {
            for (int i = 0; i < rows; i++) {
                e[i * cols + j] = 0;
            }
        }
        double[] h = hessian.hessian();
        double[] eh = new double[e.length];
        kernels.gemm(Trans.N, Trans.N, rows, cols, cols, 1.0, e, 0, cols, h, 0, cols, 0.0, eh, 0, cols);
        return 0.5 * kernels.dot(e.length, e, 0, eh, 0);
    }
}
