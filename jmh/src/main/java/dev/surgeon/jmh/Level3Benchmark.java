package dev.surgeon.jmh;

import dev.surgeon.kernels.Kernels;
import dev.surgeon.kernels.Trans;
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
 * Level-3 {@code sgemm} (C ← A·B, 2n³ flops) and {@code ssyrk} (lower triangle of C ← A·Aᵀ, n³ flops) on
 * square n×n operands. Two parameter sets:
 * <ul>
 *   <li>{@link Sweep}: every provider, n = 64 … 1024, one thread. Compared against: the scalar provider
 *       in the same run, and the issue 2 target Vector sgemm ≥ 50 GFLOP/s at n = 512 and 1024
 *       (../shared/docs/KERNELS.md: OpenBLAS reaches 73–87 GFLOP/s on one AVX2 core).</li>
 *   <li>{@link Threads}: the vector provider at n = 1024 with 1 and 2 threads. Compared against: itself
 *       (target: 2 threads ≥ 1.7× one thread for sgemm and ssyrk).</li>
 * </ul>
 * The scalar provider is single-threaded (it would repeat the 1-thread run), so {@link Threads} names
 * only providers that parallelize. A scalar n = 1024 call takes about a second; JMH still runs at least
 * one call per iteration, so those points take ~10 s, not more.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
public class Level3Benchmark {

    /** Square operands A, B, C of order n for one provider and thread count. */
    public abstract static class Operands {
        Kernels kernels;
        float[] a;
        float[] b;
        float[] c;

        void init(String provider, int threads, int n) {
            kernels = BenchmarkSupport.provider(provider, threads);
            a = BenchmarkSupport.floats(n * n, 1);
            b = BenchmarkSupport.floats(n * n, 2);
            c = new float[n * n];
        }

        abstract int n();
    }

    @State(Scope.Thread)
    public static class Sweep extends Operands {
        @Param({"scalar", "vector", "openblas"})
        public String provider;

        @Param({"64", "128", "256", "512", "1024"})
        public int n;

        @Setup
        public void setup() {
            init(provider, 1, n);
        }

        @Override
        int n() {
            return n;
        }
    }

    @State(Scope.Thread)
    public static class Threads extends Operands {
        @Param({"vector", "openblas"})
        public String provider;

        @Param({"1024"})
        public int n;

        @Param({"1", "2"})
        public int threads;

        @Setup
        public void setup() {
            init(provider, threads, n);
        }

        @Override
        int n() {
            return n;
        }
    }

    private static float[] gemm(Operands s) {
        int n = s.n();
        s.kernels.gemm(Trans.N, Trans.N, n, n, n, 1f, s.a, 0, n, s.b, 0, n, 0f, s.c, 0, n);
        return s.c;
    }

    private static float[] syrk(Operands s) {
        int n = s.n();
        s.kernels.syrk(Uplo.LOWER, Trans.N, n, n, 1f, s.a, 0, n, 0f, s.c, 0, n);
        return s.c;
    }

    @Benchmark
    public float[] sgemm(Sweep s) {
        return gemm(s);
    }

    @Benchmark
    public float[] ssyrk(Sweep s) {
        return syrk(s);
    }

    @Benchmark
    public float[] sgemmThreads(Threads s) {
        return gemm(s);
    }

    @Benchmark
    public float[] ssyrkThreads(Threads s) {
        return syrk(s);
    }

    /**
     * The products of a LeNet-300-100 training step on a data-parallel shard of 64 samples (and the whole batch of
     * 128), as {@code TRANSPOSES:MxNxK}: the forward products X·Wᵀ (NT), the weight gradients Δᵀ·X (TN) and the
     * input gradient Δ·W (NN). One thread; compare the providers side by side.
     */
    @State(Scope.Thread)
    public static class TrainingShapes {
        @Param({"vector", "openblas"})
        public String provider;

        @Param({"NT:64x300x784", "TN:300x784x64", "NT:64x100x300", "TN:100x300x64", "NN:64x300x100", "NT:128x300x784"})
        public String shape;

        Kernels kernels;
        Trans transA;
        Trans transB;
        int m;
        int n;
        int k;
        float[] a;
        float[] b;
        float[] c;

        @Setup
        public void setup() {
            kernels = BenchmarkSupport.provider(provider, 1);
            String[] parts = shape.split(":");
            transA = parts[0].charAt(0) == 'T' ? Trans.T : Trans.N;
            transB = parts[0].charAt(1) == 'T' ? Trans.T : Trans.N;
            String[] dims = parts[1].split("x");
            m = Integer.parseInt(dims[0]);
            n = Integer.parseInt(dims[1]);
            k = Integer.parseInt(dims[2]);
            a = BenchmarkSupport.floats(m * k, 1);
            b = BenchmarkSupport.floats(k * n, 2);
            c = new float[m * n];
        }
    }

    @Benchmark
    public float[] sgemmTrainingShapes(TrainingShapes s) {
        int lda = s.transA == Trans.N ? s.k : s.m;
        int ldb = s.transB == Trans.N ? s.n : s.k;
        s.kernels.gemm(s.transA, s.transB, s.m, s.n, s.k, 1f, s.a, 0, lda, s.b, 0, ldb, 0f, s.c, 0, s.n);
        return s.c;
    }
}
