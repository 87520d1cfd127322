package dev.surgeon.core.prune;

import dev.surgeon.core.curvature.BlockPartition;
import dev.surgeon.core.curvature.ParameterSubset;
import dev.surgeon.kernels.Kernels;
import dev.surgeon.kernels.Trans;
import java.util.Arrays;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * The Combinatorial Brain Surgeon (Yu, Serra, Ramalingam and Zhe 2022, "The combinatorial brain surgeon: Pruning
 * weights that cancel one another in neural networks"; yuxwind/CBS; METHODS B7): the removed set Q is chosen jointly
 * by a swap local search on the selection objective, then corrected exactly.
 * <ul>
 *   <li>H = λI + (1/N) GᵀG, the empirical Fisher of N gradients (mini-batches of b, default single samples), unblocked,
 *       never formed: H_ij = λ[i=j] + g_{·i}·g_{·j}/N on demand from the stored gradients (O(N) per entry).</li>
 *   <li>CBS-S: minimize f(Q) = w_Qᵀ H_QQ w_Q = λ‖w_Q‖² + ‖u‖²/N with u = G w_Q (kept up to date, O(N) per swap).
 *       Swap quantities: α_i = 2w_i(Hw_Q)_i − H_ii w_i² (i ∈ Q), β_j = 2w_j(Hw_Q)_j + H_jj w_j² (j ∉ Q),
 *       γ_ij = 2w_i H_ij w_j; swapping i out and j in changes f by Δf = −α_i + β_j − γ_ij.</li>
 *   <li>Start: global magnitude, or randomized magnitude (candidates shuffled into min(1000, √d) chunks, the smallest
 *       fraction of each chunk removed); several restarts keep the lowest f.</li>
 *   <li>Each iteration (at most {@code maxIterations}): sort Q by α descending and the rest by β_j − γ_{j,Q[0]}
 *       ascending; stop if the best pair does not reduce f by ε; scan i in order, try the j within ±{@code window}
 *       positions, accept the first with Δf ≤ −ε (each j once), stop after {@code maxFailures} consecutive i without
 *       a swap.</li>
 *   <li>CBS-U: the exact joint OBS correction for Q and everything pruned before (1.3), solved by Woodbury with an
 *       N × N system ({@link GradientModel}), optionally scaled.</li>
 * </ul>
 * Deviation: accepted swaps are applied at once and every candidate Δf is evaluated exactly at the current Q (the
 * reference applies a batch of swaps ranked with the iteration's starting α, β), so f decreases monotonically; the
 * sort orders still use the iteration's starting values. Defaults (MLPNet scripts, checked): λ = 1e-3, ε = 1e-4,
 * window 10, 20 failures, 100 iterations; N = 10000 there (set it lower when d·N doubles do not fit). The scripts'
 * update scale 0.9 is available as {@code updateScale} (default 1: the exact correction).
 * Cost per iteration O(dN) (two gemv over the stored gradients) plus O(N) per tried pair; CBS-U O(N²|R| + N³).
 */
public final class CombinatorialBrainSurgeon implements Pruner {
    /** The initial set. */
    public enum Start {
        MAGNITUDE, RANDOMIZED;

        public static Start parse(String s) {
            return switch (s.strip().toLowerCase(Locale.ROOT)) {
                case "magnitude" -> MAGNITUDE;
                case "randomized", "random" -> RANDOMIZED;
                default -> throw new IllegalArgumentException("unknown CBS start '" + s + "'; use magnitude or randomized");
            };
        }

        @Override
        public String toString() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * @param gradients     N
     * @param miniBatch     samples per gradient (1 in the paper)
     * @param lambda        λ
     * @param maxIterations local-search iterations (0: keep the start)
     * @param epsilon       minimum decrease of f for a swap
     * @param window        positions tried on each side
     * @param maxFailures   consecutive i without a swap that end a scan
     * @param start         initial set
     * @param restarts      starts tried (the first is the magnitude start when start = MAGNITUDE)
     * @param update        apply CBS-U (false: only zero Q)
     * @param updateScale   factor on the correction of the free weights
     */
    public record Options(int gradients, int miniBatch, double lambda, int maxIterations, double epsilon, int window,
                          int maxFailures, Start start, int restarts, boolean update, double updateScale) {
        public Options {
            if (gradients < 1 || miniBatch < 1 || maxIterations < 0 || window < 0 || maxFailures < 1 || restarts < 1) {
                throw new IllegalArgumentException("CBS options out of range: " + gradients + " gradients of " + miniBatch
                        + ", " + maxIterations + " iterations, window " + window + ", " + maxFailures + " failures, "
                        + restarts + " restarts");
            }
            if (!(epsilon >= 0) || !(lambda > 0)) {
                throw new IllegalArgumentException("CBS needs ε >= 0 and λ > 0, got ε = " + epsilon + ", λ = " + lambda);
            }
        }

        /** The MLPNet script defaults with N gradients of single samples. */
        public static Options defaults(int gradients) {
            return new Options(gradients, 1, 1e-3, 100, 1e-4, 10, 20, Start.MAGNITUDE, 1, true, 1.0);
        }
    }

    private final Options options;

    public CombinatorialBrainSurgeon(Options options) {
        this.options = options;
    }

    @Override
    public String name() {
        return "CBS (" + options.gradients() + " gradients, " + options.start() + " start)";
    }

    /** The {@code cbs} preset (global selection, unstructured). */
    public static MethodDefinition method() {
        return new MethodDefinition("cbs", "Combinatorial Brain Surgeon: swap local search on Σ w_a H_ab w_b, then the exact joint "
                + "update CBS-U (METHODS B7)",
                new Presets.KnobList()
                        .add("gradients", "1000", "N gradients in the Fisher (the paper: 10000)")
                        .add("gradient_batch", "1", "samples per gradient")
                        .add("damping", "1e-3", "λ")
                        .add("iterations", "100", "local-search iterations (0: the start set)")
                        .add("epsilon", "1e-4", "minimum decrease of f(Q) for a swap")
                        .add("window", "10", "candidate positions tried on each side")
                        .add("failures", "20", "consecutive failures that end a scan")
                        .add("start", "magnitude", "magnitude or randomized (randomized magnitude per chunk)")
                        .add("restarts", "1", "starting sets tried; the lowest f(Q) wins")
                        .add("update", "true", "apply CBS-U (false: zero the set only)")
                        .add("update_scale", "1", "factor on the correction (the scripts pass 0.9)").list(),
                s -> Presets.plan(s, (a, p) -> {
                    if (a.scope() != Allocation.Scope.GLOBAL || a.minSparsity() > 0 || a.maxSparsity() < 1) {
                        throw new IllegalArgumentException("CBS selects globally without per-layer bounds; use scope global");
                    }
                    if (!(p instanceof Pattern.Unstructured)) {
                        throw new IllegalArgumentException("CBS is unstructured; pattern " + p + " is not supported");
                    }
                    return new CombinatorialBrainSurgeon(new Options(s.integer("gradients", 1), s.integer("gradient_batch", 1),
                            s.real("damping"), s.integer("iterations", 0), s.nonNegative("epsilon"), s.integer("window", 0),
                            s.integer("failures", 1), Start.parse(s.text("start")), s.integer("restarts", 1), s.bool("update"),
                            s.real("update_scale")));
                }));
    }

    @Override
    public StepResult prune(PruningContext ctx, int targetPruned) {
        int already = ctx.prunedCount();
        if (targetPruned < already || targetPruned > ctx.prunableCount()) {
            throw new IllegalArgumentException("CBS: cannot go from " + already + " to " + targetPruned + " pruned of "
                    + ctx.prunableCount() + " prunable weights (pruned weights are not revived)");
        }
        ParameterSubset s = ctx.prunable();
        GradientModel model = ctx.timed("curvature", () -> {
            double[] gt = GradientSampler.collect(ctx, s, options.gradients(), options.miniBatch(), "CBS gradients");
            return new GradientModel("CBS empirical Fisher of " + options.gradients() + " gradients (λ = " + options.lambda() + ")",
                    s, gt, options.gradients(), options.lambda(), options.gradients(), BlockPartition.whole(s.dim()),
                    GradientModel.Representation.AUTO, ctx.network().kernels());
        });
        int k = targetPruned - already;
        double[] w = Corrections.weights(ctx, s);
        int[] candidates = new int[s.dim()];
        int c = 0;
        for (int r = 0; r < s.rangeCount(); r++) {
            for (int q = s.rangeFrom(r), i = s.rangeLocal(r); q < s.rangeTo(r); q++, i++) {
                if (!ctx.mask().isPruned(q)) {
                    candidates[c++] = i;
                }
            }
        }
        int[] live = Arrays.copyOf(candidates, c);
        boolean[] best = null;
        double bestF = Double.POSITIVE_INFINITY;
        Search search = new Search(model, w, ctx.network().kernels());
        for (int restart = 0; restart < options.restarts(); restart++) {
            boolean[] q = restart == 0 && options.start() == Start.MAGNITUDE ? magnitudeStart(w, live, k)
                    : randomizedStart(w, live, k, ctx.random("CBS start " + restart));
            int iterations = ctx.timed("selection", () -> search.run(q, live));
            double f = search.objective(q);
            ctx.note(String.format(Locale.ROOT, "CBS round %d start %d: f(Q) = %.6g after %d local-search iterations",
                    ctx.round(), restart, f, iterations));
            if (best == null || f < bestF) {
                bestF = f;
                best = q;
            }
        }
        int[] removed = new int[k];
        int n = 0;
        for (int i : live) {
            if (best[i]) {
                removed[n++] = s.global(i);
            }
        }
        Arrays.sort(removed);
        Saliency saliency = new Saliency(new double[ctx.network().parameterCount()], model);
        Updater updater = options.update() ? Updater.jointObs(options.updateScale()) : Updater.none();
        double predicted = ctx.timed("update", () -> updater.apply(ctx, saliency, removed));
        ctx.recordDamping(model.dampingUsed());
        return new StepResult(removed.length, predicted);
    }

    /** The k candidates of smallest |w| (ties by index). */
    static boolean[] magnitudeStart(double[] w, int[] candidates, int k) {
        double[] key = new double[candidates.length];
        for (int i = 0; i < key.length; i++) {
            key[i] = Math.abs(w[candidates[i]]);
        }
        int[] order = IndexSort.ascending(key, key.length);
        boolean[] q = new boolean[w.length];
        for (int i = 0; i < k; i++) {
            q[candidates[order[i]]] = true;
        }
        return q;
    }

    /** Candidates shuffled into min(1000, √c) chunks; the smallest |w| of each chunk removed, k in all. */
    static boolean[] randomizedStart(double[] w, int[] candidates, int k, SplittableRandom random) {
        int c = candidates.length;
        int[] perm = GradientSampler.draw(random, c, c);
        int chunks = Math.max(1, Math.min(1000, (int) Math.round(Math.sqrt(c))));
        boolean[] q = new boolean[w.length];
        for (int ch = 0; ch < chunks; ch++) {
            int from = (int) ((long) c * ch / chunks);
            int to = (int) ((long) c * (ch + 1) / chunks);
            int quota = (int) Math.round((double) k * to / c) - (int) Math.round((double) k * from / c);
            double[] key = new double[to - from];
            for (int i = from; i < to; i++) {
                key[i - from] = Math.abs(w[candidates[perm[i]]]);
            }
            int[] order = IndexSort.ascending(key, key.length);
            for (int i = 0; i < quota; i++) {
                q[candidates[perm[from + order[i]]]] = true;
            }
        }
        return q;
    }

    /** The local search on f(Q) with u = G w_Q maintained. */
    final class Search {
        private final GradientModel model;
        private final double[] w;
        private final Kernels kernels;
        private final double[] gt;
        private final int m;
        private final double n;
        private final double lambda;
        private final double[] squares;
        private final double[] u;

        Search(GradientModel model, double[] w, Kernels kernels) {
            this.model = model;
            this.w = w;
            this.kernels = kernels;
            this.gt = model.coordinateMajor();
            this.m = model.gradients();
            this.n = model.count();
            this.lambda = model.lambda();
            this.squares = new double[w.length];
            for (int i = 0; i < w.length; i++) {
                squares[i] = kernels.dot(m, gt, i * m, gt, i * m);
            }
            this.u = new double[m];
        }

        /** f(Q) = λ‖w_Q‖² + ‖G w_Q‖²/N, from scratch. */
        double objective(boolean[] q) {
            double[] v = new double[m];
            double s = 0;
            for (int i = 0; i < w.length; i++) {
                if (q[i] && w[i] != 0) {
                    kernels.axpy(m, w[i], gt, i * m, v, 0);
                    s += w[i] * w[i];
                }
            }
            return lambda * s + kernels.dot(m, v, 0, v, 0) / n;
        }

        /** α_i for i in Q at the current u: removing i lowers f by α_i. */
        double alpha(int i, double gu) {
            return lambda * w[i] * w[i] + 2 * w[i] * gu / n - squares[i] * w[i] * w[i] / n;
        }

        /** β_j for j outside Q: adding j raises f by β_j. */
        double beta(int j, double gu) {
            return 2 * w[j] * gu / n + (lambda + squares[j] / n) * w[j] * w[j];
        }

        /** γ_ij = 2 w_i H_ij w_j (i ≠ j). */
        double gamma(int i, int j) {
            return 2 * w[i] * w[j] * kernels.dot(m, gt, i * m, gt, j * m) / n;
        }

        /** Δf of swapping i (in Q) out and j (outside) in, exactly at the current Q. */
        double swapGain(int i, int j) {
            return -alpha(i, kernels.dot(m, gt, i * m, u, 0)) + beta(j, kernels.dot(m, gt, j * m, u, 0)) - gamma(i, j);
        }

        /** Sets u = G w_Q for a set. */
        void reset(boolean[] q) {
            Arrays.fill(u, 0);
            for (int i = 0; i < w.length; i++) {
                if (q[i] && w[i] != 0) {
                    kernels.axpy(m, w[i], gt, i * m, u, 0);
                }
            }
        }

        /** Applies the swap to the set and to u. */
        void swap(boolean[] q, int i, int j) {
            q[i] = false;
            q[j] = true;
            kernels.axpy(m, -w[i], gt, i * m, u, 0);
            kernels.axpy(m, w[j], gt, j * m, u, 0);
        }

        /** Runs the local search in place; returns the iterations done. */
        int run(boolean[] q, int[] candidates) {
            reset(q);
            int dim = w.length;
            double[] gu = new double[dim];
            double[] g0 = new double[dim];
            int done = 0;
            for (int iter = 0; iter < options.maxIterations(); iter++) {
                int inCount = 0;
                for (int i : candidates) {
                    inCount += q[i] ? 1 : 0;
                }
                int outCount = candidates.length - inCount;
                if (inCount == 0 || outCount == 0) {
                    break;
                }
                // (G u) for every coordinate: one gemv over the stored gradients.
                kernels.gemv(Trans.N, dim, m, 1.0, gt, 0, m, u, 0, 0.0, gu, 0);
                int[] in = new int[inCount];
                int[] out = new int[outCount];
                double[] inKey = new double[inCount];
                int a = 0;
                int b = 0;
                for (int i : candidates) {
                    if (q[i]) {
                        in[a] = i;
                        inKey[a++] = -alpha(i, gu[i]);
                    } else {
                        out[b++] = i;
                    }
                }
                int[] inOrder = IndexSort.ascending(inKey, inCount);
                int first = in[inOrder[0]];
                kernels.gemv(Trans.N, dim, m, 1.0, gt, 0, m, gt, first * m, 0.0, g0, 0);
                double[] outKey = new double[outCount];
                for (int x = 0; x < outCount; x++) {
                    int j = out[x];
                    outKey[x] = beta(j, gu[j]) - 2 * w[first] * w[j] * g0[j] / n;
                }
                int[] outOrder = IndexSort.ascending(outKey, outCount);
                if (inKey[inOrder[0]] + outKey[outOrder[0]] > -options.epsilon()) {
                    break;
                }
                boolean[] used = new boolean[outCount];
                int failures = 0;
                int swaps = 0;
                for (int t = 0; t < inCount && failures < options.maxFailures(); t++) {
                    int i = in[inOrder[t]];
                    boolean accepted = false;
                    for (int p = Math.max(0, t - options.window()); p < Math.min(outCount, t + options.window() + 1); p++) {
                        if (used[p]) {
                            continue;
                        }
                        int j = out[outOrder[p]];
                        if (swapGain(i, j) <= -options.epsilon()) {
                            swap(q, i, j);
                            used[p] = true;
                            accepted = true;
                            swaps++;
                            break;
                        }
                    }
                    failures = accepted ? 0 : failures + 1;
                }
                done++;
                if (swaps == 0) {
                    break;
                }
            }
            return done;
        }
    }
}
