package dev.surgeon.core.optim;

import dev.surgeon.core.curvature.KfacDamping;
import dev.surgeon.core.curvature.KfacOperator;
import dev.surgeon.core.curvature.KroneckerFactors;
import dev.surgeon.core.curvature.ParameterSubset;
import dev.surgeon.core.nn.Loss;
import dev.surgeon.core.nn.Network;
import dev.surgeon.core.nn.Reduction;
import dev.surgeon.core.nn.Workspace;
import java.util.SplittableRandom;

/**
 * K-FAC, Kronecker-factored approximate curvature (Martens and Grosse 2015, "Optimizing neural networks with
 * Kronecker-factored approximate curvature"; Grosse and Martens 2016 for convolutions; METHODS A7 and F item 14).
 * The curvature is the block-diagonal Fisher with one Kronecker block Γ_l ⊗ A_l per dense or convolutional layer
 * ({@link KroneckerFactors}, {@link KfacOperator}); both of the step rules in use are implemented.
 *
 * <h2>Statistics, inverses, damping</h2>
 * Every {@code statisticsPeriod} steps one extra backward pass from labels <b>sampled from the model</b> (the true
 * Fisher, seeded) gives the layer inputs h̄ and output gradients δ of the batch (per-sample δ: the B² factor of a
 * mean loss is built in); the factors are exponential averages, ε = min(1 − 1/t, 0.95) (paper) or a fixed
 * ε = 0.95 starting from the identity (PyTorch ports). Every {@code inversePeriod} steps (T₃) the damped inverses
 * are recomputed: factored Tikhonov (Γ + γ/π I) ⊗ (A + πγ I) with π the trace ratio (paper section 6.3), or the
 * exactly damped (Γ ⊗ A + λI)⁻¹ through eigendecompositions ({@link KfacDamping}).
 *
 * <h2>Step rules</h2>
 * <ul>
 *   <li>{@link Rescaling#QUADRATIC_MODEL} (paper sections 6.4–6.6, 7): with h = L + (wd/2)‖w‖² and the proposal
 *       Δ = −F̆⁻¹∇h, the final step δ = αΔ + μδ₀ (δ₀: the previous step) minimizes the quadratic model
 *       M(δ) = ∇hᵀδ + ½δᵀ(F + cI)δ, c = λ + wd, over α and μ: the 2×2 system
 *       [ΔᵀFΔ + c‖Δ‖², ΔᵀFδ₀ + cΔᵀδ₀; δ₀ᵀFΔ + cδ₀ᵀΔ, δ₀ᵀFδ₀ + c‖δ₀‖²][α; μ] = −[∇hᵀΔ; ∇hᵀδ₀], with exact
 *       Gauss-Newton (= Fisher for these losses) products Fv on the current mini-batch (METHODS A3; two extra
 *       R-forward + backward passes per step). The learning rate multiplies δ (1 = the paper). λ follows
 *       Levenberg–Marquardt every T₁ steps ({@link LevenbergMarquardt}); with factored Tikhonov damping γ starts at
 *       √(λ + wd) and is re-tuned every T₂ steps among {γ, ω₂γ, γ/ω₂}, ω₂ = √(19/20)^{T₂}, keeping the value whose
 *       rescaled step has the lowest M(δ) (three inverse computations then).</li>
 *   <li>{@link Rescaling#KL_CLIP} (alecwangcq/KFAC-Pytorch, gpauloski/kfac-pytorch): P = F̆⁻¹g with g the loss
 *       gradient, ν = min(1, √(κ / (η² Σ Pᵀg))) with κ the KL clip, then SGD with momentum and coupled weight decay
 *       on νP: v ← μv + νP + wd·w, w ← w − ηv. Levenberg–Marquardt on λ is optional here (it then costs one
 *       Gauss-Newton product and one forward pass every T₁ steps).</li>
 * </ul>
 * The reduction ratio ρ = (h(w + δ) − h(w)) / M(δ) is measured on the same mini-batch, the loss at w + δ on a copy of
 * the batch so that the trainer's workspace is untouched.
 *
 * <h2>Presets ({@link #paper}, {@link #klClip}) and constants</h2>
 * Paper: T₁ = 5, T₂ = T₃ = 20, statistics every step, ε ≤ 0.95, factored Tikhonov, λ₀ given by the caller (150 for
 * the paper's autoencoders; it is scale dependent). KL clip (alecwangcq's optimizer class): η = 1e-3, λ = 1e-3
 * eigen-damped, κ = 1e-3, μ = 0.9, statistics every 10 steps, inverses every 100, fixed ε = 0.95 from the identity,
 * no LM. All are checked constants of METHODS A7.
 *
 * <h2>Masks and cost</h2>
 * Preconditioning mixes the coordinates of a layer, so the preconditioned direction is projected onto the unpruned
 * coordinates before it is rescaled or clipped, pruned weights are set back to exactly 0 after every step and their
 * momentum / previous-step entries cleared; a changed mask clears all of them (the factors describe
 * activations, not weights, and are kept). Cost per step beyond the gradient: the statistics pass and syrk
 * (O(B Σ(n_A² + n_Γ²)) per statistics step), the preconditioning (O(Σ d_out n_A (n_A + d_out))), the inverses every
 * T₃ steps (O(Σ n_A³ + n_Γ³)) and, for the quadratic model, two Gauss-Newton products. Memory O(Σ n_A² + n_Γ²) +
 * 4d doubles. Notation: docs/NOTATION.md.
 */
