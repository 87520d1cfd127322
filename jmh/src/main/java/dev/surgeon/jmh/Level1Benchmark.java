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
 * Level-1 kernels ({@code sdot}, {@code saxpy}) per provider, one thread; 2n flops per call. Compared
 * against: the scalar provider in the same run (issue 2 target: Vector ≥ 8× scalar at n ≥ 1024). Small n
 * measures call overhead, n = 1024 and 4096 live in L1/L2, 1M streams from memory (every fast version
 * converges to the bandwidth limit there). The pitfall: a scalar {@code dot} cannot be auto-vectorized by
 * C2 (reassociating a float sum changes the result), so its speed is one add per FP-add latency; the
 * vector version's four accumulators hide that latency.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
public class Level1Benchmark {
    /** Add "openblas" once the bridge exists; unavailable providers are skipped in setup. */
    @Param({"scalar", "vector"})
    public String provider;

    @Param({"16", "1024", "4096", "1048576"})
    public int n;

    private Kernels kernels;
    private float[] x;
    private float[] y;

    @Setup
    public void setup() {
        kernels = BenchmarkSupport.provider(provider, 1);
        x = BenchmarkSupport.floats(n, 1);
        y = BenchmarkSupport.floats(n, 2);
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
