package dev.surgeon.core.prune;

import dev.surgeon.core.curvature.LayerwiseHessian;
import dev.surgeon.core.nn.ParameterTensor;
import dev.surgeon.core.progress.Progress;
import dev.surgeon.kernels.Kernels;

/**
 * One layer handed to a {@link LayerPruner}: its weight W (rows × columns, row-major, the weight tensor viewed as
 * {@code [d_row, d_col]}; convolutions: columns = c_in·k·k), its bias, the layer-wise Hessian of its calibration inputs,
 * which weights are pruned already, and how many must be pruned when the layer is done.
 *
 * @param weight       the weight tensor in the network's layout
 * @param bias         the bias tensor, or null
 * @param weights      W as a row-major copy in double (the pruner may modify it and return it)
 * @param biasValues   the bias as a copy in double, or null
 * @param hessian      H = (2/N) X Xᵀ + λI of the layer's calibration inputs x (METHODS A9); when
 *                     {@link #biasColumn()} the inputs are h̄ = [x; 1], H is (d_col + 1) square and its last coordinate is
 *                     the bias (L-OBS's convention, B4)
 * @param biasColumn   whether H has the bias coordinate
 * @param pruned       row-major flags of the weights already pruned (never to be revived)
 * @param targetPruned the number of weights of this layer pruned afterwards (already pruned ones included)
 * @param pattern      the sparsity pattern the layer must satisfy
 * @param kernels      the network's kernels, for the pruner's arithmetic
 * @param progress     where the pruner reports its inner stages (rows, blocks), the context's progress
 */
public record LayerTask(ParameterTensor weight, ParameterTensor bias, double[] weights, double[] biasValues,
                        LayerwiseHessian hessian, boolean biasColumn, boolean[] pruned, int targetPruned, Pattern pattern,
                        Kernels kernels, Progress progress) {

    /** d_row, the outputs. */
    public int rows() {
        return weight.rows();
    }

    /** d_col, the inputs per output. */
    public int columns() {
        return weight.columns();
    }

    /** The layer's name, e.g. {@code fc1}. */
    public String name() {
        return TensorNames.layer(weight);
    }

    /** k·k for a convolution weight [c_out, c_in, k, k], 1 for a dense weight. */
    public int kernelPositions() {
        return LayerReconstruction.kernelPositions(weight);
    }

    /** The layer-wise compression problem of this task (W, H) for a {@link LayerReconstructionMethod}. */
    public LayerReconstructionProblem problem() {
        return new LayerReconstructionProblem(weight.name(), rows(), columns(), kernelPositions(), weights, hessian);
    }

    /** Weights of this layer pruned before the task. */
    public int alreadyPruned() {
        int n = 0;
        for (boolean p : pruned) {
            n += p ? 1 : 0;
        }
        return n;
    }
}
