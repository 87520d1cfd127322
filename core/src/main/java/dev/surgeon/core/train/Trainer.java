package dev.surgeon.core.train;

import dev.surgeon.core.data.Batches;
import dev.surgeon.core.data.Dataset;
import dev.surgeon.core.nn.Loss;
import dev.surgeon.core.nn.Mask;
import dev.surgeon.core.nn.Network;
import dev.surgeon.core.nn.Workspace;
import dev.surgeon.core.optim.CurvatureOptimizer;
import dev.surgeon.core.optim.ElementwiseOptimizer;
import dev.surgeon.core.optim.Lbfgs;
import dev.surgeon.core.optim.LearningRateSchedule;
import dev.surgeon.core.optim.Optimizer;
import java.util.ArrayList;
import java.util.List;

/**
 * Mini-batch training: for each epoch, the batches of a seeded {@link Batches} order; per batch one
 * training-mode forward and backward pass ({@link Network#lossAndGradient}), the mask applied to the
 * gradient, {@link CurvatureOptimizer#prepare} for optimizers that measure curvature on the batch (K-FAC, the
 * natural gradient), one optimizer step, the mask applied to the parameters. After each epoch: optional validation
 * (evaluation mode), listeners, early stopping. The learning rate comes from the schedule at the start of
 * every epoch (the optimizer's own rate if there is none).
 *
 * <p>Determinism: the batch order and the dropout masks depend only on the seed, and the loop itself has no
 * other randomness; with single-threaded kernels the same network, data, optimizer and seed give
 * bit-identical weights. With multi-threaded kernels that holds as far as the provider's reductions are
 * deterministic. After warm-up a step allocates nothing (buffers live in one {@link Workspace}).
 *
 * <p>Data parallelism: when the network's kernels may use several threads, the plain step (no {@link TrainingStep},
 * no {@link CurvatureOptimizer}) splits each batch into one shard per thread, each with its own workspace,
 * single-threaded kernels and gradient buffer, and combines the shard gradients ({@link DataParallelBatch}); shards
 * have at least {@value #MIN_SHARD} samples. The weights then depend on the shard count (float summation order and,
 * with dropout, the per-shard masks), and are deterministic for a given count. {@link Builder#dataParallel(int)}
 * sets the count (1: off).
 */
public final class Trainer {
    /** Smallest shard the automatic data-parallel split makes: below it the products get too thin to pay off. */
    static final int MIN_SHARD = 16;

    private final Network network;
    private final Loss loss;
    private final Optimizer optimizer;
    private final int batchSize;
    private final int epochs;
    private final long seed;
    private final boolean shuffle;
    private final LearningRateSchedule schedule;
    private final Mask mask;
    private final Dataset validation;
    private final EarlyStopping earlyStopping;
    private final List<TrainingListener> listeners;
    private final Workspace ws;
    private final float[] gradient;
    private final TrainingStep customStep;
    private final DataParallelBatch parallel;

    private Trainer(Builder b) {
        this.network = b.network;
        this.loss = b.loss;
        this.optimizer = b.optimizer;
        this.batchSize = b.batchSize;
        this.epochs = b.epochs;
        this.seed = b.seed;
        this.shuffle = b.shuffle;
        this.schedule = b.schedule;
        this.mask = b.mask;
        this.validation = b.validation;
        this.earlyStopping = b.earlyStopping;
        this.listeners = List.copyOf(b.listeners);
        this.customStep = b.step;
        loss.checkOutputs(network.outputSize());
        this.ws = network.workspace(batchSize);
        ws.seedDropout(seed);
        this.gradient = new float[network.parameterCount()];
        if (mask != null) {
            if (mask.layout().size() != network.parameterCount()) {
                throw new IllegalArgumentException("the mask covers " + mask.layout().size()
                        + " parameters but the network has " + network.parameterCount());
            }
            optimizer.setMask(mask);
            mask.apply(network.parameters());
        }
        if (validation != null) {
            ws.checkCompatible(validation);
        }
        int shards = shardCount(b);
        this.parallel = shards > 1 ? new DataParallelBatch(network, loss, shards, batchSize, seed) : null;
    }

    /** The builder's shard count, or the automatic one: one per kernel thread, shards of ≥ {@link #MIN_SHARD}. */
    private static int shardCount(Builder b) {
        boolean plainStep = b.step == null && !(b.optimizer instanceof CurvatureOptimizer);
        if (b.shards > 1) {
            if (!plainStep) {
                throw new IllegalArgumentException("data-parallel training needs the plain gradient step; "
                        + (b.step != null ? "a custom training step" : b.optimizer.getClass().getSimpleName()
                        + ", which measures curvature on the whole batch,") + " cannot be split into shards (use dataParallel(1))");
            }
            if (b.shards > b.batchSize) {
                throw new IllegalArgumentException("cannot split batches of " + b.batchSize + " samples into " + b.shards
                        + " shards; use at most " + b.batchSize);
            }
            return b.shards;
        }
        if (b.shards == 1 || !plainStep) {
            return 1;
        }
        return Math.max(1, Math.min(b.network.kernels().threads(), b.batchSize / MIN_SHARD));
    }

