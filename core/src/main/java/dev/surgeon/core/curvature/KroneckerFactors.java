package dev.surgeon.core.curvature;

import dev.surgeon.core.nn.Layer;
import dev.surgeon.core.nn.LayerStatistics;
import dev.surgeon.core.nn.Network;
import dev.surgeon.core.nn.ParameterTensor;
import dev.surgeon.kernels.Kernels;
import dev.surgeon.kernels.Uplo;
import java.util.ArrayList;
import java.util.List;

/**
 * The K-FAC / KFC Kronecker factors of the dense and convolutional layers of a parameter subset (Martens and
 * Grosse 2015, "Optimizing neural networks with Kronecker-factored approximate curvature"; Grosse and Martens
 * 2016, "A Kronecker-factored approximate Fisher matrix for convolution layers"; METHODS A7), kept in double:
 * <ul>
 *   <li>A = E[Σ_τ h̄_τ h̄_τᵀ], the layer inputs with the bias entry 1 appended when the layer has a bias
 *       (dense: one vector per sample; convolution: the unfolded patches at the |T| output positions);</li>
 *   <li>Γ = (1/|T|) E[Σ_τ δ_τ δ_τᵀ], the per-sample output gradients (back-propagated from scale-1 loss seeds,
 *       i.e. B·δ of a batch-mean loss, so no B² correction is left to apply).</li>
 * </ul>
 * For a dense layer F_l ≈ E[δδᵀ] ⊗ E[h̄h̄ᵀ] = Γ ⊗ A in this library's <b>row-major</b> flattening of W̄ = [W | b]
 * (rows = outputs): vec_rowmajor(δ h̄ᵀ) = δ ⊗ h̄, so the order is Γ ⊗ A, the flip of the paper's column-major
 * A ⊗ Γ, and (Γ ⊗ A)⁻¹ vec(V) = vec(Γ⁻¹ V A⁻¹) with V the d_out × (d_col + 1) matrix. One sample and one
 * layer (|T| = 1) make the factorization exact.
 *
 * <p>Averaging ({@link Averaging}): the plain mean over all samples seen (a curvature over a data source), the
 * paper's exponential average new = ε·old + (1 − ε)·batch with ε = min(1 − 1/t, cap) (t = 1, 2, … the update
 * count; cap 0.95), or a fixed ε with the factors starting at the identity (the PyTorch ports).
 *
 * <p>Cost per update: the Gram matrices, float syrk over ≤ 256-row chunks combined in double, O(B|T|(n_A² + n_Γ²)).
 * Memory 8(n_A² + n_Γ²) per layer plus n_max² floats of scratch.
 */
public final class KroneckerFactors {
    /** How batches are combined. */
    public record Averaging(Kind kind, double decay) {
        /** See {@link KroneckerFactors}. */
        public enum Kind { MEAN, EXPONENTIAL, FIXED }

        public Averaging {
            if (kind != Kind.MEAN && !(decay >= 0 && decay < 1)) {
                throw new IllegalArgumentException("decay must be in [0, 1), got " + decay);
            }
        }

        /** Plain mean over every sample seen. */
        public static Averaging mean() {
            return new Averaging(Kind.MEAN, 0);
        }

        /** ε = min(1 − 1/t, cap) (Martens and Grosse 2015); cap = 0.95 in the paper. */
        public static Averaging exponential(double cap) {
            return new Averaging(Kind.EXPONENTIAL, cap);
        }

        /** Fixed ε, factors starting at the identity (alecwangcq/KFAC-Pytorch, gpauloski/kfac-pytorch: 0.95). */
        public static Averaging fixed(double decay) {
            return new Averaging(Kind.FIXED, decay);
        }
    }

    /** The factors of one layer. */
    public static final class LayerFactors {
        final String name;
        final Layer layer;
        final ParameterTensor weight;
        final ParameterTensor bias;
        final int inputDim;
        final int outputDim;
        private final double[] a;
        private final double[] gamma;
        private final Kernels kernels;
        /** Whether only the lower triangles are current (an update leaves the upper ones to the first reader). */
        private boolean lowerOnly;
        int rowsPerSample;