public final class Kfac extends MaskedOptimizer implements CurvatureOptimizer {
    /** How the preconditioned direction becomes a step (see the class documentation). */
    public enum Rescaling { QUADRATIC_MODEL, KL_CLIP }

    private final Network network;
    private final ParameterSubset all;
    private final KroneckerFactors factors;
    private final Rescaling rescaling;
    private final KfacDamping.Variant variant;
    private final double momentum;
    private final double weightDecay;
    private final double klClip;
    private final int statisticsPeriod;
    private final int inversePeriod;
    private final int dampingPeriod;
    private final int gammaPeriod;
    private final boolean adaptDamping;
    private final double minimumDamping;
    private final LevenbergMarquardt marquardt;
    private final SplittableRandom labels;
    private final CurvatureBatch batch;
    private final int d;
    private double lambda;
    private double gamma;
    private double lastRho = Double.NaN;
    private KfacOperator operator;
    private Workspace ws;
    private Loss loss;
    private double batchLoss;
    private double oldNorm;
    private float[] seeds;
    private final double[] gradient;
    private final double[] lossGradient;
    private final double[] proposal;
    private final double[] previous;
    private final double[] fProposal;
    private final double[] fPrevious;
    private final float[] direction;
    private final float[] product;

    private Kfac(Builder b) {
        super(b.learningRate);
        this.network = b.network;
        this.all = ParameterSubset.all(network.layout());
        this.rescaling = b.rescaling;
        this.variant = b.variant;
        this.factors = KroneckerFactors.of(network, all, b.averaging);
        this.momentum = b.momentum;
        this.weightDecay = b.weightDecay;
        this.klClip = b.klClip;
        this.statisticsPeriod = b.statisticsPeriod;
        this.inversePeriod = b.inversePeriod;
        this.dampingPeriod = b.dampingPeriod;
        this.gammaPeriod = b.gammaPeriod;
        this.adaptDamping = b.adaptDamping;
        this.minimumDamping = b.minimumDamping;
        this.marquardt = new LevenbergMarquardt(b.dampingPeriod);
        this.lambda = b.damping;
        this.gamma = Math.sqrt(b.damping + b.weightDecay);
        this.labels = new SplittableRandom(b.seed);
        this.batch = new CurvatureBatch(network);
        this.d = network.parameterCount();
        this.gradient = new double[d];
        this.lossGradient = new double[d];
        this.proposal = new double[d];
        this.previous = new double[d];
        this.fProposal = new double[d];
        this.fPrevious = new double[d];
        this.direction = new float[d];
        this.product = new float[d];
    }

