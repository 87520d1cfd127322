package dev.surgeon.jmh;

import dev.surgeon.core.curvature.Damping;
import dev.surgeon.core.curvature.LayerwiseHessian;
import dev.surgeon.core.progress.Progress;
import dev.surgeon.core.prune.ExactObs;
import dev.surgeon.core.prune.LayerReconstructionProblem;
import dev.surgeon.core.prune.LayerReconstructionResult;
import dev.surgeon.core.prune.SparseGpt;
import dev.surgeon.kernels.Kernels;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The layer-wise compression target of issues 6 and 8: ExactOBS (unstructured, 90 %) on a 784-input dense layer
 * with 300 outputs and H from 2048 calibration vectors (correlated random inputs, relative damping 0.01), next to
 * SparseGPT on the same layer. Each invocation compresses the whole layer (greedy traces of all rows, global
 * selection, replay), so the mode is single-shot. Parameters: {@code -p provider=scalar,vector},
 * {@code -p threads=1,2} (ExactOBS rows in parallel; the kernels bound for SparseGPT), {@code -p flushEvery=…} (eliminations per syrk flush),
 * {@code -p rows=…} for quick runs. The numpy side of the comparison is bench/exactobs_numpy.py (docs/BENCHMARKS.md).
 */
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 1)
@Measurement(iterations = 3)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED", "-Xmx8g"})
public class ExactObsBenchmark {

    @State(Scope.Benchmark)
    public static class Layer {
        @Param({"scalar", "vector", "openblas"})
        public String provider;

        @Param({"1"})
        public int threads;

        @Param({"300"})
        public int rows;

        @Param({"784"})
        public int cols;

        @Param({"2048"})
        public int samples;

        @Param({"32"})
        public int flushEvery;

        Kernels kernels;
        LayerReconstructionProblem problem;

        @Setup(Level.Trial)
        public void setup() {
            kernels = (provider.equals("auto") ? Kernels.get() : Kernels.named(provider)).withThreads(threads);
            SplittableRandom r = new SplittableRandom(1);
            float[] x = new float[samples * cols];
            double[] z = new double[cols + 3];
            for (int s = 0; s < samples; s++) {
                for (int j = 0; j < z.length; j++) {
                    z[j] = r.nextGaussian();
                }
                for (int j = 0; j < cols; j++) {
                    x[s * cols + j] = (float) (z[j] + 0.6 * z[j + 1] - 0.3 * z[j + 3]);
                }
            }
            double[] w = new double[rows * cols];
            for (int q = 0; q < w.length; q++) {
                w[q] = r.nextGaussian() / Math.sqrt(cols);
            }
            LayerwiseHessian.Accumulator acc = new LayerwiseHessian.Accumulator("fc", null, rows, cols, kernels);
            acc.addColumns(x, 0, cols, 1, samples);
            LayerwiseHessian h = acc.build(Damping.relative(0.01));
            h.inverse();
            problem = LayerReconstructionProblem.dense("fc", w, rows, cols, h);
        }
    }

    @Benchmark
    public LayerReconstructionResult exactObsUnstructured90(Layer s) {
        return ExactObs.unstructured(0.9).withFlushEvery(s.flushEvery).withRowThreads(s.threads)
                .compress(s.problem, s.kernels, Progress.NONE);
    }

    @Benchmark
    public LayerReconstructionResult sparseGptUnstructured90(Layer s) {
        return SparseGpt.unstructured(0.9).compress(s.problem, s.kernels, Progress.NONE);
    }
}
