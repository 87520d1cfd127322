package dev.surgeon.core.prune;

/**
 * What a {@link LayerPruner} returns for one layer.
 *
 * @param weights        the new W (rows × columns, row-major); pruned entries are written back as exactly 0
 * @param biasValues     the new bias, or null to keep it
 * @param pruned         row-major flags of all pruned weights (a superset of the task's)
 * @param predictedError the method's predicted layer-wise error (1/N)‖(W − Ŵ)X‖²_F in the convention of the task's
 *                       Hessian (METHODS A9/B9), or NaN
 * @param description    one line for the report, e.g. "fc1: 7,840 of 78,400 pruned, error 1.2e-3"
 */
public record LayerResult(double[] weights, double[] biasValues, boolean[] pruned, double predictedError, String description) {
}
