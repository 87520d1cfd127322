package dev.surgeon.core.prune;

import dev.surgeon.core.nn.ParameterTensor;

/**
 * A layer-wise pruning algorithm: compresses one layer's weight W to a target given the layer-wise Hessian of its
 * calibration inputs (METHODS A9), independently of the other layers. {@link LayerwisePruning} drives it over a
 * network: it collects the inputs, builds the Hessians, allocates the per-layer targets, calls
 * {@link #prune(LayerTask)} per layer and writes the results back into the network and the mask.
 *
 * <h2>Plugging in a method</h2>
 * Implement {@link #prune}; override {@link #appendsBiasInput()} if the method treats the bias as the last column of
 * W̄ = [W | b] (L-OBS), {@link #checkPattern} if it supports N:M or blocks (the default accepts unstructured only),
 * {@link #checkLayer} if some layer shapes cannot take the pattern, {@link #targetTolerance} if it cannot hit a
 * per-layer count exactly, and {@link #saliencies} if its notion of per-weight cost for global allocation differs from
 * the OBS default w_ij²/(2[H⁻¹]_jj). ExactOBS/OBC ({@link ExactObsPruning}) and SparseGPT ({@link SparseGptPruning})
 * plug in this way; OBC's error database + dynamic-programming allocation goes in {@link LayerwisePruning.LayerTargets}.
 */
public interface LayerPruner {

    /** Short name for reports, e.g. "L-OBS". */
    String name();

    /** Whether the Hessian's inputs carry a constant 1 for the bias (H over [x; 1]). Default false. */
    default boolean appendsBiasInput() {
        return false;
    }

    /** Throws {@link IllegalArgumentException} naming the supported patterns if the method cannot produce this one. */
    default void checkPattern(Pattern pattern) {
        if (!(pattern instanceof Pattern.Unstructured)) {
            throw new IllegalArgumentException(name() + " supports unstructured sparsity only, not " + pattern);
        }
    }

    /**
     * Refuses a layer the method cannot prune with the pattern (e.g. N:M on an input count not divisible by M), before
     * any calibration pass. The default accepts every layer.
     *
     * @param weight          the layer's weight tensor
     * @param kernelPositions k·k for a convolution, 1 for a dense layer
     * @throws IllegalArgumentException naming the layer, the reason and the fix
     */
    default void checkLayer(ParameterTensor weight, int kernelPositions) {
    }

    /**
     * How far the number of pruned weights of the layer may end up from {@link LayerTask#targetPruned()} (blocks add
     * their own slack of less than one block). The default 0 demands the exact count; methods whose selection rounds
     * per block (SparseGPT) or that must eliminate weights that are already zero (ExactOBS) allow more.
     */
    default int targetTolerance(LayerTask task) {
        return 0;
    }

    /**
     * The cost of removing each weight alone (row-major), used to rank weights across layers for a global allocation:
     * by default the OBS saliency w_ij²/(2[H⁻¹]_jj) in the Hessian's units, 0 for inputs that never fire.
     */
    default double[] saliencies(LayerTask task) {
        double[] inv = task.hessian().inverse();
        int c = task.hessian().columns();
        int cols = task.columns();
        double[] s = new double[task.rows() * cols];
        boolean[] dead = new boolean[c];
        for (int j : task.hessian().deadColumns()) {
            dead[j] = true;
        }
        for (int i = 0; i < task.rows(); i++) {
            for (int j = 0; j < cols; j++) {
                double w = task.weights()[i * cols + j];
                s[i * cols + j] = dead[j] ? 0 : w * w / (2 * inv[j * c + j]);
            }
        }
        return s;
    }

    /** Prunes the layer to {@code task.targetPruned()} weights. */
    LayerResult prune(LayerTask task);
}
