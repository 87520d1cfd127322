package dev.surgeon.core.prune;

import dev.surgeon.core.curvature.Damping;
import dev.surgeon.core.progress.Progress;
import dev.surgeon.kernels.Kernels;
import dev.surgeon.kernels.Trans;
import java.util.Locale;

/**
 * ExactOBS, the pruning half of Optimal Brain Compression (Frantar, Singh and Alistarh 2022, "Optimal brain
 * compression: A framework for accurate post-training quantization and pruning"; METHODS B9): exact greedy OBS on
 * the layer-wise objective ½ Σ_i (w_i − ŵ_i)ᵀ H (w_i − ŵ_i), H = (2/N) X Xᵀ (+ damping), row by row.
 *
 * <h2>Algorithm (per row w, length d = d_col)</h2>
 * <ol>
 *   <li>Start from H⁻¹ (damped Cholesky, METHODS 1.9) and w with the dead columns zeroed (A9). Weights that are
 *       already 0 are eliminated first, with loss 0.</li>
 *   <li>Repeat: score_j = w_j² / [H⁻¹]_jj over the remaining j (N:M: +∞ for j whose group already lost M − N
 *       weights; blocks: score_B = w_Bᵀ([H⁻¹]_BB)⁻¹w_B over the remaining coordinates of each block); eliminate
 *       the argmin (ties: lowest index) with the OBS update δw = −H⁻¹_{:,B}([H⁻¹]_BB)⁻¹w_B and the downdate of
 *       1.4, recording loss = score/2. Unstructured and block rows run to the end (all d coordinates, for the
 *       global selection); N:M rows stop when every group has lost M − N weights (d·(M − N)/M steps).</li>
 *   <li>Global selection (unstructured, blocks; {@link ExactObsTraces#atSparsity}): gather the recorded losses
 *       of all rows, take the smallest until ⌈d_row·d_col·s⌉ weights are covered, count c_i per row, and set row
 *       i to its state after its first c_i steps.</li>
 * </ol>
 * N:M is spelled {@code keep=N,group=M} (at most N non-zeros per M consecutive inputs, {@link Pattern.NOfM}):
 * every group loses M − N weights. For a convolution (columns in (channel, ky, kx) order) a group is M
 * consecutive input channels at one kernel position, as OBC and sparse tensor cores use; a layer whose input
 * count (d_col, or c_in) is not divisible by M is refused ({@link #check}, a
 * {@link LayerReconstructionPatternException}; {@link LayerReconstruction} can skip such layers and report them).
 * Blocks are {@code size} consecutive columns (the last block of a row may be shorter).
 *
 * <h2>Implementation</h2>
 * Each row runs on an {@link ExactObsEliminator}: downdates are deferred and folded into the shrinking inverse by
 * one syrk every few steps (level-3 work, ≈ d³/3 flops per row instead of the 2d³ of per-step rank-one updates of
 * the full matrix). Rows run in parallel on {@code kernels.threads()} threads, or on {@link #withRowThreads}
 * threads (the scalar kernels always report one). The reference vectorizes 32 rows on a GPU; on a CPU each row's
 * flush is already a level-3 call, and rows do not share matrices, so rows are spread over threads. Row traces are
 * stored as the elimination order and the step losses (O(d) per row instead of OBC's d² per row) and replayed
 * with one small solve per row ({@link ExactObsReplay}); the exactness identity (METHODS R15) is a unit test.
 *
 * <p>Cost O(d_row·d_col³/3) flops, memory d_col² doubles per thread plus O(d_row·d_col) for the traces.
 * Deviations from the reference: the retry on a failed Cholesky grows λ geometrically ({@link Damping}) instead
 * of adding 1·I; eliminated block diagonals are excluded from the block scores instead of being reset to 1 (the
 * same effect); global selection counts weights, so a block step covers up to {@code size} weights.
 */
public final class ExactObs implements LayerReconstructionMethod {
    private final Pattern pattern;
    private final double sparsity;
    private final int flushEvery;
    private final int rowThreads;

    private ExactObs(Pattern pattern, double sparsity, int flushEvery, int rowThreads) {
        this.pattern = pattern;
        this.sparsity = sparsity;
        this.flushEvery = flushEvery;
        this.rowThreads = rowThreads;
    }

    /** Unstructured ExactOBS to the given sparsity (per layer, global selection over its rows). */
    public static ExactObs unstructured(double sparsity) {
        return of(Pattern.UNSTRUCTURED, sparsity);
    }

    /** N:M ExactOBS: at most {@code keep} non-zeros in every {@code group} consecutive inputs. */
    public static ExactObs nOfM(int keep, int group) {
        Pattern.NOfM p = new Pattern.NOfM(keep, group);
        return new ExactObs(p, p.sparsity(), ExactObsEliminator.DEFAULT_FLUSH, 0);
    }

