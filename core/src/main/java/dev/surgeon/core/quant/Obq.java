package dev.surgeon.core.quant;

import dev.surgeon.core.curvature.Damping;
import dev.surgeon.core.progress.Progress;
import dev.surgeon.core.prune.ExactObs;
import dev.surgeon.core.prune.ExactObsEliminator;
import dev.surgeon.core.prune.LayerReconstructionMethod;
import dev.surgeon.core.prune.LayerReconstructionProblem;
import dev.surgeon.core.prune.LayerReconstructionResult;
import dev.surgeon.core.prune.LayerReconstructionRows;
import dev.surgeon.kernels.Kernels;

/**
 * OBQ, Optimal Brain Quantizer (Frantar, Singh and Alistarh 2022, "Optimal brain compression: A framework for
 * accurate post-training quantization and pruning"; METHODS C2): greedy quantization of a layer's weights one at a
 * time, in the order that least increases the layer-wise error, with the OBS compensation of METHODS 1.2 for a
 * target value. Per row w, with H⁻¹ the damped inverse of H = (2/N) X Xᵀ and a per-row grid fitted to the row
 * before any update ({@link QuantizationGrid}, C1):
 * <ol>
 *   <li>err_j = (w_j − quant(w_j))², score_j = err_j/[H⁻¹]_jj over the unquantized j.</li>
 *   <li>Outlier rule: if some unquantized weight has err_j &gt; scale²/4 (more than half a grid step away: it was
 *       clipped), quantize the one with the largest err_j first; otherwise p = argmin score (ties: lowest index).</li>
 *   <li>w ← w − ((w_p − quant(w_p))/[H⁻¹]_pp)·H⁻¹_{:,p}; w_p = quant(w_p) exactly; loss += err_p/(2[H⁻¹]_pp).</li>
 *   <li>Downdate H⁻¹ (1.4); repeat until every weight is on the grid.</li>
 * </ol>
 * Weights that are already 0 (dead inputs, earlier pruning) are fixed at 0 first (0 is a grid point of every
 * grid) and stay pruned. The row loop is {@link ExactObsEliminator} (deferred syrk downdates), rows in parallel.
 *
 * <p>Joint pruning and quantization ({@link #afterPruning}): OBC's sequential form. ExactOBS prunes the layer
 * first; the grid is then fitted to the pruned and compensated rows, the pruned coordinates are eliminated at 0,
 * and OBQ quantizes the survivors. The two stages' losses add up to (1/N)‖(W − Ŵ)X‖² exactly (the pruning
 * residual is H-orthogonal to every perturbation that keeps the pruned weights at 0), so the exactness identity of
 * METHODS R15 holds for the joint result too.
 *
 * <p>Cost O(d_row·d_col³/3) like ExactOBS plus O(d_col²) scoring per row. Deviation: the loss of a step uses the
 * diagonal before the downdate, as C2 step 4 says; the code of a weight is chosen when it is quantized.
 */
public final class Obq implements LayerReconstructionMethod {
    private final QuantizationGrid.Spec spec;
    private final ExactObs pruning;
    private final int flushEvery;
    private final int rowThreads;

    private Obq(QuantizationGrid.Spec spec, ExactObs pruning, int flushEvery, int rowThreads) {
        this.spec = spec;
        this.pruning = pruning;
        this.flushEvery = flushEvery;
        this.rowThreads = rowThreads;
    }

    /** OBQ onto per-channel grids of the given kind. */
    public static Obq of(QuantizationGrid.Spec spec) {
        return new Obq(spec, null, ExactObsEliminator.DEFAULT_FLUSH, 0);
    }

    /** Joint compression: prune with ExactOBS first, then quantize the survivors with OBQ. */
    public Obq afterPruning(ExactObs exactObs) {
        return new Obq(spec, exactObs, flushEvery, rowThreads);
    }

