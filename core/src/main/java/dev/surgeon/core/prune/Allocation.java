package dev.surgeon.core.prune;

import dev.surgeon.core.nn.ParameterTensor;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * How a pruning target is spread over the prunable tensors (METHODS B common rules, G.1):
 * <ul>
 *   <li>{@link Scope#GLOBAL}: one threshold over all tensors: the lowest saliencies anywhere are removed (saliencies are
 *       predicted loss increases, so they are comparable across layers);</li>
 *   <li>{@link Scope#LAYER}: every tensor gets the same sparsity, its lowest saliencies removed.</li>
 * </ul>
 * Either scope respects per-tensor bounds: a tensor ends with a sparsity in [min, max] (a default pair for all
 * tensors, overridable per tensor). A global target that the bounds make impossible is rejected with the feasible
 * range. Already-pruned weights count towards a tensor's sparsity and are never revived: a tensor already above its
 * share keeps its pruned weights.
 *
 * @param scope       global or per layer
 * @param minSparsity default lower bound of every tensor's sparsity, in [0, 1]
 * @param maxSparsity default upper bound, in [min, 1]
 * @param bounds      per-tensor overrides by tensor name ({@code fc1.weight}) or layer name ({@code fc1}, meaning its
 *                    weight)
 */
public record Allocation(Scope scope, double minSparsity, double maxSparsity, Map<String, Bounds> bounds) {

    /** Global or per-layer allocation. */
    public enum Scope {
        GLOBAL, LAYER;

        /** Parses {@code global} or {@code layer}. */
        public static Scope parse(String s) {
            return switch (s.strip().toLowerCase(Locale.ROOT)) {
                case "global" -> GLOBAL;
                case "layer", "local", "per-layer" -> LAYER;
                default -> throw new IllegalArgumentException("unknown scope '" + s + "'; use global or layer");
            };
        }

        @Override
        public String toString() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * Sparsity bounds of one tensor.
     *
     * @param min lower bound in [0, 1]
     * @param max upper bound in [min, 1]
     */
    public record Bounds(double min, double max) {
        public Bounds {
            if (!(min >= 0) || !(max <= 1) || !(min <= max)) {
                throw new IllegalArgumentException("sparsity bounds must satisfy 0 <= min <= max <= 1, got [" + min + ", " + max + "]");
            }
        }
    }

    public Allocation {
        if (scope == null) {
            throw new IllegalArgumentException("allocation scope is required");
        }
        new Bounds(minSparsity, maxSparsity);
        bounds = Collections.unmodifiableMap(new LinkedHashMap<>(bounds));
    }

    /** One threshold over all prunable tensors, no bounds. */
    public static Allocation global() {
        return new Allocation(Scope.GLOBAL, 0, 1, Map.of());
    }

    /** The same sparsity in every prunable tensor, no bounds. */
    public static Allocation perLayer() {
        return new Allocation(Scope.LAYER, 0, 1, Map.of());
    }

    /** The same allocation with default bounds [min, max] for every tensor. */
    public Allocation withBounds(double min, double max) {
        return new Allocation(scope, min, max, bounds);
    }

    /** The same allocation with bounds for one tensor or layer. */
    public Allocation withBounds(String tensorOrLayer, double min, double max) {
        Map<String, Bounds> m = new LinkedHashMap<>(bounds);
        m.put(tensorOrLayer, new Bounds(min, max));
        return new Allocation(scope, minSparsity, maxSparsity, m);
    }

    /** The bounds that apply to a tensor. */
    public Bounds boundsOf(ParameterTensor t) {
        Bounds b = bounds.get(t.name());
        if (b == null && t.role() == ParameterTensor.Role.WEIGHT) {
            b = bounds.get(TensorNames.layer(t));
        }
        return b != null ? b : new Bounds(minSparsity, maxSparsity);
    }

    @Override
    public String toString() {
        return scope + (minSparsity > 0 || maxSparsity < 1 ? " [" + minSparsity + ", " + maxSparsity + "]" : "")
                + (bounds.isEmpty() ? "" : " " + bounds);
    }
}
