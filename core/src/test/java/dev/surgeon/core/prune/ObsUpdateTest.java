package dev.surgeon.core.prune;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.surgeon.core.curvature.BlockPartition;
import dev.surgeon.core.curvature.Damping;
import dev.surgeon.core.curvature.DenseOperator;
import dev.surgeon.core.curvature.ParameterSubset;
import dev.surgeon.kernels.Kernels;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The OBS corrections against a direct solve of the KKT system of min ½δᵀHδ s.t. δ_P = −w_P (METHODS 1.2–1.4), for
 * dense models and for the gradient (Fisher) model in both of its solve paths.
 */
class ObsUpdateTest {
    private static final Kernels K = Kernels.scalar();

    private static ParameterSubset subset(int n) {
        return ParameterSubset.all(Fixtures.network("in(" + (n - 1) + ") dense(1)", 0).layout());
    }

    @Test
    void singleWeightCorrectionIsTheClosedFormAndTheConstrainedMinimum() {
        int n = 9;
        double[] h = DenseMath.randomSpd(n, 0.1, 1);
        double[] w = DenseMath.randomVector(n, 2);
        QuadraticModel model = QuadraticModel.of(DenseOperator.of("H", h.clone(), n, Damping.none(), K), subset(n), K);
        double[] hInv = DenseMath.inverse(h, n);
        for (int q = 0; q < n; q++) {
            boolean[] fixed = new boolean[n];
            fixed[q] = true;
            double[] delta = new double[n];
            double value = model.constrainedCorrection(fixed, w, delta);
            double[] reference = DenseMath.constrainedMinimum(h, n, fixed, w);
            for (int i = 0; i < n; i++) {
                double closedForm = -w[q] / hInv[q * n + q] * hInv[i * n + q];
                // Three independent routes (Cholesky of H_RR, KKT by Gauss–Jordan, the 1.2 closed form) agree to the
                // rounding of 9 × 9 solves of a matrix with condition number below 1e3.
                assertEquals(reference[i], delta[i], 1e-11, "KKT, q " + q + " i " + i);
                assertEquals(closedForm, delta[i], 1e-11, "closed form, q " + q + " i " + i);
            }
            assertEquals(w[q] * w[q] / (2 * hInv[q * n + q]), value, 1e-12, "ΔL_q = w_q²/(2[H⁻¹]_qq)");
            assertEquals(reference[n], value, 1e-12);
        }
    }

    @Test
    void jointCorrectionOfASetIsTheConstrainedMinimumAndTheSchurComplementValue() {
        int n = 11;
        double[] h = DenseMath.randomSpd(n, 0.1, 3);
        double[] w = DenseMath.randomVector(n, 4);
        QuadraticModel model = QuadraticModel.of(DenseOperator.of("H", h.clone(), n, Damping.none(), K), subset(n), K);
        boolean[] fixed = new boolean[n];
        int[] set = {1, 4, 5, 9};
        for (int q : set) {
            fixed[q] = true;
        }
        w[4] = 0; // an already-pruned coordinate: held at 0, not moved
        double[] delta = new double[n];
        double value = model.constrainedCorrection(fixed, w, delta);
        double[] reference = DenseMath.constrainedMinimum(h, n, fixed, w);
        for (int i = 0; i < n; i++) {
            assertEquals(reference[i], delta[i], 1e-11, "i " + i);
        }
        for (int q : set) {
            assertEquals(-w[q], delta[q], 0, "pruned coordinates end at exactly 0");
        }
        // ½ w_Pᵀ([H⁻¹]_PP)⁻¹ w_P (METHODS 1.3).
        double[] hInv = DenseMath.inverse(h, n);
        double[] sub = new double[set.length * set.length];
        double[] wp = new double[set.length];
        for (int a = 0; a < set.length; a++) {
            wp[a] = w[set[a]];
            for (int b = 0; b < set.length; b++) {
                sub[a * set.length + b] = hInv[set[a] * n + set[b]];
            }
        }
        double schur = 0.5 * DenseMath.quadratic(DenseMath.inverse(sub, set.length), set.length, wp);
        assertEquals(schur, value, 1e-11);
        assertEquals(reference[n], value, 1e-11);
    }

    @Test
    void downdatedInverseEqualsTheInverseOfTheSubmatrix() {
        int n = 10;
        double[] h = DenseMath.randomSpd(n, 0.2, 5);
        double[] inv = DenseMath.inverse(h, n);
        double[] work = new double[n];
        int[] removed = {2, 7, 3};
        for (int p : removed) {
            K.eliminateCoordinate(n, p, inv, 0, n, work, 0);
        }
        int[] keep = {0, 1, 4, 5, 6, 8, 9};
        int r = keep.length;
        double[] sub = new double[r * r];
        for (int a = 0; a < r; a++) {
            for (int b = 0; b < r; b++) {
                sub[a * r + b] = h[keep[a] * n + keep[b]];
            }
        }
        double[] expected = DenseMath.inverse(sub, r);
        for (int a = 0; a < r; a++) {
            for (int b = 0; b < r; b++) {
                assertEquals(expected[a * r + b], inv[keep[a] * n + keep[b]], 1e-12);
            }
        }
        for (int p : removed) {
            for (int j = 0; j < n; j++) {
                assertEquals(0, inv[p * n + j], 0, "row of an eliminated coordinate is exactly 0");
                assertEquals(0, inv[j * n + p], 0);
            }
        }
    }

