package dev.surgeon.core.prune;

import dev.surgeon.core.curvature.Damping;
import dev.surgeon.core.progress.Progress;
import dev.surgeon.kernels.Kernels;

/**
 * A layer-wise compression algorithm (METHODS A9, B9, B10, C2): given one layer's weights and its Hessian
 * H = (2/N) X Xᵀ, produce compressed weights. Implementations: {@link ExactObs} (OBC's exact greedy OBS),
 * {@link SparseGpt} (and GPTQ), {@link dev.surgeon.core.quant.Obq}. {@link LayerReconstruction} runs one over
 * the dense and convolutional layers of a network.
 */
public interface LayerReconstructionMethod {

    /** The method with its settings, for reports, e.g. "SparseGPT unstructured 50% (block 128)". */
    String name();

    /** The damping of H this method is specified with (METHODS 1.9), used unless the caller overrides it. */
    Damping defaultDamping();

    /**
     * Refuses a layer the method cannot compress (e.g. N:M on a layer whose input count is not divisible by M)
     * before any Hessian is built.
     *
     * @throws LayerReconstructionPatternException naming the layer, the reason and the fix
     */
    void check(String layer, int rows, int cols, int kernelPositions);

    /**
     * Compresses one layer. Row-wise methods process rows on up to {@code kernels.threads()} threads (or their own
     * row-thread setting), each with a single-threaded view of the kernels; results do not depend on the thread
     * count.
     */
    LayerReconstructionResult compress(LayerReconstructionProblem problem, Kernels kernels, Progress progress);
}
