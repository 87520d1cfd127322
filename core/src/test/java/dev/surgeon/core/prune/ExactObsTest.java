package dev.surgeon.core.prune;

import static dev.surgeon.core.prune.LayerFixture.assertRelative;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.surgeon.core.curvature.Damping;
import dev.surgeon.core.progress.Progress;
import dev.surgeon.kernels.Kernels;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * ExactOBS (METHODS B9): the exactness identity R15, agreement with the slow definition (greedy OBS re-inverting
 * the remaining submatrix of H every step), N:M and block patterns, global selection, refusals, determinism.
 */
class ExactObsTest {
    private static final Kernels K = Kernels.scalar();

    /**
     * R15. Every step's loss is exact for the quadratic objective, so the only error is double rounding through
     * d_col sequential downdates of a well-conditioned H (random correlated inputs, N = 4·d_col): far below 1e-9.
     */
    @Test
    void recordedLossesSumToTheReconstructionErrorUnstructured() {
        LayerFixture f = LayerFixture.withZeros(7, 23, 92, 11, 9, 2);
        ExactObsTraces t = ExactObs.unstructured(0.5).traces(f.problem, K, Progress.NONE);
        int zeros = 0;
        for (double v : f.problem.startingWeights()) {
            zeros += v == 0 ? 1 : 0;
        }
        for (double s : new double[] {0.1, 0.5, 0.77, 0.95}) {
            LayerReconstructionResult r = t.atSparsity(s);
            assertRelative(f.directError(r.weights()), r.predictedLoss(), 1e-9, "Σ losses at sparsity " + s);
            assertRelative(f.directError(r.weights()), r.reconstructionError(), 1e-9, "H-based error at sparsity " + s);
            // ⌈s·d_row·d_col⌉ weights, but never fewer than the weights that were already 0 (they stay pruned).
            assertEquals(Math.max(zeros, Math.ceil(s * 7 * 23 - 1e-9)), count(r.pruned()), 1e-9, "pruned count at " + s);
        }
    }

    @Test
    void recordedLossesSumToTheReconstructionErrorForNOfMAndBlocks() {
        LayerFixture f = LayerFixture.withZeros(5, 24, 96, 12, 6, 1);
        LayerReconstructionResult nm = ExactObs.nOfM(2, 4).compress(f.problem, K, Progress.NONE);
        assertRelative(f.directError(nm.weights()), nm.predictedLoss(), 1e-9, "Σ losses, 2:4");
        LayerFixture g = LayerFixture.withZeros(5, 22, 90, 13, 6, 1);
        LayerReconstructionResult blocks = ExactObs.of(new Pattern.Blocks(4), 0.6).compress(g.problem, K, Progress.NONE);
        assertRelative(g.directError(blocks.weights()), blocks.predictedLoss(), 1e-9, "Σ losses, 4-blocks");
    }

    /** The fast algorithm against its slow definition on a tiny layer: same order, same losses, same rows. */
    @Test
    void unstructuredMatchesGreedyObsWithReinversionEveryStep() {
        LayerFixture f = LayerFixture.withZeros(3, 9, 30, 21, 2, 1);
        ExactObsTraces t = ExactObs.unstructured(0.5).withFlushEvery(3).traces(f.problem, K, Progress.NONE);
        compareWithBruteForce(f, t, Pattern.UNSTRUCTURED, new double[] {0.2, 0.5, 0.8});
    }

    @Test
    void blocksMatchGreedyBlockObsWithReinversionEveryStep() {
        LayerFixture f = LayerFixture.withZeros(3, 10, 40, 22, 2, 0);
        Pattern.Blocks p = new Pattern.Blocks(3);
        ExactObsTraces t = ExactObs.of(p, 0.5).withFlushEvery(2).traces(f.problem, K, Progress.NONE);
        compareWithBruteForce(f, t, p, new double[] {0.3, 0.6});
    }

    @Test
    void nOfMMatchesGreedyObsWithReinversionAndGroupLimits() {
        LayerFixture f = LayerFixture.convolution(3, 4, 3, 40, 23);
        Pattern.NOfM p = new Pattern.NOfM(1, 2);
        ExactObs method = ExactObs.nOfM(1, 2).withFlushEvery(2);
        ExactObsTraces t = method.traces(f.problem, K, Progress.NONE);
        double[] h = f.hessian.rowHessian().toDense();
        LayerReconstructionResult r = t.result();
        for (int i = 0; i < f.rows; i++) {
            List<BruteStep> brute = bruteForce(h, row(f.problem.startingWeights(), i, f.cols), f.cols, p, 3);
            assertEquals(brute.size(), t.steps(i), "steps of row " + i);
            assertArrayEquals(order(brute), t.eliminationOrder(i), "order of row " + i);
            double[] last = brute.get(brute.size() - 1).after;
            for (int j = 0; j < f.cols; j++) {
                assertEquals(last[j], r.weights()[i * f.cols + j], 1e-10, "row " + i + " weight " + j);
            }
        }
    }

