package dev.surgeon.core.prune;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.surgeon.core.curvature.BlockPartition;
import dev.surgeon.core.curvature.ParameterSubset;
import dev.surgeon.core.nn.Network;
import dev.surgeon.core.nn.Workspace;
import dev.surgeon.kernels.Kernels;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * WoodFisher (B5) and the M-FAC pruner (B6) on a tiny net against a dense float64 re-implementation of their steps:
 * gradients recomputed one sample at a time with {@link Network#lossAndGradient} at the recorded calibration indices,
 * the block-diagonal Fisher λI + (1/m)Σ g gᵀ inverted by Gauss–Jordan, saliencies, global selection, summed update.
 */
class FisherMethodsTest {

    /** Mean-loss gradients of consecutive mini-batches of the recorded samples, coordinate-major over the subset. */
    private static double[] referenceGradients(Network net, PruningContext ctx, int[] indices, int m, int b, ParameterSubset s) {
        Workspace ws = net.workspace(1);
        float[] g = new float[net.parameterCount()];
        double[] gt = new double[s.dim() * m];
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < b; j++) {
                ws.load(ctx.train(), indices, i * b + j, 1);
                net.lossAndGradient(ws, ctx.loss(), g, false);
                for (int l = 0; l < s.dim(); l++) {
                    gt[l * m + i] += g[s.global(l)] / b;
                }
            }
        }
        return gt;
    }

    /** One WoodFisher step by dense linear algebra; returns the new weights of the subset and the removed set. */
    private static double[] referenceStep(double[] gt, int m, double lambda, BlockPartition blocks, double[] w, int k,
                                          boolean[] removed) {
        int dim = w.length;
        double[] inv = new double[dim * dim];
        for (BlockPartition.Block blk : blocks.blocks()) {
            int c = blk.size();
            double[] f = new double[c * c];
            for (int i = 0; i < c; i++) {
                for (int j = 0; j < c; j++) {
                    double sum = 0;
                    for (int x = 0; x < m; x++) {
                        sum += gt[(blk.from() + i) * m + x] * gt[(blk.from() + j) * m + x];
                    }
                    f[i * c + j] = sum / m + (i == j ? lambda : 0);
                }
            }
            double[] fi = DenseMath.inverse(f, c);
            for (int i = 0; i < c; i++) {
                System.arraycopy(fi, i * c, inv, (blk.from() + i) * dim + blk.from(), c);
            }
        }
        double[] sal = new double[dim];
        for (int i = 0; i < dim; i++) {
            sal[i] = w[i] * w[i] / (2 * inv[i * dim + i]);
        }
        int[] order = IndexSort.ascending(sal, dim);
        double[] t = new double[dim];
        for (int r = 0; r < k; r++) {
            int q = order[r];
            removed[q] = true;
            t[q] = -w[q] / inv[q * dim + q];
        }
        double[] delta = DenseMath.multiply(inv, dim, t);
        double[] out = new double[dim];
        for (int i = 0; i < dim; i++) {
            out[i] = removed[i] ? 0 : w[i] + delta[i];
        }
        return out;
    }

    private static void check(String method, Map<String, String> knobs, int m, int b, double lambda, BlockPartition blocks) {
        PruningContext ctx = Fixtures.trainedContext("in(5) dense(4) relu dense(3)", 80, 31, false);
        Network before = ctx.network().copy(Kernels.scalar());
        ParameterSubset s = ctx.prunable();
        double[] w = new double[s.dim()];
        s.gather(before.parameters(), w);
        PruningReport report = PruningRun.execute(ctx, PruningMethods.plan(method, knobs));
        int[] indices = report.calibration().get(0).indices();
        assertEquals(m * b, indices.length);
        double[] gt = referenceGradients(before, ctx, indices, m, b, s);
        int k = (int) Math.round(0.4 * s.dim());
        boolean[] removed = new boolean[s.dim()];
        double[] expected = referenceStep(gt, m, lambda, blocks == null ? BlockPartition.perLayer(s) : blocks, w, k, removed);
        for (int i = 0; i < s.dim(); i++) {
            int q = s.global(i);
            assertEquals(removed[i], ctx.mask().isPruned(q), method + ": mask at " + i);
            // Float weights of order 1; the reference is float64 from the same float gradients.
            assertEquals(expected[i], ctx.network().parameters()[q], 2e-5, method + ": weight " + i);
        }
        assertEquals(k, ctx.prunedCount());
    }

    @Test
    void woodFisherWithLayerBlocksMatchesTheDenseReference() {
        check("woodfisher", Map.of("sparsity", "0.4", "gradients", "12", "damping", "1e-2", "measure_samples", "0"), 12, 1, 1e-2,
                null);
    }

    @Test
    void woodFisherWithMiniBatchGradientsAndChunksMatchesTheDenseReference() {
        ParameterSubset s = Fixtures.trainedContext("in(5) dense(4) relu dense(3)", 80, 31, false).prunable();
        check("woodfisher", Map.of("sparsity", "0.4", "gradients", "10", "gradient_batch", "3", "damping", "1e-3", "blocks", "6"),
                10, 3, 1e-3, BlockPartition.fixedSize(s, 6));
    }

    @Test
    void mfacPrunerOneRoundMatchesTheDenseReference() {
        ParameterSubset s = Fixtures.trainedContext("in(5) dense(4) relu dense(3)", 80, 31, false).prunable();
        check("mfac", Map.of("sparsity", "0.4", "gradients", "6", "gradient_batch", "4", "damping", "1e-3", "block_size", "8",
                "rounds", "1"), 6, 4, 1e-3, BlockPartition.fixedSize(s, 8));
    }

    @Test
    void woodTaylorKeepsTheGradientTermOfTheSaliency() {
        PruningContext ctx = Fixtures.trainedContext("in(5) dense(4) relu dense(3)", 80, 33, false);
        ParameterSubset s = ctx.prunable();
        int dim = s.dim();
        int m = 7;
        double lambda = 0.1;
        double[] gt = DenseMath.randomVector(dim * m, 34);
        GradientModel model = new GradientModel("F", s, gt.clone(), m, lambda, m, BlockPartition.whole(dim),
                GradientModel.Representation.AUTO, Kernels.scalar());
        double[] scores = new ObsScorer("WoodTaylor", c -> model, true).score(ctx).scores();
        double[] h = new double[dim * dim];
        double[] g = new double[dim];
        for (int i = 0; i < dim; i++) {
            for (int k = 0; k < m; k++) {
                g[i] += gt[i * m + k] / m;
            }
            for (int j = 0; j < dim; j++) {
                double sum = 0;
                for (int k = 0; k < m; k++) {
                    sum += gt[i * m + k] * gt[j * m + k];
                }
                h[i * dim + j] = sum / m + (i == j ? lambda : 0);
            }
        }
        double[] hInv = DenseMath.inverse(h, dim);
        double[] u = DenseMath.multiply(hInv, dim, g);
        double[] w = new double[dim];
        s.gather(ctx.network().parameters(), w);
        for (int i = 0; i < dim; i++) {
            double x = w[i] - u[i];
            // (w_q − (F⁻¹g)_q)² / (2[F⁻¹]_qq), METHODS 1.2; float weights, double algebra.
            assertEquals(x * x / (2 * hInv[i * dim + i]), scores[s.global(i)], 1e-9);
        }
    }

    @Test
    void nOfMPatternsGoThroughTheCurvatureMethodsToo() {
        PruningContext ctx = Fixtures.trainedContext("in(6) dense(4) relu dense(3)", 80, 35, false);
        PruningRun.execute(ctx, PruningMethods.plan("woodfisher", Map.of("pattern", "nm:keep=1,group=2", "gradients", "10")));
        float[] p = ctx.network().parameters();
        for (var t : ctx.prunableTensors()) {
            for (int q = t.offset(); q < t.end(); q += 2) {
                assertEquals(1, (p[q] != 0 ? 1 : 0) + (p[q + 1] != 0 ? 1 : 0), t.describe(q));
            }
        }
        assertEquals(0.5, ctx.sparsity(), 0);
    }
}
