package dev.surgeon.core.nn;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A sequential architecture written as one line of text, e.g.
 * {@code in(1,28,28) conv(20,5) maxpool(2) conv(50,5) maxpool(2) flatten dense(500) relu dense(10)}.
 * Stored in model files; {@link #toString()} gives the canonical form and {@code parse(toString())} yields
 * an equal spec.
 *
 * <h2>Grammar</h2>
 * Tokens are separated by blanks; spaces are also allowed after commas inside parentheses.
 * <pre>
 * spec    := preset | input layer*
 * preset  := lenet-300-100 | lenet-5 | mlpnet | xor | monk-3h | monk-2h
 * input   := in(n)                   flat input of n features
 *          | in(c,h,w)               image input, channel-major (NCHW batches)
 * layer   := dense(units[,bias=false])
 *          | conv(filters,kernel[,stride=s][,pad=p][,bias=false])    square kernel, zero padding p
 *          | maxpool(k[,stride=s])   | avgpool(k[,stride=s])          stride defaults to k, no padding
 *          | flatten | relu | tanh | sigmoid
 *          | dropout(p)              zeroes a value with probability p in training, identity otherwise
 * </pre>
 * Output sizes follow PyTorch: {@code floor((n + 2·pad − k) / stride) + 1}. A {@code dense} layer needs a
 * flat input ({@code flatten} after convolutions); {@code conv} and the pools need an image input.
 *
 * <h2>Presets</h2>
 * <ul>
 *   <li>{@code lenet-300-100}: {@code in(784) dense(300) relu dense(100) relu dense(10)}</li>
 *   <li>{@code lenet-5}: {@code in(1,28,28) conv(20,5) maxpool(2) conv(50,5) maxpool(2) flatten dense(500) relu dense(10)}</li>
 *   <li>{@code mlpnet}: {@code in(784) dense(40,bias=false) relu dense(20,bias=false) relu dense(10,bias=false)}</li>
 *   <li>{@code xor}: {@code in(2) dense(2) sigmoid dense(1) sigmoid} (2-2-1, sigmoid hidden and output units)</li>
 *   <li>{@code monk-3h}: {@code in(17) dense(3) sigmoid dense(1) sigmoid}; {@code monk-2h}: the same with 2 hidden units</li>
 * </ul>
 */
public final class ArchitectureSpec {
    private static final Map<String, String> PRESETS = presetTable();

    private final Shape input;
    private final List<LayerSpec> layers;
    private final List<Shape> shapes;

    private ArchitectureSpec(Shape input, List<LayerSpec> layers, List<Shape> shapes) {
        this.input = input;
        this.layers = List.copyOf(layers);
        this.shapes = List.copyOf(shapes);
    }

    private static Map<String, String> presetTable() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("lenet-300-100", "in(784) dense(300) relu dense(100) relu dense(10)");
        m.put("lenet-5", "in(1,28,28) conv(20,5) maxpool(2) conv(50,5) maxpool(2) flatten dense(500) relu dense(10)");
        m.put("mlpnet", "in(784) dense(40,bias=false) relu dense(20,bias=false) relu dense(10,bias=false)");
        m.put("xor", "in(2) dense(2) sigmoid dense(1) sigmoid");
        m.put("monk-3h", "in(17) dense(3) sigmoid dense(1) sigmoid");
        m.put("monk-2h", "in(17) dense(2) sigmoid dense(1) sigmoid");
        return Collections.unmodifiableMap(m);
    }

    /**
     * A spec from an input shape and layers.
     *
     * @throws IllegalArgumentException if a layer does not fit the shape it receives (naming the layer)
     */
    public static ArchitectureSpec of(Shape input, List<LayerSpec> layers) {
        List<Shape> shapes = new ArrayList<>();
        shapes.add(input);
        Shape s = input;
        for (int i = 0; i < layers.size(); i++) {
            try {
                s = layers.get(i).outputShape(s);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("layer " + i + " (" + layers.get(i) + "): " + e.getMessage(), e);
            }
            shapes.add(s);
        }
        return new ArchitectureSpec(input, layers, shapes);
    }

    /**
     * Parses a spec line or a preset name (see the class documentation).
     *
     * @throws SpecParseException with the column and what was expected
     */
    public static ArchitectureSpec parse(String text) {
        String trimmed = text.strip();
        String preset = PRESETS.get(trimmed);
        if (preset != null) {
            return new Parser(preset).spec();
        }
        return new Parser(text).spec();
    }

    /** The named preset ({@link #presetNames()}). */
    public static ArchitectureSpec preset(String name) {
        String s = PRESETS.get(name);
        if (s == null) {
            throw new IllegalArgumentException("unknown preset '" + name + "'; known: " + PRESETS.keySet());
        }
        return parse(s);
    }

    public static Set<String> presetNames() {
        return PRESETS.keySet();
    }

    public Shape inputShape() {
        return input;
    }

    public List<LayerSpec> layers() {
        return layers;
    }

    /** Shape of the activation entering layer i; {@code i == layers().size()} gives the output shape. */
    public Shape shapeBefore(int i) {
        return shapes.get(i);
    }

    public Shape outputShape() {
        return shapes.get(shapes.size() - 1);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ArchitectureSpec a && a.input.equals(input) && a.layers.equals(layers);
    }

    @Override
    public int hashCode() {
        return input.hashCode() * 31 + layers.hashCode();
    }

    @Override
    public String toString() {
        StringBuilder b = new StringBuilder("in(");
        for (int i = 0; i < input.rank(); i++) {
            b.append(i > 0 ? "," : "").append(input.dim(i));
        }
        b.append(')');
        for (LayerSpec l : layers) {
            b.append(' ').append(l);
        }
        return b.toString();
    }

    /** Recursive-descent reader of the grammar above; positions are 0-based internally, 1-based in errors. */
    private static final class Parser {
        private final String text;
        private int pos;

        Parser(String text) {
            this.text = text;
        }

        /** One argument; positions are 0-based (keyPos = valuePos for positional arguments). */
        private record Arg(String key, String value, int keyPos, int valuePos) { }

        ArchitectureSpec spec() {
            skipBlanks();
            int start = pos;
            String word = word();
            if (!word.equals("in")) {
                throw error(start, word.isEmpty()
                        ? "expected 'in(...)' (the input shape) or a preset name " + PRESETS.keySet() + ", found "
                        + found()
                        : "expected 'in(...)' (the input shape) or a preset name " + PRESETS.keySet() + ", found '"
                        + word + "'");
            }
            List<Arg> dims = arguments("in");
            if (dims.size() != 1 && dims.size() != 3) {
                throw error(start, "in(...) takes 1 number (features) or 3 (channels,height,width), found " + dims.size());
            }
            int[] d = new int[dims.size()];
            for (int i = 0; i < d.length; i++) {
                d[i] = positiveInt(positional(dims.get(i), "in"), "input dimension");
            }
            Shape inputShape = Shape.of(d);
            List<LayerSpec> layers = new ArrayList<>();
            List<Shape> shapes = new ArrayList<>();
            shapes.add(inputShape);
            Shape current = inputShape;
            while (true) {
                int before = pos;
                skipBlanks();
                if (pos == text.length()) {
                    break;
                }
                if (pos == before) {
                    throw error(pos, "expected a blank between layers, found " + found());
                }
                int column = pos;
                LayerSpec layer = layer();
                try {
                    current = layer.outputShape(current);
                } catch (IllegalArgumentException e) {
                    throw error(column, layer + ": " + e.getMessage());
                }
                layers.add(layer);
                shapes.add(current);
            }
            return new ArchitectureSpec(inputShape, layers, shapes);
        }

        private LayerSpec layer() {
            int column = pos;
            String word = word();
            LayerSpec.Kind kind = null;
            for (LayerSpec.Kind k : LayerSpec.Kind.values()) {
                if (k.keyword().equals(word)) {
                    kind = k;
                }
            }
            if (kind == null) {
                throw error(column, (word.isEmpty() ? "expected a layer, found " + found() : "unknown layer '" + word + "'")
                        + "; expected one of dense, conv, maxpool, avgpool, flatten, relu, tanh, sigmoid, dropout");
            }
            String k = kind.keyword();
            try {
                return switch (kind) {
                    case DENSE -> {
                        List<Arg> args = arguments(k);
                        requirePositional(args, 1, 1, k, "units", column);
                        Map<String, Arg> opts = options(args, k, Set.of("bias"));
                        yield LayerSpec.dense(positiveInt(args.get(0), "units"), bool(opts.get("bias"), true));
                    }
                    case CONV -> {
                        List<Arg> args = arguments(k);
                        requirePositional(args, 2, 2, k, "filters,kernel", column);
                        Map<String, Arg> opts = options(args, k, Set.of("stride", "pad", "bias"));
                        yield LayerSpec.conv(positiveInt(args.get(0), "filters"), positiveInt(args.get(1), "kernel size"),
                                opts.containsKey("stride") ? positiveInt(opts.get("stride"), "stride") : 1,
                                opts.containsKey("pad") ? nonNegativeInt(opts.get("pad"), "padding") : 0,
                                bool(opts.get("bias"), true));
                    }
                    case MAXPOOL, AVGPOOL -> {
                        List<Arg> args = arguments(k);
                        requirePositional(args, 1, 1, k, "window size", column);
                        Map<String, Arg> opts = options(args, k, Set.of("stride"));
                        int size = positiveInt(args.get(0), "window size");
                        int stride = opts.containsKey("stride") ? positiveInt(opts.get("stride"), "stride") : size;
                        yield kind == LayerSpec.Kind.MAXPOOL ? LayerSpec.maxPool(size, stride) : LayerSpec.avgPool(size, stride);
                    }
                    case DROPOUT -> {
                        List<Arg> args = arguments(k);
                        requirePositional(args, 1, 1, k, "probability", column);
                        Arg a = args.get(0);
                        double p = number(a, "dropout probability");
                        if (!(p >= 0 && p < 1)) {
                            throw error(a.valuePos, "dropout probability must be in [0, 1), found " + a.value);
                        }
                        yield LayerSpec.dropout(p);
                    }
                    default -> {
                        if (pos < text.length() && text.charAt(pos) == '(') {
                            throw error(pos, k + " takes no arguments; write '" + k + "' alone");
                        }
                        yield new LayerSpec(kind, 0, 0, 0, 0, false, 0);
                    }
                };
            } catch (SpecParseException e) {
                throw e;
            } catch (IllegalArgumentException e) {
                throw error(column, e.getMessage());
            }
        }

        /** Reads "(a, b, key=value)"; positional arguments must come before options. */
        private List<Arg> arguments(String layer) {
            List<Arg> args = new ArrayList<>();
            if (pos >= text.length() || text.charAt(pos) != '(') {
                throw error(pos, "expected '(' after '" + layer + "', found " + found());
            }
            pos++;
            while (true) {
                skipBlanks();
                int start = pos;
                while (pos < text.length() && isArgChar(text.charAt(pos))) {
                    pos++;
                }
                if (pos == start) {
                    throw error(pos, "expected a number or an option (key=value) in " + layer + "(...), found " + found());
                }
                String first = text.substring(start, pos);
                if (pos < text.length() && text.charAt(pos) == '=') {
                    pos++;
                    int vstart = pos;
                    while (pos < text.length() && isArgChar(text.charAt(pos))) {
                        pos++;
                    }
                    if (pos == vstart) {
                        throw error(pos, "expected a value after '" + first + "=', found " + found());
                    }
                    args.add(new Arg(first, text.substring(vstart, pos), start, vstart));
                } else {
                    if (!args.isEmpty() && args.get(args.size() - 1).key != null) {
                        throw error(start, "positional argument '" + first + "' after an option in " + layer
                                + "(...); put numbers first, options (key=value) last");
                    }
                    args.add(new Arg(null, first, start, start));
                }
                skipBlanks();
                if (pos < text.length() && text.charAt(pos) == ',') {
                    pos++;
                    continue;
                }
                if (pos < text.length() && text.charAt(pos) == ')') {
                    pos++;
                    return args;
                }
                throw error(pos, "expected ',' or ')' in " + layer + "(...), found " + found());
            }
        }

        private static boolean isArgChar(char c) {
            return Character.isLetterOrDigit(c) || c == '.' || c == '-' || c == '+' || c == '_';
        }

        private void requirePositional(List<Arg> args, int min, int max, String layer, String names, int column) {
            int n = 0;
            for (Arg a : args) {
                if (a.key == null) {
                    n++;
                }
            }
            if (n < min || n > max) {
                throw error(column, layer + " takes " + (min == max ? "" + min : min + " to " + max) + " number"
                        + (max > 1 ? "s" : "") + " (" + names + ") before its options, found " + n);
            }
        }

        private Map<String, Arg> options(List<Arg> args, String layer, Set<String> allowed) {
            Map<String, Arg> m = new LinkedHashMap<>();
            for (Arg a : args) {
                if (a.key == null) {
                    continue;
                }
                if (!allowed.contains(a.key)) {
                    throw error(a.keyPos, "unknown option '" + a.key + "' for " + layer
                            + "; allowed: " + allowed);
                }
                if (m.put(a.key, a) != null) {
                    throw error(a.keyPos, "option '" + a.key + "' given twice");
                }
            }
            return m;
        }

        private Arg positional(Arg a, String layer) {
            if (a.key != null) {
                throw error(a.keyPos, layer + "(...) takes numbers only, found option '" + a.key + "'");
            }
            return a;
        }

        private int positiveInt(Arg a, String what) {
            int v = integer(a, what);
            if (v < 1) {
                throw error(a.valuePos, what + " must be >= 1, found " + v);
            }
            return v;
        }

        private int nonNegativeInt(Arg a, String what) {
            int v = integer(a, what);
            if (v < 0) {
                throw error(a.valuePos, what + " must be >= 0, found " + v);
            }
            return v;
        }

        private int integer(Arg a, String what) {
            try {
                return Integer.parseInt(a.value);
            } catch (NumberFormatException e) {
                throw error(a.valuePos, "expected an integer " + what + ", found '" + a.value + "'");
            }
        }

        private double number(Arg a, String what) {
            try {
                return Double.parseDouble(a.value);
            } catch (NumberFormatException e) {
                throw error(a.valuePos, "expected a number (" + what + "), found '" + a.value + "'");
            }
        }

        private boolean bool(Arg a, boolean defaultValue) {
            if (a == null) {
                return defaultValue;
            }
            return switch (a.value) {
                case "true" -> true;
                case "false" -> false;
                default -> throw error(a.valuePos, "expected true or false for '" + a.key + "', found '" + a.value + "'");
            };
        }

        private String word() {
            int start = pos;
            while (pos < text.length() && (Character.isLetterOrDigit(text.charAt(pos)) || text.charAt(pos) == '-')) {
                pos++;
            }
            return text.substring(start, pos);
        }

        private void skipBlanks() {
            while (pos < text.length() && Character.isWhitespace(text.charAt(pos))) {
                pos++;
            }
        }

        private String found() {
            return pos >= text.length() ? "the end of the spec" : "'" + text.charAt(pos) + "'";
        }

        private SpecParseException error(int position, String problem) {
            return new SpecParseException(text, position + 1, problem);
        }
    }
}
