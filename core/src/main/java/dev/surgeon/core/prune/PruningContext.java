package dev.surgeon.core.prune;

import dev.surgeon.core.curvature.DampingRecord;
import dev.surgeon.core.curvature.DataSource;
import dev.surgeon.core.curvature.ParameterSubset;
import dev.surgeon.core.data.Dataset;
import dev.surgeon.core.nn.Loss;
import dev.surgeon.core.nn.Mask;
import dev.surgeon.core.nn.Network;
import dev.surgeon.core.nn.ParameterTensor;
import dev.surgeon.core.progress.Progress;
import dev.surgeon.core.train.Evaluation;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Supplier;

/**
 * The state of one pruning run: the network (pruned in place), its loss, the training data (calibration and
 * fine-tuning draw from it), optional test data, the seed every random choice derives from, the prunable
 * parameters, the {@link Mask}, and the record of what was used (calibration sample indices, damping per block,
 * notes) that ends up in the {@link PruningReport}.
 *
 * <h2>Prunable parameters</h2>
 * By default every weight tensor (dense and convolutional), never biases (METHODS B common rules); biases are
 * added with {@link Builder#pruneBiases}, and {@link Builder#tensors} restricts pruning to named tensors.
 * Sparsity targets count prunable parameters only.
 *
 * <h2>Determinism (METHODS G.4)</h2>
 * Every random draw (calibration subsets, gradient mini-batches, random scores, fine-tuning order) comes from
 * {@link #random(String)}: a stream derived from the seed, the stream's name and the current {@link #round()}.
 * The same seed, data and network therefore give the same masks and weights; the calibration indices actually
 * used are recorded with {@link #recordCalibration}.
 *
 * <p>Not thread-safe.
 */
public final class PruningContext {
    private final Network network;
    private final Loss loss;
    private final Dataset train;
    private final Dataset test;
    private final long seed;
    private final ParameterSubset prunable;
    private final List<ParameterTensor> prunableTensors;
    private final Mask mask;
    private final Progress progress;
    private final int evaluationBatch;
    private final List<CalibrationRecord> calibration = new ArrayList<>();
    private final List<DampingRecord> damping = new ArrayList<>();
    private final List<String> notes = new ArrayList<>();
    private final List<LayerRecord> layers = new ArrayList<>();
    private final Map<String, Double> timings = new LinkedHashMap<>();
    private int round;

    /**
     * The sample indices one stage drew from the training set.
     *
     * @param stage   e.g. "round 1: gradients"
     * @param indices training-set indices in the order used
     */
    public record CalibrationRecord(String stage, int[] indices) {
        public CalibrationRecord {
            indices = indices.clone();
        }

        @Override
        public int[] indices() {
            return indices.clone();
        }
    }

    /**
     * What a layer-wise method did to one layer ({@link LayerwisePruning}).
     *
     * @param layer          the weight tensor, e.g. {@code fc1.weight}
     * @param method         the layer pruner, e.g. "ExactOBS"
     * @param pruned         weights of the tensor pruned afterwards
     * @param size           weights of the tensor
     * @param predictedError the method's predicted layer-wise error (Σ of its step losses), or NaN
     * @param measuredError  (1/N)‖(W − Ŵ)X‖²_F at the calibration inputs (undamped H), or NaN
     * @param relativeError  measuredError / (1/N)‖WX‖²_F, or NaN
     * @param damping        λ actually added to the layer's H
     * @param seconds        wall time of the layer pruner
     */
    public record LayerRecord(String layer, String method, int pruned, int size, double predictedError, double measuredError,
                              double relativeError, double damping, double seconds) {
    }

