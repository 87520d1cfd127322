package dev.surgeon.core.prune;

import dev.surgeon.core.curvature.BlockPartition;
import dev.surgeon.core.curvature.Curvature;
import dev.surgeon.core.curvature.Damping;
import dev.surgeon.core.curvature.DataSource;
import dev.surgeon.core.curvature.DenseInverseMethod;
import dev.surgeon.core.curvature.DenseOperator;
import dev.surgeon.core.curvature.DiagonalOperator;
import dev.surgeon.core.curvature.GradientKind;
import dev.surgeon.core.curvature.Gradients;
import dev.surgeon.core.curvature.KfacDamping;
import dev.surgeon.core.curvature.KfacOperator;
import dev.surgeon.core.curvature.ParameterSubset;
import dev.surgeon.core.nn.ParameterTensor;
import dev.surgeon.core.nn.Reduction;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * Builds the {@link QuadraticModel} of a pruning step at the network's current weights (curvature is recomputed every
 * time a schedule calls it, so recomputation rounds see fresh curvature). The factories are the curvatures of the
 * OBS family:
 * <ul>
 *   <li>{@link #empiricalFisher}: λI + (1/m) Σ g gᵀ of m mini-batch gradients, block-diagonal (WoodFisher B5, CBS B7);</li>
 *   <li>{@link #mfac}: the same through M-FAC's static recurrences in blocks (the M-FAC pruner, B6);</li>
 *   <li>{@link #diagonalFisher}: its diagonal (the "diagonal Fisher" baseline: OBS with a diagonal model, no coupling);</li>
 *   <li>{@link #kfac}: K-FAC of the empirical Fisher with eigen damping (K-FAC-based OBS);</li>
 *   <li>{@link #outerProductHessian}: OBS's (1/P) Σ_n Σ_k ∂f_k/∂w ∂f_k/∂wᵀ, dense, by the rank-one build-up from α⁻¹I (B3);</li>
 *   <li>{@link #beckerLeCun}: OBD's diagonal Gauss-Newton by second-order back-propagation (B2).</li>
 * </ul>
 * Models are over the prunable parameters, except K-FAC and OBS, which cover the whole layers holding them (weights and
 * biases), so that biases move with the correction even when they are not pruned. Every model is the curvature of the
 * mean per-sample loss (1/N) Σ_n ℓ_n, whatever the loss's reduction, so predicted changes are in that unit; OBS's
 * outer-product Hessian is (1/P) Σ J Jᵀ by definition, which is that curvature for ℓ_n = ½‖f − t‖².
 */
@FunctionalInterface
public interface QuadraticModelSource {

    /** The model at the current weights; records its calibration samples in the context. */
    QuadraticModel build(PruningContext ctx);

    /** Block structure of a Fisher model: one block per layer, one block for everything, or chunks of c per layer. */
    record Blocks(int chunk) {
        /** One block per layer (weight and bias of a layer together). */
        public static final Blocks PER_LAYER = new Blocks(0);
        /** A single block over all coordinates (unblocked). */
        public static final Blocks WHOLE = new Blocks(-1);

        public Blocks {
            if (chunk < -1) {
                throw new IllegalArgumentException("block size must be >= 1 (or per layer / whole), got " + chunk);
            }
        }

        /** Chunks of c consecutive coordinates along each layer. */
        public static Blocks chunks(int c) {
            if (c < 1) {
                throw new IllegalArgumentException("block size must be >= 1, got " + c);
            }
            return new Blocks(c);
        }

        /** Parses {@code layer}, {@code whole} or a chunk size. */
        public static Blocks parse(String text) {
            String t = text.strip();
            if (t.equals("layer")) {
                return PER_LAYER;
            }
            if (t.equals("whole") || t.equals("all")) {
                return WHOLE;
            }
            try {
                return chunks(Integer.parseInt(t));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("unknown block size '" + text + "'; use layer, whole or a number of coordinates");
            }
        }

        BlockPartition over(ParameterSubset s) {
            return chunk == 0 ? BlockPartition.perLayer(s) : chunk < 0 ? BlockPartition.whole(s.dim())
                    : BlockPartition.fixedSize(s, chunk);
        }

        @Override
        public String toString() {
            return chunk == 0 ? "layer" : chunk < 0 ? "whole" : Integer.toString(chunk);
        }
    }

    /**
     * The block-diagonal empirical Fisher λI + (1/m) Σ_i g_i g_iᵀ of m gradients of mini-batches of b samples, over the
     * prunable parameters (pruned coordinates' gradients zeroed), its inverse by dense blocks or M-FAC recurrences,
     * whichever is cheaper (both exact).
     */
    static QuadraticModelSource empiricalFisher(int gradients, int miniBatch, double lambda, Blocks blocks) {
        return fisher(gradients, miniBatch, lambda, blocks, GradientModel.Representation.AUTO, "empirical Fisher");
    }

    /** The same matrix with the inverse always by M-FAC's static recurrences (the M-FAC pruner). */
    static QuadraticModelSource mfac(int gradients, int miniBatch, double lambda, Blocks blocks) {
        return fisher(gradients, miniBatch, lambda, blocks, GradientModel.Representation.MFAC, "M-FAC static Fisher");
    }

    private static QuadraticModelSource fisher(int gradients, int miniBatch, double lambda, Blocks blocks,
                                               GradientModel.Representation rep, String label) {
        return ctx -> {
            ParameterSubset s = ctx.prunable();
            double[] gt = GradientSampler.collect(ctx, s, gradients, miniBatch, "Fisher gradients");
            return new GradientModel(label + " of " + gradients + " gradients of " + miniBatch + " (blocks: " + blocks + ", λ = "
                    + lambda + ")", s, gt, gradients, lambda, gradients, blocks.over(s), rep, ctx.network().kernels());
        };
    }

    /** diag(λI + (1/m) Σ g gᵀ): saliency ½(F_qq + λ) w_q², corrections only on the removed weights. */
    static QuadraticModelSource diagonalFisher(int gradients, int miniBatch, double lambda) {
        return ctx -> {
            ParameterSubset s = ctx.prunable();
            double[] gt = GradientSampler.collect(ctx, s, gradients, miniBatch, "Fisher gradients");
            double[] diag = new double[s.dim()];
            for (int q = 0; q < diag.length; q++) {
                diag[q] = ctx.network().kernels().dot(gradients, gt, q * gradients, gt, q * gradients) / gradients;
            }
            DiagonalOperator op = DiagonalOperator.of("diagonal empirical Fisher of " + gradients + " gradients of " + miniBatch,
                    diag, Damping.absolute(lambda));
            return QuadraticModel.of(op, s, ctx.network().kernels());
        };
    }

    /**
     * K-FAC of the empirical Fisher (data labels) over the layers holding prunable tensors, from {@code samples} training
     * samples, eigen-damped: (Γ ⊗ A + λI) exactly (METHODS A7 variant 2). K-FAC cannot exclude pruned coordinates, so
     * corrections may move them; the updaters set every pruned weight back to exactly 0.
     */
    static QuadraticModelSource kfac(int samples, int batch, double lambda) {
        return ctx -> {
            ParameterSubset layers = layersOf(ctx);
            DataSource data = ctx.calibration("K-FAC factors", samples, batch);
            KfacOperator op = Curvature.of(ctx.network(), ctx.loss(), data).subset(layers).progress(ctx.progress())
                    .kfac(GradientKind.EMPIRICAL_FISHER, KfacDamping.eigen(lambda));
            return perSample(ctx, QuadraticModel.of(op, layers, ctx.network().kernels()), data.size());
        };
    }

    /**
     * OBS's outer-product Hessian H = αI + (1/P) Σ_n Σ_k ∂f_k(x_n)/∂w ∂f_k(x_n)/∂wᵀ over {@code samples} training samples
     * (all of them by default, as Hassibi and Stork), its inverse by the rank-one build-up from α⁻¹I with P in the
     * denominator (METHODS 1.5), dense over the layers holding prunable tensors.
     */
    static QuadraticModelSource outerProductHessian(int samples, double alpha) {
        return ctx -> {
            ParameterSubset layers = layersOf(ctx);
            DataSource data = ctx.calibration("OBS outer-product Hessian", samples, Math.min(samples, 256));
            DenseOperator op = Curvature.of(ctx.network(), ctx.loss(), data).subset(layers).progress(ctx.progress())
                    .dense(Gradients.outputJacobian(), Damping.absolute(alpha), DenseInverseMethod.RANK_ONE);
            return QuadraticModel.of(op, layers, ctx.network().kernels());
        };
    }

    /** OBD's Becker–LeCun diagonal Gauss-Newton of the loss over {@code samples} training samples, undamped. */
    static QuadraticModelSource beckerLeCun(int samples) {
        return ctx -> {
            DataSource data = ctx.calibration("Becker–LeCun diagonal", samples, Math.min(samples, 256));
            DiagonalOperator op = Curvature.of(ctx.network(), ctx.loss(), data).subset(ctx.prunable()).progress(ctx.progress())
                    .beckerLeCunDiagonal(false, Damping.none());
            return perSample(ctx, QuadraticModel.of(op, ctx.prunable(), ctx.network().kernels()), data.size());
        };
    }

    /**
     * Curvature built by {@link Curvature} is that of the data-source loss, Σ_n ℓ_n for a summed loss; divided by N it is
     * the curvature of the mean per-sample loss, the unit of every prediction in the reports.
     */
    private static QuadraticModel perSample(PruningContext ctx, QuadraticModel model, int samples) {
        return ctx.loss().reduction() == Reduction.SUM ? new ScaledModel(model, 1.0 / samples) : model;
    }

    /** All parameters (weights and biases) of the layers that hold prunable tensors. */
    static ParameterSubset layersOf(PruningContext ctx) {
        Set<String> layers = new LinkedHashSet<>();
        for (ParameterTensor t : ctx.prunableTensors()) {
            layers.add(TensorNames.layer(t));
        }
        return ParameterSubset.layers(ctx.network().layout(), layers.toArray(String[]::new));
    }
}
