package dev.surgeon.core.prune;

import dev.surgeon.core.curvature.ParameterSubset;

/** Shared steps of the {@link Updater}s: model lookup, predicted change, pruned flags, write-back. */
final class Corrections {
    private Corrections() {
    }

    /** The network's weights on the model's coordinates (local order, double). */
    static double[] weights(PruningContext ctx, ParameterSubset s) {
        double[] w = new double[s.dim()];
        s.gather(ctx.network().parameters(), w);
        return w;
    }

    /** The model of a saliency, or a clear error when the updater needs one and the scorer has none. */
    static QuadraticModel requireModel(Updater u, Saliency s) {
        if (s.model() == null) {
            throw new IllegalStateException("the " + u.name() + " update needs a curvature model, but the scorer produced none; "
                    + "use update none, or a curvature-based scorer");
        }
        return s.model();
    }

    /**
     * ½ΔᵀCΔ for the change from {@code before} to {@code after} (local vectors of the model's subset), or NaN when the
     * model cannot multiply.
     */
    static double predicted(QuadraticModel model, double[] before, double[] after) {
        if (model == null || !model.supportsMultiply()) {
            return Double.NaN;
        }
        int n = before.length;
        double[] d = new double[n];
        for (int i = 0; i < n; i++) {
            d[i] = after[i] - before[i];
        }
        double[] cd = new double[n];
        model.multiply(d, cd);
        double s = 0;
        for (int i = 0; i < n; i++) {
            s += d[i] * cd[i];
        }
        return 0.5 * s;
    }

    /** Marks the flat indices pruned in the model's local order (already pruned or being removed). */
    static boolean[] prunedFlags(PruningContext ctx, ParameterSubset s, int[] removed) {
        boolean[] f = new boolean[s.dim()];
        for (int r = 0; r < s.rangeCount(); r++) {
            for (int q = s.rangeFrom(r), i = s.rangeLocal(r); q < s.rangeTo(r); q++, i++) {
                f[i] = ctx.mask().isPruned(q);
            }
        }
        for (int q : removed) {
            int i = s.local(q);
            if (i < 0) {
                throw new IllegalStateException(ctx.network().layout().tensorAt(q).describe(q) + " is outside the model's subset "
                        + s);
            }
            f[i] = true;
        }
        return f;
    }

    /** Writes the model-local weights back, with every pruned coordinate exactly 0, then prunes {@code removed}. */
    static void commit(PruningContext ctx, ParameterSubset s, double[] w, boolean[] pruned, int[] removed) {
        float[] p = ctx.network().parameters();
        for (int r = 0; r < s.rangeCount(); r++) {
            for (int q = s.rangeFrom(r), i = s.rangeLocal(r); q < s.rangeTo(r); q++, i++) {
                if (pruned[i]) {
                    w[i] = 0;
                }
                p[q] = (float) w[i];
            }
        }
        ctx.prune(removed);
    }
}
