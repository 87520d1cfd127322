package dev.surgeon.core.prune;

import java.util.Locale;

/**
 * What a {@link LayerPruner} returns for one layer.
 *
 * @param weights        the new W (rows × columns, row-major); pruned entries are written back as exactly 0
 * @param biasValues     the new bias, or null to keep it
 * @param pruned         row-major flags of all pruned weights (a superset of the task's)
 * @param predictedError the error the method's own bookkeeping predicts (for ExactOBS and SparseGPT the sum of the
 *                       recorded step losses, ½ Σ eᵀ(H + λI)e; METHODS B9), or NaN when it predicts none
 * @param measuredError  the layer-wise error (1/N)‖(W − Ŵ)X‖²_F measured with the undamped Hessian of the task
 *                       (METHODS A9), or NaN
 * @param energy         (1/N)‖W X‖²_F, the error of Ŵ = 0, so that measuredError/energy is a relative error; NaN
 *                       when not computed
 * @param description    one line for the report, e.g. "fc1: 7,840 of 78,400 pruned, error 1.2e-3"
 */
public record LayerResult(double[] weights, double[] biasValues, boolean[] pruned, double predictedError,
                          double measuredError, double energy, String description) {

    /** measuredError / energy, or NaN when either is unknown (0 when the layer's output is identically 0). */
    public double relativeError() {
        if (Double.isNaN(measuredError) || Double.isNaN(energy)) {
            return Double.NaN;
        }
        return energy == 0 ? 0 : measuredError / energy;
    }

    /**
     * The result of a {@link LayerReconstructionMethod} (ExactOBS, SparseGPT) as a layer pruner's result: Ŵ, its mask, the
     * predicted error (Σ of the recorded step losses) and the measured (1/N)‖(W − Ŵ)X‖²; the bias is kept.
     */
    public static LayerResult of(LayerReconstructionResult r) {
        int pruned = 0;
        for (boolean p : r.pruned()) {
            pruned += p ? 1 : 0;
        }
        String line = String.format(Locale.ROOT, "%s: %s, %d of %d weights pruned; predicted Σ losses %.6g, measured "
                        + "(1/N)‖(W − Ŵ)X‖² %.6g (relative %.4g), λ = %.3g, %.2f s", r.layer(), r.method(), pruned, r.pruned().length,
                r.predictedLoss(), r.reconstructionError(), r.relativeError(), r.damping().used(), r.seconds());
        return new LayerResult(r.weights(), null, r.pruned(), r.predictedLoss(), r.reconstructionError(), r.energy(), line);
    }
}