    /**
     * The paper's algorithm: quadratic-model rescaling with automatic momentum, factored Tikhonov damping re-tuned
     * every 20 steps, Levenberg–Marquardt every 5, statistics every step with ε = min(1 − 1/t, 0.95), inverses
     * every 20 steps, learning rate 1.
     *
     * @param damping the initial λ (the paper: 150 for its autoencoders; scale dependent)
     */
    public static Builder paper(Network network, double damping) {
        return new Builder(network, Rescaling.QUADRATIC_MODEL).damping(damping);
    }

    /**
     * The PyTorch ports (alecwangcq/KFAC-Pytorch optimizer defaults): KL clipping 1e-3, SGD with momentum 0.9 and
     * η = 1e-3, eigen damping λ = 1e-3, statistics every 10 steps with a fixed ε = 0.95 from the identity,
     * inverses every 100, no Levenberg–Marquardt.
     */
    public static Builder klClip(Network network) {
        return new Builder(network, Rescaling.KL_CLIP);
    }

    // ------------------------------------------------------------------------------------------------

    @Override
    public void prepare(Workspace ws, Loss loss) {
        Workspace w = batch.deterministic(ws);
        this.ws = w;
        this.loss = loss;
        this.batchLoss = network.loss(w, loss);
        if (t % statisticsPeriod == 0) {
            int rows = w.batch() * network.outputSize();
            if (seeds == null || seeds.length < rows) {
                seeds = new float[w.capacity() * network.outputSize()];
            }
            network.lossSeeds(w, loss, labels, seeds, 0);
            factors.update(network.kroneckerStatistics(w, seeds, 0));
        }
    }

    @Override
    public void step(float[] params, float[] grads) {
        if (params != network.parameters()) {
            throw new IllegalArgumentException("K-FAC steps the network's own parameter array (network.parameters())");
        }
        if (grads.length != d) {
            throw new IllegalArgumentException(d + " parameters but " + grads.length + " gradient entries");
        }
        if (ws == null) {
            throw new IllegalStateException("K-FAC needs prepare(workspace, loss) on the batch before every step; "
                    + "train with Trainer, which calls it");
        }
        checkMask();
        t++;
        oldNorm = squaredNorm(params);
        for (int q = 0; q < d; q++) {
            lossGradient[q] = grads[q];
            gradient[q] = grads[q] + weightDecay * params[q];
        }
        if (rescaling == Rescaling.QUADRATIC_MODEL) {
            quadraticModelStep(params);
        } else {
            klClipStep(params);
        }
        if (mask != null) {
            for (int q : mask.prunedIndices()) {
                params[q] = 0f;
                previous[q] = 0;
            }
        }
        ws = null;
    }

    /** σ of the operator: 1 for a batch-mean loss (per-sample factors), B for a summed one. */
    private double scale() {
        return loss.reduction() == Reduction.MEAN ? 1 : ws.batch();
    }

    private KfacOperator build(double tikhonov) {
        KfacDamping damping = variant == KfacDamping.Variant.EIGEN
                ? KfacDamping.eigen(rescaling == Rescaling.QUADRATIC_MODEL ? lambda + weightDecay : lambda)
                : KfacDamping.factoredTikhonov(tikhonov * tikhonov, 0);
        return KfacOperator.of(factors, all, damping, scale());
    }

