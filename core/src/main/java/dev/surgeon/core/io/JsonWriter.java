package dev.surgeon.core.io;

import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Writes a tree of plain values as indented JSON (RFC 8259), for reports: {@code Map<String, ?>} (key order kept) →
 * object, {@code List<?>}, {@code int[]}, {@code long[]}, {@code double[]} → array, {@code CharSequence} and enums →
 * string (quoted like the model-file headers), {@code Integer}/{@code Long} → integer, other numbers → their shortest
 * decimal form ({@code Double.toString}, valid JSON), NaN and infinities → {@code null} (JSON has no such numbers),
 * {@code Boolean} → true/false, null → null. Anything else is refused, so a report cannot silently contain
 * {@code toString()} garbage.
 */
public final class JsonWriter {
    private JsonWriter() {
    }

    /** The JSON text of the tree, indented by two spaces, ending without a newline. */
    public static String write(Object tree) {
        StringBuilder b = new StringBuilder();
        value(b, tree, 0);
        return b.toString();
    }

    /** The JSON string literal of {@code s}, quotes included. */
    public static String quote(String s) {
        return Json.quote(s);
    }

    private static void value(StringBuilder b, Object v, int depth) {
        switch (v) {
            case null -> b.append("null");
            case CharSequence s -> b.append(Json.quote(s.toString()));
            case Enum<?> e -> b.append(Json.quote(e.toString()));
            case Boolean x -> b.append(x);
            case Integer x -> b.append(x);
            case Long x -> b.append(x);
            case Short x -> b.append(x);
            case Number x -> number(b, x.doubleValue());
            case Map<?, ?> m -> object(b, m, depth);
            case List<?> l -> array(b, l, depth);
            case int[] a -> array(b, java.util.Arrays.stream(a).boxed().toList(), depth);
            case long[] a -> array(b, java.util.Arrays.stream(a).boxed().toList(), depth);
            case double[] a -> array(b, java.util.Arrays.stream(a).boxed().toList(), depth);
            default -> throw new IllegalArgumentException("cannot write a " + v.getClass().getName() + " as JSON: " + v);
        }
    }

    private static void number(StringBuilder b, double x) {
        if (!Double.isFinite(x)) {
            b.append("null");
        } else if (x == Math.rint(x) && Math.abs(x) < 1e15) {
            b.append((long) x).append(".0");
        } else {
            b.append(Double.toString(x));
        }
    }

    private static void object(StringBuilder b, Map<?, ?> m, int depth) {
        if (m.isEmpty()) {
            b.append("{}");
            return;
        }
        b.append("{\n");
        Iterator<? extends Map.Entry<?, ?>> it = m.entrySet().iterator();
        while (it.hasNext()) {
            Map.Entry<?, ?> e = it.next();
            if (!(e.getKey() instanceof String key)) {
                throw new IllegalArgumentException("JSON object keys must be strings, got " + e.getKey());
            }
            indent(b, depth + 1);
            b.append(Json.quote(key)).append(": ");
            value(b, e.getValue(), depth + 1);
            b.append(it.hasNext() ? ",\n" : "\n");
        }
        indent(b, depth);
        b.append('}');
    }

    private static void array(StringBuilder b, List<?> l, int depth) {
        if (l.isEmpty()) {
            b.append("[]");
            return;
        }
        boolean flat = l.stream().noneMatch(x -> x instanceof Map || x instanceof List || x != null && x.getClass().isArray());
        if (flat) {
            b.append('[');
            for (int i = 0; i < l.size(); i++) {
                if (i > 0) {
                    b.append(", ");
                }
                value(b, l.get(i), depth + 1);
            }
            b.append(']');
            return;
        }
        b.append("[\n");
        for (int i = 0; i < l.size(); i++) {
            indent(b, depth + 1);
            value(b, l.get(i), depth + 1);
            b.append(i + 1 < l.size() ? ",\n" : "\n");
        }
        indent(b, depth);
        b.append(']');
    }

    private static void indent(StringBuilder b, int depth) {
        b.append("  ".repeat(depth));
    }
}
