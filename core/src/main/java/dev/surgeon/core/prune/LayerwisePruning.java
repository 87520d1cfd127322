package dev.surgeon.core.prune;

import dev.surgeon.core.curvature.Damping;
import dev.surgeon.core.curvature.DataSource;
import dev.surgeon.core.curvature.LayerwiseHessian;
import dev.surgeon.core.nn.Layer;
import dev.surgeon.core.nn.LayerStatistics;
import dev.surgeon.core.nn.Network;
import dev.surgeon.core.nn.ParameterTensor;
import dev.surgeon.core.nn.Workspace;
import java.util.ArrayList;
import java.util.List;

/**
 * Drives a {@link LayerPruner} over a network (METHODS A9, B4, B9, B10): every prunable weight tensor of a dense or
 * convolutional layer is compressed on its own, against the layer-wise Hessian H = (2/N) X Xᵀ + λI of its calibration
 * inputs.
 * <ol>
 *   <li>Draw {@code samples} calibration samples (seeded, recorded) and accumulate every layer's H in one pass over
 *       the current network (inputs with an appended 1 when the layer pruner asks for the bias column).</li>
 *   <li>Per-layer targets: N:M fixes them; otherwise the {@link Allocation} over the layer pruner's
 *       {@link LayerPruner#saliencies} (global threshold or equal per-layer sparsity, with bounds), or a custom
 *       {@link LayerTargets} (e.g. OBC's error database with dynamic programming).</li>
 *   <li>Layer by layer, in network order: optionally re-accumulate H with the already-compressed layers in front
 *       ({@code sequential}: SparseGPT's sequential mode; otherwise every H comes from the inputs before pruning, as in
 *       L-OBS and OBC), prune, write W (and the bias) back, prune the mask.</li>
 * </ol>
 * The step makes no loss prediction (layer errors are not loss units); each layer's predicted error goes to the
 * report notes, its damping to the damping records. Biases are never pruned by layer-wise methods.
 */
public final class LayerwisePruning implements Pruner {

    /** Custom per-layer targets (OBC's error database with dynamic programming plugs in here, {@link ExactObsPruning}). */
    @FunctionalInterface
    public interface LayerTargets {
        /**
         * The number of pruned weights per task (task order) for a network-wide target; each at least the task's already
         * pruned count.
         *
         * @param calibration the calibration samples the tasks' Hessians were accumulated from (recorded in the context)
         */
        int[] targets(PruningContext ctx, List<LayerTask> tasks, int targetPruned, DataSource calibration);
    }

    private final LayerPruner layerPruner;
    private final Allocation allocation;
    private final Pattern pattern;
    private final int samples;
    private final int batch;
    private final Damping damping;
    private final boolean sequential;
    private final LayerTargets layerTargets;

    /**
     * @param samples    calibration samples
     * @param batch      samples per forward pass (does not change the result beyond rounding)
     * @param damping    added to every H (absolute and/or relative to its mean diagonal)
     * @param sequential re-collect each layer's inputs after the layers in front were pruned
     * @param targets    custom per-layer targets, or null for the allocation
     */
    public LayerwisePruning(LayerPruner layerPruner, Allocation allocation, Pattern pattern, int samples, int batch,
                            Damping damping, boolean sequential, LayerTargets targets) {
        if (samples < 1 || batch < 1) {
            throw new IllegalArgumentException("layer-wise pruning needs >= 1 calibration sample and batch size, got " + samples
                    + " and " + batch);
        }
        layerPruner.checkPattern(pattern);
        this.layerPruner = layerPruner;
        this.allocation = allocation;
        this.pattern = pattern;
        this.samples = samples;
        this.batch = batch;
        this.damping = damping;
        this.sequential = sequential;
        this.layerTargets = targets;
    }

    @Override
    public String name() {
        return layerPruner.name() + " (layer-wise, " + (sequential ? "sequential" : "dense") + " inputs, " + allocation + ")";
    }

