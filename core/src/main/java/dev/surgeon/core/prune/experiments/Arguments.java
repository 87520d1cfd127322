package dev.surgeon.core.prune.experiments;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@code key=value} arguments of the experiments' {@code main} methods. */
final class Arguments {
    private Arguments() {
    }

    static Map<String, String> parse(String[] args) {
        Map<String, String> a = new LinkedHashMap<>();
        for (String arg : args) {
            String[] kv = arg.split("=", 2);
            if (kv.length != 2) {
                throw new IllegalArgumentException("arguments are key=value, got '" + arg + "'");
            }
            a.put(kv[0].strip(), kv[1].strip());
        }
        return a;
    }

    static List<Double> doubles(String csv) {
        List<Double> out = new ArrayList<>();
        for (String s : csv.split(",")) {
            out.add(Double.parseDouble(s.strip()));
        }
        return out;
    }

    static List<Long> longs(String csv) {
        List<Long> out = new ArrayList<>();
        for (String s : csv.split(",")) {
            out.add(Long.parseLong(s.strip()));
        }
        return out;
    }
}
