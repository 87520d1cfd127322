package dev.surgeon.core.prune;

import static dev.surgeon.core.prune.LayerFixture.assertRelative;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.surgeon.core.curvature.Damping;
import dev.surgeon.core.progress.Progress;
import dev.surgeon.core.quant.QuantizationGrid;
import dev.surgeon.kernels.Kernels;
import dev.surgeon.kernels.Uplo;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * SparseGPT (METHODS B10, R17) and the Cholesky shortcut of METHODS 1.4 it rests on.
 */
class SparseGptTest {
    private static final Kernels K = Kernels.scalar();

    /**
     * 1.4: after eliminating coordinates 0..j−1 of H⁻¹ by explicit downdates (the kernels' eliminateCoordinate),
     * row j from column j on equals U_jj·U_{j,j:} for H⁻¹ = UᵀU. Both are O(n) sequences of well-conditioned
     * operations on a random SPD matrix (condition ~10²): agreement to 1e-12 relative to the entries.
     */
    @Test
    void choleskyShortcutGivesTheRowsOfTheSequentiallyReducedInverse() {
        int n = 12;
        SplittableRandom r = new SplittableRandom(3);
        double[] a = new double[n * n];
        for (int i = 0; i < a.length; i++) {
            a[i] = r.nextGaussian();
        }
        double[] h = new double[n * n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                for (int k = 0; k < n; k++) {
                    h[i * n + j] += a[i * n + k] * a[j * n + k];
                }
            }
            h[i * n + i] += n;
        }
        double[] inv = LayerFixture.invert(h, n);
        double[] u = inv.clone();
        K.potrf(Uplo.UPPER, n, u, 0, n);
        double[] reduced = inv.clone();
        double[] work = new double[n];
        for (int j = 0; j < n; j++) {
            for (int c = j; c < n; c++) {
                assertEquals(u[j * n + j] * u[j * n + c], reduced[j * n + c], 1e-12 * Math.abs(inv[j * n + j]),
                        "row " + j + " column " + c);
            }
            K.eliminateCoordinate(n, j, reduced, 0, n, work, 0);
        }
    }

    /**
     * R17: with a fixed mask, lazy batching only reorders arithmetic, so block sizes 1, 5 and 128 agree to rounding
     * (1e-12 absolute on weights of order 1), and the result equals sequential OBS in column order with explicit
     * full-matrix downdates, the kept weights frozen (1e-10).
     */
    @Test
    void fixedMaskResultIsIndependentOfBlockSizeAndEqualsSequentialObs() {
        LayerFixture f = LayerFixture.damped(6, 21, 80, 5, Damping.relative(0.01));
        boolean[] mask = new boolean[f.w.length];
        SplittableRandom r = new SplittableRandom(9);
        for (int q = 0; q < mask.length; q++) {
            mask[q] = r.nextDouble() < 0.55;
        }
        LayerReconstructionResult b1 = SparseGpt.unstructured(0.5).withBlockSize(1).compressWithMask(f.problem, mask, K);
        LayerReconstructionResult b5 = SparseGpt.unstructured(0.5).withBlockSize(5).compressWithMask(f.problem, mask, K);
        LayerReconstructionResult b128 = SparseGpt.unstructured(0.5).compressWithMask(f.problem, mask, K);
        assertTrue(LayerFixture.maxAbsDiff(b1.weights(), b5.weights()) < 1e-12);
        assertTrue(LayerFixture.maxAbsDiff(b1.weights(), b128.weights()) < 1e-12);
        assertArrayEquals(mask, b128.pruned());
        double[] inv0 = f.hessian.inverse();
        double[] work = new double[f.cols];
        for (int i = 0; i < f.rows; i++) {
            double[] w = ExactObsTest.row(f.w, i, f.cols);
            double[] inv = inv0.clone();
            for (int j = 0; j < f.cols; j++) {
                if (mask[i * f.cols + j]) {
                    double c = w[j] / inv[j * f.cols + j];
                    for (int k = 0; k < f.cols; k++) {
                        w[k] -= c * inv[k * f.cols + j];
                    }
                    w[j] = 0;
                }
                K.eliminateCoordinate(f.cols, j, inv, 0, f.cols, work, 0);
            }
            for (int j = 0; j < f.cols; j++) {
                assertEquals(w[j], b128.weights()[i * f.cols + j], 1e-10, "row " + i + " column " + j);
            }
        }
        // The recorded losses sum to ½ Σ eᵀ(H + λI)e (damped H): the sweep is an exact sequence of OBS steps.
        double damped = ExactObs.dampedQuadratic(f.problem.startingWeights(), b128.weights(), f.rows, f.cols,
                f.hessian.rowHessian().toDense(), K);
        assertRelative(damped, b128.predictedLoss(), 1e-10, "Σ losses vs damped error");
    }

    /** Without damping the recorded losses are the reconstruction error (R15 for SparseGPT): 1e-9 relative. */
    @Test
    void recordedLossesSumToTheReconstructionError() {
        LayerFixture f = LayerFixture.random(5, 30, 100, 6);
        SparseGpt undamped = SparseGpt.unstructured(0.6).withBlockSize(8);
        LayerReconstructionResult r = undamped.compress(f.problem, K, Progress.NONE);
        assertRelative(f.directError(r.weights()), r.predictedLoss(), 1e-9, "Σ losses");
        // Each block prunes round(0.6·rows·columns) weights: 3 blocks of 8 and one of 6.
        int expected = 3 * (int) Math.round(0.6 * 5 * 8) + (int) Math.round(0.6 * 5 * 6);
        int pruned = 0;
        for (int q = 0; q < r.pruned().length; q++) {
            pruned += r.pruned()[q] ? 1 : 0;
            assertEquals(r.pruned()[q], r.weights()[q] == 0, "mask and zeros agree at " + q);
        }
        assertEquals(expected, pruned);
    }

    @Test
    void nOfMMasksSatisfyThePatternForDenseAndConvolutionLayers() {
        LayerFixture dense = LayerFixture.random(4, 16, 40, 31);
        ExactObsTest.checkNOfM(SparseGpt.nOfM(2, 4).withBlockSize(6).compress(dense.problem, K, Progress.NONE), 4, 16, 1, 2, 4);
        LayerFixture conv = LayerFixture.convolution(3, 8, 4, 40, 32);
        LayerReconstructionResult r = SparseGpt.nOfM(1, 4).compress(conv.problem, K, Progress.NONE);
        ExactObsTest.checkNOfM(r, 3, 32, 4, 1, 4);
        assertRelative(conv.directError(r.weights()), r.predictedLoss(), 1e-9, "Σ losses, conv 1:4");
    }

    @Test
    void exactObsIsAtLeastAsGoodAsSparseGptOnThisLayer() {
        LayerFixture f = LayerFixture.damped(8, 24, 100, 7, Damping.relative(0.01));
        double sgpt = SparseGpt.unstructured(0.7).compress(f.problem, K, Progress.NONE).reconstructionError();
        double obs = ExactObs.unstructured(0.7).compress(f.problem, K, Progress.NONE).reconstructionError();
        assertTrue(obs <= sgpt, "ExactOBS " + obs + " vs SparseGPT " + sgpt);
    }

    /** GPTQ: every weight is its grid value; with pruning, pruned weights are 0 with the zero code. */
    @Test
    void gptqPutsEveryWeightOnTheGrid() {
        LayerFixture f = LayerFixture.damped(5, 18, 70, 8, Damping.relative(0.01));
        QuantizationGrid.Spec spec = QuantizationGrid.Spec.asymmetric(3);
        LayerReconstructionResult r = SparseGpt.unstructured(0.4).withQuantization(spec).compress(f.problem, K, Progress.NONE);
        LayerReconstructionResult g = SparseGpt.gptq(spec).compress(f.problem, K, Progress.NONE);
        for (LayerReconstructionResult x : new LayerReconstructionResult[] {r, g}) {
            for (int i = 0; i < f.rows; i++) {
                for (int j = 0; j < f.cols; j++) {
                    int q = i * f.cols + j;
                    assertEquals(x.quantized().grid().value(i, x.quantized().code(i, j)), x.weights()[q], 0.0);
                    if (x.pruned()[q]) {
                        assertEquals(0.0, x.weights()[q]);
                    }
                }
            }
            assertRelative(ExactObs.dampedQuadratic(f.problem.startingWeights(), x.weights(), f.rows, f.cols,
                    f.hessian.rowHessian().toDense(), K), x.predictedLoss(), 1e-10, "Σ losses");
        }
        assertTrue(g.reconstructionError() < r.reconstructionError());
    }

    @Test
    void impossibleRequestsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> SparseGpt.unstructured(1.0));
        assertThrows(IllegalArgumentException.class, () -> SparseGpt.of(new Pattern.Blocks(4), 0.5));
        assertThrows(IllegalArgumentException.class, () -> SparseGpt.unstructured(0.5).withBlockSize(0));
        LayerFixture f = LayerFixture.random(3, 10, 30, 51);
        assertThrows(LayerReconstructionPatternException.class,
                () -> SparseGpt.nOfM(2, 4).compress(f.problem, K, Progress.NONE));
        assertThrows(IllegalArgumentException.class,
                () -> SparseGpt.unstructured(0.5).compressWithMask(f.problem, new boolean[3], K));
    }
}
