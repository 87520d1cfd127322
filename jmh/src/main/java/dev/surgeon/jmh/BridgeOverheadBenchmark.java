package dev.surgeon.jmh;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import dev.surgeon.blas.OpenBlasKernels;
import dev.surgeon.kernels.Kernels;
import dev.surgeon.kernels.Trans;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
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
 * What the OpenBLAS bridge costs on top of OpenBLAS itself, on one thread.
 *
 * <ul>
 *   <li>{@code sdot16*}: per-call overhead on a 16-element dot (target: bridge &lt; 50 ns). {@code Raw} is a
 *       bare critical downcall to {@code cblas_sdot} on heap segments, the floor; {@code Bridge} goes through
 *       the SPI with delegation off (argument checks, route, heap segments); {@code Delegating} is the
 *       provider as {@code auto} builds it, which hands n = 16 to the fallback provider; {@code Scalar} is
 *       the scalar reference.</li>
 *   <li>{@code sgemm}: square sgemm through the SPI, for GFLOP/s = 2n³ / time (target ≥ 70 on one thread;
 *       n = 256 runs as a critical downcall, n = 512 and 1024 on off-heap copies, see CallPolicy).</li>
 * </ul>
 * Run: {@code ./surgeon jmh BridgeOverheadBenchmark -f 1 -wi 3 -i 5 -t 1}.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
public class BridgeOverheadBenchmark {

    @State(Scope.Thread)
    public static class Dot {
        static final MethodHandle SDOT = Linker.nativeLinker().downcallHandle(
                SymbolLookup.libraryLookup("libopenblas.so.0", Arena.global()).findOrThrow("cblas_sdot"),
                FunctionDescriptor.of(JAVA_FLOAT, JAVA_INT, ADDRESS, JAVA_INT, ADDRESS, JAVA_INT),
                Linker.Option.critical(true));

        Kernels bridge;
        Kernels delegating;
        Kernels scalar;
        float[] x = new float[16];
        float[] y = new float[16];

        @Setup
        public void setup() {
            delegating = Kernels.named("openblas").withThreads(1);
            bridge = ((OpenBlasKernels) delegating).nativeOnly();
            scalar = Kernels.scalar();
            SplittableRandom r = new SplittableRandom(1);
            for (int i = 0; i < 16; i++) {
                x[i] = (float) r.nextDouble(-1, 1);
                y[i] = (float) r.nextDouble(-1, 1);
            }
        }
    }

    @State(Scope.Thread)
    public static class Gemm {
        @Param({"256", "512", "1024"})
        public int n;

        Kernels bridge;
        float[] a;
        float[] b;
        float[] c;

        @Setup
        public void setup() {
            bridge = Kernels.named("openblas").withThreads(1);
            SplittableRandom r = new SplittableRandom(n);
            a = new float[n * n];
            b = new float[n * n];
            c = new float[n * n];
            for (int i = 0; i < n * n; i++) {
                a[i] = (float) r.nextDouble(-1, 1);
                b[i] = (float) r.nextDouble(-1, 1);
            }
        }
    }

    @Benchmark
    public float sdot16Raw(Dot s) throws Throwable {
        return (float) Dot.SDOT.invokeExact(16, MemorySegment.ofArray(s.x), 1, MemorySegment.ofArray(s.y), 1);
    }

    @Benchmark
    public float sdot16Bridge(Dot s) {
        return s.bridge.dot(16, s.x, 0, s.y, 0);
    }

    @Benchmark
    public float sdot16Delegating(Dot s) {
        return s.delegating.dot(16, s.x, 0, s.y, 0);
    }

    @Benchmark
    public float sdot16Scalar(Dot s) {
        return s.scalar.dot(16, s.x, 0, s.y, 0);
    }

    @Benchmark
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    public float[] sgemm(Gemm s) {
        s.bridge.gemm(Trans.N, Trans.N, s.n, s.n, s.n, 1f, s.a, 0, s.n, s.b, 0, s.n, 0f, s.c, 0, s.n);
        return s.c;
    }
}
