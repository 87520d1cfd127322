package dev.surgeon.core.prune;

/**
 * One setting of a pruning method, with its default and its documentation (shown by {@code surgeon prune --help} and
 * recorded in every report's {@code params}).
 *
 * @param name         snake_case, e.g. {@code damping}
 * @param defaultValue the default in text form, e.g. {@code 1e-5}
 * @param description  what it does, with its source (METHODS section, reference code)
 */
public record Knob(String name, String defaultValue, String description) {
    public Knob {
        if (name == null || !name.matches("[a-z][a-z0-9_]*")) {
            throw new IllegalArgumentException("knob names are snake_case, got '" + name + "'");
        }
    }
}
