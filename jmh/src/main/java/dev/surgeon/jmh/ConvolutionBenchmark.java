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
 * The layout kernels of a LeNet-5 training step at batch 128, one thread: im2col and col2im of the second
 * convolution (20 channels of 12×12, 5×5 windows: runs of 8 floats), over the whole batch; and its forward and
 * weight-gradient products in the 16 blocks of 8 samples a training step uses, either unfolded (im2col into a block
 * buffer, then gemm: {@code *Unfolded}) or implicit ({@link Kernels#im2colProduct},
 * {@link Kernels#im2colTransposedProduct}: {@code *Implicit}). Compare the providers side by side ({@code scalar} is
 * the reference the others are tested against; its implicit products are the unfolded ones).
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

    private static final int FILTERS = 50;
    private static final int BLOCK = 8;
    private float[] weights;
    private float[] outputs;
    private float[] gradient;
    private float[] blockColumns;

    @Setup
    public void setupProducts() {
        weights = BenchmarkSupport.floats(FILTERS * second.patch(), 3);
        outputs = BenchmarkSupport.floats(FILTERS * BATCH * second.positions(), 4);
        gradient = new float[FILTERS * (second.patch() + 1)];
        blockColumns = new float[(second.patch() + 1) * BLOCK * second.positions()];
    }

    /** conv2's forward products over the batch: im2col of each block, then W·X_b. */
    @Benchmark
    public float[] forwardUnfolded() {
        int n = BATCH * second.positions();
        int ld = BLOCK * second.positions();
        for (int from = 0; from < BATCH; from += BLOCK) {
            kernels.im2col(second, secondInput, 0, from, from + BLOCK, blockColumns, 0, ld);
            kernels.gemm(Trans.N, Trans.N, FILTERS, ld, second.patch(), 1f, weights, 0, second.patch(), blockColumns, 0, ld,
                    0f, outputs, from * second.positions(), n);
        }
        return outputs;
    }

    /** The same products with X's panels gathered from the image. */
    @Benchmark
    public float[] forwardImplicit() {
        int n = BATCH * second.positions();
        for (int from = 0; from < BATCH; from += BLOCK) {
            kernels.im2colProduct(second, secondInput, 0, from, from + BLOCK, FILTERS, 1f, weights, 0, second.patch(), 0f,
                    outputs, from * second.positions(), n, blockColumns);
        }
        return outputs;
    }

    /** conv2's weight gradient with its bias column: im2col of each block (plus a ones row), then Δ_b·[X_b; 1]ᵀ. */
    @Benchmark
    public float[] weightGradientUnfolded() {
        int n = BATCH * second.positions();
        int ld = BLOCK * second.positions();
        int depth = second.patch() + 1;
        java.util.Arrays.fill(blockColumns, second.patch() * ld, depth * ld, 1f);
        for (int from = 0; from < BATCH; from += BLOCK) {
            kernels.im2col(second, secondInput, 0, from, from + BLOCK, blockColumns, 0, ld);
            kernels.gemm(Trans.N, Trans.T, FILTERS, depth, ld, 1f, outputs, from * second.positions(), n, blockColumns, 0,
                    ld, from == 0 ? 0f : 1f, gradient, 0, depth);
        }
        return gradient;
    }

    /** The same products with [X; 1]ᵀ's panels gathered from the image. */
    @Benchmark
    public float[] weightGradientImplicit() {
        int n = BATCH * second.positions();
        int depth = second.patch() + 1;
        for (int from = 0; from < BATCH; from += BLOCK) {
            kernels.im2colTransposedProduct(second, secondInput, 0, from, from + BLOCK, true, FILTERS, 1f, outputs,
                    from * second.positions(), n, from == 0 ? 0f : 1f, gradient, 0, depth, blockColumns);
        }
        return gradient;
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