    @Test
    void nOfMMasksSatisfyThePatternForDenseAndConvolutionLayers() {
        LayerFixture dense = LayerFixture.random(4, 16, 40, 31);
        checkNOfM(ExactObs.nOfM(2, 4).compress(dense.problem, K, Progress.NONE), 4, 16, 1, 2, 4);
        checkNOfM(ExactObs.nOfM(1, 4).compress(dense.problem, K, Progress.NONE), 4, 16, 1, 1, 4);
        LayerFixture conv = LayerFixture.convolution(3, 8, 4, 40, 32);
        checkNOfM(ExactObs.nOfM(2, 4).compress(conv.problem, K, Progress.NONE), 3, 32, 4, 2, 4);
    }

    /** Groups of M consecutive input channels at one kernel position keep at most N non-zeros, exactly N here. */
    static void checkNOfM(LayerReconstructionResult r, int rows, int cols, int positions, int keep, int group) {
        for (int i = 0; i < rows; i++) {
            for (int pos = 0; pos < positions; pos++) {
                for (int c0 = 0; c0 < cols / positions; c0 += group) {
                    int nonZero = 0;
                    for (int c = c0; c < c0 + group; c++) {
                        int q = i * cols + c * positions + pos;
                        assertEquals(r.pruned()[q], r.weights()[q] == 0, "mask and zero agree at " + q);
                        if (!r.pruned()[q]) {
                            nonZero++;
                        }
                    }
                    assertEquals(keep, nonZero, "row " + i + " position " + pos + " channels " + c0 + "..");
                }
            }
        }
    }

    @Test
    void exactObsBeatsMagnitudeWithUpdateAndSelectionIsGlobal() {
        LayerFixture f = LayerFixture.random(6, 20, 80, 41);
        LayerReconstructionResult obs = ExactObs.unstructured(0.6).compress(f.problem, K, Progress.NONE);
        boolean[] magnitude = new boolean[f.w.length];
        double[] abs = new double[f.w.length];
        for (int q = 0; q < abs.length; q++) {
            abs[q] = Math.abs(f.w[q]);
        }
        double[] sorted = abs.clone();
        java.util.Arrays.sort(sorted);
        double threshold = sorted[(int) Math.ceil(0.6 * abs.length) - 1];
        for (int q = 0; q < abs.length; q++) {
            magnitude[q] = abs[q] <= threshold;
        }
        LayerReconstructionResult mag = ExactObs.reconstruct(f.problem, magnitude, K);
        assertTrue(obs.reconstructionError() < mag.reconstructionError(),
                "ExactOBS " + obs.reconstructionError() + " vs magnitude + update " + mag.reconstructionError());
        // Global selection: rows end up with different sparsities.
        int min = Integer.MAX_VALUE;
        int max = 0;
        for (int i = 0; i < f.rows; i++) {
            int c = 0;
            for (int j = 0; j < f.cols; j++) {
                c += obs.pruned()[i * f.cols + j] ? 1 : 0;
            }
            min = Math.min(min, c);
            max = Math.max(max, c);
        }
        assertTrue(max > min, "rows pruned to " + min + ".." + max);
    }

