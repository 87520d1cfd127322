package dev.surgeon.core.nn;

import dev.surgeon.kernels.Kernels;
import java.util.List;

/**
 * One layer of a sequential {@link Network}. The public side describes the layer (spec, shapes, parameter
 * tensors); the computations are package-private and driven by {@link Network}, which owns the flat
 * parameter vector and the order of the passes.
 *
 * <h2>The passes every layer implements</h2>
 * All passes run over a batch of B samples at once (one gemm per layer and pass where the layer has
 * weights) and read the activations the last {@code forward} left in the {@link LayerState}. Parameter
 * outputs ({@code grad}, {@code hv}, {@code diag}) are flat vectors of the whole network; a layer writes
 * (overwrites) exactly its own slices.
 * <ul>
 *   <li>{@code forward}: out = layer(in).</li>
 *   <li>{@code backward}: the linear back-propagation of whatever seed is in {@code dOut}: dIn = Jᵀ dOut and,
 *       if {@code grad != null}, the parameter gradient Σ_n (∂out_n/∂θ)ᵀ dOut_n.</li>
 *   <li>{@code rForward}: R{out} = ∂out/∂in · R{in} + ∂out/∂θ · v (Pearlmutter 1994; METHODS A2).</li>
 *   <li>{@code rBackward}: R{dIn} and the layer's slice of Hv, from dOut (ordinary backward), R{dOut},
 *       R{in} and v, including second-derivative terms (φ'' for activations, V terms for weights).</li>
 *   <li>{@code diagonalBackward}: Becker &amp; LeCun (1988) diagonal second-order back-propagation:
 *       ∂²/∂in² and the parameter diagonal from ∂²/∂out², off-diagonal terms dropped (METHODS A4.3).</li>
 *   <li>{@code sampleGradients}, {@code accumulateSquaredSampleGradients}, {@code statistics}: per-sample
 *       quantities from the stored inputs and output gradients, without a per-sample network pass.</li>
 * </ul>
 */
public abstract class Layer {
    private final int index;
    private final LayerSpec spec;
    private final Shape inputShape;
    private final Shape outputShape;

    Layer(int index, LayerSpec spec, Shape inputShape, Shape outputShape) {
        this.index = index;
        this.spec = spec;
        this.inputShape = inputShape;
        this.outputShape = outputShape;
    }

    /** Position in {@link Network#layers()}. */
    public int index() {
        return index;
    }

    public LayerSpec spec() {
        return spec;
    }

    public Shape inputShape() {
        return inputShape;
    }

    public Shape outputShape() {
        return outputShape;
    }

    /** The tensors this layer owns (weight first, then bias); empty for layers without parameters. */
    public List<ParameterTensor> parameters() {
        return List.of();
    }

    /** Whether this layer owns parameters (dense and conv). */
    public final boolean hasParameters() {
        return !parameters().isEmpty();
    }

    @Override
    public String toString() {
        return index + ": " + spec + " " + inputShape + " -> " + outputShape;
    }

    // ------------------------------------------------------------------------------------------------
    // Package-private computations (see the class documentation).

    /** The state this layer needs in a workspace of the given capacity. */
    LayerState newState(Kernels kernels, int capacity) {
        return new LayerState(kernels, capacity);
    }

    /** True when out is the same array as in (flatten), so the workspace shares all buffers. */
    boolean aliasesInput() {
        return false;
    }

    abstract void forward(LayerState s, int batch, float[] w, boolean training);

    abstract void backward(LayerState s, int batch, float[] w, float[] grad);

    abstract void rForward(LayerState s, int batch, float[] w, float[] v);

    abstract void rBackward(LayerState s, int batch, float[] w, float[] v, float[] hv);

    /**
     * @param secondDerivativeTerms add the φ''·∂ℓ/∂h terms of activations (needs dOut from an ordinary
     *                              backward of the loss gradient); false gives the Gauss-Newton recursion
     */
    abstract void diagonalBackward(LayerState s, int batch, float[] w, boolean secondDerivativeTerms, float[] diag);

    /** Writes row n of the parameter slice: the gradient of sample n for the seed in dOut. */
    void sampleGradients(LayerState s, int batch, float[] g, int gOff, int ldg) {
    }

    /** {@code out[q] += Σ_n (per-sample gradient_n[q])²} over this layer's slices. */
    void accumulateSquaredSampleGradients(LayerState s, int batch, float[] out) {
    }

    /** Fills the view with this layer's (unfolded) inputs and, if asked, its output gradients. */
    void statistics(LayerState s, int batch, boolean kronecker, LayerStatistics view) {
        throw new IllegalStateException(spec + " has no parameters and no statistics");
    }
}