    public static Builder builder(Network network, Loss loss, Optimizer optimizer) {
        return new Builder(network, loss, optimizer);
    }

    /** Trains on the data for the configured number of epochs (fewer if early stopping triggers). */
    public TrainingResult fit(Dataset train) {
        ws.checkCompatible(train);
        if (train.size() == 0) {
            throw new IllegalArgumentException(train.name() + " is empty");
        }
        Batches batches = new Batches(train.size(), batchSize, seed, shuffle, false);
        int[] order = new int[train.size()];
        Monitor monitor = new Monitor();
        List<EpochMetrics> history = new ArrayList<>();
        for (int epoch = 0; epoch < epochs; epoch++) {
            if (schedule != null) {
                optimizer.setLearningRate(schedule.rate(epoch));
            }
            batches.epochOrder(epoch, order);
            long start = System.nanoTime();
            double lossSum = 0;
            int correct = 0;
            for (int b = 0; b < batches.count(); b++) {
                int count = batches.batchLength(b);
                double batchLoss;
                if (parallel != null) {
                    batchLoss = step(train, order, b * batchSize, count);
                    correct += parallel.correct();
                } else {
                    ws.load(train, order, b * batchSize, count);
                    batchLoss = step();
                    correct += loss.countCorrect(ws.outputs(), ws.targets(), count, network.outputSize());
                }
                lossSum += batchLoss / loss.scale(count);
                for (int i = 0; i < listeners.size(); i++) {
                    listeners.get(i).onBatch(epoch, b, count, batchLoss);
                }
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            double trainLoss = lossSum / train.size();
            Evaluation v = validation == null ? null : Evaluation.of(network, loss, validation, ws);
            EpochMetrics m = new EpochMetrics(epoch, trainLoss, (double) correct / train.size(),
                    v == null ? Double.NaN : v.loss(), v == null ? Double.NaN : v.accuracy(),
                    optimizer.learningRate(), seconds, train.size());
            history.add(m);
            for (TrainingListener l : listeners) {
                l.onEpoch(m);
            }
            if (monitor.stop(epoch, v == null ? trainLoss : v.loss())) {
                return monitor.finish(history, true);
            }
        }
        return monitor.finish(history, false);
    }

    /**
     * One training step on the batch already loaded in {@link #workspace()}: forward and backward in training
     * mode, masked gradient, optimizer step, masked parameters — or the builder's {@link TrainingStep}. Returns the
     * batch loss before the step. Never data-parallel: {@link #step(Dataset, int[], int, int)} is.
     */
    public double step() {
        if (customStep != null) {
            return customStep.step(ws);
        }
        return update(network.lossAndGradient(ws, loss, gradient, true));
    }

    /**
     * One training step on samples {@code order[from, from + count)} of the data: loaded into the training
     * workspace and run by {@link #step()}, or, when the trainer is data-parallel, split over the shards. Returns
     * the batch loss before the step.
     */
    public double step(Dataset data, int[] order, int from, int count) {
        if (count < 1 || count > batchSize) {
            throw new IllegalArgumentException("a step takes 1 to " + batchSize + " samples, got " + count);
        }
        if (parallel == null) {
            ws.load(data, order, from, count);
            return step();
        }
        ws.checkCompatible(data);
        if (optimizer instanceof ElementwiseOptimizer<?> elementwise) {
            // The gradient is not masked first: an elementwise rule's pruned entries are overwritten by its own mask
            // handling (the trainer attached the mask), so the result is the same.
            double value = parallel.step(data, order, from, count, gradient, elementwise, network.parameters());
            if (mask != null) {
                mask.apply(network.parameters());
            }
            return value;
        }
        return update(parallel.lossAndGradient(data, order, from, count, gradient));
    }

    /** Number of data-parallel shards a batch is split into (1: the whole batch in one workspace). */
    public int dataParallelShards() {
        return parallel == null ? 1 : parallel.shardCount();
    }

    /** Masked gradient, curvature preparation, optimizer step, masked parameters; returns {@code value}. */
    private double update(double value) {
        if (mask != null) {
            mask.applyToGradient(gradient);
        }
        if (optimizer instanceof CurvatureOptimizer c) {
            c.prepare(ws, loss);
        }
        optimizer.step(network.parameters(), gradient);
        if (mask != null) {
            mask.apply(network.parameters());
        }
        return value;
    }

    /** The training workspace (capacity = batch size), for callers that drive {@link #step()} themselves. */
    public Workspace workspace() {
        return ws;
    }

    /**
     * Full-batch training with L-BFGS: {@code calls} calls of {@link Lbfgs#minimize} on the whole-data loss
     * ({@link FullBatchObjective}, evaluated in chunks of the batch size, plus (wd/2)‖w‖²), each reported as
     * one epoch. The mask, if any, is attached to the L-BFGS instance.
     */
    public TrainingResult fitFullBatch(Lbfgs lbfgs, Dataset train, int calls, double weightDecay) {
        FullBatchObjective objective = new FullBatchObjective(network, loss, train, batchSize, weightDecay);
        if (mask != null) {
            lbfgs.mask(mask);
        }
        Monitor monitor = new Monitor();
        List<EpochMetrics> history = new ArrayList<>();
        float[] x = network.parameters().clone();
        for (int call = 0; call < calls; call++) {
            long start = System.nanoTime();
            Lbfgs.Result r = lbfgs.minimize(objective, x);
            System.arraycopy(x, 0, network.parameters(), 0, x.length);
            double seconds = (System.nanoTime() - start) / 1e9;
            Evaluation t = Evaluation.of(network, loss, train, ws);
            Evaluation v = validation == null ? null : Evaluation.of(network, loss, validation, ws);
            EpochMetrics m = new EpochMetrics(call, t.loss(), t.accuracy(), v == null ? Double.NaN : v.loss(),
                    v == null ? Double.NaN : v.accuracy(), Double.NaN, seconds, train.size() * r.evaluations());
            history.add(m);
            for (TrainingListener l : listeners) {
                l.onEpoch(m);
            }
            if (monitor.stop(call, v == null ? t.loss() : v.loss()) || r.stop() != Lbfgs.Stop.MAX_ITERATIONS) {
                return monitor.finish(history, monitor.stopped);
            }
        }
        return monitor.finish(history, false);
    }

    /** Early-stopping bookkeeping: the best monitored value, its epoch and (if asked) its parameters. */
    private final class Monitor {
        private double best = Double.POSITIVE_INFINITY;
        private int bestEpoch = -1;
        private int sinceBest;
        private boolean stopped;
        private float[] bestParameters;

        boolean stop(int epoch, double value) {
            double minDelta = earlyStopping == null ? 0 : earlyStopping.minDelta();
            if (value < best - minDelta || bestEpoch < 0) {
                best = Math.min(best, value);
                bestEpoch = epoch;
                sinceBest = 0;
                if (earlyStopping != null && earlyStopping.restoreBest()) {
                    bestParameters = network.parameters().clone();
                }
                return false;
            }
            sinceBest++;
            stopped = earlyStopping != null && sinceBest >= earlyStopping.patience();
            return stopped;
        }

        TrainingResult finish(List<EpochMetrics> history, boolean early) {
            if (bestParameters != null) {
                System.arraycopy(bestParameters, 0, network.parameters(), 0, bestParameters.length);
            }
            return new TrainingResult(history, early, earlyStopping == null ? history.size() - 1 : bestEpoch);
        }
    }

    /** Configuration of a {@link Trainer}; defaults: batch 32, 1 epoch, seed 0, shuffled batches. */
    public static final class Builder {
        private final Network network;
        private final Loss loss;
        private final Optimizer optimizer;
        private int batchSize = 32;
        private int epochs = 1;
        private long seed;
        private boolean shuffle = true;
        private LearningRateSchedule schedule;
        private Mask mask;
        private Dataset validation;
        private EarlyStopping earlyStopping;
        private final List<TrainingListener> listeners = new ArrayList<>();
        private TrainingStep step;
        private int shards;

        private Builder(Network network, Loss loss, Optimizer optimizer) {
            this.network = network;
            this.loss = loss;
            this.optimizer = optimizer;
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

        /** Seed of the batch order and the dropout masks. */
        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        /** Whether to reshuffle the samples every epoch (default true). */
        public Builder shuffle(boolean shuffle) {
            this.shuffle = shuffle;
            return this;
        }

        public Builder schedule(LearningRateSchedule schedule) {
            this.schedule = schedule;
            return this;
        }

        /** Pruned weights stay 0 through training; the mask is attached to the optimizer. */
        public Builder mask(Mask mask) {
            this.mask = mask;
            return this;
        }

        /** Data evaluated after every epoch; its loss is what early stopping monitors. */
        public Builder validation(Dataset data) {
            this.validation = data;
            return this;
        }

        public Builder earlyStopping(EarlyStopping rule) {
            this.earlyStopping = rule;
            return this;
        }

        public Builder listener(TrainingListener listener) {
            this.listeners.add(listener);
            return this;
        }

        /**
         * Replaces the ordinary step by another rule (variational training, flat minimum search); the optimizer then
         * serves only for the learning rate the schedule sets and the epoch records report.
         */
        public Builder step(TrainingStep rule) {
            this.step = rule;
            return this;
        }

        /**
         * Splits every batch into {@code shards} parts trained in parallel (see the class documentation); 1 turns
         * data parallelism off. Default: one shard per kernel thread, each of at least 16 samples, when the step is
         * the plain gradient step.
         */
        public Builder dataParallel(int shards) {
            if (shards < 1) {
                throw new IllegalArgumentException("data-parallel shards must be >= 1, got " + shards);
            }
            this.shards = shards;
            return this;
        }

        public Trainer build() {
            return new Trainer(this);
        }
    }
}