    private void quadraticModelStep(float[] params) {
        boolean retune = variant == KfacDamping.Variant.FACTORED_TIKHONOV && t % gammaPeriod == 0;
        double[] model;
        if (retune) {
            double omega2 = Math.pow(Math.sqrt(19.0 / 20.0), gammaPeriod);
            double best = Double.POSITIVE_INFINITY;
            KfacOperator bestOperator = null;
            double bestGamma = gamma;
            double floor = Math.sqrt(minimumDamping + weightDecay);
            for (double candidate : new double[] {gamma, Math.max(floor, omega2 * gamma), gamma / omega2}) {
                KfacOperator op = build(candidate);
                double[] m = rescale(op);
                if (m[2] < best) {
                    best = m[2];
                    bestOperator = op;
                    bestGamma = candidate;
                }
            }
            operator = bestOperator;
            gamma = bestGamma;
            model = rescale(operator);
        } else {
            if (operator == null || t % inversePeriod == 0) {
                operator = build(gamma);
            }
            model = rescale(operator);
        }
        double alpha = model[0] * learningRate();
        double mu = model[1] * learningRate();
        for (int q = 0; q < d; q++) {
            double step = alpha * proposal[q] + mu * previous[q];
            previous[q] = step;
            params[q] += (float) step;
        }
        if (adaptDamping && t % dampingPeriod == 0) {
            // M of the applied step η(αΔ + μδ₀), from the 2×2 quantities of the rescaling.
            adjustDamping(params, model[3] * learningRate() + 0.5 * model[4] * learningRate() * learningRate());
        }
    }

    /**
     * Δ = −F̆⁻¹∇h into {@code proposal}, and the (α, μ) minimizing the quadratic model. Returns
     * {α, μ, M(αΔ + μδ₀), ∇hᵀ(αΔ + μδ₀), (αΔ + μδ₀)ᵀ(F + cI)(αΔ + μδ₀)}.
     */
    private double[] rescale(KfacOperator op) {
        op.inverseMultiply(gradient, proposal);
        for (int q = 0; q < d; q++) {
            proposal[q] = -proposal[q];
        }
        project(proposal);
        double c = lambda + weightDecay;
        fisherProduct(proposal, fProposal);
        double m11 = dot(proposal, fProposal) + c * dot(proposal, proposal);
        double b1 = dot(gradient, proposal);
        double previousNorm = dot(previous, previous);
        double alpha;
        double mu = 0;
        double m12 = 0;
        double m22 = 0;
        if (previousNorm > 0) {
            fisherProduct(previous, fPrevious);
            m12 = dot(proposal, fPrevious) + c * dot(proposal, previous);
            m22 = dot(previous, fPrevious) + c * previousNorm;
            double b2 = dot(gradient, previous);
            double det = m11 * m22 - m12 * m12;
            if (det > 1e-12 * m11 * m22) {
                alpha = -(m22 * b1 - m12 * b2) / det;
                mu = -(m11 * b2 - m12 * b1) / det;
            } else {
                alpha = -b1 / m11;
            }
        } else {
            alpha = -b1 / m11;
        }
        if (!(m11 > 0) || !Double.isFinite(alpha) || !Double.isFinite(mu)) {
            throw new ArithmeticException("K-FAC's quadratic model is degenerate (ΔᵀFΔ + c‖Δ‖² = " + m11 + ") at step " + t
                    + "; the gradient vanished or diverged");
        }
        double linear = alpha * b1 + mu * dot(gradient, previous);
        double quadratic = alpha * alpha * m11 + 2 * alpha * mu * m12 + mu * mu * m22;
        return new double[] {alpha, mu, linear + 0.5 * quadratic, linear, quadratic};
    }

    private void klClipStep(float[] params) {
        if (operator == null || t % inversePeriod == 0) {
            operator = build(gamma);
        }
        operator.inverseMultiply(lossGradient, proposal);
        project(proposal);
        double vg = learningRate() * learningRate() * dot(proposal, lossGradient);
        double nu = vg > 0 ? Math.min(1, Math.sqrt(klClip / vg)) : 1;
        for (int q = 0; q < d; q++) {
            double u = nu * proposal[q] + weightDecay * params[q];
            previous[q] = momentum * previous[q] + u;
        }
        if (adaptDamping && t % dampingPeriod == 0) {
            // The applied step is δ = −ηv; its model value needs F δ.
            for (int q = 0; q < d; q++) {
                proposal[q] = -learningRate() * previous[q];
            }
            fisherProduct(proposal, fProposal);
            double predicted = dot(gradient, proposal)
                    + 0.5 * (dot(proposal, fProposal) + (lambda + weightDecay) * dot(proposal, proposal));
            applyVelocity(params);
            adjustDamping(params, predicted);
        } else {
            applyVelocity(params);
        }
    }

