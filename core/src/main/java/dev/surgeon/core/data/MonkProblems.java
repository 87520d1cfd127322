package dev.surgeon.core.data;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * The MONK's problems (Thrun et al. 1991, "The MONK's problems: A performance comparison of different
 * learning algorithms") generated from their rules. Six attributes with 3, 3, 2, 3, 4, 2 values (1-based),
 * one-hot encoded into 17 inputs; class 1 iff
 * <ul>
 *   <li>MONK-1: {@code (a1 = a2) or (a5 = 1)};</li>
 *   <li>MONK-2: exactly two of the six attributes take their first value;</li>
 *   <li>MONK-3: {@code (a5 = 3 and a4 = 1) or (a5 ≠ 4 and a2 ≠ 3)}.</li>
 * </ul>
 * The test sets are the whole attribute space (432 examples, noise-free), in lexicographic order with a1
 * varying slowest. The official training sets (124, 169 and 122 examples, MONK-3 with 5 % of its labels
 * flipped) are specific subsets; when they are not available, {@link #trainingSet} draws subsets of the same
 * sizes with a recorded seed and flips 6 of MONK-3's 122 training labels, as docs METHODS.md prescribes
 * (weight counts stay comparable with the papers; exact accuracies may not). Read the official files with
 * {@link MonkReader}.
 */
public final class MonkProblems {
    /** Number of values of attributes a1..a6. */
    private static final int[] VALUES = {3, 3, 2, 3, 4, 2};
    private static final int[] TRAINING_SIZES = {124, 169, 122};
    private static final int[] NOISY_LABELS = {0, 0, 6};
    /** Width of the one-hot encoding. */
    public static final int INPUTS = 17;
    /** Size of the attribute space, 3·3·2·3·4·2: every test set. */
    public static final int EXAMPLES = 432;

    /**
     * A generated training set.
     *
     * @param data    the examples (labels after flipping)
     * @param seed    the seed they were drawn with
     * @param indices for each training example, its index in the attribute space order of {@link #testSet}
     * @param flipped positions in {@code data} whose label was flipped (label noise), ascending
     */
    public record Training(Dataset data, long seed, int[] indices, int[] flipped) {
    }

    private MonkProblems() {
    }

    /** The number of values of each attribute: {3, 3, 2, 3, 4, 2} (a copy). */
    public static int[] attributeValues() {
        return VALUES.clone();
    }

    /** Training set size of the official problem: 124, 169 or 122. */
    public static int trainingSize(int problem) {
        return TRAINING_SIZES[check(problem) - 1];
    }

    /** Labels flipped in the generated training set: 6 (5 % of 122) for MONK-3, else 0. */
    public static int noisyLabels(int problem) {
        return NOISY_LABELS[check(problem) - 1];
    }

    /** Whether the attributes (1-based values a1..a6) belong to class 1 of the given problem. */
    public static boolean concept(int problem, int[] a) {
        return switch (check(problem)) {
            case 1 -> a[0] == a[1] || a[4] == 1;
            case 2 -> {
                int first = 0;
                for (int v : a) {
                    first += v == 1 ? 1 : 0;
                }
                yield first == 2;
            }
            default -> a[4] == 3 && a[3] == 1 || a[4] != 4 && a[1] != 3;
        };
    }

    /** Attribute vector (1-based values) of example {@code index} of the attribute space. */
    public static int[] attributes(int index) {
        if (index < 0 || index >= EXAMPLES) {
            throw new IllegalArgumentException("MONK example index " + index + " outside [0, " + EXAMPLES + ")");
        }
        int[] a = new int[VALUES.length];
        int rest = index;
        for (int j = VALUES.length - 1; j >= 0; j--) {
            a[j] = rest % VALUES[j] + 1;
            rest /= VALUES[j];
        }
        return a;
    }

    /** Writes the 17-input one-hot encoding of 1-based attribute values into {@code dst} at {@code offset}. */
    public static void encode(int[] attributes, float[] dst, int offset) {
        int[] codes = new int[attributes.length];
        for (int j = 0; j < codes.length; j++) {
            codes[j] = attributes[j] - 1;
        }
        OneHot.encode(codes, VALUES, dst, offset);
    }

    /** All 432 examples, noise-free, in attribute space order. */
    public static Dataset testSet(int problem) {
        int[] all = new int[EXAMPLES];
        Arrays.setAll(all, i -> i);
        return examples(problem, all, "monk-" + problem + " test");
    }

    /**
     * Draws the training set of the given size uniformly without replacement from the attribute space
     * (indices sorted ascending), then, for MONK-3, flips 6 labels at positions drawn from the same stream.
     * Deterministic per seed.
     */
    public static Training trainingSet(int problem, long seed) {
        int n = trainingSize(problem);
        SplittableRandom random = new SplittableRandom(seed);
        int[] indices = Arrays.copyOf(partialShuffle(EXAMPLES, n, random), n);
        Arrays.sort(indices);
        int[] flipped = Arrays.copyOf(partialShuffle(n, noisyLabels(problem), random), noisyLabels(problem));
        Arrays.sort(flipped);
        Dataset clean = examples(problem, indices, "monk-" + problem + " train (seed " + seed + ")");
        int[] labels = clean.labels().clone();
        for (int p : flipped) {
            labels[p] = 1 - labels[p];
        }
        Dataset data = Dataset.classification(clean.name() + (flipped.length > 0 ? ", " + flipped.length + " labels flipped" : ""),
                clean.inputShape(), clean.inputs(), labels, 2);
        return new Training(data, seed, indices, flipped);
    }

    /** The first k entries of a seeded Fisher–Yates shuffle of 0..n−1 are a uniform k-subset. */
    private static int[] partialShuffle(int n, int k, SplittableRandom random) {
        int[] p = new int[n];
        Arrays.setAll(p, i -> i);
        for (int i = 0; i < k; i++) {
            int j = i + random.nextInt(n - i);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }

    private static Dataset examples(int problem, int[] indices, String name) {
        float[] x = new float[indices.length * INPUTS];
        int[] y = new int[indices.length];
        for (int i = 0; i < indices.length; i++) {
            int[] a = attributes(indices[i]);
            encode(a, x, i * INPUTS);
            y[i] = concept(problem, a) ? 1 : 0;
        }
        return Dataset.classification(name, new int[]{INPUTS}, x, y, 2);
    }

    private static int check(int problem) {
        if (problem < 1 || problem > 3) {
            throw new IllegalArgumentException("MONK problem must be 1, 2 or 3, got " + problem);
        }
        return problem;
    }
}
