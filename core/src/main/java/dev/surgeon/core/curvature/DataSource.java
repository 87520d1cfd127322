package dev.surgeon.core.curvature;

import dev.surgeon.core.data.Dataset;
import dev.surgeon.core.nn.Workspace;
import java.util.SplittableRandom;

/**
 * The samples a curvature operator averages over: a dataset, the indices of the samples used (all of them in
 * order, or a seeded random subset, METHODS G.4: recorded with every result), and the batch size used to
 * feed them through the network (an efficiency knob: results do not depend on it beyond float rounding).
 */
public final class DataSource {
    private final Dataset data;
    private final int[] indices;
    private final int batchSize;
    private final long seed;
    private final boolean sampled;

    private DataSource(Dataset data, int[] indices, int batchSize, long seed, boolean sampled) {
        if (batchSize < 1) {
            throw new IllegalArgumentException("batch size must be >= 1, got " + batchSize);
        }
        if (indices.length == 0) {
            throw new IllegalArgumentException(data.name() + " provides no samples");
        }
        this.data = data;
        this.indices = indices;
        this.batchSize = batchSize;
        this.seed = seed;
        this.sampled = sampled;
    }

    /** All samples of the dataset, in order. */
    public static DataSource all(Dataset data, int batchSize) {
        int[] idx = new int[data.size()];
        for (int i = 0; i < idx.length; i++) {
            idx[i] = i;
        }
        return new DataSource(data, idx, batchSize, 0, false);
    }

    /**
     * {@code samples} distinct samples drawn uniformly with the seed (the first {@code samples} positions of a
     * seeded Fisher–Yates shuffle), in the drawn order.
     *
     * @throws IllegalArgumentException if more samples are requested than the dataset has
     */
    public static DataSource sample(Dataset data, int samples, int batchSize, long seed) {
        if (samples < 1 || samples > data.size()) {
            throw new IllegalArgumentException("cannot draw " + samples + " calibration samples from " + data.name()
                    + " with " + data.size() + " samples");
        }
        int[] perm = new int[data.size()];
        for (int i = 0; i < perm.length; i++) {
            perm[i] = i;
        }
        SplittableRandom random = new SplittableRandom(seed);
        for (int i = 0; i < samples; i++) {
            int j = i + random.nextInt(perm.length - i);
            int t = perm[i];
            perm[i] = perm[j];
            perm[j] = t;
        }
        return new DataSource(data, java.util.Arrays.copyOf(perm, samples), batchSize, seed, true);
    }

    /** Explicit sample indices (e.g. recorded by an earlier run), in that order. */
    public static DataSource of(Dataset data, int[] indices, int batchSize) {
        for (int i : indices) {
            if (i < 0 || i >= data.size()) {
                throw new IllegalArgumentException("sample index " + i + " is outside " + data.name() + " of " + data.size());
            }
        }
        return new DataSource(data, indices.clone(), batchSize, 0, false);
    }

    /** The same samples fed in batches of another size. */
    public DataSource withBatchSize(int size) {
        return new DataSource(data, indices, size, seed, sampled);
    }

    public Dataset dataset() {
        return data;
    }

    /** N, the number of samples. */
    public int size() {
        return indices.length;
    }

    public int batchSize() {
        return batchSize;
    }

    /** Number of batches. */
    public int batchCount() {
        return (indices.length + batchSize - 1) / batchSize;
    }

    /** Samples in batch b. */
    public int batchLength(int b) {
        return Math.min(batchSize, indices.length - b * batchSize);
    }

    /** The dataset indices of the samples used, in feeding order (a copy). */
    public int[] indices() {
        return indices.clone();
    }

    /** Whether the samples are a seeded random subset; then {@link #seed()} is its seed. */
    public boolean isSampled() {
        return sampled;
    }

    public long seed() {
        return seed;
    }

    /** Loads batch b into the workspace. */
    public void load(Workspace ws, int b) {
        ws.load(data, indices, b * batchSize, batchLength(b));
    }

    /** Loads {@code count} samples starting at position {@code from} of the feeding order. */
    void load(Workspace ws, int from, int count) {
        ws.load(data, indices, from, count);
    }

    @Override
    public String toString() {
        return size() + " samples of " + data.name() + (sampled ? " (seed " + seed + ")" : "") + " in batches of " + batchSize;
    }
}
