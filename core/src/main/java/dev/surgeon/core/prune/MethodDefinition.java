package dev.surgeon.core.prune;

import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * A named pruning method: its knobs with defaults and documentation, and how a plan is built from their values.
 * See {@link PruningMethods} for the registry.
 *
 * @param name    e.g. {@code woodfisher}
 * @param summary one line: the paper and what the method does
 * @param knobs   every knob, common ones included, with this method's defaults
 * @param factory builds the plan from the resolved settings
 */
public record MethodDefinition(String name, String summary, List<Knob> knobs, Function<Settings, PruningPlan> factory) {
    public MethodDefinition {
        knobs = List.copyOf(knobs);
    }

    /** The settings of this method with the given overrides (knob name → text value). */
    public Settings settings(Map<String, String> overrides) {
        return new Settings(name, knobs, overrides);
    }

    /** The plan for the given overrides. */
    public PruningPlan plan(Map<String, String> overrides) {
        return factory.apply(settings(overrides));
    }
}
