package dev.surgeon.kernels;

import java.util.SplittableRandom;

/** Inputs shared by the convolution and product tests of this package. */
final class TestArrays {
    private TestArrays() {
    }

    /** n floats uniform in [−1, 1), the same for the same seed. */
    static float[] randomFloats(int n, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) (2 * random.nextDouble() - 1);
        }
        return a;
    }

    /** The scalar reference and the Vector provider on one and on two threads. */
    static Kernels[] providers() {
        return new Kernels[] {Kernels.named("scalar"), Kernels.named("vector").withThreads(1),
            Kernels.named("vector").withThreads(2)};
    }
}
