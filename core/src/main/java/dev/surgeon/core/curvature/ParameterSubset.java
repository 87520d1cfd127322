package dev.surgeon.core.curvature;

import dev.surgeon.core.nn.ParameterLayout;
import dev.surgeon.core.nn.ParameterTensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The parameters a curvature operator is built over: a sorted list of disjoint ranges of the network's flat
 * parameter vector (whole net, some layers, some tensors, or arbitrary ranges). Operators index their
 * vectors in the subset's <em>local</em> coordinates: the subset's parameters in ascending flat order, so
 * local index i is {@link #global(int)} in the network and, within one tensor, the order is the tensor's
 * row-major order (METHODS A6: the same flattening for weights, gradients and masks).
 */
public final class ParameterSubset {
    private final ParameterLayout layout;
    private final int[] from;
    private final int[] to;
    private final int[] local;
    private final int dim;

    private ParameterSubset(ParameterLayout layout, int[] from, int[] to) {
        this.layout = layout;
        this.from = from;
        this.to = to;
        this.local = new int[from.length + 1];
        for (int i = 0; i < from.length; i++) {
            local[i + 1] = local[i] + (to[i] - from[i]);
        }
        this.dim = local[from.length];
        if (dim == 0) {
            throw new IllegalArgumentException("the parameter subset is empty");
        }
    }

    /** Every parameter of the network. */
    public static ParameterSubset all(ParameterLayout layout) {
        return new ParameterSubset(layout, new int[] {0}, new int[] {layout.size()});
    }

    /**
     * Whole layers by name prefix: {@code "fc1"} selects {@code fc1.weight} and {@code fc1.bias}.
     *
     * @throws IllegalArgumentException naming the known layers if a name matches nothing
     */
    public static ParameterSubset layers(ParameterLayout layout, String... names) {
        List<ParameterTensor> picked = new ArrayList<>();
        for (String name : names) {
            boolean found = false;
            for (ParameterTensor t : layout.tensors()) {
                if (t.name().startsWith(name + ".")) {
                    picked.add(t);
                    found = true;
                }
            }
            if (!found) {
                throw new IllegalArgumentException("no layer '" + name + "'; layers: " + layerNames(layout));
            }
        }
        return ofTensors(layout, picked);
    }

    /** Whole tensors by name, e.g. {@code "fc1.weight"} (biases excluded unless named). */
    public static ParameterSubset tensors(ParameterLayout layout, String... names) {
        List<ParameterTensor> picked = new ArrayList<>();
        for (String name : names) {
            picked.add(layout.tensor(name));
        }
        return ofTensors(layout, picked);
    }

    /** Every layer's weight tensor, no biases (the usual pruning subset). */
    public static ParameterSubset weights(ParameterLayout layout) {
        List<ParameterTensor> picked = new ArrayList<>();
        for (ParameterTensor t : layout.tensors()) {
            if (t.role() == ParameterTensor.Role.WEIGHT) {
                picked.add(t);
            }
        }
        return ofTensors(layout, picked);
    }

    /**
     * Arbitrary flat ranges {@code [ranges[i][0], ranges[i][1])}; they are sorted and must not overlap.
     */
    public static ParameterSubset ranges(ParameterLayout layout, int[]... ranges) {
        int[][] r = ranges.clone();
        for (int[] x : r) {
            if (x.length != 2 || x[0] < 0 || x[1] > layout.size() || x[0] >= x[1]) {
                throw new IllegalArgumentException("range " + Arrays.toString(x) + " is not a non-empty [from, to) inside [0, "
                        + layout.size() + ")");
            }
        }
        Arrays.sort(r, (a, b) -> Integer.compare(a[0], b[0]));
        List<int[]> merged = new ArrayList<>();
        for (int[] x : r) {
            int[] last = merged.isEmpty() ? null : merged.get(merged.size() - 1);
            if (last != null && x[0] < last[1]) {
                throw new IllegalArgumentException("ranges " + Arrays.toString(last) + " and " + Arrays.toString(x) + " overlap");
            }
            if (last != null && x[0] == last[1]) {
                last[1] = x[1];
            } else {
                merged.add(new int[] {x[0], x[1]});
            }
        }
        int[] f = new int[merged.size()];
        int[] t = new int[merged.size()];
        for (int i = 0; i < f.length; i++) {
            f[i] = merged.get(i)[0];
            t[i] = merged.get(i)[1];
        }
        return new ParameterSubset(layout, f, t);
    }

    private static ParameterSubset ofTensors(ParameterLayout layout, List<ParameterTensor> tensors) {
        int[][] r = new int[tensors.size()][];
        Set<String> seen = new LinkedHashSet<>();
        for (int i = 0; i < r.length; i++) {
            ParameterTensor t = tensors.get(i);
            if (!seen.add(t.name())) {
                throw new IllegalArgumentException("tensor " + t.name() + " is selected twice");
            }
            r[i] = new int[] {t.offset(), t.end()};
        }
        return ranges(layout, r);
    }

    private static List<String> layerNames(ParameterLayout layout) {
        Set<String> s = new LinkedHashSet<>();
        for (ParameterTensor t : layout.tensors()) {
            s.add(layerName(t));
        }
        return List.copyOf(s);
    }

    /** "fc1" for "fc1.weight". */
    static String layerName(ParameterTensor t) {
        int dot = t.name().lastIndexOf('.');
        return dot < 0 ? t.name() : t.name().substring(0, dot);
    }

    public ParameterLayout layout() {
        return layout;
    }

    /** Number of parameters in the subset (the operators' d). */
    public int dim() {
        return dim;
    }

    /** Whether the subset is the whole network. */
    public boolean isAll() {
        return from.length == 1 && from[0] == 0 && to[0] == layout.size();
    }

    /** Number of disjoint ranges. */
    public int rangeCount() {
        return from.length;
    }

    /** First flat index of range r. */
    public int rangeFrom(int r) {
        return from[r];
    }

    /** One past the last flat index of range r. */
    public int rangeTo(int r) {
        return to[r];
    }

    /** Local index of the first parameter of range r. */
    public int rangeLocal(int r) {
        return local[r];
    }

    /** The flat (global) index of local index i. */
    public int global(int i) {
        if (i < 0 || i >= dim) {
            throw new IllegalArgumentException("local index " + i + " outside [0, " + dim + ")");
        }
        int r = Arrays.binarySearch(local, 0, from.length, i);
        if (r < 0) {
            r = -r - 2;
        }
        return from[r] + (i - local[r]);
    }

    /** The local index of flat index q, or -1 if q is not in the subset. */
    public int local(int q) {
        int r = Arrays.binarySearch(from, q);
        if (r < 0) {
            r = -r - 2;
        }
        if (r < 0 || q >= to[r]) {
            return -1;
        }
        return local[r] + (q - from[r]);
    }

    /** Whether every parameter of the tensor is in the subset. */
    public boolean containsTensor(ParameterTensor t) {
        int l = local(t.offset());
        return l >= 0 && local(t.end() - 1) == l + t.length() - 1;
    }

    /** Whether any parameter of the tensor is in the subset. */
    public boolean intersectsTensor(ParameterTensor t) {
        for (int r = 0; r < from.length; r++) {
            if (from[r] < t.end() && to[r] > t.offset()) {
                return true;
            }
        }
        return false;
    }

    /** How much of a layer's parameters (weight and bias) the subset holds. */
    enum Coverage { NONE, PARTIAL, FULL }

    Coverage coverage(dev.surgeon.core.nn.Layer layer) {
        boolean any = false;
        boolean all = true;
        for (ParameterTensor t : layer.parameters()) {
            any |= intersectsTensor(t);
            all &= containsTensor(t);
        }
        return !any ? Coverage.NONE : all ? Coverage.FULL : Coverage.PARTIAL;
    }

    /** sub[i] = full[global(i)] (full has the network's d entries). */
    public void gather(float[] full, double[] sub) {
        for (int r = 0; r < from.length; r++) {
            for (int q = from[r], i = local[r]; q < to[r]; q++, i++) {
                sub[i] = full[q];
            }
        }
    }

    /** full[global(i)] = (float) sub[i]; full is zero outside the subset. */
    public void scatter(double[] sub, float[] full) {
        Arrays.fill(full, 0f);
        for (int r = 0; r < from.length; r++) {
            for (int q = from[r], i = local[r]; q < to[r]; q++, i++) {
                full[q] = (float) sub[i];
            }
        }
    }

    /** out[i] += alpha·full[global(i)]. */
    public void gatherAdd(float[] full, double alpha, double[] out) {
        for (int r = 0; r < from.length; r++) {
            for (int q = from[r], i = local[r]; q < to[r]; q++, i++) {
                out[i] += alpha * full[q];
            }
        }
    }

    /** First flat index of the smallest union of whole tensors containing the subset. */
    int coveringFrom() {
        return layout.tensorAt(from[0]).offset();
    }

    /** End of the smallest union of whole tensors containing the subset. */
    int coveringTo() {
        return layout.tensorAt(to[to.length - 1] - 1).end();
    }

    /**
     * Packs rows: for each of {@code count} rows, copies the subset's columns of a row that starts at flat
     * index {@code base} (src row r at {@code src[srcOff + r·lds]}) into dst (row stride {@link #dim()}).
     */
    void packRows(float[] src, int srcOff, int lds, int base, int count, float[] dst, int dstOff) {
        for (int row = 0; row < count; row++) {
            int s = srcOff + row * lds - base;
            int d = dstOff + row * dim;
            for (int r = 0; r < from.length; r++) {
                System.arraycopy(src, s + from[r], dst, d + local[r], to[r] - from[r]);
            }
        }
    }

    /** One line, e.g. "fc1.weight, fc1.bias (23,550 parameters)". */
    public String describe() {
        if (isAll()) {
            return "all " + dim + " parameters";
        }
        List<String> parts = new ArrayList<>();
        for (ParameterTensor t : layout.tensors()) {
            if (containsTensor(t)) {
                parts.add(t.name());
            } else if (intersectsTensor(t)) {
                parts.add("part of " + t.name());
            }
        }
        return String.join(", ", parts) + " (" + dim + " parameters)";
    }

    @Override
    public String toString() {
        return describe();
    }
}