    /**
     * The same method with its rows spread over {@code threads} threads instead of {@code kernels.threads()} (the
     * pruning stage keeps its own setting, {@link ExactObs#withRowThreads}); results do not depend on it.
     */
    public Obq withRowThreads(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("row threads must be >= 1, got " + threads);
        }
        return new Obq(spec, pruning, flushEvery, threads);
    }

    public QuantizationGrid.Spec spec() {
        return spec;
    }

    /** The pruning stage, or null. */
    public ExactObs pruning() {
        return pruning;
    }

    @Override
    public String name() {
        return "OBQ " + spec + (pruning != null ? " after " + pruning.name() : "");
    }

    /** OBC's default: no damping (the retry of {@link Damping} applies if H is singular). */
    @Override
    public Damping defaultDamping() {
        return Damping.none();
    }

    @Override
    public void check(String layer, int rows, int cols, int kernelPositions) {
        if (pruning != null) {
            pruning.check(layer, rows, cols, kernelPositions);
        }
    }

    @Override
    public LayerReconstructionResult compress(LayerReconstructionProblem problem, Kernels kernels, Progress progress) {
        long start = System.nanoTime();
        int rows = problem.rows();
        int d = problem.cols();
        double[] w;
        boolean[] pruned;
        double pruningLoss = 0;
        if (pruning != null) {
            LayerReconstructionResult p = pruning.compress(problem, kernels, progress);
            w = p.weights();
            pruned = p.pruned();
            pruningLoss = p.predictedLoss();
        } else {
            w = problem.startingWeights();
            pruned = new boolean[w.length];
            for (int q = 0; q < w.length; q++) {
                pruned[q] = w[q] == 0;
            }
        }
        QuantizationGrid grid = QuantizationGrid.fit(spec, w, 0, rows, d);
        double[] hInv = problem.hessian().inverse();
        double[] out = new double[rows * d];
        byte[] codes = new byte[rows * d];
        double[] rowLoss = new double[rows];
        Kernels single = kernels.withThreads(1);
        double[] weights = w;
        progress.start("OBQ rows " + problem.layer(), rows);
        LayerReconstructionRows.forEachRow(rows, rowThreads > 0 ? rowThreads : kernels.threads(),
                () -> new ExactObsEliminator(single, d, 1, flushEvery),
                (e, i) -> rowLoss[i] = quantizeRow(e, grid, hInv, weights, pruned, i, d, out, codes), progress);
        progress.finish();
        double predicted = pruningLoss;
        for (double l : rowLoss) {
            predicted += l;
        }
        QuantizedWeights q = new QuantizedWeights(problem.layer(), rows, d, codes, grid);
        return LayerReconstructionResult.of(problem, name(), out, pruned, q, predicted, kernels, start);
    }

    private static double quantizeRow(ExactObsEliminator e, QuantizationGrid grid, double[] hInv, double[] w0,
                                      boolean[] pruned, int i, int d, double[] out, byte[] codes) {
        int base = i * d;
        e.reset(hInv, 0, d, w0, base);
        byte zeroCode = (byte) grid.code(i, 0);
        double loss = 0;
        for (int j = 0; j < d; j++) {
            if (pruned[base + j]) {
                loss += e.eliminate(j, 0);
                codes[base + j] = zeroCode;
            }
        }
        double threshold = grid.outlierThreshold(i);
        double[] w = e.weights();
        while (e.remaining() > 0) {
            int best = -1;
            double bestScore = Double.POSITIVE_INFINITY;
            int worst = -1;
            double worstErr = -1;
            for (int j = 0; j < d; j++) {
                if (e.isEliminated(j)) {
                    continue;
                }
                double diff = w[j] - grid.quantize(i, w[j]);
                double err = diff * diff;
                double score = err / e.inverseDiagonal(j);
                if (score < bestScore || best < 0) {
                    bestScore = score;
                    best = j;
                }
                if (err > worstErr) {
                    worstErr = err;
                    worst = j;
                }
            }
            int j = worstErr > threshold ? worst : best;
            int code = grid.code(i, w[j]);
            loss += e.eliminate(j, grid.value(i, code));
            codes[base + j] = (byte) code;
        }
        System.arraycopy(w, 0, out, base, d);
        return loss;
    }

    @Override
    public String toString() {
        return name();
    }
}