    /**
     * Zeroes the pruned coordinates of a preconditioned direction: the step is taken in the unpruned subspace, so the
     * quadratic model and the KL bound describe the step actually applied.
     */
    private void project(double[] v) {
        if (mask != null) {
            for (int q : mask.prunedIndices()) {
                v[q] = 0;
            }
        }
    }

    private void applyVelocity(float[] params) {
        float eta = (float) learningRate();
        for (int q = 0; q < d; q++) {
            params[q] -= eta * (float) previous[q];
        }
    }

    /** ρ on the batch after the step (parameters already updated), then λ by Levenberg–Marquardt. */
    private void adjustDamping(float[] params, double predicted) {
        double before = batchLoss + 0.5 * weightDecay * oldNorm;
        if (mask != null) {
            for (int q : mask.prunedIndices()) {
                params[q] = 0f;
            }
        }
        double after = batch.loss(ws, loss) + 0.5 * weightDecay * squaredNorm(params);
        lastRho = LevenbergMarquardt.ratio(after - before, predicted);
        lambda = Math.max(minimumDamping, marquardt.update(lambda, lastRho));
    }

    private static double squaredNorm(float[] params) {
        double s = 0;
        for (float p : params) {
            s += (double) p * p;
        }
        return s;
    }

    /** out = F v with F the Gauss-Newton matrix of the batch loss (exact products on the prepared batch). */
    private void fisherProduct(double[] v, double[] out) {
        for (int q = 0; q < d; q++) {
            direction[q] = (float) v[q];
        }
        network.gaussNewtonVectorProduct(ws, loss, direction, product);
        for (int q = 0; q < d; q++) {
            out[q] = product[q];
        }
    }

