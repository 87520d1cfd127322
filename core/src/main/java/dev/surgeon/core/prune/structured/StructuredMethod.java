package dev.surgeon.core.prune.structured;

import dev.surgeon.core.prune.Knob;
import dev.surgeon.core.prune.Settings;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * A named structured pruning method: its knobs with defaults and documentation, and how a {@link StructuredPlan} is
 * built from their values ({@link StructuredMethods} is the registry).
 *
 * @param name    e.g. {@code sosp-h}
 * @param summary one line: the paper and what the method does
 * @param knobs   every knob with this method's defaults
 * @param factory builds the plan from the resolved settings
 */
public record StructuredMethod(String name, String summary, List<Knob> knobs, Function<Settings, StructuredPlan> factory) {
    public StructuredMethod {
        knobs = List.copyOf(knobs);
    }

    /** The settings with the given overrides (knob name → text value). */
    public Settings settings(Map<String, String> overrides) {
        return new Settings(name, knobs, overrides);
    }

    /** The plan for the given overrides. */
    public StructuredPlan plan(Map<String, String> overrides) {
        return factory.apply(settings(overrides));
    }
}
