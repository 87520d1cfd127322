package dev.surgeon.jmh;

import dev.surgeon.kernels.ConvolutionGeometry;
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
 * The layout kernels of a LeNet-5 training step at batch 128, one thread: im2col and col2im of the second
 * convolution (20 channels of 12×12, 5×5 windows: runs of 8 floats), over the whole batch. Compare the providers
 * side by side ({@code scalar} is the reference the others are tested against).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
public class ConvolutionBenchmark {
    @Param({"vector", "scalar"})
    public String provider;

    private static final int BATCH = 128;

    private Kernels kernels;
    private final ConvolutionGeometry second = new ConvolutionGeometry(20, 12, 12, 5, 1, 0);
    private float[] secondInput;
    private float[] secondColumns;

    @Setup
    public void setup() {
        kernels = BenchmarkSupport.provider(provider, 1);
        secondInput = BenchmarkSupport.floats(BATCH * second.inputSize(), 1);
        secondColumns = BenchmarkSupport.floats(second.patch() * BATCH * second.positions(), 2);
    }

    @Benchmark
    public float[] im2colSecond() {
        kernels.im2col(second, secondInput, 0, 0, BATCH, secondColumns, 0, BATCH * second.positions());
        return secondColumns;
    }

    @Benchmark
    public float[] col2imSecond() {
        kernels.col2im(second, secondColumns, 0, BATCH * second.positions(), 0, BATCH, secondInput, 0);
        return secondInput;
    }
}