    /** The explicit block-diagonal λI + (1/m) Σ g gᵀ of coordinate-major gradients. */
    private static double[] explicitFisher(double[] gt, int dim, int m, double lambda, BlockPartition blocks) {
        double[] h = new double[dim * dim];
        for (BlockPartition.Block b : blocks.blocks()) {
            for (int i = b.from(); i < b.to(); i++) {
                for (int j = b.from(); j < b.to(); j++) {
                    double s = 0;
                    for (int k = 0; k < m; k++) {
                        s += gt[i * m + k] * gt[j * m + k];
                    }
                    h[i * dim + j] = s / m + (i == j ? lambda : 0);
                }
            }
        }
        return h;
    }

    @Test
    void gradientModelAgreesWithTheExplicitFisherInBothRepresentationsAndBothSolvePaths() {
        // 32 weights of a 5-4-3 net in two layer blocks (20 and 12), 8 gradients: blocks with more than 8 free
        // coordinates go through Woodbury, the others through the dense |R| × |R| system.
        ParameterSubset s = ParameterSubset.weights(Fixtures.network("in(5) dense(4) relu dense(3)", 0).layout());
        int dim = s.dim();
        int m = 8;
        double lambda = 0.05;
        double[] gt = DenseMath.randomVector(dim * m, 11);
        BlockPartition blocks = BlockPartition.perLayer(s);
        double[] h = explicitFisher(gt, dim, m, lambda, blocks);
        double[] hInv = DenseMath.inverse(h, dim);
        double[] v = DenseMath.randomVector(dim, 12);
        for (GradientModel.Representation rep : GradientModel.Representation.values()) {
            GradientModel model = new GradientModel("F", s, gt.clone(), m, lambda, m, blocks, rep, K);
            double[] diag = model.inverseDiagonal();
            double[] iv = new double[dim];
            model.inverseMultiply(v, iv);
            double[] expectedIv = DenseMath.multiply(hInv, dim, v);
            double[] hv = new double[dim];
            model.multiply(v, hv);
            double[] expectedHv = DenseMath.multiply(h, dim, v);
            for (int i = 0; i < dim; i++) {
                // Inverses of a matrix with λ = 0.05 and entries O(1): condition number below 1e3.
                assertEquals(hInv[i * dim + i], diag[i], 1e-10, rep + " inverse diagonal " + i);
                assertEquals(expectedIv[i], iv[i], 1e-10, rep + " inverse product " + i);
                assertEquals(expectedHv[i], hv[i], 1e-12, rep + " product " + i);
                assertEquals(h[i * dim + 5], model.entry(i, 5), 1e-14, "entry");
            }
        }
        GradientModel model = new GradientModel("F", s, gt, m, lambda, m, blocks, GradientModel.Representation.AUTO, K);
        SplittableRandom r = new SplittableRandom(13);
        double[] w = DenseMath.randomVector(dim, 14);
        for (int trial = 0; trial < 6; trial++) {
            boolean[] fixed = new boolean[dim];
            int count = trial < 3 ? 3 : 18; // few fixed: Woodbury in the 20-block; many: dense path
            for (int c = 0; c < count; c++) {
                fixed[r.nextInt(dim)] = true;
            }
            double[] delta = new double[dim];
            double value = model.constrainedCorrection(fixed, w, delta);
            double[] reference = DenseMath.constrainedMinimum(h, dim, fixed, w);
            for (int i = 0; i < dim; i++) {
                assertEquals(reference[i], delta[i], 1e-9, "trial " + trial + " i " + i);
            }
            assertEquals(reference[dim], value, 1e-9 * Math.max(1, Math.abs(value)), "trial " + trial);
        }
    }

    @Test
    void summedUpdateIsTheSumOfSingleWeightCorrectionsAndZeroesTheRemovedSet() {
        PruningContext ctx = Fixtures.trainedContext("in(6) dense(5) relu dense(3)", 60, 21, false);
        int n = ctx.network().parameterCount();
        ParameterSubset s = ctx.prunable();
        int dim = s.dim();
        double[] h = DenseMath.randomSpd(dim, 0.3, 22);
        QuadraticModel model = QuadraticModel.of(DenseOperator.of("H", h.clone(), dim, Damping.none(), K), s, K);
        double[] w = new double[dim];
        s.gather(ctx.network().parameters(), w);
        float[] before = ctx.network().parameters().clone();
        int[] removed = {s.global(3), s.global(10), s.global(17)};
        new SummedObsUpdate(1.0).apply(ctx, new Saliency(new double[n], model), removed);
        double[] hInv = DenseMath.inverse(h, dim);
        double[] expected = w.clone();
        for (int q : removed) {
            int l = s.local(q);
            for (int i = 0; i < dim; i++) {
                expected[i] -= w[l] / hInv[l * dim + l] * hInv[i * dim + l];
            }
        }
        float[] after = ctx.network().parameters();
        for (int i = 0; i < dim; i++) {
            int q = s.global(i);
            boolean gone = q == removed[0] || q == removed[1] || q == removed[2];
            if (gone) {
                assertEquals(0f, after[q], 0);
                assertTrue(ctx.mask().isPruned(q));
            } else {
                // Written back in float: one float rounding of values of order 1.
                assertEquals(expected[i], after[q], 1e-6, "coordinate " + i);
            }
        }
        for (int q = 0; q < n; q++) {
            if (s.local(q) < 0) {
                assertEquals(before[q], after[q], 0, "biases outside the model do not move");
            }
        }
    }
}
