package dev.surgeon.core.prune;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A complete pruning recipe: which step ({@link Pruner}), when ({@link Schedule}), how far ({@link Target}), the
 * fine-tuning after the schedule, and every knob with its value for the report. Methods are named presets that build
 * plans ({@link PruningMethods}); {@link PruningRun#execute} runs one.
 *
 * @param method          the method's name, e.g. {@code woodfisher}
 * @param params          every knob with the value used (defaults included), for the report
 * @param pruner          the step
 * @param schedule        the schedule
 * @param target          the target (counted over prunable parameters)
 * @param finalRetraining fine-tuning after the schedule (prune-then-retrain), or {@link Retraining#NONE}
 * @param measureSamples  training samples (a seeded subset) on which the loss is measured before and after every step
 *                        (0: no per-step measurement; the report still measures before and after the whole run)
 * @param pruneBiases     whether the context must treat biases as prunable ({@link PruningContext.Builder#pruneBiases})
 */
public record PruningPlan(String method, Map<String, Object> params, Pruner pruner, Schedule schedule, Target target,
                          Retraining finalRetraining, int measureSamples, boolean pruneBiases) {

    public PruningPlan {
        if (pruner == null || schedule == null || target == null || finalRetraining == null) {
            throw new IllegalArgumentException("a plan needs a pruner, a schedule, a target and a final retraining");
        }
        if (target instanceof Target.Auto != schedule instanceof Schedule.Auto) {
            throw new IllegalArgumentException(target instanceof Target.Auto
                    ? "sparsity auto needs the stopping-rule schedule (schedule auto); use a number for the " + schedule + " schedule"
                    : "the stopping-rule schedule needs sparsity auto, not " + target);
        }
        if (measureSamples < 0) {
            throw new IllegalArgumentException("measure samples must be >= 0, got " + measureSamples);
        }
        params = Collections.unmodifiableMap(new LinkedHashMap<>(params));
    }
}
