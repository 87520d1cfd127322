package dev.surgeon.core.io;

import dev.surgeon.core.nn.ParameterLayout;
import dev.surgeon.core.nn.ParameterTensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Maps the tensor names of a PyTorch {@code state_dict} to an architecture's parameter names when they do
 * not agree exactly: in layer order, or by the only assignment of shapes that fits (see
 * {@link ModelFile#importStateDict}). The file's {@code PREFIX.weight}/{@code PREFIX.bias} tensors form one
 * group per layer; a mask {@code PREFIX.weight.mask} follows its weight.
 */
final class StateDictMapping {
    /** Backtracking steps allowed when looking for a unique assignment by shape (tiny for real networks). */
    private static final int SEARCH_BUDGET = 100_000;

    /**
     * Compares names by their runs of digits as numbers and the rest as text, so {@code 2.weight} sorts
     * before {@code 10.weight} and {@code fc2} before {@code fc10}.
     */
    static final Comparator<String> NATURAL = StateDictMapping::compareNatural;

    private final Map<String, String> mapping;
    private final ImportedModel.Matching matching;
    private final String failure;

    private StateDictMapping(Map<String, String> mapping, ImportedModel.Matching matching, String failure) {
        this.mapping = mapping;
        this.matching = matching;
        this.failure = failure;
    }

    /** File name → architecture name (masks included), or null when no mapping was found. */
    Map<String, String> mapping() {
        return mapping;
    }

    ImportedModel.Matching matching() {
        return matching;
    }

    /** Why no mapping was found (null on success). */
    String failure() {
        return failure;
    }

    private static StateDictMapping failed(String why) {
        return new StateDictMapping(null, null, why);
    }

    static StateDictMapping find(List<ModelFile.Stored> stored, ParameterLayout layout) {
        Map<String, Map<String, ModelFile.Stored>> groups = new TreeMap<>(NATURAL);
        List<ModelFile.Stored> masks = new ArrayList<>();
        for (ModelFile.Stored s : stored) {
            String n = s.name();
            if (n.endsWith(ModelFile.MASK_SUFFIX)) {
                masks.add(s);
                continue;
            }
            int dot = n.lastIndexOf('.');
            String suffix = n.substring(dot + 1);
            if (dot <= 0 || !suffix.equals("weight") && !suffix.equals("bias")) {
                return failed("Mapping in layer order needs PREFIX.weight and PREFIX.bias tensors only, but the file has '"
                        + n + "'");
            }
            groups.computeIfAbsent(n.substring(0, dot), k -> new LinkedHashMap<>()).put(suffix, s);
        }
        List<List<ParameterTensor>> layers = new ArrayList<>();
        int lastLayer = -1;
        for (ParameterTensor t : layout.tensors()) {
            if (t.layerIndex() != lastLayer) {
                layers.add(new ArrayList<>());
                lastLayer = t.layerIndex();
            }
            layers.get(layers.size() - 1).add(t);
        }
        List<String> prefixes = new ArrayList<>(groups.keySet());
        if (prefixes.size() != layers.size()) {
            List<String> names = layers.stream().map(StateDictMapping::layerName).toList();
            return failed("Mapping in layer order failed: the file has " + prefixes.size() + " weight/bias groups " + prefixes
                    + " but the architecture has " + layers.size() + " layers with parameters " + names);
        }
        List<String> orderProblems = new ArrayList<>();
        for (int i = 0; i < layers.size(); i++) {
            String why = misfit(prefixes.get(i), groups.get(prefixes.get(i)), layers.get(i));
            if (why != null) {
                orderProblems.add(why);
            }
        }
        int[] assignment = new int[layers.size()];
        ImportedModel.Matching matching;
        if (orderProblems.isEmpty()) {
            Arrays.setAll(assignment, i -> i);
            matching = ImportedModel.Matching.BY_LAYER_ORDER;
        } else {
            boolean[][] fits = new boolean[layers.size()][prefixes.size()];
            for (int i = 0; i < layers.size(); i++) {
                for (int g = 0; g < prefixes.size(); g++) {
                    fits[i][g] = misfit(prefixes.get(g), groups.get(prefixes.get(g)), layers.get(i)) == null;
                }
            }
            Search search = new Search(fits);
            search.run(0, new boolean[prefixes.size()], new int[layers.size()]);
            if (search.solutions != 1) {
                return failed("Mapping in layer order failed (" + String.join("; ", orderProblems) + ") and "
                        + (search.solutions == 0 ? "no assignment of the groups to the layers makes every shape agree"
                        : "several assignments by shape fit, so the order is ambiguous")
                        + "; rename the tensors to the architecture's names or fix the architecture");
            }
            assignment = search.found;
            matching = ImportedModel.Matching.BY_UNIQUE_SHAPES;
        }
        Map<String, String> mapping = new LinkedHashMap<>();
        for (int i = 0; i < layers.size(); i++) {
            String prefix = prefixes.get(assignment[i]);
            for (ParameterTensor t : layers.get(i)) {
                String suffix = t.role() == ParameterTensor.Role.WEIGHT ? "weight" : "bias";
                mapping.put(prefix + "." + suffix, t.name());
            }
        }
        for (ModelFile.Stored m : masks) {
            String base = m.name().substring(0, m.name().length() - ModelFile.MASK_SUFFIX.length());
            String target = mapping.get(base);
            if (target != null) {
                mapping.put(m.name(), target + ModelFile.MASK_SUFFIX);
            }
        }
        return new StateDictMapping(mapping, matching, null);
    }

    private static String layerName(List<ParameterTensor> layer) {
        String n = layer.get(0).name();
        return n.substring(0, n.lastIndexOf('.'));
    }

    /** Why a file group cannot be a layer's parameters, or null when it can. */
    private static String misfit(String prefix, Map<String, ModelFile.Stored> group, List<ParameterTensor> layer) {
        String layerName = layerName(layer);
        ModelFile.Stored weight = group.get("weight");
        ModelFile.Stored bias = group.get("bias");
        ParameterTensor w = layer.get(0);
        ParameterTensor b = layer.size() > 1 ? layer.get(1) : null;
        if (weight == null) {
            return "group '" + prefix + "' has no weight";
        }
        if (!Arrays.equals(weight.shape(), ModelFile.shapeOf(w))) {
            return weight.name() + " " + Arrays.toString(weight.shape()) + " vs " + w.name() + " " + Arrays.toString(w.shape());
        }
        if ((bias == null) != (b == null)) {
            return "group '" + prefix + "' has " + (bias == null ? "no bias" : "a bias") + " but " + layerName + " has "
                    + (b == null ? "none" : "one");
        }
        if (b != null && !Arrays.equals(bias.shape(), ModelFile.shapeOf(b))) {
            return bias.name() + " " + Arrays.toString(bias.shape()) + " vs " + b.name() + " " + Arrays.toString(b.shape());
        }
        return null;
    }

    /** Counts the assignments of groups to layers (a perfect matching in {@code fits}), up to two. */
    private static final class Search {
        private final boolean[][] fits;
        private int solutions;
        private int steps;
        private int[] found;

        Search(boolean[][] fits) {
            this.fits = fits;
        }

        void run(int layer, boolean[] used, int[] current) {
            if (solutions > 1) {
                return;
            }
            if (++steps > SEARCH_BUDGET) {
                solutions = 2; // too many possibilities to call any of them unique
                return;
            }
            if (layer == fits.length) {
                solutions++;
                found = current.clone();
                return;
            }
            for (int g = 0; g < used.length; g++) {
                if (!used[g] && fits[layer][g]) {
                    used[g] = true;
                    current[layer] = g;
                    run(layer + 1, used, current);
                    used[g] = false;
                }
            }
        }
    }

    private static int compareNatural(String a, String b) {
        int i = 0;
        int j = 0;
        while (i < a.length() && j < b.length()) {
            char ca = a.charAt(i);
            char cb = b.charAt(j);
            if (Character.isDigit(ca) && Character.isDigit(cb)) {
                int ei = i;
                while (ei < a.length() && Character.isDigit(a.charAt(ei))) {
                    ei++;
                }
                int ej = j;
                while (ej < b.length() && Character.isDigit(b.charAt(ej))) {
                    ej++;
                }
                String na = a.substring(i, ei).replaceFirst("^0+(?=.)", "");
                String nb = b.substring(j, ej).replaceFirst("^0+(?=.)", "");
                int c = na.length() != nb.length() ? Integer.compare(na.length(), nb.length()) : na.compareTo(nb);
                if (c != 0) {
                    return c;
                }
                i = ei;
                j = ej;
            } else {
                if (ca != cb) {
                    return Character.compare(ca, cb);
                }
                i++;
                j++;
            }
        }
        int c = Integer.compare(a.length() - i, b.length() - j);
        return c != 0 ? c : a.compareTo(b);
    }
}
