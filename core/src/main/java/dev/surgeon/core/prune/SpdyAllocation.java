package dev.surgeon.core.prune;

import java.util.List;

/**
 * The per-layer compression levels minimizing the summed error under a cost budget: OBC's dynamic program over
 * the {@link LayerErrorDatabase} (Frantar, Singh and Alistarh 2022, adapted from SPDY, Frantar and Alistarh 2022;
 * METHODS B9 "Non-uniform allocation" step 3):
 * <pre>
 *   minimize Σ_l err_l(k_l)  subject to  Σ_l cost_l(k_l) ≤ budget,
 *   best[l][b] = min_k best[l−1][b − c_l(k)] + err_l(k),   best[−1][b] = 0,
 * </pre>
 * over the budget discretized into {@value #DEFAULT_BUCKETS} buckets of width budget/buckets. Costs are rounded up
 * to whole buckets, c_l(k) = ⌈cost_l(k)/width⌉, so every allocation the program accepts satisfies the real
 * budget (it may miss a feasible one within L buckets of the limit). Ties go to the lower level. Cost
 * O(L·buckets·levels).
 *
 * @param levels     the chosen level index per layer
 * @param sparsities the chosen sparsity per layer (empty when solved from bare arrays)
 * @param error      Σ err_l(k_l)
 * @param cost       Σ cost_l(k_l) (undiscretized)
 * @param budget     the budget
 */
public record SpdyAllocation(int[] levels, double[] sparsities, double error, double cost, double budget) {
    /** The reference discretization of the budget. */
    public static final int DEFAULT_BUCKETS = 10000;

    /** What the budget counts. */
    public enum Cost {
        /** Non-zero weights. */
        PARAMETERS,
        /** Multiply-accumulates per sample. */
        FLOPS
    }

    /**
     * The dynamic program on bare arrays: {@code errors[l][k]}, {@code costs[l][k]} (≥ 0) for layer l at level k.
     *
     * @throws IllegalArgumentException if even the cheapest level of every layer exceeds the budget
     */
    public static SpdyAllocation solve(double[][] errors, double[][] costs, double budget, int buckets) {
        int layers = errors.length;
        if (layers == 0 || costs.length != layers) {
            throw new IllegalArgumentException("need errors and costs for the same layers (≥ 1), got " + layers + " and "
                    + costs.length);
        }
        if (!(budget > 0) || Double.isInfinite(budget) || buckets < 1) {
            throw new IllegalArgumentException("the budget must be finite and > 0 and buckets >= 1, got " + budget + ", "
                    + buckets);
        }
        double width = budget / buckets;
        int[][] units = new int[layers][];
        double cheapest = 0;
        for (int l = 0; l < layers; l++) {
            if (errors[l].length == 0 || errors[l].length != costs[l].length) {
                throw new IllegalArgumentException("layer " + l + " needs as many errors as costs (≥ 1), got "
                        + errors[l].length + " and " + costs[l].length);
            }
            units[l] = new int[costs[l].length];
            double min = Double.POSITIVE_INFINITY;
            for (int k = 0; k < costs[l].length; k++) {
                double c = costs[l][k];
                if (!(c >= 0) || Double.isInfinite(c) || Double.isNaN(errors[l][k])) {
                    throw new IllegalArgumentException("layer " + l + " level " + k + ": cost " + c + " and error "
                            + errors[l][k] + " must be finite, cost >= 0");
                }
                double u = Math.ceil(c / width - 1e-9);
                units[l][k] = u > buckets ? buckets + 1 : (int) u;
                min = Math.min(min, c);
            }
            cheapest += min;
        }
        double[] best = new double[buckets + 1];
        double[] next = new double[buckets + 1];
        int[][] choice = new int[layers][buckets + 1];
        for (int l = 0; l < layers; l++) {
            for (int b = 0; b <= buckets; b++) {
                double v = Double.POSITIVE_INFINITY;
                int arg = -1;
                for (int k = 0; k < units[l].length; k++) {
                    int c = units[l][k];
                    if (c <= b && best[b - c] + errors[l][k] < v) {
                        v = best[b - c] + errors[l][k];
                        arg = k;
                    }
                }
                next[b] = v;
                choice[l][b] = arg;
            }
            double[] t = best;
            best = next;
            next = t;
        }
        if (best[buckets] == Double.POSITIVE_INFINITY) {
            throw new IllegalArgumentException("the budget " + budget + " is below the cheapest allocation (every layer at "
                    + "its cheapest level costs " + cheapest + ", plus rounding to " + buckets + " buckets); raise the budget "
                    + "or add sparser levels");
        }
        int[] levels = new int[layers];
        int b = buckets;
        double cost = 0;
        for (int l = layers - 1; l >= 0; l--) {
            levels[l] = choice[l][b];
            b -= units[l][levels[l]];
            cost += costs[l][levels[l]];
        }
        return new SpdyAllocation(levels, new double[0], best[buckets], cost, budget);
    }

    /**
     * The allocation keeping at most a fraction 1 − s of the database layers' weights (parameter budget).
     *
     * @throws IllegalArgumentException for s outside [0, 1) or a budget the levels cannot meet
     */
    public static SpdyAllocation forSparsity(LayerErrorDatabase db, double sparsity) {
        ExactObs.requireSparsity(sparsity);
        long dense = 0;
        for (LayerErrorDatabase.Entry e : db.layers()) {
            dense += e.denseParameters();
        }
        return forBudget(db, Cost.PARAMETERS, (1 - sparsity) * dense);
    }

    /** The allocation whose summed cost (parameters or FLOPs) is at most {@code budget}. */
    public static SpdyAllocation forBudget(LayerErrorDatabase db, Cost kind, double budget) {
        List<LayerErrorDatabase.Entry> entries = db.layers();
        double[][] errors = new double[entries.size()][];
        double[][] costs = new double[entries.size()][];
        for (int l = 0; l < entries.size(); l++) {
            List<LayerErrorDatabase.Level> levels = entries.get(l).levels();
            errors[l] = new double[levels.size()];
            costs[l] = new double[levels.size()];
            for (int k = 0; k < levels.size(); k++) {
                errors[l][k] = levels.get(k).error();
                costs[l][k] = kind == Cost.PARAMETERS ? levels.get(k).parameters() : levels.get(k).flops();
            }
        }
        SpdyAllocation a = solve(errors, costs, budget, DEFAULT_BUCKETS);
        double[] s = new double[entries.size()];
        for (int l = 0; l < s.length; l++) {
            s[l] = entries.get(l).levels().get(a.levels[l]).sparsity();
        }
        return new SpdyAllocation(a.levels, s, a.error, a.cost, budget);
    }
}
