package dev.surgeon.core.prune;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The knob values of one method: its defaults overridden by the user's values (text, as from a command line or a
 * recipe file, so both go through the same parsing). Unknown knobs are refused with the list of known ones; typed
 * getters name the knob and the expected type on bad values.
 */
public final class Settings {
    private final String method;
    private final Map<String, Knob> knobs = new LinkedHashMap<>();
    private final Map<String, String> values = new LinkedHashMap<>();
    private final Map<String, String> overrides;

    /**
     * @throws IllegalArgumentException if an override names a knob the method does not have
     */
    public Settings(String method, List<Knob> knobs, Map<String, String> overrides) {
        this.method = method;
        for (Knob k : knobs) {
            this.knobs.put(k.name(), k);
            values.put(k.name(), k.defaultValue());
        }
        for (Map.Entry<String, String> e : overrides.entrySet()) {
            String key = e.getKey().strip().replace('-', '_').toLowerCase(Locale.ROOT);
            if (!this.knobs.containsKey(key)) {
                throw new IllegalArgumentException("method " + method + " has no setting '" + e.getKey() + "'; its settings: "
                        + String.join(", ", this.knobs.keySet()));
            }
            values.put(key, e.getValue().strip());
        }
        this.overrides = Collections.unmodifiableMap(new LinkedHashMap<>(overrides));
    }

    public String method() {
        return method;
    }

    /** Whether the user set the knob (rather than taking the default). */
    public boolean isSet(String name) {
        require(name);
        return overrides.keySet().stream().anyMatch(k -> k.strip().replace('-', '_').toLowerCase(Locale.ROOT).equals(name));
    }

    public String text(String name) {
        require(name);
        return values.get(name);
    }

    public double real(String name) {
        String v = text(name);
        try {
            double x = Double.parseDouble(v);
            if (!Double.isFinite(x)) {
                throw new NumberFormatException();
            }
            return x;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(method + ": setting " + name + " must be a finite number, got '" + v + "'");
        }
    }

    public int integer(String name) {
        String v = text(name);
        try {
            return Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(method + ": setting " + name + " must be an integer, got '" + v + "'");
        }
    }

    /** An integer ≥ {@code min}. */
    public int integer(String name, int min) {
        int x = integer(name);
        if (x < min) {
            throw new IllegalArgumentException(method + ": setting " + name + " must be >= " + min + ", got " + x);
        }
        return x;
    }

    /** A number ≥ 0. */
    public double nonNegative(String name) {
        double x = real(name);
        if (x < 0) {
            throw new IllegalArgumentException(method + ": setting " + name + " must be >= 0, got " + x);
        }
        return x;
    }

    public boolean bool(String name) {
        String v = text(name).toLowerCase(Locale.ROOT);
        return switch (v) {
            case "true", "yes", "on", "1" -> true;
            case "false", "no", "off", "0" -> false;
            default -> throw new IllegalArgumentException(method + ": setting " + name + " must be true or false, got '" + v + "'");
        };
    }

    private void require(String name) {
        if (!knobs.containsKey(name)) {
            throw new IllegalStateException("method " + method + " declares no knob '" + name + "'");
        }
    }

    /** The knobs in declaration order. */
    public List<Knob> knobs() {
        return List.copyOf(knobs.values());
    }

    /** Every knob with its value, typed (integer, number, boolean or text), for the report's {@code params}. */
    public Map<String, Object> params() {
        Map<String, Object> m = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : values.entrySet()) {
            m.put(e.getKey(), typed(e.getValue()));
        }
        return m;
    }

    private static Object typed(String v) {
        if (v.equals("true") || v.equals("false")) {
            return Boolean.parseBoolean(v);
        }
        try {
            return Long.parseLong(v);
        } catch (NumberFormatException e) {
            // not an integer
        }
        try {
            double x = Double.parseDouble(v);
            if (Double.isFinite(x) && !v.endsWith("%")) {
                return x;
            }
        } catch (NumberFormatException e) {
            // text
        }
        return v;
    }
}
