package dev.surgeon.core.bayes;

import dev.surgeon.core.nn.Layer;
import dev.surgeon.core.nn.Mask;
import dev.surgeon.core.nn.Network;
import dev.surgeon.core.nn.ParameterLayout;
import dev.surgeon.core.nn.ParameterTensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The weight classes c of MacKay's prior (MacKay 1992, "A practical Bayesian framework for backpropagation
 * networks"; METHODS E1): each class has its own prior precision α_c and regularizer E_W^(c) = ½ Σ_{q∈c} w_q².
 * A parameter belongs to at most one class; parameters in no class are <em>not parameters of the model</em>:
 * pruned weights (held at 0 by a {@link Mask}) are removed this way, so they count neither in k = Σ_c k_c nor
 * in E_W, A or ln det A — the evidence of a pruned network is that of the smaller model (E1: "compare pruned
 * variants").
 *
 * <p>Presets: {@link #single} (one α for everything), {@link #perTensor} (MacKay's four classes for one hidden
 * layer — input-to-hidden weights, hidden biases, hidden-to-output weights, output biases — generalized to one
 * class per weight and per bias tensor), {@link #perLayer} (weight and bias of a layer together: the classes a
 * Kronecker-factored Laplace approximation can represent exactly), and {@link #inputRelevance} (automatic
 * relevance determination: one class for the first layer's weights from each input line, then per tensor).
 * Notation: docs/NOTATION.md.
 */
public final class WeightClasses {
    private final ParameterLayout layout;
    private final int[] classOf;
    private final List<String> names;
    private final int[] counts;

    private WeightClasses(ParameterLayout layout, int[] classOf, List<String> names) {
        this.layout = layout;
        this.classOf = classOf;
        this.names = List.copyOf(names);
        this.counts = new int[names.size()];
        for (int c : classOf) {
            if (c >= 0) {
                counts[c]++;
            }
        }
    }

    /** One class holding every parameter. */
    public static WeightClasses single(ParameterLayout layout) {
        return new WeightClasses(layout, new int[layout.size()], List.of("all"));
    }

    /** One class per parameter tensor ({@code fc1.weight}, {@code fc1.bias}, …), in layout order. */
    public static WeightClasses perTensor(ParameterLayout layout) {
        int[] of = new int[layout.size()];
        List<String> names = new ArrayList<>();
        for (ParameterTensor t : layout.tensors()) {
            Arrays.fill(of, t.offset(), t.end(), names.size());
            names.add(t.name());
        }
        return new WeightClasses(layout, of, names);
    }

    /** One class per layer (weight and bias together), named {@code fc1}, {@code conv1}, …. */
    public static WeightClasses perLayer(ParameterLayout layout) {
        int[] of = new int[layout.size()];
        List<String> names = new ArrayList<>();
        int lastLayer = -1;
        for (ParameterTensor t : layout.tensors()) {
            if (t.layerIndex() != lastLayer) {
                names.add(t.name().substring(0, t.name().indexOf('.')));
                lastLayer = t.layerIndex();
            }
            Arrays.fill(of, t.offset(), t.end(), names.size() - 1);
        }
        return new WeightClasses(layout, of, names);
    }

    /**
     * Automatic relevance determination: the first dense layer's weights from input line j form class
     * {@code input j}; every other tensor (the first layer's bias included) is a class of its own. A large α of
     * an input class marks the input as irrelevant (E1 step 6).
     *
     * @throws IllegalArgumentException if the first layer with parameters is not dense
     */
    public static WeightClasses inputRelevance(Network network) {
        ParameterLayout layout = network.layout();
        ParameterTensor first = layout.tensors().get(0);
        Layer layer = network.layers().get(first.layerIndex());
        if (layer.inputShape().rank() != 1 || first.shape().length != 2) {
            throw new IllegalArgumentException("input relevance classes need a dense first layer, not " + layer);
        }
        int inputs = first.columns();
        int[] of = new int[layout.size()];
        List<String> names = new ArrayList<>();
        for (int j = 0; j < inputs; j++) {
            names.add("input " + j);
        }
        for (int i = 0; i < first.rows(); i++) {
            for (int j = 0; j < inputs; j++) {
                of[first.offset() + i * inputs + j] = j;
            }
        }
        for (ParameterTensor t : layout.tensors()) {
            if (t != first) {
                Arrays.fill(of, t.offset(), t.end(), names.size());
                names.add(t.name());
            }
        }
        return new WeightClasses(layout, of, names);
    }

    /**
     * The same classes without the parameters the mask prunes. A class left empty keeps its name with k_c = 0
     * (it then has no α to estimate and contributes nothing).
     */
    public WeightClasses masked(Mask mask) {
        if (mask.layout().size() != layout.size()) {
            throw new IllegalArgumentException("the mask covers " + mask.layout().size() + " parameters, the classes "
                    + layout.size());
        }
        int[] of = classOf.clone();
        for (int q : mask.prunedIndices()) {
            of[q] = -1;
        }
        return new WeightClasses(layout, of, names);
    }

    public ParameterLayout layout() {
        return layout;
    }

    /** Number of classes. */
    public int size() {
        return names.size();
    }

    public String name(int c) {
        return names.get(c);
    }

    /** k_c, the parameters in class c. */
    public int count(int c) {
        return counts[c];
    }

    /** k = Σ_c k_c, the number of parameters the model has (pruned ones excluded). */
    public int parameterCount() {
        int k = 0;
        for (int n : counts) {
            k += n;
        }
        return k;
    }

    /** The class of flat parameter q, or −1 when q is not a parameter of the model (pruned). */
    public int classOf(int q) {
        return classOf[q];
    }

    /** The flat indices of the model's parameters, ascending (the coordinates of A). */
    public int[] parameters() {
        int[] idx = new int[parameterCount()];
        int n = 0;
        for (int q = 0; q < classOf.length; q++) {
            if (classOf[q] >= 0) {
                idx[n++] = q;
            }
        }
        return idx;
    }

    /** Whether every class is a union of whole layers (weight and bias): what K-FAC can represent. */
    public boolean wholeLayers() {
        for (ParameterTensor t : layout.tensors()) {
            for (ParameterTensor u : layout.tensors()) {
                if (t.layerIndex() == u.layerIndex() && classOf[t.offset()] != classOf[u.offset()]) {
                    return false;
                }
            }
            for (int q = t.offset(); q < t.end(); q++) {
                if (classOf[q] != classOf[t.offset()]) {
                    return false;
                }
            }
        }
        return true;
    }

    /** E_W^(c) = ½ Σ_{q∈c} w_q² for every class, in double. */
    public double[] regularizers(float[] w) {
        layout.checkLength(w, "parameter vector");
        double[] e = new double[size()];
        for (int q = 0; q < w.length; q++) {
            int c = classOf[q];
            if (c >= 0) {
                e[c] += 0.5 * (double) w[q] * w[q];
            }
        }
        return e;
    }

    @Override
    public String toString() {
        StringBuilder s = new StringBuilder("WeightClasses[");
        for (int c = 0; c < size(); c++) {
            s.append(c == 0 ? "" : ", ").append(names.get(c)).append(": ").append(counts[c]);
        }
        return s.append(']').toString();
    }
}
