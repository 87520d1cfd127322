package dev.surgeon.core.prune;

import dev.surgeon.core.progress.Progress;
import dev.surgeon.kernels.Kernels;
import java.util.Arrays;
import java.util.Comparator;

/**
 * The row traces of one ExactOBS run on a layer (METHODS B9 steps 2e and 3): for every row, the order in which
 * its coordinates were eliminated, grouped into steps (one coordinate, or one block), and the loss of each step.
 * The intermediate rows themselves are not stored (OBC keeps d_col² doubles per row); the row after any number of
 * steps is recomputed by {@link ExactObsReplay}, whose result equals the greedy run's state in exact arithmetic
 * because the eliminations of a set on an exact quadratic end at the joint OBS solution whatever their order.
 *
 * <p>{@link #atSparsity} performs the per-layer global selection: the smallest step losses of all rows are taken
 * until ⌈d_row·d_col·s⌉ weights are covered (steps that eliminate already-zero weights are always taken), c_i
 * counts row i's selected steps, and row i becomes its state after its first c_i steps. Because per-row losses
 * need not increase with the step, this is OBC's heuristic, not an optimum. The recorded losses of the chosen
 * steps sum to ½ Σ_i (w_i − ŵ_i)ᵀ(H + λI)(w_i − ŵ_i) (the exactness identity, METHODS R15).
 */
public final class ExactObsTraces implements LayerReconstructionLadder {
    private final ExactObs method;
    private final LayerReconstructionProblem problem;
    private final Kernels kernels;
    private final double[] w0;
    private final double[] hInv;
    private final int[] order;
    private final double[] stepLoss;
    private final int[] stepSize;
    private final int[] steps;
    private final int[] mandatory;
    private final double seconds;
    private double[] h;

    ExactObsTraces(ExactObs method, LayerReconstructionProblem problem, Kernels kernels, double[] w0, double[] hInv,
                   int[] order, double[] stepLoss, int[] stepSize, int[] steps, int[] mandatory, double seconds) {
        this.method = method;
        this.problem = problem;
        this.kernels = kernels;
        this.w0 = w0;
        this.hInv = hInv;
        this.order = order;
        this.stepLoss = stepLoss;
        this.stepSize = stepSize;
        this.steps = steps;
        this.mandatory = mandatory;
        this.seconds = seconds;
    }

    public LayerReconstructionProblem problem() {
        return problem;
    }

    /** Wall time of the greedy run. */
    public double seconds() {
        return seconds;
    }

    /** Steps recorded for row i (d_col for unstructured rows, fewer for blocks and N:M). */
    public int steps(int row) {
        return steps[row];
    }

    /** Row i's step losses, in elimination order. */
    public double[] losses(int row) {
        int d = problem.cols();
        return Arrays.copyOfRange(stepLoss, row * d, row * d + steps[row]);
    }

    /** Row i's eliminated coordinates, in elimination order (a block step contributes its coordinates in order). */
    public int[] eliminationOrder(int row) {
        int d = problem.cols();
        int n = 0;
        for (int z = 0; z < steps[row]; z++) {
            n += stepSize[row * d + z];
        }
        return Arrays.copyOfRange(order, row * d, row * d + n);
    }

    /** The layer at the method's own sparsity (for N:M: the complete N:M result). */
    public LayerReconstructionResult result() {
        if (method.pattern() instanceof Pattern.NOfM) {
            return assemble(steps.clone(), method.name());
        }
        return atSparsity(method.sparsity());
    }

    /**
     * The layer at sparsity s by global selection over the row traces (unstructured and block patterns).
     *
     * @throws IllegalStateException for N:M traces, which have a single level
     */
    @Override
    public LayerReconstructionResult atSparsity(double s) {
        ExactObs.requireSparsity(s);
        if (method.pattern() instanceof Pattern.NOfM) {
            throw new IllegalStateException("an N:M ExactOBS trace has one level (" + method.pattern() + "); use result()");
        }
        return assemble(selectCounts(s), method.withSparsity(s).name());
    }

    /**
     * c_i, the number of leading steps of each row that the global selection at sparsity s keeps eliminated.
     */
    public int[] selectCounts(double s) {
        int rows = problem.rows();
        int d = problem.cols();
        long total = (long) rows * d;
        double exact = total * s;
        long target = Math.round(exact);
        if (Math.abs(exact - target) > 1e-6 * Math.max(1, exact)) {
            target = (long) Math.ceil(exact);
        }
        int[] count = mandatory.clone();
        long covered = 0;
        int candidates = 0;
        for (int i = 0; i < rows; i++) {
            for (int z = 0; z < mandatory[i]; z++) {
                covered += stepSize[i * d + z];
            }
            candidates += steps[i] - mandatory[i];
        }
        if (covered >= target) {
            return count;
        }
        Integer[] idx = new Integer[candidates];
        int k = 0;
        for (int i = 0; i < rows; i++) {
            for (int z = mandatory[i]; z < steps[i]; z++) {
                idx[k++] = i * d + z;
            }
        }
        Arrays.sort(idx, Comparator.<Integer>comparingDouble(q -> stepLoss[q]).thenComparingInt(q -> q));
        for (int c = 0; c < candidates && covered < target; c++) {
            int q = idx[c];
            count[q / d]++;
            covered += stepSize[q];
        }
        return count;
    }

    /** Replays every row to its first count[i] steps. */
    private LayerReconstructionResult assemble(int[] count, String name) {
        long start = System.nanoTime();
        int rows = problem.rows();
        int d = problem.cols();
        boolean[] pruned = new boolean[rows * d];
        double predicted = 0;
        for (int i = 0; i < rows; i++) {
            int pos = 0;
            for (int z = 0; z < count[i]; z++) {
                predicted += stepLoss[i * d + z];
                for (int t = 0; t < stepSize[i * d + z]; t++) {
                    pruned[i * d + order[i * d + pos++]] = true;
                }
            }
        }
        double[] out = new double[rows * d];
        double[] hessian = dampedHessian();
        Kernels single = kernels.withThreads(1);
        LayerReconstructionRows.forEachRow(rows, method.rowThreads(kernels), () -> new ExactObsReplay(single, d),
                (replay, i) -> replay.row(hessian, hInv, w0, i * d, pruned, i * d, out, i * d), Progress.NONE);
        LayerReconstructionResult r = LayerReconstructionResult.of(problem, name, out, pruned, null, predicted, kernels, start);
        return new LayerReconstructionResult(r.layer(), r.method(), r.rows(), r.cols(), r.weights(), r.pruned(), null,
                r.predictedLoss(), r.reconstructionError(), r.energy(), r.damping(), r.seconds() + seconds);
    }

    private synchronized double[] dampedHessian() {
        if (h == null) {
            h = problem.hessian().rowHessian().toDense();
        }
        return h;
    }
}