    @Override
    public StepResult prune(PruningContext ctx, int targetPruned) {
        List<ParameterTensor> tensors = ctx.prunableTensors();
        for (ParameterTensor t : tensors) {
            if (t.role() != ParameterTensor.Role.WEIGHT) {
                throw new IllegalArgumentException(layerPruner.name() + " prunes layer weights only; " + t.name()
                        + " is prunable (do not prune biases with a layer-wise method)");
            }
        }
        for (ParameterTensor t : tensors) {
            layerPruner.checkLayer(t, LayerReconstruction.kernelPositions(t));
        }
        int current = ctx.prunedCount();
        if (targetPruned < current || targetPruned > ctx.prunableCount()) {
            throw new IllegalArgumentException(layerPruner.name() + ": cannot go from " + current + " to " + targetPruned
                    + " pruned of " + ctx.prunableCount() + " prunable weights (pruned weights are not revived)");
        }
        DataSource data = ctx.calibration("layer inputs", samples, batch);
        LayerwiseHessian[] hessians = ctx.timed("curvature", () -> accumulate(ctx, data, -1));
        List<LayerTask> tasks = new ArrayList<>();
        for (int t = 0; t < tensors.size(); t++) {
            tasks.add(task(ctx, tensors.get(t), hessians[t], -1));
        }
        int[] counts = ctx.timed("selection", () -> layerTargets != null ? layerTargets.targets(ctx, tasks, targetPruned, data)
                : defaultTargets(ctx, tasks, targetPruned));
        int removed = 0;
        for (int t = 0; t < tensors.size(); t++) {
            ParameterTensor w = tensors.get(t);
            LayerTask base = tasks.get(t);
            if (counts[t] < base.alreadyPruned() || counts[t] > w.length()) {
                throw new IllegalStateException("layer target " + counts[t] + " for " + w.name() + " is outside ["
                        + base.alreadyPruned() + ", " + w.length() + "]");
            }
            if (counts[t] == base.alreadyPruned() && !(pattern instanceof Pattern.NOfM)) {
                continue;
            }
            LayerwiseHessian h = hessians[t];
            if (sequential && t > 0) {
                int index = t;
                h = ctx.timed("curvature", () -> accumulate(ctx, data, index)[index]);
            }
            LayerTask task = task(ctx, w, h, counts[t]);
            long start = System.nanoTime();
            LayerResult result = ctx.timed("layers", () -> layerPruner.prune(task));
            double seconds = (System.nanoTime() - start) * 1e-9;
            int newly = writeBack(ctx, task, result, layerPruner.targetTolerance(task));
            removed += newly;
            ctx.recordDamping(h.dampingUsed());
            ctx.recordLayer(new PruningContext.LayerRecord(w.name(), layerPruner.name(), task.alreadyPruned() + newly, w.length(),
                    result.predictedError(), result.measuredError(), result.relativeError(), h.lambda(), seconds));
            ctx.note(result.description());
        }
        return new StepResult(removed, Double.NaN);
    }

    private int[] defaultTargets(PruningContext ctx, List<LayerTask> tasks, int targetPruned) {
        int[] counts = new int[tasks.size()];
        if (pattern instanceof Pattern.NOfM nm) {
            for (int t = 0; t < tasks.size(); t++) {
                ParameterTensor w = tasks.get(t).weight();
                counts[t] = Math.max(tasks.get(t).alreadyPruned(), w.length() / nm.group() * (nm.group() - nm.keep()));
            }
            return counts;
        }
        double[] scores = new double[ctx.network().parameterCount()];
        for (LayerTask task : tasks) {
            double[] s = layerPruner.saliencies(task);
            System.arraycopy(s, 0, scores, task.weight().offset(), s.length);
        }
        int[] removed = Selection.select(ctx, scores, allocation, pattern, targetPruned);
        for (int t = 0; t < tasks.size(); t++) {
            ParameterTensor w = tasks.get(t).weight();
            int n = tasks.get(t).alreadyPruned();
            for (int q : removed) {
                n += w.contains(q) ? 1 : 0;
            }
            counts[t] = n;
        }
        return counts;
    }

    private LayerTask task(PruningContext ctx, ParameterTensor w, LayerwiseHessian h, int target) {
        float[] p = ctx.network().parameters();
        double[] weights = new double[w.length()];
        boolean[] pruned = new boolean[w.length()];
        for (int i = 0; i < weights.length; i++) {
            weights[i] = p[w.offset() + i];
            pruned[i] = ctx.mask().isPruned(w.offset() + i);
        }
        ParameterTensor bias = biasOf(ctx.network(), w);
        double[] b = null;
        if (bias != null) {
            b = new double[bias.length()];
            for (int i = 0; i < b.length; i++) {
                b[i] = p[bias.offset() + i];
            }
        }
        return new LayerTask(w, bias, weights, b, h, h.columns() == w.columns() + 1, pruned, target, pattern,
                ctx.network().kernels(), ctx.progress());
    }

    private static ParameterTensor biasOf(Network net, ParameterTensor w) {
        List<ParameterTensor> own = net.layout().tensorsOf(w.layerIndex());
        return own.size() > 1 ? own.get(1) : null;
    }

