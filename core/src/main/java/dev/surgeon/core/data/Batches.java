package dev.surgeon.core.data;

import java.util.SplittableRandom;

/**
 * Seeded mini-batch order over n samples. The order of epoch e depends only on (seed, e), so a run can be
 * reproduced bit for bit, resumed at any epoch, and two runs with the same seed see the same batches.
 */
public final class Batches {
    private static final long GOLDEN_GAMMA = 0x9E3779B97F4A7C15L;

    private final int size;
    private final int batchSize;
    private final long seed;
    private final boolean shuffle;
    private final boolean dropLast;

    /**
     * @param size      number of samples
     * @param batchSize samples per batch (the last batch may be smaller unless {@code dropLast})
     * @param seed      seed of the shuffling
     * @param shuffle   whether to permute the samples every epoch (false: 0, 1, 2, …)
     * @param dropLast  whether to skip a final batch smaller than {@code batchSize}
     */
    public Batches(int size, int batchSize, long seed, boolean shuffle, boolean dropLast) {
        if (size < 0) {
            throw new IllegalArgumentException("dataset size must be >= 0, got " + size);
        }
        if (batchSize < 1) {
            throw new IllegalArgumentException("batch size must be >= 1, got " + batchSize);
        }
        this.size = size;
        this.batchSize = batchSize;
        this.seed = seed;
        this.shuffle = shuffle;
        this.dropLast = dropLast;
    }

    public int batchSize() {
        return batchSize;
    }

    /** Number of batches per epoch. */
    public int count() {
        return dropLast ? size / batchSize : (size + batchSize - 1) / batchSize;
    }

    /** Number of samples in batch b (0-based) of any epoch. */
    public int batchLength(int b) {
        return Math.min(batchSize, size - b * batchSize);
    }

    /** The sample order of the given epoch: batch b is {@code order[b·batchSize, b·batchSize + batchLength(b))}. */
    public int[] epochOrder(int epoch) {
        int[] order = new int[size];
        epochOrder(epoch, order);
        return order;
    }

    /** Writes the sample order of the given epoch into {@code order} (length ≥ size), without allocating. */
    public void epochOrder(int epoch, int[] order) {
        for (int i = 0; i < size; i++) {
            order[i] = i;
        }
        if (!shuffle) {
            return;
        }
        SplittableRandom random = new SplittableRandom(seed + GOLDEN_GAMMA * (epoch + 1L));
        for (int i = size - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
    }
}
