package dev.surgeon.core.nn;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Where every parameter tensor lives in the network's ONE flat {@code float[]}: global index q means the
 * same weight in parameters, gradients, masks, Hessian rows and columns, per-sample gradient matrices
 * and saliencies. Tensors are laid out in layer order, weight before bias, without gaps, so the slices
 * partition {@code [0, size())}.
 */
public final class ParameterLayout {
    private final List<ParameterTensor> tensors;
    private final Map<String, ParameterTensor> byName;
    private final int size;

    private ParameterLayout(List<ParameterTensor> tensors) {
        this.tensors = List.copyOf(tensors);
        Map<String, ParameterTensor> m = new LinkedHashMap<>();
        int end = 0;
        for (ParameterTensor t : tensors) {
            m.put(t.name(), t);
            end = t.end();
        }
        this.byName = m;
        this.size = end;
    }

    /**
     * The layout of a spec: dense layers are named {@code fc1, fc2, …} and convolutions {@code conv1, conv2,
     * …} in order of appearance, each with {@code .weight} and (if it has one) {@code .bias}.
     */
    public static ParameterLayout of(ArchitectureSpec spec) {
        List<ParameterTensor> list = new ArrayList<>();
        int offset = 0;
        int dense = 0;
        int conv = 0;
        for (int i = 0; i < spec.layers().size(); i++) {
            LayerSpec l = spec.layers().get(i);
            Shape in = spec.shapeBefore(i);
            String prefix;
            int[] weightShape;
            if (l.kind() == LayerSpec.Kind.DENSE) {
                prefix = "fc" + (++dense);
                weightShape = new int[] {l.units(), in.size()};
            } else if (l.kind() == LayerSpec.Kind.CONV) {
                prefix = "conv" + (++conv);
                weightShape = new int[] {l.units(), in.channels(), l.kernel(), l.kernel()};
            } else {
                continue;
            }
            ParameterTensor w = new ParameterTensor(prefix + ".weight", weightShape, offset, ParameterTensor.Role.WEIGHT, i);
            list.add(w);
            offset = Math.addExact(offset, w.length());
            if (l.bias()) {
                ParameterTensor b = new ParameterTensor(prefix + ".bias", new int[] {l.units()}, offset,
                        ParameterTensor.Role.BIAS, i);
                list.add(b);
                offset = Math.addExact(offset, b.length());
            }
        }
        return new ParameterLayout(list);
    }

    /** Total number of parameters d. */
    public int size() {
        return size;
    }

    /** All tensors in storage order. */
    public List<ParameterTensor> tensors() {
        return tensors;
    }

    /** The tensor with this name, e.g. {@code fc2.weight}. */
    public ParameterTensor tensor(String name) {
        ParameterTensor t = byName.get(name);
        if (t == null) {
            throw new IllegalArgumentException("no parameter tensor '" + name + "'; tensors: " + byName.keySet());
        }
        return t;
    }

    /** Whether a tensor of that name exists. */
    public boolean has(String name) {
        return byName.containsKey(name);
    }

    /** The tensors owned by layer {@code layerIndex} (weight first; empty for layers without parameters). */
    public List<ParameterTensor> tensorsOf(int layerIndex) {
        List<ParameterTensor> out = new ArrayList<>(2);
        for (ParameterTensor t : tensors) {
            if (t.layerIndex() == layerIndex) {
                out.add(t);
            }
        }
        return out;
    }

    /** The tensor containing flat index q. */
    public ParameterTensor tensorAt(int q) {
        if (q < 0 || q >= size) {
            throw new IllegalArgumentException("parameter index " + q + " outside [0, " + size + ")");
        }
        int lo = 0;
        int hi = tensors.size() - 1;
        while (lo < hi) {
            int mid = (lo + hi + 1) >>> 1;
            if (tensors.get(mid).offset() <= q) {
                lo = mid;
            } else {
                hi = mid - 1;
            }
        }
        return tensors.get(lo);
    }

    /** Checks that a vector has one entry per parameter. */
    public void checkLength(float[] v, String what) {
        if (v.length != size) {
            throw new IllegalArgumentException(what + " has " + v.length + " entries; the network has " + size + " parameters");
        }
    }

    @Override
    public String toString() {
        return "ParameterLayout" + tensors + " (" + size + " parameters)";
    }
}