    private PruningContext(Builder b) {
        this.network = b.network;
        this.loss = b.loss;
        this.train = b.train;
        this.test = b.test;
        this.seed = b.seed;
        this.progress = b.progress;
        this.evaluationBatch = b.evaluationBatch;
        loss.checkOutputs(network.outputSize());
        network.workspace(1).checkCompatible(train);
        if (test != null) {
            network.workspace(1).checkCompatible(test);
        }
        List<ParameterTensor> tensors = new ArrayList<>();
        for (ParameterTensor t : network.layout().tensors()) {
            boolean role = t.role() == ParameterTensor.Role.WEIGHT || b.pruneBiases;
            boolean named = b.tensorNames == null || b.tensorNames.contains(t.name());
            if (role && named) {
                tensors.add(t);
            }
        }
        if (b.tensorNames != null) {
            for (String name : b.tensorNames) {
                network.layout().tensor(name);
            }
        }
        if (tensors.isEmpty()) {
            throw new IllegalArgumentException("nothing to prune: no tensor of " + network + " is prunable with the "
                    + "chosen options (tensors " + b.tensorNames + ", biases " + (b.pruneBiases ? "included" : "excluded") + ")");
        }
        this.prunableTensors = List.copyOf(tensors);
        this.prunable = ParameterSubset.tensors(network.layout(), tensors.stream().map(ParameterTensor::name)
                .toArray(String[]::new));
        if (b.mask != null && b.mask.layout().size() != network.parameterCount()) {
            throw new IllegalArgumentException("the mask covers " + b.mask.layout().size() + " parameters but the network has "
                    + network.parameterCount());
        }
        this.mask = b.mask != null ? b.mask : Mask.dense(network.layout());
        mask.apply(network.parameters());
    }

    /** A context for pruning {@code network} with {@code loss}, calibrating on {@code train}. */
    public static Builder builder(Network network, Loss loss, Dataset train) {
        return new Builder(network, loss, train);
    }

    public Network network() {
        return network;
    }

    public Loss loss() {
        return loss;
    }

    /** The training data (calibration, fine-tuning, the stopping rule's accuracy). */
    public Dataset train() {
        return train;
    }

    /** The test data, or null. */
    public Dataset test() {
        return test;
    }

    public long seed() {
        return seed;
    }

    /** The prunable parameters (ascending flat order). */
    public ParameterSubset prunable() {
        return prunable;
    }

    /** The prunable tensors in layout order. */
    public List<ParameterTensor> prunableTensors() {
        return prunableTensors;
    }

    /** The live mask; pruners add to it, nothing revives a weight. */
    public Mask mask() {
        return mask;
    }

    public Progress progress() {
        return progress;
    }

    /** Samples per forward pass when evaluating. */
    public int evaluationBatch() {
        return evaluationBatch;
    }

    /** Number of prunable parameters. */
    public int prunableCount() {
        return prunable.dim();
    }

    /** Number of prunable parameters that are pruned. */
    public int prunedCount() {
        int n = 0;
        for (int q : mask.prunedIndices()) {
            if (isPrunable(q)) {
                n++;
            }
        }
        return n;
    }

    /** Pruned fraction of the prunable parameters. */
    public double sparsity() {
        return (double) prunedCount() / prunableCount();
    }

    /** Whether flat index q may be pruned at all. */
    public boolean isPrunable(int q) {
        return prunable.local(q) >= 0;
    }

    /** Whether q is prunable and not pruned yet. */
    public boolean isCandidate(int q) {
        return !mask.isPruned(q) && isPrunable(q);
    }

    /** The current schedule round (0 before the first step); part of every derived seed. */
    public int round() {
        return round;
    }

    /** Advances the round counter (schedules call this before each step). */
    public void nextRound() {
        round++;
    }

    /**
     * A random stream derived from the seed, the stream's name and the current round: independent streams for
     * independent purposes, reproducible run after run.
     */
    public SplittableRandom random(String stream) {
        long h = seed * 0x9E3779B97F4A7C15L + stream.hashCode();
        h = h * 0xBF58476D1CE4E5B9L + round;
        return new SplittableRandom(h ^ (h >>> 31));
    }

    /** A seed derived like {@link #random(String)}. */
    public long derivedSeed(String stream) {
        return random(stream).nextLong();
    }

    /**
     * {@code samples} training samples drawn with a derived seed (all of them, in order, when
     * {@code samples >= train().size()}), fed in batches of {@code batch}; their indices are recorded.
     */
    public DataSource calibration(String stage, int samples, int batch) {
        DataSource source = samples >= train.size() ? DataSource.all(train, batch)
                : DataSource.sample(train, samples, batch, derivedSeed("calibration:" + stage));
        recordCalibration(stage, source.indices());
        return source;
    }

    /** Records the training samples a stage used. */
    public void recordCalibration(String stage, int[] indices) {
        calibration.add(new CalibrationRecord("round " + round + ": " + stage, indices));
    }

    /** Records the damping a curvature block actually used. */
    public void recordDamping(List<DampingRecord> records) {
        damping.addAll(records);
    }

    /** Records what a layer-wise method did to one layer. */
    public void recordLayer(LayerRecord record) {
        layers.add(record);
    }