    @Test
    void impossibleRequestsAreRefusedWithClearMessages() {
        assertThrows(IllegalArgumentException.class, () -> ExactObs.unstructured(1.0));
        assertThrows(IllegalArgumentException.class, () -> ExactObs.unstructured(-0.1));
        assertThrows(IllegalArgumentException.class, () -> ExactObs.unstructured(Double.NaN));
        IllegalArgumentException nm = assertThrows(IllegalArgumentException.class, () -> ExactObs.nOfM(4, 4));
        assertTrue(nm.getMessage().contains("keep=N"), nm.getMessage());
        assertThrows(IllegalArgumentException.class, () -> ExactObs.of(new Pattern.NOfM(2, 4), 0.7));
        LayerFixture f = LayerFixture.random(3, 10, 30, 51);
        LayerReconstructionPatternException e = assertThrows(LayerReconstructionPatternException.class,
                () -> ExactObs.nOfM(2, 4).compress(f.problem, K, Progress.NONE));
        assertTrue(e.getMessage().contains("divisible by M = 4") && e.getMessage().contains("10"), e.getMessage());
        LayerFixture conv = LayerFixture.convolution(2, 3, 4, 30, 52);
        e = assertThrows(LayerReconstructionPatternException.class,
                () -> ExactObs.nOfM(1, 2).compress(conv.problem, K, Progress.NONE));
        assertTrue(e.getMessage().contains("c_in = 3"), e.getMessage());
        ExactObsTraces t = ExactObs.nOfM(1, 2).traces(f.problem, K, Progress.NONE);
        assertThrows(IllegalStateException.class, () -> t.atSparsity(0.5));
    }

    /** Rows are independent, so 1 and 3 threads give bit-identical results, and reruns too. */
    @Test
    void resultsAreDeterministicAndIndependentOfTheThreadCount() {
        LayerFixture f = LayerFixture.random(9, 16, 50, 61);
        LayerReconstructionResult a = ExactObs.unstructured(0.7).compress(f.problem, K, Progress.NONE);
        LayerReconstructionResult b = ExactObs.unstructured(0.7).compress(f.problem, LayerFixture.scalarWithThreads(3),
                Progress.NONE);
        LayerReconstructionResult c = ExactObs.unstructured(0.7).compress(f.problem, K, Progress.NONE);
        LayerReconstructionResult d = ExactObs.unstructured(0.7).withRowThreads(2).compress(f.problem, K, Progress.NONE);
        assertArrayEquals(a.weights(), b.weights());
        assertArrayEquals(a.weights(), d.weights());
        assertArrayEquals(a.pruned(), b.pruned());
        assertArrayEquals(a.weights(), c.weights());
        assertEquals(a.predictedLoss(), b.predictedLoss());
    }

    /** The flush interval only reorders arithmetic: results agree to rounding. */
    @Test
    void flushIntervalDoesNotChangeTheResult() {
        LayerFixture f = LayerFixture.random(4, 30, 90, 62);
        LayerReconstructionResult a = ExactObs.unstructured(0.5).withFlushEvery(1).compress(f.problem, K, Progress.NONE);
        LayerReconstructionResult b = ExactObs.unstructured(0.5).withFlushEvery(64).compress(f.problem, K, Progress.NONE);
        assertArrayEquals(a.pruned(), b.pruned());
        assertTrue(LayerFixture.maxAbsDiff(a.weights(), b.weights()) < 1e-11);
    }

    // ------------------------------------------------------------------------------------------------
    // The slow definition

    record BruteStep(int[] coords, double loss, double[] after) {
    }

    static double[] row(double[] w, int i, int d) {
        return java.util.Arrays.copyOfRange(w, i * d, (i + 1) * d);
    }

    static int[] order(List<BruteStep> steps) {
        return steps.stream().flatMapToInt(s -> java.util.Arrays.stream(s.coords)).toArray();
    }

