package dev.surgeon.jmh;

import dev.surgeon.core.curvature.GradientStorage;
import dev.surgeon.core.data.Dataset;
import dev.surgeon.core.nn.ArchitectureSpec;
import dev.surgeon.core.nn.Loss;
import dev.surgeon.core.nn.Network;
import dev.surgeon.core.optim.Kfac;
import dev.surgeon.core.optim.Mfac;
import dev.surgeon.core.optim.Optimizer;
import dev.surgeon.core.optim.Sgd;
import dev.surgeon.core.train.Trainer;
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
 * One training step of LeNet-300-100 (d = 266,610) at batch 128 — load the batch, forward, softmax cross-entropy,
 * backward, optimizer step — with SGD-momentum, M-FAC and K-FAC, side by side in one run. Issue 10's target: the M-FAC
 * step with m = 256 within 4× the SGD step ({@code step} with {@code optimizer=mfac} vs {@code optimizer=sgd}).
 *
 * <p>What M-FAC adds to the step: the m × d float window is 256 × 266,610 × 4 B = 273 MB, far beyond every cache, and
 * each step reads it twice (the Gram row of the new gradient, which doubles as the first product of the inverse,
 * then Gᵀc) and writes one row, plus an O(m³) LU of the m × m coefficients: the step is bound by memory bandwidth
 * (≈ 550 MB per step), not by arithmetic. K-FAC (the paper's rule: statistics every step, two Gauss-Newton products,
 * inverses every 20 steps) is measured for reference; its cost is dominated by the double-precision preconditioning
 * gemms of the 785 × 785 input factor. Data: synthetic pixels and labels (the cost does not depend on the values);
 * {@code provider=auto} picks the fastest kernels available.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 3)
@Measurement(iterations = 5, time = 3)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED", "-Xmx4g"})
public class OptimizerStepBenchmark {
    @Param({"sgd", "mfac", "kfac"})
    public String optimizer;

    @Param({"auto"})
    public String provider;

    @Param({"256"})
    public int window;

    private static final int BATCH = 128;
    private Trainer trainer;
    private Dataset data;
    private int[] order;
    private int next;

    @Setup
    public void setup() {
        Kernels kernels = (provider.equals("auto") ? Kernels.get() : Kernels.named(provider)).withThreads(1);
        Network net = Network.create(ArchitectureSpec.preset("lenet-300-100"), 1, kernels);
        data = TrainingBenchmark.syntheticImages(1024);
        order = new int[data.size()];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        Optimizer opt = switch (optimizer) {
            case "sgd" -> Sgd.momentum(0.05, 0.9);
            case "mfac" -> new Mfac(1e-4, window, 1e-5, 0, 0, GradientStorage.FLOAT, kernels);
            case "kfac" -> Kfac.paper(net, 1.0).minimumDamping(1e-2).build();
            default -> throw new IllegalArgumentException(optimizer);
        };
        trainer = Trainer.builder(net, Loss.softmaxCrossEntropy(), opt).batchSize(BATCH).build();
    }

    @Benchmark
    public double step() {
        if (next + BATCH > order.length) {
            next = 0;
        }
        trainer.workspace().load(data, order, next, BATCH);
        next += BATCH;
        return trainer.step();
    }
}
