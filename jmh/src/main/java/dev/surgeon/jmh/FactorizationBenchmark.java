package dev.surgeon.jmh;

import dev.surgeon.kernels.Kernels;
import dev.surgeon.kernels.Uplo;
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
 * Cholesky factorization {@code spotrf} / {@code dpotrf} (lower, n³/3 flops) of an n×n symmetric positive
 * definite matrix, per provider, one thread. Compared against: the scalar provider in the same run, and
 * the issue 2 target Vector spotrf ≥ 25 GFLOP/s at n = 1024 (OpenBLAS spotrf: 28–51 GFLOP/s on one AVX2
 * core, ../shared/docs/KERNELS.md).
 *
 * <p>Pitfall: potrf works in place, so every call first restores the input with an n² copy. The
 * {@code copyOnly} benchmark measures that copy alone; subtract it for the factorization time (it is
 * below 3% for the vector provider at n ≥ 512).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
public class FactorizationBenchmark {
    @Param({"scalar", "vector"})
    public String provider;

    @Param({"128", "256", "512", "1024"})
    public int n;

    private Kernels kernels;
    private float[] spd;
    private float[] work;
    private double[] spdDouble;
    private double[] workDouble;

    @Setup
    public void setup() {
        kernels = BenchmarkSupport.provider(provider, 1);
        spd = BenchmarkSupport.spdFloats(n, 3);
        work = new float[n * n];
        spdDouble = BenchmarkSupport.spdDoubles(n, 3);
        workDouble = new double[n * n];
    }

    @Benchmark
    public float[] spotrf() {
        System.arraycopy(spd, 0, work, 0, spd.length);
        kernels.potrf(Uplo.LOWER, n, work, 0, n);
        return work;
    }

    @Benchmark
    public double[] dpotrf() {
        System.arraycopy(spdDouble, 0, workDouble, 0, spdDouble.length);
        kernels.potrf(Uplo.LOWER, n, workDouble, 0, n);
        return workDouble;
    }

    /** The input restore of {@link #spotrf} alone. */
    @Benchmark
    public float[] copyOnly() {
        System.arraycopy(spd, 0, work, 0, spd.length);
        return work;
    }
}
