package dev.surgeon.core.prune;

import dev.surgeon.core.nn.ParameterTensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Turns saliencies into the set of weights to prune next: {@link Allocation} (global threshold or equal per-layer
 * sparsity, per-tensor bounds) applied to the units of a {@link Pattern} (single weights, or blocks of consecutive
 * weights of a row scored by the sum of their members' saliencies), or the N:M rule (in every group of M
 * consecutive inputs keep the N most salient weights). Lowest saliency is pruned first; ties go to the lower flat
 * index. Cost O(d log d).
 */
final class Selection {
    private Selection() {
    }

    /**
     * The prunable, unpruned parameters to prune so that {@code target} prunable parameters are pruned in all
     * (N:M: so that every group satisfies the pattern; the target is then ignored, see {@link #patternCount}).
     *
     * @param scores saliency per flat index (read at candidates only)
     * @return flat indices, ascending
     */
    static int[] select(PruningContext ctx, double[] scores, Allocation allocation, Pattern pattern, int target) {
        checkBoundNames(ctx, allocation);
        List<ParameterTensor> tensors = ctx.prunableTensors();
        checkScores(ctx, scores);
        if (pattern instanceof Pattern.NOfM nm) {
            return nOfM(ctx, scores, nm);
        }
        int block = pattern instanceof Pattern.Blocks b ? b.size() : 1;
        int t = tensors.size();
        int[] size = new int[t];
        int[] count = new int[t];
        int units = 0;
        for (int i = 0; i < t; i++) {
            ParameterTensor p = tensors.get(i);
            if (block > 1) {
                checkBlocks(p, pattern, block);
            }
            size[i] = p.length();
            count[i] = prunedIn(ctx, p);
            units += p.length() / block;
        }
        int already = Arrays.stream(count).sum();
        if (target < already) {
            throw new IllegalArgumentException("the target of " + target + " pruned weights is below the " + already
                    + " already pruned; pruned weights are not revived, so the target sparsity must be at least the current "
                    + String.format(java.util.Locale.ROOT, "%.4f", (double) already / ctx.prunableCount()));
        }
        if (target > ctx.prunableCount()) {
            throw new IllegalArgumentException("cannot prune " + target + " weights: only " + ctx.prunableCount()
                    + " parameters are prunable");
        }
        // Units: [start, start + block) in flat order, scored by the sum over their unpruned members.
        int[] start = new int[units];
        int[] tensorOf = new int[units];
        int[] members = new int[units];
        double[] key = new double[units];
        int u = 0;
        for (int i = 0; i < t; i++) {
            ParameterTensor p = tensors.get(i);
            for (int s = p.offset(); s < p.end(); s += block) {
                int live = 0;
                double sum = 0;
                for (int q = s; q < s + block; q++) {
                    if (!ctx.mask().isPruned(q)) {
                        live++;
                        sum += scores[q];
                    }
                }
                if (live > 0) {
                    start[u] = s;
                    tensorOf[u] = i;
                    members[u] = live;
                    key[u] = sum;
                    u++;
                }
            }
        }
        int[] order = IndexSort.ascending(key, u);
        int[] lo = new int[t];
        int[] hi = new int[t];
        long sumLo = 0;
        long sumHi = 0;
        for (int i = 0; i < t; i++) {
            Allocation.Bounds b = allocation.boundsOf(tensors.get(i));
            lo[i] = Math.max(count[i], (int) Math.ceil(b.min() * size[i] - 1e-9));
            hi[i] = Math.max(count[i], (int) Math.floor(b.max() * size[i] + 1e-9));
            sumLo += lo[i];
            sumHi += hi[i];
        }
        boolean[] chosen = new boolean[u];
        int total = already;
        if (allocation.scope() == Allocation.Scope.GLOBAL) {
            if (target < sumLo || target > sumHi) {
                throw new IllegalArgumentException("a global target of " + target + " pruned weights is impossible with the "
                        + "per-layer bounds " + allocation + ": they allow between " + sumLo + " and " + sumHi
                        + "; widen the bounds or change the sparsity");
            }
            for (int k = 0; k < u; k++) {
                int x = order[k];
                int i = tensorOf[x];
                if (count[i] < lo[i]) {
                    chosen[x] = true;
                    count[i] += members[x];
                    total += members[x];
                }
            }
            for (int k = 0; k < u && total < target; k++) {
                int x = order[k];
                int i = tensorOf[x];
                if (!chosen[x] && count[i] + members[x] <= hi[i]) {
                    chosen[x] = true;
                    count[i] += members[x];
                    total += members[x];
                }
            }
        } else {
            double s = (double) target / ctx.prunableCount();
            int[] goal = new int[t];
            for (int i = 0; i < t; i++) {
                goal[i] = Math.min(hi[i], Math.max(lo[i], (int) Math.round(s * size[i])));
            }
            for (int k = 0; k < u; k++) {
                int x = order[k];
                int i = tensorOf[x];
                if (count[i] < goal[i]) {
                    chosen[x] = true;
                    count[i] += members[x];
                }
            }
        }
        int n = 0;
        for (int x = 0; x < u; x++) {
            if (chosen[x]) {
                n += members[x];
            }
        }
        int[] out = new int[n];
        int k = 0;
        for (int x = 0; x < u; x++) {
            if (chosen[x]) {
                for (int q = start[x]; q < start[x] + block; q++) {
                    if (!ctx.mask().isPruned(q)) {
                        out[k++] = q;
                    }
                }
            }
        }
        Arrays.sort(out);
        return out;
    }

