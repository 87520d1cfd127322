package dev.surgeon.core.prune;

import dev.surgeon.core.curvature.DataSource;
import dev.surgeon.core.curvature.Damping;
import dev.surgeon.core.curvature.LayerwiseHessian;
import dev.surgeon.core.data.Dataset;
import dev.surgeon.core.nn.Layer;
import dev.surgeon.core.nn.Loss;
import dev.surgeon.core.nn.Mask;
import dev.surgeon.core.nn.Network;
import dev.surgeon.core.nn.ParameterTensor;
import dev.surgeon.core.progress.Progress;
import dev.surgeon.core.train.Evaluation;
import dev.surgeon.kernels.Kernels;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The per-layer error database of OBC's non-uniform allocation (Frantar, Singh and Alistarh 2022, adapted from
 * SPDY, Frantar and Alistarh 2022, "SPDY: Accurate pruning with speedup guarantees"; METHODS B9 "Non-uniform
 * allocation"): for every compressible layer, a ladder of sparsity levels geometric in density,
 * density_{k+1} = density_k·(1 − δ) with δ = 0.1, from sparsity 0 up to {@code maxSparsity} (0.99; the last level
 * is maxSparsity itself), and for every level
 * <ul>
 *   <li>err_l(k): the calibration-loss increase when only layer l is replaced by its compressed weights in the
 *       dense model (mean loss over the calibration samples, evaluation mode, no augmentation);</li>
 *   <li>the costs: parameters (non-zero weights) and FLOPs (multiply-accumulates per sample: non-zeros times the
 *       layer's output positions, 1 for a dense layer).</li>
 * </ul>
 * The compressed weights at every level come from one {@link LayerReconstructionLadder} per layer, by default
 * {@link ExactObs} unstructured, whose single greedy run answers all levels ({@link ExactObsTraces}). Hessians come
 * from the dense model (one pass). {@link SpdyAllocation} then chooses a level per layer under a budget, and
 * {@link #assemble} builds that network.
 *
 * <p>Deviations: METHODS B9 step 4 (batch-norm re-estimation) does not apply (no batch norm in Surgeon's
 * networks); the level weights are recomputed by the ladder at assembly instead of being stored.
 */
public final class LayerErrorDatabase {
    /** δ of the density ladder. */
    public static final double DEFAULT_STEP = 0.1;
    /** The last level for unstructured sparsity. */
    public static final double DEFAULT_MAX_SPARSITY = 0.99;

    /** One level of one layer. */
    public record Level(double sparsity, double error, long parameters, long flops) {
    }

    /** One layer's ladder. */
    public record Entry(String layer, long denseParameters, long denseFlops, List<Level> levels) {
        public Entry {
            levels = List.copyOf(levels);
        }
    }

    private final Network dense;
    private final DataSource calibration;
    private final double denseLoss;
    private final List<Entry> entries;
    private final List<LayerReconstructionLadder> ladders;
    private final List<ParameterTensor> tensors;

    private LayerErrorDatabase(Network dense, DataSource calibration, double denseLoss, List<Entry> entries,
                               List<LayerReconstructionLadder> ladders, List<ParameterTensor> tensors) {
        this.dense = dense;
        this.calibration = calibration;
        this.denseLoss = denseLoss;
        this.entries = List.copyOf(entries);
        this.ladders = List.copyOf(ladders);
        this.tensors = List.copyOf(tensors);
    }

    /**
     * Builds the database with unstructured ExactOBS, δ = 0.1 and levels up to 0.99.
     *
     * @param damping of every layer's H
     */
    public static LayerErrorDatabase exactObs(Network dense, DataSource calibration, Loss loss, Damping damping,
                                              Kernels kernels, Progress progress) {
        return build(dense, calibration, loss, damping, p -> ExactObs.unstructured(0).traces(p, kernels, progress),
                DEFAULT_STEP, DEFAULT_MAX_SPARSITY, kernels, progress);
    }

    /**
     * Builds the database.
     *
     * @param prepare     turns a layer's problem into a ladder (e.g. {@code p -> exactObs.traces(p, kernels, progress)})
     * @param step        δ in (0, 1)
     * @param maxSparsity the last level, in (0, 1)
     */
    public static LayerErrorDatabase build(Network dense, DataSource calibration, Loss loss, Damping damping,
                                           Function<LayerReconstructionProblem, LayerReconstructionLadder> prepare,
                                           double step, double maxSparsity, Kernels kernels, Progress progress) {
        if (!(step > 0 && step < 1)) {
            throw new IllegalArgumentException("the density step δ must be in (0, 1), got " + step);
        }
        ExactObs.requireSparsity(maxSparsity);
        double[] sparsities = ladder(step, maxSparsity);
        Network net = dense.copy(kernels);
        List<Layer> layers = new ArrayList<>();
        Map<Integer, LayerwiseHessian.Accumulator> acc = new LinkedHashMap<>();
        for (Layer l : net.layers()) {
            if (l.hasParameters()) {
                layers.add(l);
                acc.put(l.index(), LayerwiseHessian.Accumulator.forWeight(l.parameters().get(0), kernels));
            }
        }
        LayerReconstruction.accumulate(net, calibration, acc, progress);
        Dataset calib = calibration.dataset().subset(calibration.indices(), "calibration");
        double base = Evaluation.of(net, loss, calib, calibration.batchSize()).loss();
        List<Entry> entries = new ArrayList<>();
        List<LayerReconstructionLadder> ladders = new ArrayList<>();
        List<ParameterTensor> tensors = new ArrayList<>();
        float[] p = net.parameters();
        for (Layer l : layers) {
            ParameterTensor w = l.parameters().get(0);
            double[] weights = new double[w.length()];
            for (int q = 0; q < weights.length; q++) {
                weights[q] = p[w.offset() + q];
            }
            LayerReconstructionProblem problem = new LayerReconstructionProblem(w.name(), w.rows(), w.columns(),
                    LayerReconstruction.kernelPositions(w), weights, acc.get(l.index()).build(damping));
            LayerReconstructionLadder ladder = prepare.apply(problem);
            long positions = l.outputShape().size() / w.rows();
            List<Level> levels = new ArrayList<>();
            float[] original = Arrays.copyOfRange(p, w.offset(), w.end());
            progress.start("error database " + w.name(), sparsities.length);
            for (double s : sparsities) {
                long nonZero;
                double error;
                if (s == 0) {
                    nonZero = w.length();
                    error = 0;
                } else {
                    LayerReconstructionResult r = ladder.atSparsity(s);
                    float[] c = r.floatWeights();
                    System.arraycopy(c, 0, p, w.offset(), c.length);
                    nonZero = 0;
                    for (boolean pr : r.pruned()) {
                        nonZero += pr ? 0 : 1;
                    }
                    error = Evaluation.of(net, loss, calib, calibration.batchSize()).loss() - base;
                    System.arraycopy(original, 0, p, w.offset(), original.length);
                }
                levels.add(new Level(s, error, nonZero, nonZero * positions));
                progress.advance(1);
            }
            progress.finish();
            entries.add(new Entry(w.name(), w.length(), (long) w.length() * positions, levels));
            ladders.add(ladder);
            tensors.add(w);
        }
        return new LayerErrorDatabase(dense, calibration, base, entries, ladders, tensors);
    }

    /** The sparsity ladder 1 − (1 − δ)^k below maxSparsity, then maxSparsity. */
    static double[] ladder(double step, double maxSparsity) {
        List<Double> s = new ArrayList<>();
        double density = 1;
        while (1 - density < maxSparsity - 1e-12) {
            s.add(1 - density);
            density *= 1 - step;
        }
        s.add(maxSparsity);
        return s.stream().mapToDouble(Double::doubleValue).toArray();
    }

    /** Mean calibration loss of the dense network. */
    public double denseLoss() {
        return denseLoss;
    }

    public List<Entry> layers() {
        return entries;
    }

    /** The calibration samples the errors were measured on. */
    public DataSource calibration() {
        return calibration;
    }

    /**
     * The network with every layer at the level the allocation chose (one-shot: each layer's compressed weights as
     * measured in the database), with its mask and per-layer results.
     */
    public LayerReconstructionReport assemble(SpdyAllocation allocation) {
        if (allocation.levels().length != entries.size()) {
            throw new IllegalArgumentException("the allocation has " + allocation.levels().length + " layers, the database "
                    + entries.size());
        }
        long start = System.nanoTime();
        Network net = dense.copy(dense.kernels());
        Mask mask = Mask.dense(net.layout());
        List<LayerReconstructionResult> results = new ArrayList<>();
        for (int l = 0; l < entries.size(); l++) {
            double s = entries.get(l).levels().get(allocation.levels()[l]).sparsity();
            ParameterTensor w = tensors.get(l);
            if (s == 0) {
                continue;
            }
            LayerReconstructionResult r = ladders.get(l).atSparsity(s);
            float[] c = r.floatWeights();
            System.arraycopy(c, 0, net.parameters(), w.offset(), c.length);
            for (int q = 0; q < c.length; q++) {
                if (r.pruned()[q]) {
                    mask.prune(w.offset() + q);
                }
            }
            results.add(r);
        }
        return new LayerReconstructionReport(net, mask, results, List.of(), calibration.indices(), false,
                (System.nanoTime() - start) * 1e-9);
    }
}
