package dev.surgeon.core.prune;

import dev.surgeon.core.curvature.DampingRecord;
import dev.surgeon.core.quant.QuantizedWeights;
import dev.surgeon.kernels.Kernels;

/**
 * The outcome of compressing one layer with a layer-wise method (ExactOBS, SparseGPT, OBQ, GPTQ).
 *
 * @param layer               the layer's weight name
 * @param method              the method and its settings, e.g. "ExactOBS unstructured 90%"
 * @param rows                d_row
 * @param cols                d_col
 * @param weights             Ŵ, row-major double (pruned entries exactly 0; quantized entries exactly the grid values)
 * @param pruned              which entries were pruned (d_row·d_col; all false for pure quantization)
 * @param quantized           codes and grid when the method quantizes, else null
 * @param predictedLoss       Σ of the losses the algorithm recorded, ½ Σ eᵀ(H + λI)e up to rounding (METHODS B9)
 * @param reconstructionError (1/N)‖(W − Ŵ)X‖_F² measured with the undamped H
 * @param energy              (1/N)‖W X‖_F², so that reconstructionError/energy is a relative error
 * @param damping             the damping actually used for this layer's H
 * @param seconds             wall time of the compression
 */
public record LayerReconstructionResult(String layer, String method, int rows, int cols, double[] weights,
                                        boolean[] pruned, QuantizedWeights quantized, double predictedLoss,
                                        double reconstructionError, double energy, DampingRecord damping,
                                        double seconds) {

    /** Assembles a result, measuring the error against the problem's H. */
    public static LayerReconstructionResult of(LayerReconstructionProblem problem, String method, double[] weights,
                                               boolean[] pruned, QuantizedWeights quantized, double predictedLoss,
                                               Kernels kernels, long startNanos) {
        double error = problem.reconstructionError(weights, kernels);
        double energy = problem.energy(kernels);
        DampingRecord damping = problem.hessian().dampingUsed().get(0);
        return new LayerReconstructionResult(problem.layer(), method, problem.rows(), problem.cols(), weights, pruned,
                quantized, predictedLoss, error, energy, damping, (System.nanoTime() - startNanos) * 1e-9);
    }

    /** Fraction of pruned weights. */
    public double sparsity() {
        int n = 0;
        for (boolean p : pruned) {
            if (p) {
                n++;
            }
        }
        return (double) n / pruned.length;
    }

    /** reconstructionError / energy (0 when the layer's output is identically 0). */
    public double relativeError() {
        return energy == 0 ? 0 : reconstructionError / energy;
    }

    /** Ŵ rounded to float, as the network stores it. */
    public float[] floatWeights() {
        float[] f = new float[weights.length];
        for (int q = 0; q < f.length; q++) {
            f[q] = (float) weights[q];
        }
        return f;
    }
}
