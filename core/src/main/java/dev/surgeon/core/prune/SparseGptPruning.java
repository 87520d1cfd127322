package dev.surgeon.core.prune;

import dev.surgeon.core.curvature.Damping;
import dev.surgeon.core.nn.ParameterTensor;

/**
 * The {@code sparsegpt} method: SparseGPT (Frantar and Alistarh 2023, "SparseGPT: Massive language models can be
 * accurately pruned in one-shot"; METHODS B10) as a {@link LayerPruner} driven by {@link LayerwisePruning}: each layer
 * is pruned by {@link SparseGpt} (one Cholesky factor of H⁻¹ for all rows, columns eliminated left to right in lazy
 * blocks of B_s, the mask of each block chosen from the already-updated weights) against H = (2/N) X Xᵀ damped by
 * p·mean(diag H), p = 0.01, with the layer inputs produced by the already-pruned layers in front (B10 step 4, the
 * default {@code sequential=true}). Unstructured or N:M ({@code nm:keep=N,group=M}) patterns.
 *
 * <p>A layer pruner for the same reasons as {@link ExactObsPruning}: SparseGPT needs only the layer's count, and the
 * framework then supplies the calibration records, sequential inputs, allocation, schedules and report.
 *
 * <p>Deviations: the mask is chosen per block as the fraction s of each d_row × B_s block (the reference), so a layer's
 * count may differ from round(s·d_row·d_col) by the rounding of each block ({@link #targetTolerance}). SparseGPT prunes
 * dense layers: its sweep would move weights that were pruned before, so layers that already hold pruned weights are
 * refused (ExactOBS keeps them at 0).
 */
public final class SparseGptPruning implements LayerPruner {
    private final Pattern pattern;
    private final int blockSize;

    /**
     * @param pattern   unstructured or N:M
     * @param blockSize B_s ≥ 1
     */
    public SparseGptPruning(Pattern pattern, int blockSize) {
        checkPattern(pattern);
        if (blockSize < 1) {
            throw new IllegalArgumentException("sparsegpt: block_size must be >= 1, got " + blockSize);
        }
        this.pattern = pattern;
        this.blockSize = blockSize;
    }

    /** The {@code sparsegpt} preset. */
    public static MethodDefinition method() {
        return new MethodDefinition("sparsegpt", "SparseGPT: ExactOBS approximated by one column order shared by all rows, lazy "
                + "block updates, adaptive mask per block; sequential layer inputs (METHODS B10)",
                new Presets.KnobList().set("scope", "layer")
                        .add("calibration", "1024", "calibration samples whose layer inputs X give H = (2/N) X Xᵀ (the reference: "
                                + "128 sequences of 2048 tokens)")
                        .add("batch", "128", "samples per forward pass while collecting inputs (no effect on the result)")
                        .add("damping", "0", "absolute λ added to every H")
                        .add("relative_damping", Double.toString(SparseGpt.DEFAULT_RELATIVE_DAMPING), "p_damp: λ = p·mean(diag H) "
                                + "added to every H (the reference: 0.01)")
                        .add("block_size", Integer.toString(SparseGpt.DEFAULT_BLOCK), "B_s, columns per lazy update and per mask "
                                + "selection (the reference: 128)")
                        .add("sequential", "true", "collect each layer's inputs after the layers in front were pruned (B10 step 4; "
                                + "false: every H from the unpruned network)").list(),
                s -> Presets.plan(s, (alloc, pattern) -> new LayerwisePruning(new SparseGptPruning(pattern,
                        s.integer("block_size", 1)), alloc, pattern, s.integer("calibration", 1), s.integer("batch", 1),
                        Damping.of(s.nonNegative("damping"), s.nonNegative("relative_damping")), s.bool("sequential"), null)));
    }

    @Override
    public String name() {
        return "SparseGPT";
    }

    @Override
    public void checkPattern(Pattern p) {
        if (p instanceof Pattern.Blocks b) {
            throw new IllegalArgumentException("sparsegpt supports unstructured and N:M patterns, not " + b
                    + "; use exact-obs for blocks");
        }
    }

    @Override
    public void checkLayer(ParameterTensor weight, int kernelPositions) {
        ExactObs.checkPattern(pattern, weight.name(), weight.columns(), kernelPositions);
    }

    /** One weight per block of columns: the rounding of each block's share. */
    @Override
    public int targetTolerance(LayerTask task) {
        return (task.columns() + blockSize - 1) / blockSize;
    }

    @Override
    public LayerResult prune(LayerTask task) {
        if (task.alreadyPruned() > 0) {
            throw new IllegalArgumentException("sparsegpt prunes dense layers, but " + task.weight().name() + " already has "
                    + task.alreadyPruned() + " pruned weights (its sweep would move them); use exact-obs, which keeps them at 0, "
                    + "or start from the dense model");
        }
        SparseGpt m;
        if (pattern instanceof Pattern.NOfM nm) {
            m = SparseGpt.nOfM(nm.keep(), nm.group());
        } else {
            int size = task.weights().length;
            if (task.targetPruned() >= size) {
                throw new IllegalArgumentException("sparsegpt cannot prune all " + size + " weights of " + task.weight().name()
                        + "; lower the sparsity or bound the layer (max_sparsity, layer_bounds)");
            }
            m = SparseGpt.unstructured((double) task.targetPruned() / size);
        }
        return LayerResult.of(m.withBlockSize(blockSize).compress(task.problem(), task.kernels(), task.progress()));
    }
}
