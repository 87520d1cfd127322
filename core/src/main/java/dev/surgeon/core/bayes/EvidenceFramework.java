package dev.surgeon.core.bayes;

import dev.surgeon.core.data.Dataset;
import dev.surgeon.core.nn.Mask;
import dev.surgeon.core.nn.Network;
import dev.surgeon.core.optim.Lbfgs;
import java.util.ArrayList;
import java.util.List;

/**
 * MacKay's evidence framework as an algorithm (MacKay 1992, "A practical Bayesian framework for backpropagation
 * networks"; METHODS E1, steps 1–5): alternate between training to the most probable weights of
 * M(w) = β E_D + Σ_c α_c E_W^(c) and re-estimating the hyperparameters from the Laplace approximation there, then
 * report the log evidence.
 * <ol>
 *   <li>Initialize α_c (default 0.01) and β (default 1/variance of the targets; 1 for classification).</li>
 *   <li>Minimize M(w) by full-batch L-BFGS (strong Wolfe; up to {@code iterations} iterations), the pruning mask,
 *       if any, holding its weights at 0.</li>
 *   <li>Build the {@link LaplaceApproximation} at w_MP (exact dense Hessian, Gauss-Newton or K-FAC).</li>
 *   <li>Re-estimate α_c ← γ_c/(2E_W^(c)), β ← (N_t − γ)/(2E_D) (one update per loop, as MacKay alternates); go to 2
 *       until every hyperparameter changes by less than the relative tolerance or {@code loops} loops ran.</li>
 *   <li>Train once more with the final hyperparameters and return the evidence there.</li>
 * </ol>
 * A masked network is a pruned model: only its unpruned weights are parameters (k = Σ_c k_c counts them), so the
 * evidence of pruned variants can be compared with each other and with the dense model, and used to decide when to
 * stop pruning ({@link EvidenceStoppingRule}). The network's parameters end at the final w_MP. Deterministic for
 * a given network, data and seed (L-BFGS is deterministic; the seed only drives K-FAC's sampled labels).
 * Cost per loop: an L-BFGS run plus the Laplace approximation (k products over the data and an O(k³)
 * eigendecomposition for the dense Hessians). Notation: docs/NOTATION.md.
 */
public final class EvidenceFramework {
    /** One loop: the hyperparameters used for training, the evidence there, and the re-estimated ones. */
    public record Loop(int loop, Hyperparameters used, double objective, EvidenceTerms evidence, Hyperparameters next) {
    }

    /** The outcome: final hyperparameters, the Laplace approximation and evidence at the final weights, the loops. */
    public record Result(Hyperparameters hyperparameters, LaplaceApproximation laplace, EvidenceTerms evidence,
                         List<Loop> loops, boolean converged) {
    }

    private final Network network;
    private final Dataset data;
    private final Likelihood likelihood;
    private final WeightClasses classes;
    private final LaplaceApproximation.Hessian hessian;
    private final Mask mask;
    private final Hyperparameters initial;
    private final int loops;
    private final int iterations;
    private final double tolerance;
    private final long seed;

    private EvidenceFramework(Builder b) {
        this.network = b.network;
        this.data = b.data;
        this.likelihood = b.likelihood != null ? b.likelihood : Likelihood.of(b.network, b.data);
        WeightClasses c = b.classes != null ? b.classes : WeightClasses.perTensor(b.network.layout());
        this.classes = b.mask != null ? c.masked(b.mask) : c;
        this.hessian = b.hessian;
        this.mask = b.mask;
        double beta = !likelihood.hasNoisePrecision() ? 1 : b.initialBeta > 0 ? b.initialBeta : 1 / targetVariance(b.data);
        this.initial = b.initialAlpha != null ? b.initialAlpha : Hyperparameters.uniform(classes.size(), 0.01, beta);
        if (initial.classes() != classes.size()) {
            throw new IllegalArgumentException("initial hyperparameters have " + initial.classes() + " α values for "
                    + classes.size() + " classes " + classes);
        }
        this.loops = b.loops;
        this.iterations = b.iterations;
        this.tolerance = b.tolerance;
        this.seed = b.seed;
    }

    public static Builder builder(Network network, Dataset data) {
        return new Builder(network, data);
    }

    /** Variance of all regression targets (the default 1/β₀). */
    public static double targetVariance(Dataset data) {
        float[] t = data.targets();
        double mean = 0;
        for (float v : t) {
            mean += v;
        }
        mean /= t.length;
        double var = 0;
        for (float v : t) {
            var += (v - mean) * (v - mean);
        }
        var /= t.length;
        if (!(var > 0)) {
            throw new IllegalArgumentException(data.name() + " has constant targets; give the initial β explicitly");
        }
        return var;
    }

