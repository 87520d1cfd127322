package dev.surgeon.core.nn;

import dev.surgeon.kernels.Kernels;

/**
 * The buffers one layer reads and writes in one {@link Workspace}, all batch-major (sample after sample,
 * each sample in the layer's {@link Shape}). Neighbouring layers share arrays: {@code out} of layer l is
 * {@code in} of layer l+1, and likewise for the gradient and R buffers.
 *
 * <ul>
 *   <li>{@code in}, {@code out}: activations entering and leaving the layer;</li>
 *   <li>{@code dIn}, {@code dOut}: the back-propagated signal ∂(seed)/∂in and ∂(seed)/∂out. {@code dIn}
 *       is null for the first layer with parameters (nothing below needs it);</li>
 *   <li>{@code rIn}, {@code rOut}: Pearlmutter's R{·} of the activations (R-forward pass). {@code rIn} is
 *       null for the first layer with parameters, meaning zero;</li>
 *   <li>{@code rdIn}, {@code rdOut}: R{dIn}, R{dOut} in the R-backward pass; the diagonal Gauss-Newton pass
 *       reuses them for the diagonal second derivatives ∂²/∂in², ∂²/∂out².</li>
 * </ul>
 * Layers keep their own scratch (patch matrices, argmax indices, dropout masks) in subclasses, allocated
 * on first use and reused afterwards.
 */
class LayerState {
    final Kernels kernels;
    final int capacity;
    float[] in;
    float[] out;
    float[] dIn;
    float[] dOut;
    float[] rIn;
    float[] rOut;
    float[] rdIn;
    float[] rdOut;

    LayerState(Kernels kernels, int capacity) {
        this.kernels = kernels;
        this.capacity = capacity;
    }

    /** A scratch array of at least n floats: {@code current} if large enough, else a new one. */
    static float[] ensure(float[] current, int n) {
        return current != null && current.length >= n ? current : new float[n];
    }
}