    /** Prunable parameters pruned in total once the N:M pattern holds everywhere (already-pruned ones included). */
    static int patternCount(PruningContext ctx, Pattern.NOfM nm) {
        int n = ctx.prunedCount();
        double[] zero = new double[ctx.network().parameterCount()];
        return n + nOfM(ctx, zero, nm).length;
    }

    private static int[] nOfM(PruningContext ctx, double[] scores, Pattern.NOfM nm) {
        int m = nm.group();
        List<Integer> out = new ArrayList<>();
        int[] group = new int[m];
        double[] key = new double[m];
        for (ParameterTensor p : ctx.prunableTensors()) {
            int[] shape = p.shape();
            if (shape.length != 2 && shape.length != 4) {
                throw new IllegalArgumentException("the N:M pattern " + nm + " applies to dense and convolution weights, not to "
                        + p.name() + " " + Arrays.toString(shape) + "; do not prune biases with an N:M pattern");
            }
            int inputs = shape[1];
            if (inputs % m != 0) {
                throw new IllegalArgumentException(p.name() + " has " + inputs + (shape.length == 4 ? " input channels" : " inputs")
                        + ", not divisible by group=M=" + m + " of " + nm + "; choose an M that divides it or exclude the tensor");
            }
            int positions = shape.length == 4 ? shape[2] * shape[3] : 1;
            for (int o = 0; o < shape[0]; o++) {
                for (int pos = 0; pos < positions; pos++) {
                    for (int g = 0; g < inputs; g += m) {
                        int live = 0;
                        for (int c = g; c < g + m; c++) {
                            int q = p.offset() + (o * inputs + c) * positions + pos;
                            if (!ctx.mask().isPruned(q)) {
                                group[live] = q;
                                key[live] = scores[q];
                                live++;
                            }
                        }
                        int need = live - nm.keep();
                        if (need > 0) {
                            // Stable by position: ties prune the earlier input.
                            int[] idx = IndexSort.ascending(key, live);
                            for (int r = 0; r < need; r++) {
                                out.add(group[idx[r]]);
                            }
                        }
                    }
                }
            }
        }
        int[] a = out.stream().mapToInt(Integer::intValue).toArray();
        Arrays.sort(a);
        return a;
    }

    private static void checkBlocks(ParameterTensor p, Pattern pattern, int block) {
        if (p.shape().length < 2) {
            throw new IllegalArgumentException("the block pattern " + pattern + " applies to weights, not to " + p.name()
                    + "; do not prune biases with a block pattern");
        }
        if (p.columns() % block != 0) {
            throw new IllegalArgumentException(p.name() + " has rows of " + p.columns() + " weights, not divisible by the "
                    + "block size " + block + " of " + pattern + "; choose a block size that divides it or exclude the tensor");
        }
    }

    private static int prunedIn(PruningContext ctx, ParameterTensor p) {
        int n = 0;
        for (int q = p.offset(); q < p.end(); q++) {
            if (ctx.mask().isPruned(q)) {
                n++;
            }
        }
        return n;
    }

    private static void checkScores(PruningContext ctx, double[] scores) {
        if (scores.length != ctx.network().parameterCount()) {
            throw new IllegalArgumentException("saliencies have " + scores.length + " entries; the network has "
                    + ctx.network().parameterCount() + " parameters");
        }
        for (ParameterTensor p : ctx.prunableTensors()) {
            for (int q = p.offset(); q < p.end(); q++) {
                if (Double.isNaN(scores[q]) && !ctx.mask().isPruned(q)) {
                    throw new IllegalStateException("the saliency of " + p.describe(q) + " is NaN: the network or the curvature "
                            + "produced non-finite values (check the data, or raise the damping)");
                }
            }
        }
    }

    private static void checkBoundNames(PruningContext ctx, Allocation allocation) {
        Set<String> known = new HashSet<>();
        for (ParameterTensor p : ctx.prunableTensors()) {
            known.add(p.name());
            if (p.role() == ParameterTensor.Role.WEIGHT) {
                known.add(TensorNames.layer(p));
            }
        }
        for (String name : allocation.bounds().keySet()) {
            if (!known.contains(name)) {
                throw new IllegalArgumentException("per-layer bounds name '" + name + "', which is not a prunable tensor or layer; "
                        + "prunable: " + ctx.prunableTensors().stream().map(ParameterTensor::name).toList());
            }
        }
    }
}
