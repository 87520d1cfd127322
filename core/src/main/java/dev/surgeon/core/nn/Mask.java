package dev.surgeon.core.nn;

import java.util.Arrays;

/**
 * Which parameters are pruned. A pruned parameter is held at exactly {@code 0.0f} (positive zero): the
 * mask zeroes it in the parameters ({@link #apply}), zeroes its gradient ({@link #applyToGradient}), and
 * optimizers reset their state for it after every step (see {@code dev.surgeon.core.optim.Optimizer}).
 * Any parameter may be pruned, biases included, but pruning methods usually leave biases alone.
 *
 * <p>Applying the mask costs O(number of pruned entries). {@link #version()} changes on every
 * modification, so holders of per-parameter state can tell that the mask changed.
 */
public final class Mask {
    private final ParameterLayout layout;
    private final boolean[] pruned;
    private int[] prunedIndices = new int[0];
    private boolean indicesStale;
    private long version;

    private Mask(ParameterLayout layout) {
        this.layout = layout;
        this.pruned = new boolean[layout.size()];
    }

    /** A mask with nothing pruned. */
    public static Mask dense(ParameterLayout layout) {
        return new Mask(layout);
    }

    /** A mask pruning exactly the parameters that are zero in {@code params}. */
    public static Mask ofZeros(ParameterLayout layout, float[] params) {
        layout.checkLength(params, "parameter vector");
        Mask m = new Mask(layout);
        for (int q = 0; q < params.length; q++) {
            if (params[q] == 0f) {
                m.pruned[q] = true;
            }
        }
        m.changed();
        return m;
    }

    public ParameterLayout layout() {
        return layout;
    }

    public boolean isPruned(int q) {
        return pruned[q];
    }

    /** Prunes parameter q (idempotent). */
    public void prune(int q) {
        checkIndex(q);
        if (!pruned[q]) {
            pruned[q] = true;
            changed();
        }
    }

    /** Lets parameter q train again (its value stays 0 until the optimizer moves it). */
    public void restore(int q) {
        checkIndex(q);
        if (pruned[q]) {
            pruned[q] = false;
            changed();
        }
    }

    private void checkIndex(int q) {
        if (q < 0 || q >= pruned.length) {
            throw new IllegalArgumentException("parameter index " + q + " outside [0, " + pruned.length + ")");
        }
    }

    private void changed() {
        indicesStale = true;
        version++;
    }

    /** Incremented by every change. */
    public long version() {
        return version;
    }

    /** Sorted indices of the pruned parameters (internal array; do not modify). */
    public int[] prunedIndices() {
        if (indicesStale) {
            int n = 0;
            for (boolean p : pruned) {
                if (p) {
                    n++;
                }
            }
            int[] idx = new int[n];
            int k = 0;
            for (int q = 0; q < pruned.length; q++) {
                if (pruned[q]) {
                    idx[k++] = q;
                }
            }
            prunedIndices = idx;
            indicesStale = false;
        }
        return prunedIndices;
    }

    public int prunedCount() {
        return prunedIndices().length;
    }

    /** Fraction of all parameters that are pruned. */
    public double sparsity() {
        return pruned.length == 0 ? 0 : (double) prunedCount() / pruned.length;
    }

    /** Fraction of one tensor's parameters that are pruned. */
    public double sparsity(ParameterTensor t) {
        int n = 0;
        for (int q = t.offset(); q < t.end(); q++) {
            if (pruned[q]) {
                n++;
            }
        }
        return (double) n / t.length();
    }

    /** Sets every pruned parameter to exactly 0. */
    public void apply(float[] params) {
        zeroPruned(params);
    }

    /** Sets the gradient of every pruned parameter to 0. */
    public void applyToGradient(float[] grad) {
        zeroPruned(grad);
    }

    /** Zeroes the pruned entries of any per-parameter vector (optimizer state, curvature diagonals, …). */
    public void zeroPruned(float[] v) {
        layout.checkLength(v, "vector");
        for (int q : prunedIndices()) {
            v[q] = 0f;
        }
    }

    /** A copy that can change independently. */
    public Mask copy() {
        Mask m = new Mask(layout);
        System.arraycopy(pruned, 0, m.pruned, 0, pruned.length);
        m.changed();
        return m;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Mask m && Arrays.equals(m.pruned, pruned);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(pruned);
    }

    @Override
    public String toString() {
        return "Mask(" + prunedCount() + " of " + pruned.length + " pruned)";
    }
}
