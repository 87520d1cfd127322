package dev.surgeon.core.prune.experiments;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/** {@code key=value} arguments of the experiments, with typed reads whose errors name the argument. */
final class Arguments {
    private Arguments() {
    }

    static Map<String, String> parse(String[] args) {
        Map<String, String> a = new LinkedHashMap<>();
        for (String arg : args) {
            String[] kv = arg.split("=", 2);
            if (kv.length != 2 || kv[0].isBlank()) {
                throw new IllegalArgumentException("experiment arguments are key=value, got '" + arg + "'");
            }
            a.put(kv[0].strip(), kv[1].strip());
        }
        return a;
    }

    /** Refuses keys outside {@code known} (a key ending in {@code -*} allows any suffix). */
    static void check(Map<String, String> a, String experiment, String... known) {
        Set<String> k = Set.of(known);
        for (String key : a.keySet()) {
            boolean ok = k.contains(key) || k.stream().anyMatch(x -> x.endsWith("-*") && key.startsWith(x.substring(0, x.length() - 1)));
            if (!ok) {
                throw new IllegalArgumentException("experiment " + experiment + " has no argument '" + key + "'; arguments: "
                        + String.join(", ", known));
            }
        }
    }

    static int integer(Map<String, String> a, String key, int fallback) {
        return Math.toIntExact(integer(a, key, (long) fallback));
    }

    static long integer(Map<String, String> a, String key, long fallback) {
        return a.containsKey(key) ? parse(key, a.get(key), Long::parseLong, "an integer") : fallback;
    }

    static double real(Map<String, String> a, String key, double fallback) {
        return a.containsKey(key) ? parse(key, a.get(key), Double::parseDouble, "a number") : fallback;
    }

    static List<Double> doubles(Map<String, String> a, String key, List<Double> fallback) {
        return list(a, key, fallback, Double::parseDouble, "numbers");
    }

    static List<Long> longs(Map<String, String> a, String key, List<Long> fallback) {
        return list(a, key, fallback, Long::parseLong, "integers");
    }

    private static <T> List<T> list(Map<String, String> a, String key, List<T> fallback, Function<String, T> parser, String what) {
        if (!a.containsKey(key)) {
            return fallback;
        }
        List<T> out = new ArrayList<>();
        for (String s : a.get(key).split(",")) {
            out.add(parse(key, s.strip(), parser, "a comma-separated list of " + what));
        }
        return out;
    }

    private static <T> T parse(String key, String value, Function<String, T> parser, String what) {
        try {
            return parser.apply(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("argument " + key + " must be " + what + ", got '" + value + "'");
        }
    }
}
