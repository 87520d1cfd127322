package dev.surgeon.core.bayes;

import dev.surgeon.core.data.Batches;
import dev.surgeon.core.data.Dataset;
import dev.surgeon.core.nn.Layer;
import dev.surgeon.core.nn.LayerSpec;
import dev.surgeon.core.nn.LayerStatistics;
import dev.surgeon.core.nn.Loss;
import dev.surgeon.core.nn.Mask;
import dev.surgeon.core.nn.Network;
import dev.surgeon.core.nn.ParameterTensor;
import dev.surgeon.core.nn.Workspace;
import dev.surgeon.core.optim.Optimizer;
import dev.surgeon.core.train.EpochMetrics;
import dev.surgeon.core.train.Evaluation;
import dev.surgeon.core.train.TrainingListener;
import dev.surgeon.core.train.TrainingResult;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Flat Minimum Search (Hochreiter and Schmidhuber 1997, "Flat minima"; METHODS E3): gradient descent on
 * E(w) + λ B(w, X) with the {@link FlatnessRegularizer flatness regularizer} B, λ adapted against a tolerable
 * training error by Weigend's rule ({@link WeigendSchedule}), then the pruning of units, weights and input lines
 * the flat minimum implies ({@link #prune}).
 *
 * <h2>Step on a mini-batch</h2>
 * The step minimizes s·Σ_batch ℓ_n + λ·s·Σ_batch B(w, x_p) (s = 1/B for a MEAN loss, 1 for SUM): B is per
 * pattern like the error, so both are scaled the same way and λ means "regularizer per pattern against error per
 * pattern", independent of the batch size (METHODS E3 pitfall). While λ = 0 the B gradient is skipped. The
 * network must be deterministic (dropout off: evaluation-mode passes). After every epoch the training error E_n
 * (mean per-sample loss on the training set, evaluated after the epoch) updates λ.
 *
 * <h2>Pruning ({@link #prune})</h2>
 * A flat minimum makes many output sensitivities vanish; what is removed, in this order:
 * <ol>
 *   <li>hidden units (and input lines) whose activation is constant over the data (standard deviation below the
 *       activation threshold): their mean contribution is folded into the next layer's bias and all their weights
 *       are removed — the paper's "unit acts as a bias";</li>
 *   <li>weights whose removal changes the outputs by less than the output threshold to first order:
 *       |w_q|·sqrt((1/P) Σ_p Σ_k (∂o^k/∂w_q)²) &lt; threshold (biases are kept);</li>
 * </ol>
 * then units without outgoing or incoming weights and input lines without weights are dead
 * ({@link LiveStructure}). Retrain briefly with the returned mask (METHODS E3 step 3).
 *
 * <p>Cost per step: one forward and backward pass plus, once λ &gt; 0, O(K) R-operator passes per pattern at
 * batch size 1 ({@link FlatnessRegularizer}). Deterministic for a seed. Notation: docs/NOTATION.md.
 */
public final class FlatMinimumSearch {
    private final Network network;
    private final Loss loss;
    private final Optimizer optimizer;
    private final int batchSize;
    private final int epochs;
    private final long seed;
    private final Mask mask;
    private final Dataset validation;
    private final List<TrainingListener> listeners;
    private final WeigendSchedule schedule;
    private final FlatnessRegularizer regularizer;
    private final Workspace ws;
    private final float[] gradient;
    private final float[] flatness;
    private final List<Double> lambdas = new ArrayList<>();

    private FlatMinimumSearch(Builder b) {
        this.network = b.network;
        this.loss = b.loss;
        this.optimizer = b.optimizer;
        this.batchSize = b.batchSize;
        this.epochs = b.epochs;
        this.seed = b.seed;
        this.mask = b.mask;
        this.validation = b.validation;
        this.listeners = List.copyOf(b.listeners);
        if (b.tolerableError <= 0) {
            throw new IllegalArgumentException("Flat Minimum Search needs a tolerable training error E_tol > 0");
        }
        this.schedule = new WeigendSchedule(b.tolerableError, b.lambdaStep, 0.9, 0.9, b.initialLambda);
        this.regularizer = new FlatnessRegularizer(network, b.epsilon, b.floor);
        loss.checkOutputs(network.outputSize());
        this.ws = network.workspace(batchSize);
        this.gradient = new float[network.parameterCount()];
        this.flatness = new float[network.parameterCount()];
        if (mask != null) {
            optimizer.setMask(mask);
            mask.apply(network.parameters());
        }
    }

    public static Builder builder(Network network, Loss loss, Optimizer optimizer) {
        return new Builder(network, loss, optimizer);
    }

    /** Trains for the configured epochs; λ is adapted after each. */
    public TrainingResult fit(Dataset train) {
        ws.checkCompatible(train);
        Batches batches = new Batches(train.size(), batchSize, seed, true, false);
        int[] order = new int[train.size()];
        List<EpochMetrics> history = new ArrayList<>();
        for (int epoch = 0; epoch < epochs; epoch++) {
            batches.epochOrder(epoch, order);
            long start = System.nanoTime();
            double lossSum = 0;
            int correct = 0;
            for (int b = 0; b < batches.count(); b++) {
                int count = batches.batchLength(b);
                ws.load(train, order, b * batchSize, count);
                double batchLoss = step();
                lossSum += batchLoss / loss.scale(count);
                correct += loss.countCorrect(ws.outputs(), ws.targets(), count, network.outputSize());
                for (TrainingListener l : listeners) {
                    l.onBatch(epoch, b, count, batchLoss);
                }
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            double used = schedule.lambda();
            schedule.update(Evaluation.of(network, loss, train, ws).loss());
            lambdas.add(used);
            Evaluation v = validation == null ? null : Evaluation.of(network, loss, validation, ws);
            // The learning-rate column of the epoch record carries η; λ is kept in lambdaHistory().
            EpochMetrics m = new EpochMetrics(epoch, lossSum / train.size(), (double) correct / train.size(),
                    v == null ? Double.NaN : v.loss(), v == null ? Double.NaN : v.accuracy(), optimizer.learningRate(),
                    seconds, train.size());
            history.add(m);
            for (TrainingListener l : listeners) {
                l.onEpoch(m);
            }
        }
        return new TrainingResult(history, false, history.size() - 1);
    }

    /** One step on the batch loaded in {@link #workspace()}; returns the batch loss before the step. */
    public double step() {
        network.forward(ws, false);
        double value = network.lossGradient(ws, loss, gradient);
        double lambda = schedule.lambda();
        if (lambda > 0) {
            regularizer.valueAndGradient(ws, mask, flatness);
            float scale = (float) (lambda * loss.scale(ws.batch()));
            for (int q = 0; q < gradient.length; q++) {
                gradient[q] += scale * flatness[q];
            }
        }
        if (mask != null) {
            mask.applyToGradient(gradient);
        }
        optimizer.step(network.parameters(), gradient);
        if (mask != null) {
            mask.apply(network.parameters());
        }
        return value;
    }

    /** The current λ. */
    public double lambda() {
        return schedule.lambda();
    }

    /** λ used in each epoch run so far. */
    public List<Double> lambdaHistory() {
        return List.copyOf(lambdas);
    }

    public Workspace workspace() {
        return ws;
    }

    /** B(w, X) summed over the data at the current weights (mask of the search applied). */
    public double regularizer(Dataset data) {
        Workspace w = network.workspace(Math.min(batchSize, data.size()));
        double sum = 0;
        for (int from = 0; from < data.size(); from += w.capacity()) {
            w.load(data, from, Math.min(w.capacity(), data.size() - from));
            sum += regularizer.value(w, mask);
        }
        return sum;
    }

    /**
     * What {@link #prune} removed: the mask to retrain with, the units and input lines folded into biases, the
     * weights removed for low output sensitivity, and the structure left.
     */
    public record Pruning(Mask mask, int foldedUnits, int foldedInputs, int insensitiveWeights, LiveStructure structure) {
    }

    /**
     * Prunes what the flat minimum makes redundant (see the class documentation), changing the network's biases
     * where constant units are folded into them and zeroing removed weights.
     *
     * @param data                the training set (activations and output sensitivities are measured on it)
     * @param outputThreshold     output units: first-order RMS output change below which a weight is removed
     * @param activationThreshold standard deviation below which a unit or input counts as constant
     */
    public Pruning prune(Dataset data, double outputThreshold, double activationThreshold) {
        return prune(network, mask, data, outputThreshold, activationThreshold);
    }

    /** The pruning of {@link #prune(Dataset, double, double)} for any network (e.g. one trained otherwise). */
    public static Pruning prune(Network network, Mask base, Dataset data, double outputThreshold, double activationThreshold) {
        if (!(outputThreshold >= 0) || !(activationThreshold >= 0)) {
            throw new IllegalArgumentException("thresholds must be >= 0, got " + outputThreshold + " and " + activationThreshold);
        }
        Mask m = base != null ? base.copy() : Mask.dense(network.layout());
        float[] w = network.parameters();
        int[] folded = foldConstantUnits(network, m, data, activationThreshold);
        double[] sensitivity = outputSensitivity(network, data);
        int insensitive = 0;
        for (ParameterTensor t : network.layout().tensors()) {
            if (t.role() != ParameterTensor.Role.WEIGHT) {
                continue;
            }
            for (int q = t.offset(); q < t.end(); q++) {
                if (!m.isPruned(q) && Math.abs(w[q]) * Math.sqrt(sensitivity[q]) < outputThreshold) {
                    m.prune(q);
                    insensitive++;
                }
            }
        }
        m.apply(w);
        return new Pruning(m, folded[0], folded[1], insensitive, LiveStructure.of(network, m));
    }

    /** (1/P) Σ_p Σ_k (∂o^k(x_p)/∂w_q)² for every parameter: K passes of squared per-sample gradients per batch. */
    static double[] outputSensitivity(Network network, Dataset data) {
        int kOut = network.outputSize();
        int d = network.parameterCount();
        Workspace w = network.workspace(Math.min(256, data.size()));
        float[] seeds = new float[w.capacity() * kOut];
        float[] squares = new float[d];
        double[] sum = new double[d];
        for (int from = 0; from < data.size(); from += w.capacity()) {
            int count = Math.min(w.capacity(), data.size() - from);
            w.load(data, from, count);
            network.forward(w, false);
            for (int k = 0; k < kOut; k++) {
                Arrays.fill(seeds, 0f);
                for (int n = 0; n < count; n++) {
                    seeds[n * kOut + k] = 1f;
                }
                network.sumOfSquaredSampleGradients(w, seeds, 0, squares);
                for (int q = 0; q < d; q++) {
                    sum[q] += squares[q];
                }
            }
        }
        for (int q = 0; q < d; q++) {
            sum[q] /= data.size();
        }
        return sum;
    }

    /**
     * Folds hidden units and input lines with constant value into the next bias and prunes their weights.
     * Returns {units folded, inputs folded}. Only dense layers followed by a dense layer with a bias qualify.
     */
    private static int[] foldConstantUnits(Network network, Mask m, Dataset data, double threshold) {
        List<Layer> dense = new ArrayList<>();
        for (Layer l : network.layers()) {
            if (l.hasParameters()) {
                dense.add(l);
            }
        }
        // Means and variances of every parametric layer's inputs (layer 0: the data; layer i: hidden layer i − 1).
        int layers = dense.size();
        double[][] mean = new double[layers][];
        double[][] square = new double[layers][];
        Workspace w = network.workspace(Math.min(256, data.size()));
        for (int from = 0; from < data.size(); from += w.capacity()) {
            int count = Math.min(w.capacity(), data.size() - from);
            w.load(data, from, count);
            network.forward(w, false);
            List<LayerStatistics> views = network.layerInputs(w);
            for (int i = 0; i < layers; i++) {
                LayerStatistics v = views.get(i);
                if (v.rowsPerSample() != 1) {
                    continue;
                }
                int cols = v.inputColumns();
                if (mean[i] == null) {
                    mean[i] = new double[cols];
                    square[i] = new double[cols];
                }
                for (int r = 0; r < v.rows(); r++) {
                    for (int j = 0; j < cols; j++) {
                        double x = v.input(r, j);
                        mean[i][j] += x;
                        square[i][j] += x * x;
                    }
                }
            }
        }
        float[] p = network.parameters();
        int units = 0;
        int inputs = 0;
        for (int i = 0; i < layers; i++) {
            Layer consumer = dense.get(i);
            if (mean[i] == null || consumer.spec().kind() != LayerSpec.Kind.DENSE || consumer.parameters().size() < 2
                    || (i > 0 && dense.get(i - 1).spec().kind() != LayerSpec.Kind.DENSE)) {
                continue;
            }
            ParameterTensor wc = consumer.parameters().get(0);
            ParameterTensor bc = consumer.parameters().get(1);
            int cols = wc.columns();
            for (int j = 0; j < cols; j++) {
                double mu = mean[i][j] / data.size();
                double sd = Math.sqrt(Math.max(0, square[i][j] / data.size() - mu * mu));
                if (sd >= threshold || allPruned(m, wc, j)) {
                    continue;
                }
                for (int r = 0; r < wc.rows(); r++) {
                    int q = wc.offset() + r * cols + j;
                    if (!m.isPruned(q)) {
                        p[bc.offset() + r] += (float) (p[q] * mu);
                        m.prune(q);
                    }
                }
                if (i == 0) {
                    inputs++;
                } else {
                    units++;
                    // The unit's own incoming weights and bias no longer matter.
                    Layer producer = dense.get(i - 1);
                    ParameterTensor wp = producer.parameters().get(0);
                    for (int c = 0; c < wp.columns(); c++) {
                        m.prune(wp.offset() + j * wp.columns() + c);
                    }
                    if (producer.parameters().size() > 1) {
                        m.prune(producer.parameters().get(1).offset() + j);
                    }
                }
            }
        }
        m.apply(p);
        return new int[] {units, inputs};
    }

    private static boolean allPruned(Mask m, ParameterTensor w, int column) {
        for (int r = 0; r < w.rows(); r++) {
            if (!m.isPruned(w.offset() + r * w.columns() + column)) {
                return false;
            }
        }
        return true;
    }

    /**
     * Configuration. Required: the tolerable error ({@link #tolerableError}). Defaults: Δλ = 1e-4, λ₀ = 0, ε = 1,
     * ε₀ = 1e-6, batch 32, 1 epoch, seed 0.
     */
    public static final class Builder {
        private final Network network;
        private final Loss loss;
        private final Optimizer optimizer;
        private double tolerableError;
        private double lambdaStep = 1e-4;
        private double initialLambda;
        private double epsilon = 1;
        private double floor = FlatnessRegularizer.DEFAULT_FLOOR;
        private int batchSize = 32;
        private int epochs = 1;
        private long seed;
        private Mask mask;
        private Dataset validation;
        private final List<TrainingListener> listeners = new ArrayList<>();

        private Builder(Network network, Loss loss, Optimizer optimizer) {
            this.network = network;
            this.loss = loss;
            this.optimizer = optimizer;
        }

        /** E_tol, in the loss's mean per-sample units (e.g. ½·MSE for mse). */
        public Builder tolerableError(double e) {
            this.tolerableError = e;
            return this;
        }

        /** Δλ of Weigend's rule. */
        public Builder lambdaStep(double step) {
            this.lambdaStep = step;
            return this;
        }

        /** λ at the start (0 in the paper). */
        public Builder initialLambda(double lambda) {
            this.initialLambda = lambda;
            return this;
        }

        /** ε of B's constant term. */
        public Builder epsilon(double e) {
            this.epsilon = e;
            return this;
        }

        /** ε₀ added to every S_q. */
        public Builder floor(double f) {
            this.floor = f;
            return this;
        }

        public Builder batchSize(int n) {
            if (n < 1) {
                throw new IllegalArgumentException("batch size must be >= 1, got " + n);
            }
            this.batchSize = n;
            return this;
        }

        public Builder epochs(int n) {
            if (n < 0) {
                throw new IllegalArgumentException("epochs must be >= 0, got " + n);
            }
            this.epochs = n;
            return this;
        }

        public Builder seed(long s) {
            this.seed = s;
            return this;
        }

        public Builder mask(Mask m) {
            this.mask = m;
            return this;
        }

        public Builder validation(Dataset data) {
            this.validation = data;
            return this;
        }

        public Builder listener(TrainingListener l) {
            this.listeners.add(l);
            return this;
        }

        public FlatMinimumSearch build() {
            return new FlatMinimumSearch(this);
        }
    }
}