        LayerFactors(Layer layer, Kernels kernels) {
            this.layer = layer;
            this.kernels = kernels;
            this.weight = layer.parameters().get(0);
            this.bias = layer.parameters().size() > 1 ? layer.parameters().get(1) : null;
            this.name = ParameterSubset.layerName(weight);
            this.inputDim = weight.columns() + (bias != null ? 1 : 0);
            this.outputDim = weight.rows();
            this.a = new double[inputDim * inputDim];
            this.gamma = new double[outputDim * outputDim];
        }

        /** e.g. "fc1", "conv2". */
        public String name() {
            return name;
        }

        /** Index of the layer in the network. */
        public int layerIndex() {
            return layer.index();
        }

        public ParameterTensor weight() {
            return weight;
        }

        /** The bias tensor, or null. */
        public ParameterTensor bias() {
            return bias;
        }

        /** n_A = d_col (+ 1 with a bias). */
        public int inputDim() {
            return inputDim;
        }

        /** n_Γ = d_out. */
        public int outputDim() {
            return outputDim;
        }

        /** |T|: 1 for dense layers, the output positions of a convolution (0 before the first update). */
        public int rowsPerSample() {
            return rowsPerSample;
        }

        /** A (n_A × n_A, row-major, both triangles; a copy). */
        public double[] inputFactor() {
            return a().clone();
        }

        /** Γ (n_Γ × n_Γ, row-major, both triangles; a copy). */
        public double[] gradientFactor() {
            return gamma().clone();
        }

        /** The live A with both triangles current. */
        double[] a() {
            symmetrize();
            return a;
        }

        /** The live Γ with both triangles current. */
        double[] gamma() {
            symmetrize();
            return gamma;
        }

        /**
         * Copies the lower triangles to the upper ones if an update changed them since. Done on read rather than after
         * every update: the factors are read every 20–100 steps (inverses, eigenbases) but updated every step, and the
         * copy of a 785 × 785 double factor transposes 4.9 MB.
         */
        private void symmetrize() {
            if (lowerOnly) {
                kernels.symmetrize(Uplo.LOWER, inputDim, a, 0, inputDim);
                kernels.symmetrize(Uplo.LOWER, outputDim, gamma, 0, outputDim);
                lowerOnly = false;
            }
        }
    }

    private final List<LayerFactors> layers;
    private final Kernels kernels;
    private final Averaging averaging;
    private final float[] scratch;
    private long samples;
    private int updates;

    private KroneckerFactors(List<LayerFactors> layers, Averaging averaging, Kernels kernels) {
        this.layers = List.copyOf(layers);
        this.averaging = averaging;
        this.kernels = kernels;
        int max = 0;
        for (LayerFactors f : layers) {
            max = Math.max(max, Math.max(f.inputDim, f.outputDim));
            if (averaging.kind() == Averaging.Kind.FIXED) {
                for (int i = 0; i < f.inputDim; i++) {
                    f.a[i * f.inputDim + i] = 1;
                }
                for (int i = 0; i < f.outputDim; i++) {
                    f.gamma[i * f.outputDim + i] = 1;
                }
            }
        }
        this.scratch = new float[max * max];
    }

    /**
     * Factors for every layer of the subset. The subset must consist of whole layers (weight and bias): the
     * factor A of a layer with a bias covers both.
     *
     * @throws IllegalArgumentException naming a layer the subset only partly covers
     */
    public static KroneckerFactors of(Network net, ParameterSubset subset, Averaging averaging) {
        List<LayerFactors> list = new ArrayList<>();
        for (Layer l : net.layers()) {
            if (!l.hasParameters()) {
                continue;
            }
            ParameterSubset.Coverage coverage = subset.coverage(l);
            if (coverage == ParameterSubset.Coverage.PARTIAL) {
                throw new IllegalArgumentException("K-FAC needs whole layers: the subset covers only part of layer "
                        + ParameterSubset.layerName(l.parameters().get(0)) + " (" + l.parameters()
                        + "); select it with ParameterSubset.layers(layout, name)");
            }
            if (coverage == ParameterSubset.Coverage.FULL) {
                list.add(new LayerFactors(l, net.kernels()));
            }
        }
        return new KroneckerFactors(list, averaging, net.kernels());
    }