    /** Runs the loop (see the class documentation); the network ends at the final most probable weights. */
    public Result run() {
        PosteriorObjective objective = new PosteriorObjective(network, likelihood, data, classes, initial);
        Hyperparameters h = initial;
        List<Loop> history = new ArrayList<>();
        boolean converged = false;
        for (int loop = 1; loop <= loops && !converged; loop++) {
            double m = train(objective, h);
            LaplaceApproximation laplace = LaplaceApproximation.at(network, data, likelihood, classes, hessian, seed);
            EvidenceTerms terms = laplace.evidence(h);
            Hyperparameters next = laplace.reestimate(h);
            history.add(new Loop(loop, h, m, terms, next));
            converged = settled(h, next);
            h = next;
        }
        train(objective, h);
        LaplaceApproximation laplace = LaplaceApproximation.at(network, data, likelihood, classes, hessian, seed);
        return new Result(h, laplace, laplace.evidence(h), history, converged);
    }

    private boolean settled(Hyperparameters a, Hyperparameters b) {
        boolean s = Math.abs(a.beta() - b.beta()) <= tolerance * a.beta();
        for (int c = 0; c < a.classes(); c++) {
            s &= classes.count(c) == 0 || Math.abs(a.alpha(c) - b.alpha(c)) <= tolerance * a.alpha(c);
        }
        return s;
    }

    /** Minimizes M(w) at h from the current weights; returns M at the end. */
    private double train(PosteriorObjective objective, Hyperparameters h) {
        objective.setHyperparameters(h);
        Lbfgs lbfgs = new Lbfgs().maxIterations(iterations);
        if (mask != null) {
            lbfgs.mask(mask);
        }
        float[] x = network.parameters().clone();
        Lbfgs.Result r = lbfgs.minimize(objective, x);
        System.arraycopy(x, 0, network.parameters(), 0, x.length);
        return r.value();
    }

    /** Configuration; defaults: per-tensor classes, exact Hessian, 10 loops of 500 L-BFGS iterations, tolerance 1e-3. */
    public static final class Builder {
        private final Network network;
        private final Dataset data;
        private Likelihood likelihood;
        private WeightClasses classes;
        private LaplaceApproximation.Hessian hessian = LaplaceApproximation.Hessian.EXACT;
        private Mask mask;
        private Hyperparameters initialAlpha;
        private double initialBeta;
        private int loops = 10;
        private int iterations = 500;
        private double tolerance = 1e-3;
        private long seed;

        private Builder(Network network, Dataset data) {
            this.network = network;
            this.data = data;
        }

        public Builder likelihood(Likelihood l) {
            this.likelihood = l;
            return this;
        }

        public Builder classes(WeightClasses c) {
            this.classes = c;
            return this;
        }

        public Builder hessian(LaplaceApproximation.Hessian h) {
            this.hessian = h;
            return this;
        }

        /** The pruning mask: its weights are held at 0 and are not parameters of the model. */
        public Builder mask(Mask m) {
            this.mask = m;
            return this;
        }

        /** Starting hyperparameters (one α per class of the classes in use, and β). */
        public Builder initial(Hyperparameters h) {
            this.initialAlpha = h;
            return this;
        }

        /** Starting β only (α_c = 0.01). */
        public Builder initialBeta(double beta) {
            if (!(beta > 0)) {
                throw new IllegalArgumentException("β must be > 0, got " + beta);
            }
            this.initialBeta = beta;
            return this;
        }

        /** Training/re-estimation loops (≥ 1). */
        public Builder loops(int n) {
            if (n < 1) {
                throw new IllegalArgumentException("loops must be >= 1, got " + n);
            }
            this.loops = n;
            return this;
        }

        /** L-BFGS iterations per training (≥ 1). */
        public Builder iterations(int n) {
            if (n < 1) {
                throw new IllegalArgumentException("iterations must be >= 1, got " + n);
            }
            this.iterations = n;
            return this;
        }

        /** Relative change of every hyperparameter below which the loop stops. */
        public Builder tolerance(double t) {
            if (!(t >= 0)) {
                throw new IllegalArgumentException("tolerance must be >= 0, got " + t);
            }
            this.tolerance = t;
            return this;
        }

        /** Seed of K-FAC's sampled labels. */
        public Builder seed(long s) {
            this.seed = s;
            return this;
        }

        public EvidenceFramework build() {
            return new EvidenceFramework(this);
        }
    }
}