    /**
     * ExactOBS for any pattern. For N:M the sparsity is fixed by the pattern (1 − N/M) and must be given as that
     * value or NaN.
     *
     * @throws IllegalArgumentException for a sparsity outside [0, 1) or one that contradicts an N:M pattern
     */
    public static ExactObs of(Pattern pattern, double sparsity) {
        if (pattern instanceof Pattern.NOfM nm) {
            return new ExactObs(nm, requireNOfMSparsity(nm, sparsity), ExactObsEliminator.DEFAULT_FLUSH, 0);
        }
        return new ExactObs(pattern, requireSparsity(sparsity), ExactObsEliminator.DEFAULT_FLUSH, 0);
    }

    /** The same method with another number of eliminations between two syrk flushes (a speed knob only). */
    public ExactObs withFlushEvery(int eliminations) {
        if (eliminations < 1) {
            throw new IllegalArgumentException("flushEvery must be >= 1, got " + eliminations);
        }
        return new ExactObs(pattern, sparsity, eliminations, rowThreads);
    }

    /**
     * The same method with its rows spread over {@code threads} threads (each with a single-threaded view of the
     * kernels) instead of {@code kernels.threads()}; results do not depend on it.
     */
    public ExactObs withRowThreads(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("row threads must be >= 1, got " + threads);
        }
        return new ExactObs(pattern, sparsity, flushEvery, threads);
    }

    /** The same pattern at another sparsity (unstructured and blocks). */
    public ExactObs withSparsity(double s) {
        ExactObs m = of(pattern, s);
        return new ExactObs(m.pattern, m.sparsity, flushEvery, rowThreads);
    }

    /** Threads for the rows: {@link #withRowThreads} if set, else the kernels' bound. */
    int rowThreads(Kernels kernels) {
        return rowThreads > 0 ? rowThreads : kernels.threads();
    }

    public Pattern pattern() {
        return pattern;
    }

    /** The target sparsity (1 − N/M for N:M). */
    public double sparsity() {
        return sparsity;
    }

    @Override
    public String name() {
        return "ExactOBS " + pattern + (pattern instanceof Pattern.NOfM ? "" : " " + percent(sparsity));
    }

    /** OBC's default: no damping (the retry of {@link Damping} applies if H is singular). */
    @Override
    public Damping defaultDamping() {
        return Damping.none();
    }

    @Override
    public void check(String layer, int rows, int cols, int kernelPositions) {
        checkPattern(pattern, layer, cols, kernelPositions);
    }

    @Override
    public LayerReconstructionResult compress(LayerReconstructionProblem problem, Kernels kernels, Progress progress) {
        return traces(problem, kernels, progress).result();
    }

    /**
     * Runs the greedy loop on every row and keeps the traces, from which any sparsity of this pattern is then
     * assembled cheaply (the per-layer database of {@link LayerErrorDatabase}).
     */
    public ExactObsTraces traces(LayerReconstructionProblem problem, Kernels kernels, Progress progress) {
        check(problem.layer(), problem.rows(), problem.cols(), problem.kernelPositions());
        long start = System.nanoTime();
        int rows = problem.rows();
        int d = problem.cols();
        double[] w0 = problem.startingWeights();
        double[] hInv = problem.hessian().inverse();
        int[] order = new int[rows * d];
        double[] stepLoss = new double[rows * d];
        int[] stepSize = new int[rows * d];
        int[] steps = new int[rows];
        int[] mandatory = new int[rows];
        Kernels single = kernels.withThreads(1);
        int blockSize = pattern instanceof Pattern.Blocks b ? Math.min(b.size(), d) : 1;
        progress.start("ExactOBS rows " + problem.layer(), rows);
        LayerReconstructionRows.forEachRow(rows, rowThreads(kernels),
                () -> new RowWorker(new ExactObsEliminator(single, d, blockSize, flushEvery), problem),
                (worker, i) -> worker.run(hInv, w0, i, order, stepLoss, stepSize, steps, mandatory), progress);
        progress.finish();
        return new ExactObsTraces(this, problem, kernels, w0, hInv, order, stepLoss, stepSize, steps, mandatory,
                (System.nanoTime() - start) * 1e-9);
    }

    /**
     * The exact OBS correction of every row for a given mask (METHODS 1.3 per row): the pruned weights (and dead
     * columns) go to 0 and the others to the least-squares optimum ŵ_F = w_F + (H_FF)⁻¹ H_FS w_S. This is the
     * "magnitude mask + OBS update" baseline of METHODS R20 when the mask comes from magnitudes. The predicted loss
     * is ½ Σ eᵀ(H + λI)e.
     */
    public static LayerReconstructionResult reconstruct(LayerReconstructionProblem problem, boolean[] pruned,
                                                        Kernels kernels) {
        int rows = problem.rows();
        int d = problem.cols();
        if (pruned.length != rows * d) {
            throw new IllegalArgumentException(problem.layer() + ": the mask has " + pruned.length + " entries, the layer "
                    + rows * d);
        }
        long start = System.nanoTime();
        double[] w0 = problem.startingWeights();
        boolean[] eliminated = pruned.clone();
        for (int j : problem.hessian().deadColumns()) {
            for (int i = 0; i < rows; i++) {
                eliminated[i * d + j] = true;
            }
        }
        double[] h = problem.hessian().rowHessian().toDense();
        double[] hInv = problem.hessian().inverse();
        double[] out = new double[rows * d];
        Kernels single = kernels.withThreads(1);
        LayerReconstructionRows.forEachRow(rows, kernels.threads(), () -> new ExactObsReplay(single, d),
                (replay, i) -> replay.row(h, hInv, w0, i * d, eliminated, i * d, out, i * d), Progress.NONE);
        double predicted = dampedQuadratic(w0, out, rows, d, h, kernels);
        return LayerReconstructionResult.of(problem, "OBS update of a fixed mask", out, eliminated, null, predicted,
                kernels, start);
    }

    /** ½ Σ_i (w0_i − w_i)ᵀ h (w0_i − w_i) for a full d × d matrix h. */
    static double dampedQuadratic(double[] w0, double[] w, int rows, int d, double[] h, Kernels kernels) {
        double[] e = new double[rows * d];
        for (int q = 0; q < e.length; q++) {
            e[q] = w0[q] - w[q];
        }
        double[] eh = new double[e.length];
        kernels.gemm(Trans.N, Trans.N, rows, d, d, 1.0, e, 0, d, h, 0, d, 0.0, eh, 0, d);
        return 0.5 * kernels.dot(e.length, e, 0, eh, 0);
    }

    /** The pattern's constraints on the layer shape (N:M divisibility). */
    static void checkPattern(Pattern pattern, String layer, int cols, int kernelPositions) {
        if (pattern instanceof Pattern.NOfM nm) {
            int inputs = cols / kernelPositions;
            if (inputs % nm.group() != 0) {
                String what = kernelPositions > 1 ? "its c_in = " + inputs + " input channels" : "its " + cols + " inputs";
                throw new LayerReconstructionPatternException(layer, layer + ": the N:M pattern " + nm + " needs the input "
                        + "count divisible by M = " + nm.group() + ", but the layer has " + what + "; choose a group M that divides " + inputs
                        + ", or leave such layers dense (library: LayerReconstruction.skipIncompatibleLayers(true))");
            }
        }
    }

    /** An N:M pattern fixes the sparsity to 1 − N/M; a given sparsity must be that or NaN. */
    static double requireNOfMSparsity(Pattern.NOfM nm, double sparsity) {
        if (!Double.isNaN(sparsity) && Math.abs(sparsity - nm.sparsity()) > 1e-12) {
            throw new IllegalArgumentException("the N:M pattern " + nm + " fixes the sparsity to 1 − N/M = "
                    + nm.sparsity() + "; got " + sparsity + " (give NaN or use the nOfM factory)");
        }
        return nm.sparsity();
    }

    /** Sparsities are fractions of weights removed, in [0, 1). */
    static double requireSparsity(double s) {
        if (!(s >= 0 && s < 1)) {
            throw new IllegalArgumentException("sparsity must be in [0, 1) (the fraction of weights removed), got " + s
                    + (s >= 1 ? "; sparsity 1 would remove every weight of the layer" : ""));
        }
        return s;
    }

    static String percent(double s) {
        return String.format(Locale.ROOT, "%.4g%%", 100 * s).replaceAll("\\.?0+%", "%");
    }

    @Override
    public String toString() {
        return name();
    }

    /** One thread's greedy loop over rows. */
    private final class RowWorker {
        private final ExactObsEliminator e;
        private final int d;
        private final int kernelPositions;
        private final int[] groupCount;
        private final int[] coords;
        private final double[] zeros;
        private final double[] chol;
        private final double[] y;

        RowWorker(ExactObsEliminator e, LayerReconstructionProblem problem) {
            this.e = e;
            this.d = problem.cols();
            this.kernelPositions = problem.kernelPositions();
            this.groupCount = new int[d];
            int s = pattern instanceof Pattern.Blocks b ? Math.min(b.size(), d) : 1;
            this.coords = new int[s];
            this.zeros = new double[s];
            this.chol = new double[s * s];
            this.y = new double[s];
        }

        /** Group of column j under N:M: M consecutive input channels at one kernel position. */
        private int group(int j, int m) {
            int channel = j / kernelPositions;
            return channel / m * kernelPositions + j % kernelPositions;
        }

        void run(double[] hInv, double[] w0, int i, int[] order, double[] stepLoss, int[] stepSize, int[] steps,
                 int[] mandatory) {
            int base = i * d;
            e.reset(hInv, 0, d, w0, base);
            int m = pattern instanceof Pattern.NOfM nm ? nm.group() : 1;
            int removePerGroup = pattern instanceof Pattern.NOfM nm ? nm.group() - nm.keep() : 0;
            java.util.Arrays.fill(groupCount, 0);
            int z = 0;
            int pos = 0;
            for (int j = 0; j < d; j++) {
                if (w0[base + j] == 0) {
                    e.eliminate(j, 0);
                    order[base + pos++] = j;
                    stepLoss[base + z] = 0;
                    stepSize[base + z++] = 1;
                    if (m > 1) {
                        groupCount[group(j, m)]++;
                    }
                }
            }
            mandatory[i] = z;
            double[] w = e.weights();
            while (e.remaining() > 0) {
                if (pattern instanceof Pattern.Blocks b) {
                    int n = bestBlock(w, b.size());
                    double loss = e.eliminate(coords, zeros, n);
                    for (int t = 0; t < n; t++) {
                        order[base + pos++] = coords[t];
                    }
                    stepLoss[base + z] = loss;
                    stepSize[base + z++] = n;
                    continue;
                }
                int best = -1;
                double bestScore = Double.POSITIVE_INFINITY;
                for (int j = 0; j < d; j++) {
                    if (e.isEliminated(j) || m > 1 && groupCount[group(j, m)] >= removePerGroup) {
                        continue;
                    }
                    double diag = e.inverseDiagonal(j);
                    if (!(diag > 0)) {
                        throw new ExactObsBreakdownException("row " + i + ": the running inverse Hessian has diagonal "
                                + diag + " at coordinate " + j + "; the layer-wise Hessian is too ill-conditioned: use "
                                + "damping (e.g. Damping.relative(0.01)) or more calibration samples");
                    }
                    double score = w[j] * w[j] / diag;
                    if (score < bestScore || best < 0) {
                        bestScore = score;
                        best = j;
                    }
                }
                if (best < 0) {
                    break; // N:M: every group has lost its M − N weights
                }
                double loss = e.eliminate(best, 0);
                order[base + pos++] = best;
                stepLoss[base + z] = loss;
                stepSize[base + z++] = 1;
                if (m > 1) {
                    groupCount[group(best, m)]++;
                }
            }
            steps[i] = z;
            if (pattern instanceof Pattern.NOfM) {
                mandatory[i] = z;
            }
        }

        /** Fills coords with the remaining coordinates of the block of least w_Bᵀ([H⁻¹]_BB)⁻¹w_B; returns their count. */
        private int bestBlock(double[] w, int size) {
            double bestScore = Double.POSITIVE_INFINITY;
            int bestStart = -1;
            for (int start = 0; start < d; start += size) {
                int end = Math.min(d, start + size);
                int n = 0;
                for (int j = start; j < end; j++) {
                    if (!e.isEliminated(j)) {
                        coords[n++] = j;
                    }
                }
                if (n == 0) {
                    continue;
                }
                double score = blockScore(w, n, start);
                if (score < bestScore || bestStart < 0) {
                    bestScore = score;
                    bestStart = start;
                }
            }
            int n = 0;
            for (int j = bestStart; j < Math.min(d, bestStart + size); j++) {
                if (!e.isEliminated(j)) {
                    coords[n++] = j;
                }
            }
            return n;
        }

        /** w_Aᵀ([H⁻¹]_AA)⁻¹w_A for the n coordinates in coords (one block), by a tiny Cholesky. */
        private double blockScore(double[] w, int n, int start) {
            for (int a = 0; a < n; a++) {
                for (int b = 0; b <= a; b++) {
                    double s = e.inverseBlockEntry(coords[a], coords[b] - start);
                    for (int k = 0; k < b; k++) {
                        s -= chol[a * n + k] * chol[b * n + k];
                    }
                    if (a == b) {
                        if (!(s > 0)) {
                            throw new ExactObsBreakdownException("the running inverse Hessian block at columns " + start
                                    + ".." + (start + n - 1) + " is not positive definite; use damping (e.g. "
                                    + "Damping.relative(0.01)) or more calibration samples");
                        }
                        chol[a * n + a] = Math.sqrt(s);
                    } else {
                        chol[a * n + b] = s / chol[b * n + b];
                    }
                }
            }
            double score = 0;
            for (int a = 0; a < n; a++) {
                double s = w[coords[a]];
                for (int k = 0; k < a; k++) {
                    s -= chol[a * n + k] * y[k];
                }
                y[a] = s / chol[a * n + a];
                score += y[a] * y[a];
            }
            return score;
        }
    }
}