    /** Adds a line to the report's notes (deviations, warnings, stopping reasons). */
    public void note(String line) {
        notes.add(line);
    }

    /** Adds wall-clock seconds to a stage (stages keep the order in which they first ran). */
    public void addTime(String stage, double seconds) {
        timings.merge(stage, seconds, Double::sum);
    }

    /** Runs {@code work}, adding its wall-clock time to {@code stage}. */
    public <T> T timed(String stage, Supplier<T> work) {
        long start = System.nanoTime();
        try {
            return work.get();
        } finally {
            addTime(stage, (System.nanoTime() - start) / 1e9);
        }
    }

    /** Seconds per stage so far. */
    public Map<String, Double> timings() {
        return Collections.unmodifiableMap(timings);
    }

    public List<CalibrationRecord> calibrationRecords() {
        return Collections.unmodifiableList(calibration);
    }

    public List<DampingRecord> dampingRecords() {
        return Collections.unmodifiableList(damping);
    }

    public List<String> notes() {
        return Collections.unmodifiableList(notes);
    }

    /** Per-layer results of layer-wise methods, in the order the layers were pruned. */
    public List<LayerRecord> layerRecords() {
        return Collections.unmodifiableList(layers);
    }

    /** Loss and accuracy on the training set (evaluation mode). */
    public Evaluation evaluateTrain() {
        return Evaluation.of(network, loss, train, evaluationBatch);
    }

    /** Loss and accuracy on the test set, or null without test data. */
    public Evaluation evaluateTest() {
        return test == null ? null : Evaluation.of(network, loss, test, evaluationBatch);
    }

    /** Marks the given parameters pruned and sets them to exactly 0. */
    public void prune(int[] indices) {
        float[] w = network.parameters();
        for (int q : indices) {
            if (!isPrunable(q)) {
                throw new IllegalStateException("parameter " + network.layout().tensorAt(q).describe(q) + " is not prunable");
            }
            mask.prune(q);
            w[q] = 0f;
        }
    }

    /** A copy of the weights and mask, to undo a step ({@link #restore}). */
    public Snapshot snapshot() {
        return new Snapshot(network.parameters().clone(), mask.prunedIndices().clone());
    }

    /** Puts back the weights and the mask of a snapshot. */
    public void restore(Snapshot s) {
        System.arraycopy(s.parameters, 0, network.parameters(), 0, s.parameters.length);
        int[] now = mask.prunedIndices().clone();
        for (int q : now) {
            if (Arrays.binarySearch(s.pruned, q) < 0) {
                mask.restore(q);
            }
        }
        for (int q : s.pruned) {
            mask.prune(q);
        }
    }

    /** Weights and pruned indices at one moment. */
    public static final class Snapshot {
        private final float[] parameters;
        private final int[] pruned;

        private Snapshot(float[] parameters, int[] pruned) {
            this.parameters = parameters;
            this.pruned = pruned;
        }
    }

    /** Configuration of a {@link PruningContext}. */
    public static final class Builder {
        private final Network network;
        private final Loss loss;
        private final Dataset train;
        private Dataset test;
        private long seed;
        private boolean pruneBiases;
        private List<String> tensorNames;
        private Mask mask;
        private Progress progress = Progress.NONE;
        private int evaluationBatch = 256;

        private Builder(Network network, Loss loss, Dataset train) {
            this.network = network;
            this.loss = loss;
            this.train = train;
        }

        public Builder test(Dataset data) {
            this.test = data;
            return this;
        }

        public Builder seed(long s) {
            this.seed = s;
            return this;
        }

        /** Whether biases are prunable too (SNIP's official code, the OBS MONK counts); default false. */
        public Builder pruneBiases(boolean b) {
            this.pruneBiases = b;
            return this;
        }

        /** Restricts pruning to these tensors (e.g. {@code fc1.weight}); default: all weight tensors. */
        public Builder tensors(String... names) {
            this.tensorNames = List.of(names);
            return this;
        }

        /** An existing mask (e.g. from a model file) to continue from; default: nothing pruned. */
        public Builder mask(Mask m) {
            this.mask = m;
            return this;
        }

        public Builder progress(Progress p) {
            this.progress = p;
            return this;
        }

        public Builder evaluationBatch(int n) {
            if (n < 1) {
                throw new IllegalArgumentException("evaluation batch must be >= 1, got " + n);
            }
            this.evaluationBatch = n;
            return this;
        }

        public PruningContext build() {
            return new PruningContext(this);
        }
    }
}
