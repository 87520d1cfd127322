package dev.surgeon.core.prune;

import dev.surgeon.core.curvature.DenseOperator;
import dev.surgeon.core.curvature.ParameterSubset;
import dev.surgeon.core.nn.ParameterTensor;
import dev.surgeon.kernels.Kernels;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Optimal Brain Surgeon, one weight at a time (Hassibi and Stork 1993, "Second order derivatives for network pruning:
 * Optimal Brain Surgeon"; Hassibi, Stork and Wolff 1993; METHODS B3):
 * <ol>
 *   <li>H = αI + (1/P) Σ_n Σ_k ∂f_k(x_n)/∂w ∂f_k(x_n)/∂wᵀ over the P calibration patterns (outputs after the output
 *       nonlinearity; the Gauss-Newton outer-product Hessian, not an empirical Fisher), inverted by the rank-one
 *       build-up from α⁻¹I with P in the denominator (1.5), dense over the layers holding prunable tensors (biases move
 *       with the correction even when not pruned). Already-pruned coordinates are eliminated from the inverse (1.4).</li>
 *   <li>q = argmin over remaining prunable weights of ΔL_q = w_q² / (2[H⁻¹]_qq).</li>
 *   <li>δw = −(w_q/[H⁻¹]_qq) H⁻¹e_q; w_q is set to exactly 0.</li>
 *   <li>{@link Mode#DOWNDATE}: H⁻¹ ← H⁻¹ − H⁻¹e_q e_qᵀH⁻¹/[H⁻¹]_qq (Kernels.eliminateCoordinate; exact for the fixed H,
 *       so the summed step costs equal ½ΔᵀHΔ); {@link Mode#RECOMPUTE}: H is rebuilt at the new weights over the remaining
 *       coordinates (the paper's loop, recommended for XOR and MONK). Repeat from 2 until the target.</li>
 * </ol>
 * The stopping rule on the training accuracy is {@link Schedule.Auto} with one weight per step (H rebuilt after each
 * deletion). Global selection only; per-tensor maximum sparsities of the {@link Allocation} are respected.
 * Defaults: α = 1e-6 (the paper reports insensitivity for α in 1e-8..1e-4; recalled), all training patterns.
 * Cost: O(P K d²) to build H⁻¹, O(d²) per deletion with downdates (O(P K d²) with recomputation); memory 16 d² bytes.
 */
public final class OptimalBrainSurgeon implements Pruner {
    /** How H⁻¹ follows the deletions. */
    public enum Mode {
        DOWNDATE, RECOMPUTE;

        public static Mode parse(String s) {
            return switch (s.strip().toLowerCase(Locale.ROOT)) {
                case "downdate" -> DOWNDATE;
                case "recompute" -> RECOMPUTE;
                default -> throw new IllegalArgumentException("unknown OBS mode '" + s + "'; use downdate or recompute");
            };
        }

        @Override
        public String toString() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    private final QuadraticModelSource hessian;
    private final Mode mode;
    private final Allocation allocation;

    /**
     * @param samples    calibration patterns for H (Integer.MAX_VALUE: the whole training set)
     * @param alpha      α of the build-up H_0⁻¹ = α⁻¹I
     * @param allocation global, with optional per-tensor bounds
     */
    public OptimalBrainSurgeon(int samples, double alpha, Mode mode, Allocation allocation) {
        if (allocation.scope() != Allocation.Scope.GLOBAL) {
            throw new IllegalArgumentException("OBS removes one weight at a time by global saliency; scope " + allocation.scope()
                    + " is not supported (use global, with per-layer bounds if needed)");
        }
        this.hessian = QuadraticModelSource.outerProductHessian(samples, alpha);
        this.mode = mode;
        this.allocation = allocation;
    }

    @Override
    public String name() {
        return "OBS (" + mode + ")";
    }

    /**
     * The {@code obs} preset: sequential OBS (this class) or, with {@code obs_update=joint}, the same saliency with the
     * exact multi-weight correction for the whole selected set (METHODS 1.3). {@code sparsity=auto} removes one weight
     * per step with H rebuilt each time until the training accuracy would drop (the paper's MONK procedure).
     */
    public static MethodDefinition method() {
        return new MethodDefinition("obs", "Optimal Brain Surgeon: full inverse of the outer-product Gauss-Newton Hessian, one "
                + "weight at a time with the OBS correction (METHODS B3)",
                new Presets.KnobList()
                        .add("alpha", "1e-6", "α of the rank-one build-up H_0⁻¹ = α⁻¹I (the paper: insensitive in 1e-8..1e-4)")
                        .add("calibration", "0", "training patterns in H (0: all)")
                        .add("obs_mode", "downdate", "downdate (exact inverse downdate, METHODS 1.4) or recompute (rebuild H at "
                                + "the new weights after every deletion)")
                        .add("obs_update", "sequential", "sequential (one weight at a time) or joint (select the set by "
                                + "saliency, then the exact multi-weight correction)").list(),
                s -> Presets.plan(s, (a, p) -> {
                    int samples = OptimalBrainDamage.samples(s.integer("calibration", 0));
                    double alpha = s.real("alpha");
                    return switch (s.text("obs_update")) {
                        case "sequential" -> {
                            if (!(p instanceof Pattern.Unstructured)) {
                                throw new IllegalArgumentException("sequential OBS is unstructured; use obs_update=joint for " + p);
                            }
                            yield new OptimalBrainSurgeon(samples, alpha, Mode.parse(s.text("obs_mode")), a);
                        }
                        case "joint" -> new ScoredPruner(new ObsScorer("OBS",
                                QuadraticModelSource.outerProductHessian(samples, alpha)), a, p, Updater.jointObs());
                        default -> throw new IllegalArgumentException("unknown obs_update '" + s.text("obs_update")
                                + "'; use sequential or joint");
                    };
                }));
    }

    @Override
    public StepResult prune(PruningContext ctx, int targetPruned) {
        int current = ctx.prunedCount();
        if (targetPruned < current) {
            throw new IllegalArgumentException("the target of " + targetPruned + " pruned weights is below the " + current
                    + " already pruned; pruned weights are not revived");
        }
        if (targetPruned > ctx.prunableCount()) {
            throw new IllegalArgumentException("cannot prune " + targetPruned + " weights: only " + ctx.prunableCount()
                    + " parameters are prunable");
        }
        Kernels kernels = ctx.network().kernels();
        List<ParameterTensor> tensors = ctx.prunableTensors();
        int[] maxPruned = new int[tensors.size()];
        int[] prunedIn = new int[tensors.size()];
        for (int t = 0; t < tensors.size(); t++) {
            ParameterTensor p = tensors.get(t);
            maxPruned[t] = (int) Math.floor(allocation.boundsOf(p).max() * p.length() + 1e-9);
            for (int q = p.offset(); q < p.end(); q++) {
                prunedIn[t] += ctx.mask().isPruned(q) ? 1 : 0;
            }
        }
        State s = build(ctx);
        double predicted = 0;
        List<Integer> removed = new ArrayList<>();
        while (current < targetPruned) {
            int best = -1;
            double bestScore = Double.POSITIVE_INFINITY;
            for (int t = 0; t < tensors.size(); t++) {
                if (prunedIn[t] >= maxPruned[t]) {
                    continue;
                }
                ParameterTensor p = tensors.get(t);
                for (int q = p.offset(); q < p.end(); q++) {
                    if (ctx.mask().isPruned(q)) {
                        continue;
                    }
                    int i = s.subset.local(q);
                    double d = s.inverse[i * s.n + i];
                    double score = d > 0 ? s.w[i] * s.w[i] / (2 * d) : Double.POSITIVE_INFINITY;
                    if (score < bestScore) {
                        bestScore = score;
                        best = q;
                    }
                }
            }
            if (best < 0) {
                throw new IllegalStateException("OBS: no removable weight left with a positive [H⁻¹]_qq ("
                        + (targetPruned - current) + " more requested); the per-layer maximum sparsities or the damping α "
                        + "leave nothing to remove");
            }
            int i = s.subset.local(best);
            double pivot = s.inverse[i * s.n + i];
            double f = s.w[i] / pivot;
            kernels.axpy(s.n, -f, s.inverse, i * s.n, s.w, 0);
            s.w[i] = 0;
            predicted += bestScore;
            removed.add(best);
            current++;
            prunedIn[indexOf(tensors, best)]++;
            if (mode == Mode.DOWNDATE) {
                kernels.eliminateCoordinate(s.n, i, s.inverse, 0, s.n, s.work, 0);
                ctx.mask().prune(best);
            } else {
                s.commit(ctx);
                ctx.prune(new int[] {best});
                if (current < targetPruned) {
                    s = build(ctx);
                }
            }
        }
        s.commit(ctx);
        ctx.prune(removed.stream().mapToInt(Integer::intValue).toArray());
        return new StepResult(removed.size(), predicted);
    }

    private static int indexOf(List<ParameterTensor> tensors, int q) {
        for (int t = 0; t < tensors.size(); t++) {
            if (tensors.get(t).contains(q)) {
                return t;
            }
        }
        throw new IllegalStateException("index " + q + " is in no prunable tensor");
    }

    /** H⁻¹ with the pruned coordinates eliminated, and the weights, in the model's local order. */
    private State build(PruningContext ctx) {
        QuadraticModel model = ctx.timed("curvature", () -> hessian.build(ctx));
        ctx.recordDamping(model.dampingUsed());
        DenseOperator op = (DenseOperator) ((OperatorModel) model).operator();
        State s = new State(model.subset(), op.inverse());
        s.subset.gather(ctx.network().parameters(), s.w);
        Kernels kernels = ctx.network().kernels();
        for (int r = 0; r < s.subset.rangeCount(); r++) {
            for (int q = s.subset.rangeFrom(r), i = s.subset.rangeLocal(r); q < s.subset.rangeTo(r); q++, i++) {
                if (ctx.mask().isPruned(q)) {
                    kernels.eliminateCoordinate(s.n, i, s.inverse, 0, s.n, s.work, 0);
                    s.w[i] = 0;
                }
            }
        }
        return s;
    }

    /** The working inverse and weights of one build. */
    private static final class State {
        final ParameterSubset subset;
        final int n;
        final double[] inverse;
        final double[] w;
        final double[] work;

        State(ParameterSubset subset, double[] inverse) {
            this.subset = subset;
            this.n = subset.dim();
            this.inverse = inverse;
            this.w = new double[n];
            this.work = new double[n];
        }

        /** Writes the weights back; pruned coordinates stay exactly 0. */
        void commit(PruningContext ctx) {
            float[] p = ctx.network().parameters();
            for (int r = 0; r < subset.rangeCount(); r++) {
                for (int q = subset.rangeFrom(r), i = subset.rangeLocal(r); q < subset.rangeTo(r); q++, i++) {
                    p[q] = ctx.mask().isPruned(q) ? 0f : (float) w[i];
                }
            }
        }
    }
}
