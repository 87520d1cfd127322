package dev.surgeon.cli;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Report sections built from core's trees of maps and lists, made fit for the JSON contract. */
final class JsonTrees {
    private JsonTrees() {
    }

    /**
     * A copy of the tree with NaN and infinities as null (JSON has no such numbers; the contract writes null), primitive
     * arrays as lists and map keys as strings.
     */
    static Object finite(Object v) {
        if (v instanceof Double d) {
            return Double.isFinite(d) ? d : null;
        }
        if (v instanceof Float f) {
            return Float.isFinite(f) ? (double) f : null;
        }
        if (v instanceof Map<?, ?> m) {
            Map<String, Object> out = new LinkedHashMap<>();
            m.forEach((k, x) -> out.put(String.valueOf(k), finite(x)));
            return out;
        }
        if (v instanceof List<?> l) {
            List<Object> out = new ArrayList<>(l.size());
            for (Object x : l) {
                out.add(finite(x));
            }
            return out;
        }
        if (v instanceof int[] a) {
            return Arrays.stream(a).boxed().toList();
        }
        if (v instanceof long[] a) {
            return Arrays.stream(a).boxed().toList();
        }
        if (v instanceof double[] a) {
            return finite(Arrays.stream(a).boxed().toList());
        }
        return v;
    }

    /** {@link #finite} of a map, typed. */
    @SuppressWarnings("unchecked")
    static Map<String, Object> finiteMap(Map<String, ?> m) {
        return (Map<String, Object>) finite(m);
    }
}
