package dev.surgeon.jmh;

import dev.surgeon.kernels.ConvolutionGeometry;
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
 * The convolution kernels of a LeNet-5 training step at batch 128, one thread: im2col and col2im of the second
 * convolution (20 channels of 12×12, 5×5 windows) and of the first (1 channel of 28×28), and the first
 * convolution's forward pass and weight gradient computed directly ({@code convolve},
 * {@code convolutionWeightGradient}) against the same through im2col and a matrix product ({@code viaGemm*}).
 * Compare the providers side by side ({@code scalar} is the reference the others are tested against).
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
    private static final int FILTERS = 20;

    private Kernels kernels;
    private final ConvolutionGeometry second = new ConvolutionGeometry(20, 12, 12, 5, 1, 0);
    private final ConvolutionGeometry first = new ConvolutionGeometry(1, 28, 28, 5, 1, 0);
    private float[] secondInput;
    private float[] secondColumns;
    private float[] firstInput;
    private float[] firstColumns;
    private float[] weights;
    private float[] bias;
    private float[] outputs;
    private float[] products;

    @Setup
    public void setup() {
        kernels = BenchmarkSupport.provider(provider, 1);
        secondInput = BenchmarkSupport.floats(BATCH * second.inputSize(), 1);
        secondColumns = BenchmarkSupport.floats(second.patch() * BATCH * second.positions(), 2);
        firstInput = BenchmarkSupport.floats(BATCH * first.inputSize(), 3);
        firstColumns = new float[first.patch() * BATCH * first.positions()];
        weights = BenchmarkSupport.floats(FILTERS * first.patch(), 4);
        bias = BenchmarkSupport.floats(FILTERS, 5);
        outputs = BenchmarkSupport.floats(BATCH * FILTERS * first.positions(), 6);
        products = new float[FILTERS * BATCH * first.positions()];
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

    @Benchmark
    public float[] convolveFirst() {
        kernels.convolve(first, FILTERS, weights, 0, bias, 0, firstInput, 0, 0, BATCH, outputs, 0);
        return outputs;
    }

    /** The same outputs through X: im2col, then W·X (channel-major, before any reorder to NCHW). */
    @Benchmark
    public float[] viaGemmConvolveFirst() {
        int n = BATCH * first.positions();
        kernels.im2col(first, firstInput, 0, 0, BATCH, firstColumns, 0, n);
        kernels.gemm(Trans.N, Trans.N, FILTERS, n, first.patch(), 1f, weights, 0, first.patch(), firstColumns, 0, n, 0f,
                products, 0, n);
        return products;
    }

    @Benchmark
    public float[] weightGradientFirst() {
        kernels.convolutionWeightGradient(first, FILTERS, outputs, 0, firstInput, 0, 0, BATCH, weights, 0, bias, 0);
        return weights;
    }

    /** The same weight gradient through X: im2col, then Δ·Xᵀ with Δ channel-major (the reorder not counted). */
    @Benchmark
    public float[] viaGemmWeightGradientFirst() {
        int n = BATCH * first.positions();
        kernels.im2col(first, firstInput, 0, 0, BATCH, firstColumns, 0, n);
        kernels.gemm(Trans.N, Trans.T, FILTERS, first.patch(), n, 1f, outputs, 0, n, firstColumns, 0, n, 0f, weights, 0,
                first.patch());
        return weights;
    }
}
