package dev.surgeon.jmh;

import dev.surgeon.kernels.Kernels;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The fused curvature kernels, per provider, one thread:
 * <ul>
 *   <li>{@code shermanMorrison}: one rank-1 inverse update of an n×n H⁻¹ (the WoodFisher / OBS build-up,
 *       Hassibi &amp; Stork 1993 eq. 8): a gemv plus a rank-1 update, 4n² flops, 3 passes over n² floats.</li>
 *   <li>{@code rowDots} (M-FAC's G·x) and {@code rowCombination} (Gᵀ·c) over an m×d G with m = 256,
 *       d = 100 000: 2md flops over 102 MB of G, so they measure memory bandwidth.</li>
 * </ul>
 * Compared against: the scalar provider in the same run (there is no issue 2 target; issue 8 will compare
 * the streams with a STREAM-triad pass over the same bytes).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
public class CurvatureBenchmark {

    @State(Scope.Thread)
    public static class Inverse {
        @Param({"scalar", "vector"})
        public String provider;

        @Param({"512", "2048"})
        public int n;

        Kernels kernels;
        float[] hInv;
        float[] x;
        float[] work;

        /**
         * H⁻¹ = I/λ; repeated updates with one x only shrink H⁻¹ along x (it stays the inverse of
         * λI + k·x·xᵀ/N), so it stays finite over a whole run without a reset.
         */
        @Setup
        public void setup() {
            kernels = BenchmarkSupport.provider(provider, 1);
            hInv = new float[n * n];
            for (int i = 0; i < n; i++) {
                hInv[i * n + i] = 1e2f;
            }
            x = BenchmarkSupport.floats(n, 5);
            work = new float[n];
        }
    }

    @State(Scope.Thread)
    public static class Rows {
        @Param({"scalar", "vector"})
        public String provider;

        @Param({"256"})
        public int m;

        @Param({"100000"})
        public int d;

        Kernels kernels;
        float[] g;
        float[] x;
        float[] c;
        float[] y;

        @Setup
        public void setup() {
            kernels = BenchmarkSupport.provider(provider, 1);
            g = BenchmarkSupport.floats(m * d, 6);
            x = BenchmarkSupport.floats(d, 7);
            c = BenchmarkSupport.floats(m, 8);
            y = new float[m];
        }
    }

    @Benchmark
    public float shermanMorrison(Inverse s) {
        return s.kernels.shermanMorrisonUpdate(s.n, 1e3f, s.x, 0, s.hInv, 0, s.n, s.work, 0);
    }

    @Benchmark
    public float[] rowDots(Rows s) {
        s.kernels.rowDots(s.m, s.d, s.g, 0, s.d, s.x, 0, s.y, 0);
        return s.y;
    }

    /** beta = 0: x is overwritten with Gᵀ·c, so repeated calls do not grow it. */
    @Benchmark
    public float[] rowCombination(Rows s) {
        s.kernels.rowCombination(s.m, s.d, s.c, 0, s.g, 0, s.d, 0f, s.x, 0);
        return s.x;
    }
}
