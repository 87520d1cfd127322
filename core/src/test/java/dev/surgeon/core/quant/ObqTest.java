package dev.surgeon.core.quant;

import static dev.surgeon.core.prune.LayerFixture.assertRelative;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.surgeon.core.progress.Progress;
import dev.surgeon.core.prune.ExactObs;
import dev.surgeon.core.prune.LayerFixture;
import dev.surgeon.core.prune.LayerReconstructionResult;
import dev.surgeon.kernels.Kernels;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** OBQ (METHODS C2): codes on the grid, the exactness identity (R15), the slow definition, joint pruning. */
class ObqTest {
    private static final Kernels K = Kernels.scalar();

    @Test
    void codesAreOnTheGridAndWithinRange() {
        LayerFixture f = LayerFixture.random(6, 20, 80, 1);
        for (QuantizationGrid.Spec spec : new QuantizationGrid.Spec[] {QuantizationGrid.Spec.asymmetric(2),
                QuantizationGrid.Spec.symmetric(4).withSearch(), QuantizationGrid.Spec.asymmetric(8)}) {
            LayerReconstructionResult r = Obq.of(spec).compress(f.problem, K, Progress.NONE);
            QuantizedWeights q = r.quantized();
            float[] dequantized = q.dequantize();
            for (int i = 0; i < f.rows; i++) {
                for (int j = 0; j < f.cols; j++) {
                    int c = q.code(i, j);
                    assertTrue(c >= 0 && c <= spec.maxq(), "code " + c);
                    assertEquals(q.grid().value(i, c), r.weights()[i * f.cols + j], 0.0, "weight is its grid value");
                    assertEquals((float) r.weights()[i * f.cols + j], dequantized[i * f.cols + j]);
                }
            }
        }
    }

    /** R15 for OBQ: with no damping Σ step losses = (1/N)‖(W − Ŵ)X‖², 1e-9 relative (double rounding only). */
    @Test
    void recordedLossesSumToTheReconstructionError() {
        LayerFixture f = LayerFixture.withZeros(7, 25, 100, 2, 5, 1);
        LayerReconstructionResult r = Obq.of(QuantizationGrid.Spec.asymmetric(3)).compress(f.problem, K, Progress.NONE);
        assertRelative(f.directError(r.weights()), r.predictedLoss(), 1e-9, "Σ losses");
        double[] w0 = f.problem.startingWeights();
        for (int q = 0; q < w0.length; q++) {
            if (w0[q] == 0) {
                assertEquals(0.0, r.weights()[q], "weights that were 0 stay 0");
                assertTrue(r.pruned()[q]);
            }
        }
    }

    /** Joint (prune with ExactOBS, then OBQ on the survivors): pruned weights stay 0, the identity still holds. */
    @Test
    void jointPruningAndQuantizationKeepsTheMaskAndTheIdentity() {
        LayerFixture f = LayerFixture.random(6, 24, 90, 3);
        Obq joint = Obq.of(QuantizationGrid.Spec.asymmetric(4)).afterPruning(ExactObs.nOfM(2, 4));
        LayerReconstructionResult r = joint.compress(f.problem, K, Progress.NONE);
        LayerReconstructionResult pruned = ExactObs.nOfM(2, 4).compress(f.problem, K, Progress.NONE);
        assertArrayEquals(pruned.pruned(), r.pruned());
        for (int q = 0; q < r.weights().length; q++) {
            if (r.pruned()[q]) {
                assertEquals(0.0, r.weights()[q]);
                assertEquals(0.0, r.quantized().grid().value(q / f.cols, r.quantized().code(q / f.cols, q % f.cols)));
            }
        }
        assertRelative(f.directError(r.weights()), r.predictedLoss(), 1e-9, "Σ losses, joint");
        assertTrue(r.reconstructionError() > pruned.reconstructionError());
    }

    /** Against the slow definition: greedy with the outlier rule, re-inverting H on the unquantized set each step. */
    @Test
    void matchesGreedyQuantizationWithReinversionEveryStep() {
        LayerFixture f = LayerFixture.random(4, 9, 30, 4);
        QuantizationGrid.Spec spec = QuantizationGrid.Spec.asymmetric(2);
        LayerReconstructionResult r = Obq.of(spec).compress(f.problem, K, Progress.NONE);
        QuantizationGrid grid = QuantizationGrid.fit(spec, f.w, 0, f.rows, f.cols);
        double[] h = f.hessian.rowHessian().toDense();
        double total = 0;
        for (int i = 0; i < f.rows; i++) {
            double[] w = Arrays.copyOfRange(f.w, i * f.cols, (i + 1) * f.cols);
            boolean[] done = new boolean[f.cols];
            for (int step = 0; step < f.cols; step++) {
                int[] free = java.util.stream.IntStream.range(0, f.cols).filter(j -> !done[j]).toArray();
                double[] inv = LayerFixture.invert(LayerFixture.sub(h, f.cols, free), free.length);
                int best = -1;
                int worst = -1;
                double bestScore = Double.POSITIVE_INFINITY;
                double worstErr = -1;
                for (int a = 0; a < free.length; a++) {
                    double diff = w[free[a]] - grid.quantize(i, w[free[a]]);
                    double score = diff * diff / inv[a * free.length + a];
                    if (score < bestScore) {
                        bestScore = score;
                        best = a;
                    }
                    if (diff * diff > worstErr) {
                        worstErr = diff * diff;
                        worst = a;
                    }
                }
                int a = worstErr > 0.25 * grid.scale(i) * grid.scale(i) ? worst : best;
                double target = grid.quantize(i, w[free[a]]);
                double e = w[free[a]] - target;
                double piv = inv[a * free.length + a];
                total += e * e / (2 * piv);
                for (int b = 0; b < free.length; b++) {
                    w[free[b]] -= e / piv * inv[b * free.length + a];
                }
                w[free[a]] = target;
                done[free[a]] = true;
            }
            for (int j = 0; j < f.cols; j++) {
                assertEquals(w[j], r.weights()[i * f.cols + j], 1e-10, "row " + i + " weight " + j);
            }
        }
        assertRelative(total, r.predictedLoss(), 1e-10, "Σ losses");
    }

    @Test
    void obqIsBetterThanRoundingToNearest() {
        LayerFixture f = LayerFixture.random(6, 20, 80, 5);
        QuantizationGrid.Spec spec = QuantizationGrid.Spec.asymmetric(3);
        LayerReconstructionResult r = Obq.of(spec).compress(f.problem, K, Progress.NONE);
        QuantizationGrid grid = QuantizationGrid.fit(spec, f.w, 0, f.rows, f.cols);
        double[] rounded = new double[f.w.length];
        for (int q = 0; q < rounded.length; q++) {
            rounded[q] = grid.quantize(q / f.cols, f.w[q]);
        }
        assertTrue(r.reconstructionError() < f.directError(rounded));
    }
}
