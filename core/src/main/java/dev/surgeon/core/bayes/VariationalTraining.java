package dev.surgeon.core.bayes;

import dev.surgeon.core.nn.Loss;
import dev.surgeon.core.nn.Mask;
import dev.surgeon.core.nn.Network;
import dev.surgeon.core.nn.ParameterTensor;
import dev.surgeon.core.nn.Workspace;
import dev.surgeon.core.optim.Optimizer;
import dev.surgeon.core.train.Trainer;
import dev.surgeon.core.train.TrainingStep;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Variational training with a diagonal Gaussian posterior and its minimum-description-length loss, then pruning
 * by signal-to-noise ratio (Graves 2011, "Practical variational inference for neural networks"; METHODS E2).
 *
 * <h2>Model and loss</h2>
 * Every parameter q has a posterior Q_q = N(m_q, σ_q²), parameterized by m and ln σ². The prior is one Gaussian
 * N(m̂, σ̂²) shared by all parameters and kept at its optimum for the current posterior (the adaptive prior):
 * m̂ = (1/d) Σ m_q, σ̂² = (1/d) Σ [σ_q² + (m_q − m̂)²]. The loss is L = L_E + L_C with the error
 * L_E = E_{w~Q}[Σ_n ℓ_n(w)] and the complexity L_C = KL(Q‖P) = Σ_q [½ ln(σ̂²/σ_q²) + ((m_q − m̂)² + σ_q² − σ̂²)/(2σ̂²)].
 * Because the prior sits at the optimum of L_C, ∂L_C/∂m̂ = ∂L_C/∂σ̂² = 0 and the gradients below are total.
 *
 * <h2>One step on a mini-batch of B of the N training samples</h2>
 * <ol>
 *   <li>Draw ξ ~ N(0, I) (seeded) and set w = m + σ ⊙ ξ.</li>
 *   <li>Forward (evaluation mode: dropout layers are off, the weight noise replaces them), the loss gradient g = s·Σ_n ∇ℓ_n(w) of the batch loss (s = 1/B for a MEAN
 *       loss, 1 for SUM) and, for {@link VarianceGradient#FISHER}, the per-example squared gradients
 *       Σ_n (∇ℓ_n)² by one more backward pass ({@link Network#sumOfSquaredSampleGradients}).</li>
 *   <li>The step minimizes s·Σ_batch ℓ_n + c·L_C with c = s·B/N: L_C counted once per pass over the data
 *       (E2: for a batch-mean loss the L_C gradient is divided by N; for a summed one by N/B, the number of
 *       mini-batches). Gradients:
 *       ∂/∂m_q = g_q + c(m_q − m̂)/σ̂²;
 *       ∂/∂σ_q² = ½ s Σ_n (∂ℓ_n/∂w_q)² + c·½(1/σ̂² − 1/σ_q²) (Graves's estimator, the diagonal-Fisher estimate
 *       of ½E[∂²L_E/∂w_q²]), or with {@link VarianceGradient#PATHWISE} the reparameterization gradient
 *       g_q ξ_q/(2σ_q) in place of the first term (exact for the drawn ξ; used to check the code against finite
 *       differences, and the lower-variance choice of later work); ∂/∂ln σ_q² = σ_q² ∂/∂σ_q².</li>
 *   <li>One step of the given {@link Optimizer} on the 2d vector [m; ln σ²] with the 2d gradient.</li>
 * </ol>
 * Evaluation uses w = m. Pruning ({@link #signalToNoiseMask}) removes the weights with the smallest |m_q|/σ_q.
 *
 * <h2>Choices (METHODS E2 marks them "recalled, verify")</h2>
 * Initial σ_q = 0.01 for every parameter ({@link Builder#initialSigma}; the two public implementations use 1e-6
 * and 0.075: 0.01 lies between them, starts close to ordinary training and lets the L_C gradient grow σ where the
 * data do not pin a weight down). Every parameter, biases included, has a posterior and enters the prior, as in
 * the paper (all weights are coded); pruning considers weights only, so that its sparsity is comparable with
 * magnitude pruning's. Weights pruned by a mask given to the builder have no posterior: they stay 0 and are not
 * counted in d, m̂ or σ̂². (Graves writes μ_i for m_q; this library keeps μ for momentum.)
 *
 * <h2>Use</h2>
 * It is a {@link TrainingStep}: {@code vt.trainer().batchSize(128).epochs(20).validation(test).build().fit(train)}
 * runs it in a {@link Trainer} (epochs, seeded batch order, schedules of the optimizer's rate, validation at w = m,
 * listeners). After every step the network holds w = m. Give pruning masks to this builder, not to the trainer.
 *
 * <p>Cost per step: one forward, one backward pass and (FISHER) one more backward pass with squared per-example
 * gradients, plus O(d). Memory: 4d floats besides the optimizer's state. Deterministic for a given seed.
 * Notation: docs/NOTATION.md.
 */
public final class VariationalTraining implements TrainingStep {
    /** Estimator of ∂L_E/∂σ² (see the class documentation). */
    public enum VarianceGradient { FISHER, PATHWISE }

    private final Network network;
    private final Loss loss;
    private final Optimizer optimizer;
    private final int trainingSize;
    private final long seed;
    private final VarianceGradient estimator;
    private final Mask mask;
    private final int d;
    private final float[] mean;
    private final float[] logVariance;
    private final float[] state;
    private final float[] stateGradient;
    private final float[] noise;
    private final float[] gradient;
    private final float[] squares;
    private final SplittableRandom random;
    private float[] seeds;
    private double priorMean;
    private double priorVariance;

    private VariationalTraining(Builder b) {
        this.network = b.network;
        this.loss = b.loss;
        this.optimizer = b.optimizer;
        this.trainingSize = b.trainingSize;
        this.seed = b.seed;
        this.estimator = b.estimator;
        this.mask = b.mask;
        loss.checkOutputs(network.outputSize());
        this.d = network.parameterCount();
        this.mean = network.parameters().clone();
        this.logVariance = new float[d];
        Arrays.fill(logVariance, (float) (2 * Math.log(b.initialSigma)));
        if (mask != null) {
            if (mask.layout().size() != d) {
                throw new IllegalArgumentException("the mask covers " + mask.layout().size() + " parameters, the network " + d);
            }
            mask.apply(mean);
            mask.apply(network.parameters());
        }
        this.state = new float[2 * d];
        this.stateGradient = new float[2 * d];
        this.noise = new float[d];
        this.gradient = new float[d];
        this.squares = new float[d];
        this.random = new SplittableRandom(seed);
        updatePrior();
    }

    /**
     * @param optimizer    steps the 2d vector [m; ln σ²] (any {@link Optimizer} of plain gradients)
     * @param trainingSize N, the training-set size the complexity cost is spread over
     */
    public static Builder builder(Network network, Loss loss, Optimizer optimizer, int trainingSize) {
        return new Builder(network, loss, optimizer, trainingSize);
    }

    /** A trainer builder running this step (seed of the batch order: this builder's seed); add batch size, epochs, …. */
    public Trainer.Builder trainer() {
        return Trainer.builder(network, loss, optimizer).step(this).seed(seed);
    }

    private boolean counted(int q) {
        return mask == null || !mask.isPruned(q);
    }

    /** m̂ and σ̂² at their optimum for the current posterior. */
    private void updatePrior() {
        double sum = 0;
        int count = 0;
        for (int q = 0; q < d; q++) {
            if (counted(q)) {
                sum += mean[q];
                count++;
            }
        }
        priorMean = sum / count;
        double var = 0;
        for (int q = 0; q < d; q++) {
            if (counted(q)) {
                double dm = mean[q] - priorMean;
                var += Math.exp(logVariance[q]) + dm * dm;
            }
        }
        priorVariance = var / count;
    }

    /** One step on the batch in {@code ws}; the network ends at w = m. Returns the batch loss at the sampled weights. */
    @Override
    public double step(Workspace ws) {
        for (int q = 0; q < d; q++) {
            noise[q] = counted(q) ? (float) random.nextGaussian() : 0f;
        }
        double value = objective(ws, noise, stateGradient);
        System.arraycopy(mean, 0, state, 0, d);
        System.arraycopy(logVariance, 0, state, d, d);
        optimizer.step(state, stateGradient);
        System.arraycopy(state, 0, mean, 0, d);
        System.arraycopy(state, d, logVariance, 0, d);
        if (mask != null) {
            mask.apply(mean);
        }
        updatePrior();
        System.arraycopy(mean, 0, network.parameters(), 0, d);
        return value;
    }

    /**
     * The step's loss gradient with respect to [m; ln σ²] (2d entries into {@code grad}) for the batch in {@code ws}
     * and the given noise ξ, at the current posterior and prior; returns the batch loss s·Σ ℓ_n(m + σξ). Leaves the
     * network at the sampled weights. Package-private for the finite-difference tests.
     */
    double objective(Workspace ws, float[] eps, float[] grad) {
        float[] w = network.parameters();
        for (int q = 0; q < d; q++) {
            w[q] = counted(q) ? mean[q] + (float) Math.exp(0.5 * logVariance[q]) * eps[q] : 0f;
        }
        double value = network.lossAndGradient(ws, loss, gradient, false);
        int batch = ws.batch();
        double s = loss.scale(batch);
        double c = s * batch / trainingSize;
        if (estimator == VarianceGradient.FISHER) {
            if (seeds == null || seeds.length < ws.capacity() * network.outputSize()) {
                seeds = new float[ws.capacity() * network.outputSize()];
            }
            network.lossSeeds(ws, loss, null, seeds, 0);
            network.sumOfSquaredSampleGradients(ws, seeds, 0, squares);
        }
        for (int q = 0; q < d; q++) {
            if (!counted(q)) {
                grad[q] = 0f;
                grad[d + q] = 0f;
                continue;
            }
            double variance = Math.exp(logVariance[q]);
            grad[q] = (float) (gradient[q] + c * (mean[q] - priorMean) / priorVariance);
            double errorTerm = estimator == VarianceGradient.FISHER ? 0.5 * s * squares[q]
                    : gradient[q] * eps[q] / (2 * Math.sqrt(variance));
            double complexityTerm = c * 0.5 * (1 / priorVariance - 1 / variance);
            grad[d + q] = (float) (variance * (errorTerm + complexityTerm));
        }
        return value;
    }

    /** L_C = KL(Q‖P) in nats at the current posterior and its optimal prior. */
    public double complexityCost() {
        double sum = 0;
        for (int q = 0; q < d; q++) {
            if (counted(q)) {
                double variance = Math.exp(logVariance[q]);
                double dm = mean[q] - priorMean;
                sum += 0.5 * Math.log(priorVariance / variance) + (dm * dm + variance - priorVariance) / (2 * priorVariance);
            }
        }
        return sum;
    }

    /** The posterior means m (a copy). */
    public float[] mean() {
        return mean.clone();
    }

    /** ln σ² (a copy). */
    public float[] logVariance() {
        return logVariance.clone();
    }

    /** Sets m and ln σ² (for restarting or testing); the prior is recomputed. */
    public void setPosterior(float[] mu, float[] logVar) {
        network.layout().checkLength(mu, "posterior means");
        network.layout().checkLength(logVar, "posterior log-variances");
        System.arraycopy(mu, 0, mean, 0, d);
        System.arraycopy(logVar, 0, logVariance, 0, d);
        if (mask != null) {
            mask.apply(mean);
        }
        updatePrior();
    }

    /** The adaptive prior's mean m̂. */
    public double priorMean() {
        return priorMean;
    }

    /** The adaptive prior's variance σ̂². */
    public double priorVariance() {
        return priorVariance;
    }

    /** |m_q| / σ_q for every parameter (0 where pruned). */
    public double[] signalToNoise() {
        double[] r = new double[d];
        for (int q = 0; q < d; q++) {
            r[q] = counted(q) ? Math.abs(mean[q]) / Math.exp(0.5 * logVariance[q]) : 0;
        }
        return r;
    }

    /**
     * A mask pruning the {@code fraction} of the weights (not biases) with the smallest signal-to-noise ratio
     * |m|/σ (ties broken by index; already-pruned weights count first). Graves 2011, section on pruning.
     */
    public Mask signalToNoiseMask(double fraction) {
        return smallestFirst(network, signalToNoise(), fraction, mask);
    }

    /**
     * A mask pruning the {@code fraction} of the weight-tensor entries with the smallest score (ties by index),
     * starting from {@code base} (null: nothing pruned). Shared by signal-to-noise and magnitude pruning.
     */
    static Mask smallestFirst(Network network, double[] score, double fraction, Mask base) {
        if (!(fraction >= 0 && fraction <= 1)) {
            throw new IllegalArgumentException("fraction to prune must be in [0, 1], got " + fraction);
        }
        List<Integer> weights = new ArrayList<>();
        for (ParameterTensor t : network.layout().tensors()) {
            if (t.role() == ParameterTensor.Role.WEIGHT) {
                for (int q = t.offset(); q < t.end(); q++) {
                    weights.add(q);
                }
            }
        }
        Mask m = base != null ? base.copy() : Mask.dense(network.layout());
        weights.sort((a, b) -> {
            boolean pa = m.isPruned(a);
            boolean pb = m.isPruned(b);
            if (pa != pb) {
                return pa ? -1 : 1;
            }
            int c = Double.compare(score[a], score[b]);
            return c != 0 ? c : Integer.compare(a, b);
        });
        int target = (int) Math.round(fraction * weights.size());
        for (int i = 0; i < target; i++) {
            m.prune(weights.get(i));
        }
        return m;
    }

    /** A mask pruning the {@code fraction} of the weights with the smallest |w| (magnitude pruning, for comparison). */
    public static Mask magnitudeMask(Network network, double fraction) {
        float[] w = network.parameters();
        double[] score = new double[w.length];
        for (int q = 0; q < w.length; q++) {
            score[q] = Math.abs(w[q]);
        }
        return smallestFirst(network, score, fraction, null);
    }

    public VarianceGradient estimator() {
        return estimator;
    }

    /** Configuration; defaults: seed 0, σ₀ = 0.01, Graves's Fisher estimator, no mask. */
    public static final class Builder {
        private final Network network;
        private final Loss loss;
        private final Optimizer optimizer;
        private final int trainingSize;
        private long seed;
        private double initialSigma = 0.01;
        private VarianceGradient estimator = VarianceGradient.FISHER;
        private Mask mask;

        private Builder(Network network, Loss loss, Optimizer optimizer, int trainingSize) {
            if (trainingSize < 1) {
                throw new IllegalArgumentException("the training set size must be >= 1, got " + trainingSize);
            }
            this.network = network;
            this.loss = loss;
            this.optimizer = optimizer;
            this.trainingSize = trainingSize;
        }

        /** Seed of the weight noise (and of the batch order of {@link #trainer()}). */
        public Builder seed(long s) {
            this.seed = s;
            return this;
        }

        /** σ₀ &gt; 0, the initial posterior standard deviation of every parameter. */
        public Builder initialSigma(double sigma) {
            if (!(sigma > 0) || Double.isInfinite(sigma)) {
                throw new IllegalArgumentException("initial σ must be finite and > 0, got " + sigma);
            }
            this.initialSigma = sigma;
            return this;
        }

        public Builder estimator(VarianceGradient e) {
            this.estimator = e;
            return this;
        }

        /** Weights without a posterior, held at 0. */
        public Builder mask(Mask m) {
            this.mask = m;
            return this;
        }

        public VariationalTraining build() {
            return new VariationalTraining(this);
        }
    }
}