    /** Greedy OBS on one row, re-inverting H restricted to the remaining coordinates at every step. */
    static List<BruteStep> bruteForce(double[] h, double[] w0, int d, Pattern pattern, int positions) {
        double[] w = w0.clone();
        boolean[] gone = new boolean[d];
        int[] groupCount = new int[d];
        List<BruteStep> steps = new ArrayList<>();
        int m = pattern instanceof Pattern.NOfM nm ? nm.group() : 1;
        int limit = pattern instanceof Pattern.NOfM nm ? nm.group() - nm.keep() : 0;
        for (int j = 0; j < d; j++) {
            if (w[j] == 0) {
                gone[j] = true;
                groupCount[(j / positions) / m * positions + j % positions]++;
                steps.add(new BruteStep(new int[] {j}, 0, w.clone()));
            }
        }
        while (true) {
            int[] f = java.util.stream.IntStream.range(0, d).filter(j -> !gone[j]).toArray();
            if (f.length == 0) {
                break;
            }
            double[] inv = LayerFixture.invert(LayerFixture.sub(h, d, f), f.length);
            List<int[]> candidates = new ArrayList<>();
            if (pattern instanceof Pattern.Blocks b) {
                for (int start = 0; start < d; start += b.size()) {
                    int s0 = start;
                    int[] blk = java.util.stream.IntStream.range(0, f.length)
                            .filter(a -> f[a] >= s0 && f[a] < s0 + b.size()).toArray();
                    if (blk.length > 0) {
                        candidates.add(blk);
                    }
                }
            } else {
                for (int a = 0; a < f.length; a++) {
                    int j = f[a];
                    if (m == 1 || groupCount[(j / positions) / m * positions + j % positions] < limit) {
                        candidates.add(new int[] {a});
                    }
                }
            }
            if (candidates.isEmpty()) {
                break;
            }
            int[] best = null;
            double bestScore = Double.POSITIVE_INFINITY;
            for (int[] c : candidates) {
                double score = quadraticForm(inv, f.length, c, w, f);
                if (score < bestScore) {
                    bestScore = score;
                    best = c;
                }
            }
            // δw_F = −inv[:,B] (inv_BB)⁻¹ w_B
            int nb = best.length;
            double[] invBB = new double[nb * nb];
            for (int s = 0; s < nb; s++) {
                for (int t = 0; t < nb; t++) {
                    invBB[s * nb + t] = inv[best[s] * f.length + best[t]];
                }
            }
            double[] y = multiply(LayerFixture.invert(invBB, nb), nb, best, w, f);
            double[] next = w.clone();
            for (int a = 0; a < f.length; a++) {
                double s = 0;
                for (int t = 0; t < nb; t++) {
                    s += inv[a * f.length + best[t]] * y[t];
                }
                next[f[a]] -= s;
            }
            int[] coords = new int[nb];
            for (int t = 0; t < nb; t++) {
                coords[t] = f[best[t]];
                next[coords[t]] = 0;
                gone[coords[t]] = true;
                groupCount[(coords[t] / positions) / m * positions + coords[t] % positions]++;
            }
            w = next;
            steps.add(new BruteStep(coords, bestScore / 2, w.clone()));
        }
        return steps;
    }

    private static double quadraticForm(double[] inv, int n, int[] c, double[] w, int[] f) {
        int nb = c.length;
        double[] invBB = new double[nb * nb];
        for (int s = 0; s < nb; s++) {
            for (int t = 0; t < nb; t++) {
                invBB[s * nb + t] = inv[c[s] * n + c[t]];
            }
        }
        double[] y = multiply(LayerFixture.invert(invBB, nb), nb, c, w, f);
        double q = 0;
        for (int t = 0; t < nb; t++) {
            q += w[f[c[t]]] * y[t];
        }
        return q;
    }

    private static double[] multiply(double[] a, int nb, int[] c, double[] w, int[] f) {
        double[] y = new double[nb];
        for (int s = 0; s < nb; s++) {
            for (int t = 0; t < nb; t++) {
                y[s] += a[s * nb + t] * w[f[c[t]]];
            }
        }
        return y;
    }

    private static void compareWithBruteForce(LayerFixture f, ExactObsTraces t, Pattern pattern, double[] sparsities) {
        double[] h = f.hessian.rowHessian().toDense();
        double[] w0 = f.problem.startingWeights();
        List<List<BruteStep>> brute = new ArrayList<>();
        for (int i = 0; i < f.rows; i++) {
            List<BruteStep> b = bruteForce(h, row(w0, i, f.cols), f.cols, pattern, 1);
            brute.add(b);
            assertEquals(b.size(), t.steps(i), "steps of row " + i);
            assertArrayEquals(order(b), t.eliminationOrder(i), "elimination order of row " + i);
            double[] losses = t.losses(i);
            for (int z = 0; z < b.size(); z++) {
                // 1e-9 relative (1e-12 absolute for the zero-loss steps): the two agree up to double rounding.
                assertEquals(b.get(z).loss, losses[z], 1e-9 * Math.abs(b.get(z).loss) + 1e-12, "row " + i + " step " + z);
            }
        }
        for (double s : sparsities) {
            int[] counts = t.selectCounts(s);
            LayerReconstructionResult r = t.atSparsity(s);
            for (int i = 0; i < f.rows; i++) {
                double[] expected = counts[i] == 0 ? row(w0, i, f.cols) : brute.get(i).get(counts[i] - 1).after;
                for (int j = 0; j < f.cols; j++) {
                    assertEquals(expected[j], r.weights()[i * f.cols + j], 1e-10, "s " + s + " row " + i + " weight " + j);
                }
            }
        }
    }

    private static int count(boolean[] b) {
        int n = 0;
        for (boolean x : b) {
            n += x ? 1 : 0;
        }
        return n;
    }
}
