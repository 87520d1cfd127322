package dev.surgeon.jmh;

import dev.surgeon.kernels.Kernels;
import dev.surgeon.kernels.Trans;
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
 * Level-2 {@code sgemv} on an n×n row-major matrix, {@code y ← A·x} (trans N: one dot per row) and
 * {@code y ← Aᵀ·x} (trans T: one axpy per row), per provider, one thread; 2n² flops per call. Compared
 * against: the scalar provider in the same run (issue 2 target: Vector ≥ 8× scalar at n ≥ 1024). A is 256 KiB
 * at n = 256 (L2), 4 MiB at 1024 and 64 MiB at 4096 (memory): gemv reads each element once, so beyond L2
 * it measures bandwidth, which the vector version reaches and the scalar dot version does not.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
public class Level2Benchmark {
    @Param({"scalar", "vector"})
    public String provider;

    @Param({"256", "1024", "4096"})
    public int n;

    private Kernels kernels;
    private float[] a;
    private float[] x;
    private float[] y;

    @Setup
    public void setup() {
        kernels = BenchmarkSupport.provider(provider, 1);
        a = BenchmarkSupport.floats(n * n, 1);
        x = BenchmarkSupport.floats(n, 2);
        y = new float[n];
    }

    @Benchmark
    public float[] gemvN() {
        kernels.gemv(Trans.N, n, n, 1f, a, 0, n, x, 0, 0f, y, 0);
        return y;
    }

    @Benchmark
    public float[] gemvT() {
        kernels.gemv(Trans.T, n, n, 1f, a, 0, n, x, 0, 0f, y, 0);
        return y;
    }
}
