package dev.surgeon.core.prune;

import dev.surgeon.core.curvature.DataSource;
import dev.surgeon.core.curvature.Damping;
import dev.surgeon.core.curvature.LayerwiseHessian;
import dev.surgeon.core.curvature.MemoryBudget;
import dev.surgeon.core.nn.Layer;
import dev.surgeon.core.nn.LayerStatistics;
import dev.surgeon.core.nn.Mask;
import dev.surgeon.core.nn.Network;
import dev.surgeon.core.nn.ParameterTensor;
import dev.surgeon.core.nn.Workspace;
import dev.surgeon.core.progress.Progress;
import dev.surgeon.kernels.Kernels;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Layer-by-layer compression of a network with a {@link LayerReconstructionMethod} (ExactOBS, SparseGPT/GPTQ,
 * OBQ; METHODS A9, B9, B10, C2): for every dense and convolutional layer, the calibration inputs X (unfolded
 * patches for convolutions, {@link Network#layerInputs}) give H = (2/N) X Xᵀ
 * ({@link LayerwiseHessian.Accumulator}, double), the method compresses the weight against H, and the compressed
 * weights and mask are written into a copy of the network. Biases are not touched.
 *
 * <ul>
 *   <li>One-shot (default): all Hessians come from the dense network in one pass over the calibration data, so
 *       every layer is compressed independently (OBC's setting).</li>
 *   <li>{@link #sequential(boolean) Sequential}: layer l's inputs are produced by the already-compressed layers
 *       0..l−1 (SparseGPT's setting, B10 step 4), one pass per layer; the target stays the layer's own dense
 *       weights applied to those inputs.</li>
 * </ul>
 * Damping: the method's own default (SparseGPT: relative 0.01; ExactOBS/OBQ: none with the retry of
 * {@link Damping}) unless {@link #damping} overrides it; the λ used is recorded per layer. A layer the method
 * cannot take (N:M on an input count not divisible by M) is refused with a
 * {@link LayerReconstructionPatternException}, or, with {@link #skipIncompatibleLayers(boolean)}, left dense and
 * listed with the reason in {@link LayerReconstructionReport#skipped()}.
 *
 * <p>Memory: the Hessians of all selected layers at once (one-shot) or of one layer (sequential), d_col² doubles
 * each, checked against {@link MemoryBudget#defaultBudget()} before anything is allocated.
 */
public final class LayerReconstruction {
    private final LayerReconstructionMethod method;
    private final Map<String, LayerReconstructionMethod> perLayer;
    private final Damping damping;
    private final boolean sequential;
    private final boolean skipIncompatible;
    private final Set<String> only;
    private final Kernels kernels;
    private final Progress progress;

    private LayerReconstruction(LayerReconstructionMethod method, Map<String, LayerReconstructionMethod> perLayer,
                                Damping damping, boolean sequential, boolean skipIncompatible, Set<String> only,
                                Kernels kernels, Progress progress) {
        this.method = method;
        this.perLayer = perLayer;
        this.damping = damping;
        this.sequential = sequential;
        this.skipIncompatible = skipIncompatible;
        this.only = only;
        this.kernels = kernels;
        this.progress = progress;
    }

    /** Every dense and convolutional layer compressed with {@code method}, one-shot, kernels {@link Kernels#get()}. */
    public static LayerReconstruction of(LayerReconstructionMethod method) {
        return new LayerReconstruction(method, Map.of(), null, false, false, null, null, Progress.NONE);
    }

    /** Whether layer inputs come from the already-compressed layers (one pass per layer). */
    public LayerReconstruction sequential(boolean on) {
        return new LayerReconstruction(method, perLayer, damping, on, skipIncompatible, only, kernels, progress);
    }

    /** Overrides the methods' default damping of H. */
    public LayerReconstruction damping(Damping d) {
        return new LayerReconstruction(method, perLayer, d, sequential, skipIncompatible, only, kernels, progress);
    }

    /** Leave layers the method cannot take dense and report them, instead of failing. */
    public LayerReconstruction skipIncompatibleLayers(boolean skip) {
        return new LayerReconstruction(method, perLayer, damping, sequential, skip, only, kernels, progress);
    }

    /** Compress only these weight tensors (e.g. {@code fc1.weight}); the others stay dense. */
    public LayerReconstruction layers(String... weightNames) {
        return new LayerReconstruction(method, perLayer, damping, sequential, skipIncompatible,
                new LinkedHashSet<>(List.of(weightNames)), kernels, progress);
    }

    /** A different method (e.g. another sparsity) for one weight tensor. */
    public LayerReconstruction method(String weightName, LayerReconstructionMethod m) {
        Map<String, LayerReconstructionMethod> map = new LinkedHashMap<>(perLayer);
        map.put(weightName, m);
        return new LayerReconstruction(method, Map.copyOf(map), damping, sequential, skipIncompatible, only, kernels, progress);
    }

    public LayerReconstruction kernels(Kernels k) {
        return new LayerReconstruction(method, perLayer, damping, sequential, skipIncompatible, only, k, progress);
    }

    public LayerReconstruction progress(Progress p) {
        return new LayerReconstruction(method, perLayer, damping, sequential, skipIncompatible, only, kernels, p);
    }

    /** The method applied to a weight tensor. */
    public LayerReconstructionMethod methodFor(String weightName) {
        return perLayer.getOrDefault(weightName, method);
    }

    /**
     * Compresses a copy of {@code network}; the original is not modified.
     *
     * @throws IllegalArgumentException            if a named layer does not exist or has no weight matrix
     * @throws LayerReconstructionPatternException if a layer cannot take the pattern and skipping is off
     */
    public LayerReconstructionReport run(Network network, DataSource calibration) {
        long start = System.nanoTime();
        Kernels k = kernels != null ? kernels : network.kernels();
        Network net = network.copy(k);
        List<Layer> targets = new ArrayList<>();
        List<LayerReconstructionReport.Skipped> skipped = new ArrayList<>();
        Set<String> unseen = only == null ? new LinkedHashSet<>() : new LinkedHashSet<>(only);
        for (Layer l : net.layers()) {
            if (!l.hasParameters()) {
                continue;
            }
            ParameterTensor w = l.parameters().get(0);
            unseen.remove(w.name());
            if (only != null && !only.contains(w.name())) {
                continue;
            }
            try {
                methodFor(w.name()).check(w.name(), w.rows(), w.columns(), kernelPositions(w));
                targets.add(l);
            } catch (LayerReconstructionPatternException e) {
                if (!skipIncompatible) {
                    throw e;
                }
                skipped.add(new LayerReconstructionReport.Skipped(w.name(), e.getMessage()));
            }
        }
        if (!unseen.isEmpty()) {
            throw new IllegalArgumentException("no dense or convolutional weight named " + unseen + " in " + network.spec());
        }
        long bytes = 0;
        long largest = 0;
        for (Layer l : targets) {
            long c = l.parameters().get(0).columns();
            // H, its inverse and one row workspace (d_col² doubles each), weights and traces (≈ 32 bytes a weight).
            long layerBytes = 24 * c * c + 32 * c * l.parameters().get(0).rows();
            bytes = sequential ? Math.max(bytes, layerBytes) : bytes + layerBytes;
            largest = Math.max(largest, c * c);
        }
        MemoryBudget.defaultBudget().require("layer-wise Hessians (H and its inverse) of " + targets.size() + " layers",
                bytes, largest, "a d_col × d_col double matrix", List.of());
        Mask mask = Mask.dense(net.layout());
        List<LayerReconstructionResult> results = new ArrayList<>();
        Map<Integer, LayerwiseHessian.Accumulator> all = new LinkedHashMap<>();
        if (!sequential) {
            for (Layer l : targets) {
                all.put(l.index(), LayerwiseHessian.Accumulator.forWeight(l.parameters().get(0), k));
            }
            accumulate(net, calibration, all, progress);
        }
        for (Layer l : targets) {
            ParameterTensor w = l.parameters().get(0);
            LayerReconstructionMethod m = methodFor(w.name());
            LayerwiseHessian.Accumulator acc;
            if (sequential) {
                acc = LayerwiseHessian.Accumulator.forWeight(w, k);
                accumulate(net, calibration, Map.of(l.index(), acc), progress);
            } else {
                acc = all.remove(l.index());
            }
            LayerwiseHessian h = acc.build(damping != null ? damping : m.defaultDamping());
            float[] p = net.parameters();
            double[] weights = new double[w.length()];
            for (int q = 0; q < weights.length; q++) {
                weights[q] = p[w.offset() + q];
            }
            LayerReconstructionProblem problem = new LayerReconstructionProblem(w.name(), w.rows(), w.columns(),
                    kernelPositions(w), weights, h);
            LayerReconstructionResult r = m.compress(problem, k, progress);
            float[] compressed = r.floatWeights();
            System.arraycopy(compressed, 0, p, w.offset(), compressed.length);
            for (int q = 0; q < compressed.length; q++) {
                if (r.pruned()[q]) {
                    mask.prune(w.offset() + q);
                }
            }
            results.add(r);
        }
        return new LayerReconstructionReport(net, mask, results, skipped, calibration.indices(), sequential,
                (System.nanoTime() - start) * 1e-9);
    }

    /** k·k for a convolution weight [c_out, c_in, k, k], 1 for a dense weight. */
    static int kernelPositions(ParameterTensor w) {
        int[] shape = w.shape();
        return shape.length == 4 ? shape[2] * shape[3] : 1;
    }

    /** One pass over the calibration data adding each listed layer's inputs to its accumulator. */
    static void accumulate(Network net, DataSource data, Map<Integer, LayerwiseHessian.Accumulator> accumulators,
                           Progress progress) {
        Workspace ws = net.workspace(data.batchSize());
        progress.start("calibration inputs", data.batchCount());
        for (int b = 0; b < data.batchCount(); b++) {
            data.load(ws, b);
            net.forward(ws, false);
            for (LayerStatistics view : net.layerInputs(ws)) {
                LayerwiseHessian.Accumulator acc = accumulators.get(view.layer().index());
                if (acc != null) {
                    acc.add(view);
                }
            }
            progress.advance(1);
        }
        progress.finish();
    }
}
