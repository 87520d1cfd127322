package dev.surgeon.core.prune.experiments;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

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
        String v = a.get(key);
        try {
            return v == null ? fallback : Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("argument " + key + " must be an integer, got '" + v + "'");
        }
    }

    static long integer(Map<String, String> a, String key, long fallback) {
        String v = a.get(key);
        try {
            return v == null ? fallback : Long.parseLong(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("argument " + key + " must be an integer, got '" + v + "'");
        }
    }

    static double real(Map<String, String> a, String key, double fallback) {
        String v = a.get(key);
        try {
            return v == null ? fallback : Double.parseDouble(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("argument " + key + " must be a number, got '" + v + "'");
        }
    }

    static List<Double> doubles(Map<String, String> a, String key, List<Double> fallback) {
        String v = a.get(key);
        if (v == null) {
            return fallback;
        }
        List<Double> out = new ArrayList<>();
        for (String s : v.split(",")) {
            try {
                out.add(Double.parseDouble(s.strip()));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("argument " + key + " must be a comma-separated list of numbers, got '" + v + "'");
            }
        }
        return out;
    }

    static List<Long> longs(Map<String, String> a, String key, List<Long> fallback) {
        String v = a.get(key);
        if (v == null) {
            return fallback;
        }
        List<Long> out = new ArrayList<>();
        for (String s : v.split(",")) {
            try {
                out.add(Long.parseLong(s.strip()));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("argument " + key + " must be a comma-separated list of integers, got '" + v + "'");
            }
        }
        return out;
    }
}
