package dev.surgeon.core.bayes;

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
import dev.surgeon.core.train.Trainer;
import dev.surgeon.core.train.TrainingListener;
import dev.surgeon.core.train.TrainingStep;
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
 * (the mean per-sample loss over the epoch's batches, as the trainer reports it) updates λ.
 *
 * <p>It is a {@link TrainingStep} and a {@link TrainingListener}: {@code fms.trainer().batchSize(20).epochs(2000)
 * .build().fit(train)} runs it in a {@link Trainer} (which also applies the search's mask).
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
public final class FlatMinimumSearch implements TrainingStep, TrainingListener {
    private final Network network;
    private final Loss loss;
    private final Optimizer optimizer;
    private final long seed;
    private final Mask mask;
    private final WeigendSchedule schedule;
    private final FlatnessRegularizer regularizer;
    private final float[] gradient;
    private final float[] flatness;
    private final List<Double> lambdas = new ArrayList<>();

    private FlatMinimumSearch(Builder b) {
        this.network = b.network;
        this.loss = b.loss;
        this.optimizer = b.optimizer;
        this.seed = b.seed;
        this.mask = b.mask;
        if (b.tolerableError <= 0) {
            throw new IllegalArgumentException("Flat Minimum Search needs a tolerable training error E_tol > 0");
        }
        this.schedule = new WeigendSchedule(b.tolerableError, b.lambdaStep, 0.9, 0.9, b.initialLambda);
        this.regularizer = new FlatnessRegularizer(network, b.epsilon, b.floor);
        loss.checkOutputs(network.outputSize());
        this.gradient = new float[network.parameterCount()];
        this.flatness = new float[network.parameterCount()];
    }

    public static Builder builder(Network network, Loss loss, Optimizer optimizer) {
        return new Builder(network, loss, optimizer);
    }

    /**
     * A trainer builder running this search: its step, its λ update after every epoch, its mask and seed; add batch
     * size, epochs, validation, ….
     */
    public Trainer.Builder trainer() {
        Trainer.Builder b = Trainer.builder(network, loss, optimizer).step(this).listener(this).seed(seed);
        return mask != null ? b.mask(mask) : b;
    }

    /** One step on the batch in {@code ws}; returns the batch loss before the step. */
    @Override
    public double step(Workspace ws) {
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

    /** Weigend's update of λ from the epoch's training error. */
    @Override
    public void onEpoch(EpochMetrics metrics) {
        lambdas.add(schedule.lambda());
        schedule.update(metrics.trainLoss());
    }

    /** The current λ. */
    public double lambda() {
        return schedule.lambda();
    }

    /** λ used in each epoch run so far. */
    public List<Double> lambdaHistory() {
        return List.copyOf(lambdas);
    }

    /** B(w, X) summed over the data at the current weights (mask of the search applied). */
    public double regularizer(Dataset data) {
        Workspace w = network.workspace(Math.min(256, data.size()));
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
     * ε₀ = 1e-6, seed 0, no mask.
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
        private long seed;
        private Mask mask;

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

        /** Seed of the batch order of {@link #trainer()}. */
        public Builder seed(long s) {
            this.seed = s;
            return this;
        }

        /** Parameters removed from the model (B ignores them; the trainer holds them at 0). */
        public Builder mask(Mask m) {
            this.mask = m;
            return this;
        }

        public FlatMinimumSearch build() {
            return new FlatMinimumSearch(this);
        }
    }
}
