package dev.surgeon.core.prune.structured;

import dev.surgeon.core.prune.PruningContext;

/**
 * The filter-norm baseline (Li, Kadav, Durdanovic, Samet and Graf 2017, "Pruning filters for efficient ConvNets"): the
 * ℓ1 (the paper's choice) or ℓ2 norm of a structure's weight row — a filter's kernel weights, a neuron's input weights;
 * the bias is not counted. No data, no loss model: norms of different layers are not comparable, so the baseline's
 * presets prune the same fraction of every layer ({@link StructureAllocation.Mode#UNIFORM}), as Li et al. do.
 */
public final class FilterNorm implements StructureScorer {
    private final int p;

    /** @param p 1 or 2 */
    public FilterNorm(int p) {
        if (p != 1 && p != 2) {
            throw new IllegalArgumentException("the filter norm is l1 or l2, got p = " + p);
        }
        this.p = p;
    }

    @Override
    public String name() {
        return "filter-norm-l" + p;
    }

    @Override
    public double[] score(PruningContext ctx, Structures structures) {
        float[] w = ctx.network().parameters();
        double[] out = new double[structures.size()];
        for (Structure s : structures.all()) {
            int cols = ctx.network().layers().get(s.layer()).parameters().get(0).columns();
            double acc = 0;
            for (int j = 0; j < cols; j++) {
                double x = w[s.incoming()[j]];
                acc += p == 1 ? Math.abs(x) : x * x;
            }
            out[s.index()] = p == 1 ? acc : Math.sqrt(acc);
        }
        return out;
    }
}