    private static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s;
    }

    // ------------------------------------------------------------------------------------------------

    @Override
    void clearState() {
        java.util.Arrays.fill(previous, 0);
    }

    @Override
    public void reset() {
        t = 0;
        operator = null;
        clearState();
    }

    /** The current λ (Levenberg–Marquardt adapts it when enabled). */
    public double damping() {
        return lambda;
    }

    /** The current factored-Tikhonov γ (re-tuned in the quadratic-model rule). */
    public double factoredDamping() {
        return gamma;
    }

    /** The reduction ratio ρ of the last damping adjustment (NaN before the first). */
    public double lastReductionRatio() {
        return lastRho;
    }

    /** The Kronecker factors (live; for inspection and tests). */
    public KroneckerFactors factors() {
        return factors;
    }

    public Rescaling rescaling() {
        return rescaling;
    }

    @Override
    public String toString() {
        return "K-FAC(" + (rescaling == Rescaling.QUADRATIC_MODEL ? "quadratic model" : "KL clip " + klClip) + ", "
                + (variant == KfacDamping.Variant.EIGEN ? "eigen" : "factored Tikhonov") + " damping, λ=" + lambda
                + ", lr=" + learningRate() + (rescaling == Rescaling.KL_CLIP ? ", momentum=" + momentum : "")
                + ", weight decay=" + weightDecay + ", statistics every " + statisticsPeriod + ", inverses every "
                + inversePeriod + (adaptDamping ? ", Levenberg–Marquardt every " + dampingPeriod : "") + ")";
    }

    /** Configuration; start from {@link #paper} or {@link #klClip}. */
    public static final class Builder {
        private final Network network;
        private final Rescaling rescaling;
        private KfacDamping.Variant variant;
        private KroneckerFactors.Averaging averaging;
        private double learningRate;
        private double momentum;
        private double damping;
        private double weightDecay;
        private double klClip = 1e-3;
        private int statisticsPeriod;
        private int inversePeriod;
        private int dampingPeriod = 5;
        private int gammaPeriod = 20;
        private boolean adaptDamping;
        private double minimumDamping = LevenbergMarquardt.MIN;
        private long seed;

        private Builder(Network network, Rescaling rescaling) {
            this.network = network;
            this.rescaling = rescaling;
            if (rescaling == Rescaling.QUADRATIC_MODEL) {
                variant = KfacDamping.Variant.FACTORED_TIKHONOV;
                averaging = KroneckerFactors.Averaging.exponential(0.95);
                learningRate = 1;
                statisticsPeriod = 1;
                inversePeriod = 20;
                adaptDamping = true;
            } else {
                variant = KfacDamping.Variant.EIGEN;
                averaging = KroneckerFactors.Averaging.fixed(0.95);
                learningRate = 1e-3;
                momentum = 0.9;
                damping = 1e-3;
                statisticsPeriod = 10;
                inversePeriod = 100;
                adaptDamping = false;
            }
        }

        public Builder learningRate(double eta) {
            ElementwiseOptimizer.checkNonNegative(eta, "learning rate");
            this.learningRate = eta;
            return this;
        }

        /** μ of the KL-clip rule's SGD (the quadratic model chooses its own). */
        public Builder momentum(double mu) {
            ElementwiseOptimizer.checkUnitInterval(mu, "momentum");
            this.momentum = mu;
            return this;
        }

        /** λ (initial, when adapted). */
        public Builder damping(double lambda) {
            this.damping = positive(lambda, "K-FAC damping");
            return this;
        }

        /** Coupled L2 weight decay wd (part of h and of the damping c = λ + wd). */
        public Builder weightDecay(double wd) {
            ElementwiseOptimizer.checkNonNegative(wd, "weight decay");
            this.weightDecay = wd;
            return this;
        }

        public Builder dampingVariant(KfacDamping.Variant v) {
            this.variant = v;
            return this;
        }

        public Builder averaging(KroneckerFactors.Averaging a) {
            this.averaging = a;
            return this;
        }

        /** κ of the KL clip. */
        public Builder klClip(double kappa) {
            this.klClip = positive(kappa, "KL clip");
            return this;
        }

        /** Steps between statistics updates (1 = every step). */
        public Builder statisticsPeriod(int n) {
            this.statisticsPeriod = period(n, "statistics period");
            return this;
        }

        /** T₃: steps between inverse recomputations. */
        public Builder inversePeriod(int n) {
            this.inversePeriod = period(n, "inverse period");
            return this;
        }

        /** Levenberg–Marquardt on λ every T₁ steps (or off). */
        public Builder levenbergMarquardt(boolean on, int period) {
            this.adaptDamping = on;
            this.dampingPeriod = period(period, "Levenberg–Marquardt period");
            return this;
        }

        /**
         * The smallest λ Levenberg–Marquardt may reach (and γ ≥ √(λ_min + wd)); default 1e-8. On small mini-batches
         * ρ is measured on the batch the step was fitted to and stays high, so λ keeps falling until the steps
         * overfit the batch; a floor is the usual remedy (the paper grows the batch instead).
         */
        public Builder minimumDamping(double lambdaMin) {
            this.minimumDamping = positive(lambdaMin, "minimum damping");
            return this;
        }

        /** T₂: steps between re-tunings of γ (quadratic model with factored Tikhonov damping). */
        public Builder gammaPeriod(int n) {
            this.gammaPeriod = period(n, "γ re-tuning period");
            return this;
        }

        /** Seed of the labels sampled for the statistics. */
        public Builder seed(long s) {
            this.seed = s;
            return this;
        }

        private static int period(int n, String what) {
            if (n < 1) {
                throw new IllegalArgumentException(what + " must be >= 1, got " + n);
            }
            return n;
        }

        public Kfac build() {
            if (damping <= 0) {
                throw new IllegalArgumentException("K-FAC needs an initial damping λ > 0");
            }
            return new Kfac(this);
        }
    }
}
