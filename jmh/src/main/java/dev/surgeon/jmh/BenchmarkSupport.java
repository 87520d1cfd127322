package dev.surgeon.jmh;

import dev.surgeon.kernels.Kernels;
import dev.surgeon.kernels.ProviderStatus;
import java.util.SplittableRandom;

/**
 * What every kernel benchmark needs: the provider named by its {@code provider} parameter, bound to a
 * thread count, and seeded random operands. A provider this JVM cannot load (e.g. {@code openblas} without
 * the native library) fails that parameter combination in {@code @Setup} with the provider's own reason,
 * and JMH carries on with the others — so the provider lists in {@code @Param} can name providers that
 * are not installed everywhere.
 */
final class BenchmarkSupport {
    private BenchmarkSupport() {
    }

    /** The named provider with at most {@code threads} threads, or an exception saying why it is skipped. */
    static Kernels provider(String name, int threads) {
        for (ProviderStatus s : Kernels.providers()) {
            if (s.name().equals(name)) {
                if (!s.available()) {
                    throw new IllegalStateException("provider '" + name + "' is unavailable on this JVM ("
                            + s.reason() + "); skipping this parameter combination");
                }
                Kernels k = Kernels.named(name).withThreads(threads);
                if (k.threads() < threads) {
                    throw new IllegalStateException("provider '" + name + "' runs at most " + k.threads()
                            + " thread(s); skipping threads=" + threads);
                }
                return k;
            }
        }
        throw new IllegalStateException("unknown provider '" + name + "'; known: "
                + Kernels.providers().stream().map(ProviderStatus::name).toList());
    }

    static float[] floats(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) r.nextDouble(-1, 1);
        }
        return x;
    }

    static double[] doubles(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        double[] x = new double[n];
        for (int i = 0; i < n; i++) {
            x[i] = r.nextDouble(-1, 1);
        }
        return x;
    }

    /** A symmetric positive-definite n×n matrix (both triangles): a random symmetric one plus n·I. */
    static float[] spdFloats(int n, long seed) {
        float[] a = floats(n * n, seed);
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < i; j++) {
                a[j * n + i] = a[i * n + j];
            }
            a[i * n + i] = n;
        }
        return a;
    }

    static double[] spdDoubles(int n, long seed) {
        double[] a = doubles(n * n, seed);
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < i; j++) {
                a[j * n + i] = a[i * n + j];
            }
            a[i * n + i] = n;
        }
        return a;
    }
}
