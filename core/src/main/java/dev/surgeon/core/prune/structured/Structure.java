package dev.surgeon.core.prune.structured;

import dev.surgeon.core.nn.HiddenUnits;

/**
 * One removable structure: a hidden unit (dense neuron or conv filter) of layer {@code link.layer()} with every
 * parameter that disappears with it — its weight row and bias ({@code incoming}) and its input columns in the next
 * weighted layer ({@code outgoing}, through pools and flatten; see {@link HiddenUnits}).
 *
 * <p>The gate of a structure (Molchanov et al. 2019) is a multiplier u on the unit's output as the next layer sees
 * it; u = 0 is removal. Because the next layer is linear in that output, scaling u scales exactly the outgoing
 * weights, so the network with gates u equals the network with weights w(u) = w + Σ_s (u_s − 1)·θ_s, where θ_s is w
 * restricted to the outgoing columns of s. Every derivative with respect to gates is therefore a derivative along
 * θ_s: ∂L/∂u_s = θ_sᵀ∇L and ∂²L/∂u_s∂u_t = θ_sᵀ H θ_t (the map u ↦ w(u) is linear and the θ_s are disjoint).
 *
 * @param index    position in its {@link Structures}
 * @param link     the layer's wiring
 * @param unit     unit index inside the layer
 * @param name     e.g. {@code conv2[17]} or {@code fc1[3]}
 * @param incoming flat indices of the weight row, then the bias
 * @param outgoing flat indices of the next layer's input columns (θ_s's support)
 * @param positions spatial positions of the unit's output map as the next layer reads it (1 for dense units)
 */
public record Structure(int index, HiddenUnits.Link link, int unit, String name, int[] incoming, int[] outgoing, int positions) {

    /** Index of the layer owning the unit. */
    public int layer() {
        return link.layer();
    }

    @Override
    public String toString() {
        return name;
    }
}
