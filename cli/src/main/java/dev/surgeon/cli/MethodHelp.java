package dev.surgeon.cli;

import dev.surgeon.core.prune.Knob;
import dev.surgeon.core.prune.PruningMethods;
import dev.surgeon.core.prune.structured.StructuredMethods;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The documentation of the pruning methods and their knobs, generated from {@link PruningMethods} (weights) and
 * {@link StructuredMethods} (filters and neurons, {@code --structured}) so that it cannot drift from the code: a
 * compact form for {@code surgeon prune --help} (per family the common knobs once, then per method its summary, the
 * defaults it changes and its own knobs) and the full form for {@code --list-methods} (every knob of every method with
 * its default).
 */
final class MethodHelp {
    /** Width of {@code --list-methods} output. */
    static final int WIDTH = 110;

    private MethodHelp() {
    }

    /** A method of either family, as documented. */
    private record MethodDefinitionDoc(String name, String summary, List<Knob> knobs) {
    }

    private static List<MethodDefinitionDoc> weights() {
        return PruningMethods.all().stream().map(d -> new MethodDefinitionDoc(d.name(), d.summary(), d.knobs())).toList();
    }

    private static List<MethodDefinitionDoc> structured() {
        return StructuredMethods.all().stream().map(d -> new MethodDefinitionDoc(d.name(), d.summary(), d.knobs())).toList();
    }

    /** Knobs every method has, with their most frequent default. */
    private static Map<String, Knob> common(List<MethodDefinitionDoc> methods) {
        Set<String> names = null;
        for (MethodDefinitionDoc d : methods) {
            Set<String> own = new LinkedHashSet<>(d.knobs().stream().map(Knob::name).toList());
            if (names == null) {
                names = own;
            } else {
                names.retainAll(own);
            }
        }
        Map<String, Knob> out = new LinkedHashMap<>();
        for (String n : names == null ? Set.<String>of() : names) {
            Map<String, Integer> count = new HashMap<>();
            Knob first = null;
            for (MethodDefinitionDoc d : methods) {
                Knob k = knob(d, n);
                first = first == null ? k : first;
                count.merge(k.defaultValue(), 1, Integer::sum);
            }
            String best = count.entrySet().stream().max(Map.Entry.comparingByValue()).orElseThrow().getKey();
            out.put(n, new Knob(n, best, first.description()));
        }
        return out;
    }

    private static Knob knob(MethodDefinitionDoc d, String name) {
        return d.knobs().stream().filter(k -> k.name().equals(name)).findFirst().orElseThrow();
    }

    /** The compact form, for the help footer. */
    static List<String> compact(int width) {
        List<String> lines = new ArrayList<>();
        compact(lines, width, weights(), "Weight pruning (--method METHOD). Knobs of every method (--set KNOB=VALUE; default in brackets, "
                + "methods may change it):");
        lines.add("");
        compact(lines, width, structured(), "Structured pruning (--structured filters|neurons|all --method METHOD --flops F): whole "
                + "filters or neurons are removed and the saved network is physically smaller. Knobs of every method:");
        return lines;
    }

    private static void compact(List<String> lines, int width, List<MethodDefinitionDoc> methods, String heading) {
        Map<String, Knob> common = common(methods);
        wrap(lines, heading, "  ", width);
        for (Knob k : common.values()) {
            wrap(lines, "  " + k.name() + " [" + k.defaultValue() + "]: " + k.description(), "      ", width);
        }
        lines.add("");
        lines.add("Methods, with the defaults they change and their own knobs:");
        for (MethodDefinitionDoc d : methods) {
            lines.add("");
            wrap(lines, "  " + d.name() + ": " + d.summary(), "      ", width);
            List<String> changed = new ArrayList<>();
            for (Knob k : d.knobs()) {
                Knob c = common.get(k.name());
                if (c != null && !c.defaultValue().equals(k.defaultValue())) {
                    changed.add(k.name() + "=" + k.defaultValue());
                }
            }
            if (!changed.isEmpty()) {
                wrap(lines, "    defaults: " + String.join(", ", changed), "      ", width);
            }
            for (Knob k : d.knobs()) {
                if (!common.containsKey(k.name())) {
                    wrap(lines, "    " + k.name() + " [" + k.defaultValue() + "]: " + k.description(), "        ", width);
                }
            }
        }
    }

    /** The full form: every knob of every method of both families (or of the named ones). */
    static List<String> full(String only) {
        List<String> lines = new ArrayList<>();
        full(lines, weights(), only, "");
        full(lines, structured(), only, " (structured)");
        return lines;
    }

    private static void full(List<String> lines, List<MethodDefinitionDoc> methods, String only, String family) {
        for (MethodDefinitionDoc d : methods) {
            if (only != null && !only.equals(d.name())) {
                continue;
            }
            if (!lines.isEmpty()) {
                lines.add("");
            }
            wrap(lines, d.name() + family + ": " + d.summary(), "    ", WIDTH);
            int width = d.knobs().stream().mapToInt(k -> k.name().length() + k.defaultValue().length() + 1).max().orElse(0);
            for (Knob k : d.knobs()) {
                String head = k.name() + "=" + k.defaultValue();
                wrap(lines, "  " + head + " ".repeat(Math.max(1, width - head.length() + 2)) + k.description(),
                        " ".repeat(width + 4), WIDTH);
            }
        }
    }

    /** Whether a method of either family has this name. */
    static boolean known(String name) {
        return PruningMethods.names().contains(name) || StructuredMethods.names().contains(name);
    }

    /** Appends {@code text} wrapped at {@code width} columns, continuation lines indented. */
    static void wrap(List<String> lines, String text, String indent, int width) {
        String rest = text;
        String prefix = "";
        while ((prefix + rest).length() > width) {
            int limit = width - prefix.length();
            int cut = rest.lastIndexOf(' ', limit);
            if (cut <= indent.length()) {
                cut = rest.indexOf(' ', limit);
                if (cut < 0) {
                    break;
                }
            }
            lines.add(prefix + rest.substring(0, cut));
            rest = rest.substring(cut + 1);
            prefix = indent;
        }
        lines.add(prefix + rest);
    }
}
