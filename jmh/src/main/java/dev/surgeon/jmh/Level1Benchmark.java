package dev.surgeon.jmh;

import dev.surgeon.kernels.Kernels;
import java.util.SplittableRandom;
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
 * Level-1 kernels ({@code dot}, {@code axpy}) per provider, one thread. Compared against: the scalar
 * provider in the same run (target: Vector ≥ 8× scalar at n ≥ 1024). Small n measures call overhead,
 * n = 1024 lives in L1, 1M streams from memory (every fast version converges to the bandwidth limit).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
public class Level1Benchmark {
    @Param({"scalar", "vector"})
    public String provider;

    @Param({"16", "1024", "1048576"})
    public int n;

    private Kernels kernels;
    private float[] x;
    private float[] y;

    @Setup
    public void setup() {
        kernels = Kernels.named(provider).withThreads(1);
        SplittableRandom r = new SplittableRandom(42);
        x = new float[n];
        y = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) r.nextDouble(-1, 1);
            y[i] = (float) r.nextDouble(-1, 1);
        }
    }

    @Benchmark
    public float dot() {
        return kernels.dot(n, x, 0, y, 0);
    }

    /** A tiny alpha keeps y finite over the ~10⁹ invocations of a run, so no reset is needed. */
    @Benchmark
    public float[] axpy() {
        kernels.axpy(n, -1e-3f, x, 0, y, 0);
        return y;
    }
}