    private static int writeBack(PruningContext ctx, LayerTask task, LayerResult r, int tolerance) {
        ParameterTensor w = task.weight();
        if (r.weights().length != w.length() || r.pruned().length != w.length()) {
            throw new IllegalStateException(task.name() + ": the layer pruner returned " + r.weights().length + " weights and "
                    + r.pruned().length + " flags for a tensor of " + w.length());
        }
        List<Integer> newly = new ArrayList<>();
        int count = 0;
        for (int i = 0; i < w.length(); i++) {
            if (task.pruned()[i] && !r.pruned()[i]) {
                throw new IllegalStateException(task.name() + ": the layer pruner revived " + w.describe(w.offset() + i));
            }
            if (r.pruned()[i]) {
                count++;
                if (!task.pruned()[i]) {
                    newly.add(w.offset() + i);
                }
            }
        }
        int slack = tolerance + (task.pattern() instanceof Pattern.Blocks b ? b.size() - 1 : 0);
        if (!(task.pattern() instanceof Pattern.NOfM) && Math.abs(count - task.targetPruned()) > slack) {
            throw new IllegalStateException(task.name() + ": the layer pruner pruned " + count + " weights, the target was "
                    + task.targetPruned() + (slack > 0 ? " (tolerance " + slack + ")" : ""));
        }
        float[] p = ctx.network().parameters();
        for (int i = 0; i < w.length(); i++) {
            p[w.offset() + i] = r.pruned()[i] ? 0f : (float) r.weights()[i];
        }
        if (r.biasValues() != null && task.bias() != null) {
            for (int i = 0; i < task.bias().length(); i++) {
                p[task.bias().offset() + i] = (float) r.biasValues()[i];
            }
        }
        ctx.prune(newly.stream().mapToInt(Integer::intValue).toArray());
        return newly.size();
    }

    /**
     * Accumulates H of every prunable layer (only = −1) or of prunable tensor {@code only}, at the current weights.
     */
    private LayerwiseHessian[] accumulate(PruningContext ctx, DataSource data, int only) {
        Network net = ctx.network();
        List<ParameterTensor> tensors = ctx.prunableTensors();
        LayerwiseHessian.Accumulator[] acc = new LayerwiseHessian.Accumulator[tensors.size()];
        boolean[] augment = new boolean[tensors.size()];
        for (int t = 0; t < tensors.size(); t++) {
            if (only >= 0 && t != only) {
                continue;
            }
            ParameterTensor w = tensors.get(t);
            augment[t] = layerPruner.appendsBiasInput() && biasOf(net, w) != null;
            acc[t] = augment[t]
                    ? new LayerwiseHessian.Accumulator(TensorNames.layer(w) + " [x; 1]", null, w.rows(), w.columns() + 1,
                    net.kernels())
                    : LayerwiseHessian.Accumulator.forWeight(w, net.kernels());
        }
        Workspace ws = net.workspace(data.batchSize());
        float[] buffer = null;
        ctx.progress().start("layer inputs", data.batchCount());
        for (int b = 0; b < data.batchCount(); b++) {
            data.load(ws, b);
            net.forward(ws, false);
            List<LayerStatistics> views = net.layerInputs(ws);
            for (LayerStatistics v : views) {
                Layer layer = v.layer();
                for (int t = 0; t < tensors.size(); t++) {
                    if (acc[t] == null || tensors.get(t).layerIndex() != layer.index()) {
                        continue;
                    }
                    if (!augment[t]) {
                        acc[t].add(v);
                        continue;
                    }
                    int cols = v.inputColumns();
                    int rows = v.rows();
                    if (buffer == null || buffer.length < rows * (cols + 1)) {
                        buffer = new float[rows * (cols + 1)];
                    }
                    float[] in = v.inputs();
                    for (int r = 0; r < rows; r++) {
                        int src = v.inputOffset() + r * v.inputSampleStride();
                        for (int j = 0; j < cols; j++) {
                            buffer[r * (cols + 1) + j] = in[src + j * v.inputFeatureStride()];
                        }
                        buffer[r * (cols + 1) + cols] = 1f;
                    }
                    acc[t].addColumns(buffer, 0, cols + 1, 1, rows);
                }
            }
            ctx.progress().advance(1);
        }
        ctx.progress().finish();
        LayerwiseHessian[] out = new LayerwiseHessian[tensors.size()];
        for (int t = 0; t < tensors.size(); t++) {
            if (acc[t] != null) {
                out[t] = acc[t].build(damping);
            }
        }
        return out;
    }
}
