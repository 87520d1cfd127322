package dev.surgeon.core.prune.structured;

import dev.surgeon.core.prune.Retraining;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A structured pruning recipe: which structures, which criterion, how the FLOPs reduction is allocated, in how many
 * rounds, with what fine-tuning. Built by the presets of {@link StructuredMethods}; run by {@link StructuredRun}.
 *
 * @param method          the method's name, e.g. {@code sosp-h}
 * @param params          every knob with its value (defaults included), for the report
 * @param kind            filters, neurons or all
 * @param scorer          the criterion (null when a procedure runs the method)
 * @param allocation      global or uniform, with the largest fraction any layer may lose
 * @param redundancy      per-layer bounds from the gradient matrix (D5), or null
 * @param keepFlops       fraction of the dense multiply-adds kept at the end, in (0, 1]
 * @param rounds          pruning rounds; round j keeps keepFlops^{j/R} (geometric FLOPs steps)
 * @param between         fine-tuning epochs after every round but the last
 * @param betweenSteps    additionally, mini-batch SGD steps after every round but the last (Taylor 2017's "few dozen
 *                        updates"; uses {@code between}'s learning rate, momentum, decay and batch)
 * @param finalRetraining fine-tuning after the last round
 * @param procedure       a method with its own course ({@link EigenDamage}, {@link SpectralRadiusPruning}), or null
 * @param reconstruction  least-squares refit of the layers that read removed structures, after every removal, or null
 */
public record StructuredPlan(String method, Map<String, Object> params, StructureKind kind, StructureScorer scorer,
                             StructureAllocation allocation, GradientRedundancy redundancy, double keepFlops, int rounds,
                             Retraining between, int betweenSteps, Retraining finalRetraining, StructuredProcedure procedure,
                             NextLayerReconstruction reconstruction) {
    public StructuredPlan {
        if ((scorer == null) == (procedure == null)) {
            throw new IllegalArgumentException("a structured plan has either a structure scorer or a procedure");
        }
        if (!(keepFlops > 0 && keepFlops <= 1)) {
            throw new IllegalArgumentException("flops must be the kept fraction of the dense multiply-adds, in (0, 1]; got "
                    + keepFlops + (keepFlops > 1 ? " (for '" + keepFlops + "× fewer FLOPs' write " + 1 / keepFlops + ")" : ""));
        }
        if (reconstruction != null && procedure != null) {
            throw new IllegalArgumentException(method + " runs its own course; the next-layer reconstruction (reconstruct=true) "
                    + "applies only to score-and-remove methods");
        }
        if (rounds < 1 || betweenSteps < 0) {
            throw new IllegalArgumentException("rounds must be >= 1 and steps between rounds >= 0; got " + rounds + ", "
                    + betweenSteps);
        }
        params = Collections.unmodifiableMap(new LinkedHashMap<>(params));
    }
}
