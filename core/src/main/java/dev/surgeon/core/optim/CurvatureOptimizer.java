package dev.surgeon.core.optim;

import dev.surgeon.core.nn.Loss;
import dev.surgeon.core.nn.Workspace;

/**
 * An optimizer that measures curvature on the current mini-batch, not only its gradient: K-FAC ({@link Kfac}:
 * Kronecker statistics from labels sampled from the model, Gauss-Newton products for its step rescaling and
 * Levenberg–Marquardt damping) and the exact natural gradient ({@link NaturalGradient}: the batch Fisher).
 * The trainer calls {@link #prepare} once per step, after the forward and backward pass of the batch and before
 * {@link #step}; {@code step} then updates the network's own parameter array (the one the workspace's network
 * computes with). A network with active dropout is handled by re-running the batch in evaluation mode on a
 * workspace of the optimizer's own: curvature is defined for the deterministic network.
 * Notation: docs/NOTATION.md.
 */
public interface CurvatureOptimizer extends Optimizer {

    /**
     * Reads the batch loaded in {@code ws}, whose network has run its forward pass on it (and the backward pass of
     * the gradient given to the next {@link #step}). The workspace's inputs, targets and outputs are not modified.
     */
    void prepare(Workspace ws, Loss loss);
}
