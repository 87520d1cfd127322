package dev.surgeon.core.data;

import java.util.SplittableRandom;

/**
 * Seeded synthetic tasks of the Bayesian and flatness experiments (METHODS E1, E3, R23), each with a training set
 * drawn with the seed and a larger test set drawn from an independent stream of the same seed:
 * <ul>
 *   <li>{@link #sine}: 1-D regression with known noise, t = sin(2πx) + N(0, σ²), x ~ U(0, 1) (Bishop's curve-fitting
 *       task): with the noise known, MacKay's β should approach 1/σ².</li>
 *   <li>{@link #robotArm}: MacKay's robot-arm task (MacKay 1992): y₁ = 2.0 cos x₁ + 1.3 cos(x₁ + x₂),
 *       y₂ = 2.0 sin x₁ + 1.3 sin(x₁ + x₂) plus N(0, 0.05²) noise, x₁ uniform on [−1.932, −0.453] ∪ [0.453, 1.932]
 *       and x₂ on [0.534, 3.142] (the input ranges are recalled from the paper's data; verify).</li>
 *   <li>{@link #ripley}: two classes in 2-D, each an equal mixture of two Gaussians with covariance 0.03·I, centred
 *       at (−0.3, 0.7), (0.4, 0.7) for class 0 and (−0.7, 0.3), (0.3, 0.3) for class 1 (Ripley's synthetic
 *       problem; Bayes error about 8 %).</li>
 *   <li>{@link #relevance}: 10 inputs U(−1, 1) of which only two matter, t = sin(πx₁) + x₂²/2 + N(0, σ²): the task on
 *       which flat-minimum search should prune input lines (METHODS E3).</li>
 * </ul>
 */
public final class SyntheticData {
    /** Test-set size of every task. */
    public static final int TEST_SIZE = 1000;

    private SyntheticData() {
    }

    /** The 1-D noisy sine with {@code n} training points and noise σ. */
    public static Split sine(int n, double noise, long seed) {
        check(n, noise);
        Dataset train = sine("sine train", n, noise, new SplittableRandom(seed));
        Dataset test = sine("sine test", TEST_SIZE, noise, new SplittableRandom(seed).split());
        return new Split(train, test, "sine: t = sin(2πx) + N(0, " + noise + "²), x ~ U(0, 1); " + n
                + " training points drawn with seed " + seed + ", " + TEST_SIZE + " test points");
    }

    private static Dataset sine(String name, int n, double noise, SplittableRandom r) {
        float[] x = new float[n];
        float[] t = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) r.nextDouble();
            t[i] = (float) (Math.sin(2 * Math.PI * x[i]) + noise * r.nextGaussian());
        }
        return Dataset.regression(name, new int[] {1}, x, 1, t);
    }

    /** MacKay's robot arm with {@code n} training points and noise σ (0.05 in the paper). */
    public static Split robotArm(int n, double noise, long seed) {
        check(n, noise);
        Dataset train = robotArm("robot-arm train", n, noise, new SplittableRandom(seed));
        Dataset test = robotArm("robot-arm test", TEST_SIZE, noise, new SplittableRandom(seed).split());
        return new Split(train, test, "robot-arm (MacKay 1992): noise σ = " + noise + "; " + n
                + " training points drawn with seed " + seed + ", " + TEST_SIZE + " test points");
    }

    private static Dataset robotArm(String name, int n, double noise, SplittableRandom r) {
        float[] x = new float[2 * n];
        float[] t = new float[2 * n];
        for (int i = 0; i < n; i++) {
            double x1 = (0.453 + (1.932 - 0.453) * r.nextDouble()) * (r.nextBoolean() ? 1 : -1);
            double x2 = 0.534 + (3.142 - 0.534) * r.nextDouble();
            x[2 * i] = (float) x1;
            x[2 * i + 1] = (float) x2;
            t[2 * i] = (float) (2.0 * Math.cos(x1) + 1.3 * Math.cos(x1 + x2) + noise * r.nextGaussian());
            t[2 * i + 1] = (float) (2.0 * Math.sin(x1) + 1.3 * Math.sin(x1 + x2) + noise * r.nextGaussian());
        }
        return Dataset.regression(name, new int[] {2}, x, 2, t);
    }

    /** Ripley's two-class mixture with {@code n} training points. */
    public static Split ripley(int n, long seed) {
        check(n, 0);
        Dataset train = ripley("ripley train", n, new SplittableRandom(seed));
        Dataset test = ripley("ripley test", TEST_SIZE, new SplittableRandom(seed).split());
        return new Split(train, test, "ripley: two classes, each a mixture of two Gaussians (covariance 0.03·I); " + n
                + " training points drawn with seed " + seed + ", " + TEST_SIZE + " test points");
    }

    private static Dataset ripley(String name, int n, SplittableRandom r) {
        double[][] centres = {{-0.3, 0.7}, {0.4, 0.7}, {-0.7, 0.3}, {0.3, 0.3}};
        double sd = Math.sqrt(0.03);
        float[] x = new float[2 * n];
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            int c = r.nextInt(4);
            y[i] = c / 2;
            x[2 * i] = (float) (centres[c][0] + sd * r.nextGaussian());
            x[2 * i + 1] = (float) (centres[c][1] + sd * r.nextGaussian());
        }
        return Dataset.classification(name, new int[] {2}, x, y, 2);
    }

    /** Ten inputs of which two are relevant, {@code n} training points, noise σ. */
    public static Split relevance(int n, double noise, long seed) {
        check(n, noise);
        Dataset train = relevance("relevance train", n, noise, new SplittableRandom(seed));
        Dataset test = relevance("relevance test", TEST_SIZE, noise, new SplittableRandom(seed).split());
        return new Split(train, test, "relevance: t = sin(πx₁) + x₂²/2 + N(0, " + noise + "²), 10 inputs U(−1, 1) of which"
                + " x₃..x₁₀ are irrelevant; " + n + " training points drawn with seed " + seed + ", " + TEST_SIZE
                + " test points");
    }

    private static Dataset relevance(String name, int n, double noise, SplittableRandom r) {
        int inputs = 10;
        float[] x = new float[inputs * n];
        float[] t = new float[n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < inputs; j++) {
                x[i * inputs + j] = (float) (2 * r.nextDouble() - 1);
            }
            double x1 = x[i * inputs];
            double x2 = x[i * inputs + 1];
            t[i] = (float) (Math.sin(Math.PI * x1) + 0.5 * x2 * x2 + noise * r.nextGaussian());
        }
        return Dataset.regression(name, new int[] {inputs}, x, 1, t);
    }

    private static void check(int n, double noise) {
        if (n < 1) {
            throw new IllegalArgumentException("a synthetic training set needs at least 1 point, got " + n);
        }
        if (!(noise >= 0) || Double.isInfinite(noise)) {
            throw new IllegalArgumentException("noise σ must be finite and >= 0, got " + noise);
        }
    }
}