    /** Bytes of the factors for the layers of a subset (without building them). */
    static long estimateBytes(Network net, ParameterSubset subset) {
        long s = 0;
        for (Layer l : net.layers()) {
            if (l.hasParameters() && subset.intersectsTensor(l.parameters().get(0))) {
                ParameterTensor w = l.parameters().get(0);
                long na = w.columns() + (l.parameters().size() > 1 ? 1 : 0);
                long ng = w.rows();
                s += 8 * (na * na + ng * ng);
            }
        }
        return s;
    }

    /**
     * Adds one batch: {@code statistics} from {@link Network#kroneckerStatistics} with scale-1 loss seeds (data
     * or sampled targets). Layers outside the subset are ignored.
     */
    public void update(List<LayerStatistics> statistics) {
        int batch = -1;
        int t = updates + 1;
        for (LayerFactors f : layers) {
            LayerStatistics s = find(statistics, f);
            int positions = s.rowsPerSample();
            int b = s.rows() / positions;
            if (batch < 0) {
                batch = b;
            }
            f.rowsPerSample = positions;
            double beta;
            double alpha;
            switch (averaging.kind()) {
                case MEAN -> {
                    beta = (double) samples / (samples + b);
                    alpha = 1.0 / (samples + b);
                }
                case EXPONENTIAL -> {
                    beta = Math.min(1 - 1.0 / t, averaging.decay());
                    alpha = (1 - beta) / b;
                }
                default -> {
                    beta = averaging.decay();
                    alpha = (1 - beta) / b;
                }
            }
            int na = s.inputColumns() + (s.hasBiasColumn() ? 1 : 0);
            if (na != f.inputDim || s.outputColumns() != f.outputDim) {
                throw new IllegalStateException("statistics of " + f.name + " have " + na + " inputs and "
                        + s.outputColumns() + " outputs; the factors expect " + f.inputDim + " and " + f.outputDim
                        + " (kroneckerStatistics, not layerInputs, must be passed)");
            }
            Gram.addFloat(kernels, s.inputs(), s.inputOffset(), s.inputSampleStride(), s.inputFeatureStride(), na,
                    s.rows(), alpha, beta, f.a, scratch);
            Gram.addFloat(kernels, s.outputGradients(), s.gradientOffset(), s.gradientSampleStride(),
                    s.gradientFeatureStride(), f.outputDim, s.rows(), alpha / positions, beta, f.gamma, scratch);
            f.lowerOnly = true;
        }
        samples += Math.max(batch, 0);
        updates++;
    }

    private static LayerStatistics find(List<LayerStatistics> statistics, LayerFactors f) {
        for (LayerStatistics s : statistics) {
            if (s.layer().index() == f.layer.index()) {
                if (s.outputGradients() == null) {
                    throw new IllegalArgumentException("the statistics of " + f.name + " have no output gradients; "
                            + "pass the result of Network.kroneckerStatistics, not layerInputs");
                }
                return s;
            }
        }
        throw new IllegalArgumentException("no statistics for layer " + f.name + " (index " + f.layer.index() + ")");
    }

    /** The layers, in network order. */
    public List<LayerFactors> layers() {
        return layers;
    }

    public Averaging averaging() {
        return averaging;
    }

    /** Number of {@link #update} calls so far. */
    public int updates() {
        return updates;
    }

    /** Samples seen so far. */
    public long samples() {
        return samples;
    }

    Kernels kernels() {
        return kernels;
    }

    /** Bytes held by the factors and scratch. */
    public long memoryBytes() {
        long s = 4L * scratch.length;
        for (LayerFactors f : layers) {
            s += 8L * (f.a.length + f.gamma.length);
        }
        return s;
    }
}
