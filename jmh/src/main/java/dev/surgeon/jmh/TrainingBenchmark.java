package dev.surgeon.jmh;

import dev.surgeon.core.data.Dataset;
import dev.surgeon.core.nn.ArchitectureSpec;
import dev.surgeon.core.nn.Loss;
import dev.surgeon.core.nn.Network;
import dev.surgeon.core.optim.Sgd;
import dev.surgeon.core.train.Trainer;
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
 * One training step of LeNet-300-100 and LeNet-5 at batch 128: gather the batch into the workspace, forward,
 * softmax cross-entropy, backward, SGD with momentum (η = 0.05, μ = 0.9), exactly what
 * {@code Trainer.fit} does per batch (split over one data-parallel shard per thread unless {@code shards=1}) and what ../shared/bench/peer_torch.py times in PyTorch. Samples/s =
 * batch / (time per step); compare with peer_torch.py's samples_per_s in the same session (issue 4 targets:
 * LeNet-300-100 ≥ 0.8×, LeNet-5 ≥ 1.0× PyTorch on 1 thread).
 *
 * <p>Data are synthetic (pixels U(0, 1), random labels over 10 classes, 1024 samples cycled through in batch
 * order) so the benchmark runs without the dataset; the cost of a step does not depend on the values.
 * Run with {@code -prof gc}: after warm-up a step must allocate ~0 bytes ({@code gc.alloc.rate.norm}).
 * {@code provider=auto} picks the fastest kernels available ({@code Kernels.get()}).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
public class TrainingBenchmark {
    @Param({"lenet-300-100", "lenet-5"})
    public String arch;

    @Param({"auto"})
    public String provider;

    @Param({"1"})
    public int threads;

    @Param({"128"})
    public int batch;

    /** Data-parallel shards per batch: 0 = the trainer's automatic choice (one per thread), 1 = off. */
    @Param({"0"})
    public int shards;

    private Trainer trainer;
    private Dataset data;
    private int[] order;
    private int next;

    @Setup
    public void setup() {
        Kernels kernels = (provider.equals("auto") ? Kernels.get() : Kernels.named(provider)).withThreads(threads);
        Network net = Network.create(ArchitectureSpec.preset(arch), 1, kernels);
        data = syntheticImages(1024);
        order = new int[data.size()];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        Trainer.Builder builder = Trainer.builder(net, Loss.softmaxCrossEntropy(), Sgd.momentum(0.05, 0.9)).batchSize(batch);
        if (shards > 0) {
            builder.dataParallel(shards);
        }
        trainer = builder.build();
    }

    /** n 28 × 28 images of U(0, 1) pixels with random labels of 10 classes (seed 5): the cost of a step does not depend on them. */
    static Dataset syntheticImages(int n) {
        SplittableRandom random = new SplittableRandom(5);
        float[] x = new float[n * 784];
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            y[i] = random.nextInt(10);
            for (int p = 0; p < 784; p++) {
                x[i * 784 + p] = (float) random.nextDouble();
            }
        }
        return Dataset.classification("synthetic", new int[] {1, 28, 28}, x, y, 10);
    }

    @Benchmark
    public double step() {
        if (next + batch > order.length) {
            next = 0;
        }
        double loss = trainer.step(data, order, next, batch);
        next += batch;
        return loss;
    }
}
