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
 * {@link Kernels#im2colTransposedProduct}: {@code *Implicit}); its input gradient as gemm then col2im per block
 * ({@code inputGradientUnfolded}) or through {@link Kernels#col2imProduct} ({@code inputGradientFused}); and the first
 * max pool's two passes. Compare the providers side by side ({@code scalar} is the reference the others are tested
 * against; its implicit and fused products are the unfolded ones).
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
        kernels.maxPool2x2(BATCH * 20, 24, 24, firstOutput, 0, pooled, 0, argmax, 0);
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

    /** conv2's input gradient over the batch as a training step computed it before: Wᵀ·Δ_b per block, then col2im. */
    @Benchmark
    public float[] inputGradientUnfolded() {
        int n = BATCH * second.positions();
        int ld = BLOCK * second.positions();
        for (int from = 0; from < BATCH; from += BLOCK) {
            kernels.gemm(Trans.T, Trans.N, second.patch(), ld, FILTERS, 1f, weights, 0, second.patch(), outputs,
                    from * second.positions(), n, 0f, blockColumns, 0, ld);
            kernels.col2im(second, blockColumns, 0, ld, from, from + BLOCK, secondInput, 0);
        }
        return secondInput;
    }

    /** The same through {@link Kernels#col2imProduct}: the Vector provider folds each tile into the image. */
    @Benchmark
    public float[] inputGradientFused() {
        int n = BATCH * second.positions();
        for (int from = 0; from < BATCH; from += BLOCK) {
            kernels.col2imProduct(second, from, from + BLOCK, FILTERS, 1f, weights, 0, second.patch(), outputs,
                    from * second.positions(), n, secondInput, 0, blockColumns);
        }
        return secondInput;
    }

    private final float[] firstOutput = BenchmarkSupport.floats(BATCH * 20 * 24 * 24, 5);
    private final float[] pooled = new float[BATCH * 20 * 12 * 12];
    private final int[] argmax = new int[BATCH * 20 * 12 * 12];

    /** LeNet-5's first pool, forward: {@link Kernels#maxPool2x2} over 128 × 20 planes of 24 × 24. */
    @Benchmark
    public float[] maxPoolFirst() {
        kernels.maxPool2x2(BATCH * 20, 24, 24, firstOutput, 0, pooled, 0, argmax, 0);
        return pooled;
    }

    /** And backward: {@link Kernels#maxUnpool2x2} (argmax from the setup's forward pass). */
    @Benchmark
    public float[] maxUnpoolFirst() {
        kernels.maxUnpool2x2(BATCH * 20, 24, 24, pooled, 0, argmax, 0, 0, firstOutput, 0);
        return firstOutput;
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
