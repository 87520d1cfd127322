package dev.surgeon.jmh;

import dev.surgeon.core.curvature.BlockPartition;
import dev.surgeon.core.curvature.Damping;
import dev.surgeon.core.curvature.DenseInverseMethod;
import dev.surgeon.core.curvature.DenseOperator;
import dev.surgeon.core.curvature.GradientStorage;
import dev.surgeon.core.curvature.KroneckerFactors;
import dev.surgeon.core.curvature.MfacDynamic;
import dev.surgeon.core.curvature.MfacStatic;
import dev.surgeon.core.curvature.ParameterSubset;
import dev.surgeon.core.data.Dataset;
import dev.surgeon.core.nn.ArchitectureSpec;
import dev.surgeon.core.nn.LayerStatistics;
import dev.surgeon.core.nn.Loss;
import dev.surgeon.core.nn.Network;
import dev.surgeon.core.nn.Workspace;
import dev.surgeon.kernels.Kernels;
import java.util.List;
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
 * The curvature package's hot paths, each next to the baseline its target (issue 5) is stated against, measured
 * in the same run with one kernel thread. Every state takes the kernel provider by name ({@code -p
 * provider=scalar,vector}), as {@link Level1Benchmark} does.
 * <ol>
 *   <li>M-FAC static inverse product at d = 1,000,000, m = 256, float storage ({@code mfacStaticInverseProduct})
 *       vs one streaming pass over the same m × d matrix ({@code mfacStaticStreamingPass}: one rowDots, G read
 *       once). Target: the product, which reads V twice (rowDots then rowCombination), within 1.5× of two
 *       streaming passes. The operator overwrites the benchmark's own array with the v_i rows, so both read the
 *       same 1 GB. Setup builds the operator (O(m²d) in double: minutes with the scalar kernels).</li>
 *   <li>M-FAC dynamic at m = 256, d = 100,000: one window update ({@code mfacDynamicWindowUpdate}: rowDots for
 *       the new Gram row, then the O(m³) LU and coefficients) vs one inverse product
 *       ({@code mfacDynamicInverseProduct}). Target: update ≤ 3× product.</li>
 *   <li>Dense inverse empirical Fisher, d = 10,000, N = 1,000 gradients: syrk + Cholesky
 *       ({@code denseFisherCholesky}, the Woodbury form on the 1,000 × 1,000 side since N &lt; d) vs the rank-one
 *       recursion. The recursion is O(N d²) memory-bound work (≈ 2.4 GB of traffic per step); it is measured over
 *       {@code recursionSteps} rows ({@code denseFisherRankOneSteps}, plus one λ⁻¹I fill) and must be scaled by
 *       N / recursionSteps. Target: Cholesky ≥ 20× faster than the scaled recursion. That both give the same
 *       inverse is a unit test (FisherTest, MfacTest), not repeated here at d = 10⁴.</li>
 *   <li>K-FAC factor accumulation for LeNet-300-100 on a batch of 128 ({@code kfacFactorAccumulation}: the
 *       Gram matrices of the three layers' inputs and output gradients, exponential average in double) vs the
 *       network's backward pass on the same batch ({@code backwardPass}: loss gradient seed and backward);
 *       {@code kfacStatisticsPass} is the extra backward pass with sampled labels that produces the statistics.
 *       Target: accumulation ≤ 1× backward.</li>
 * </ol>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED", "-Xmx12g"})
public class CurvatureOperatorBenchmark {

    static Kernels kernels(String provider) {
        return (provider.equals("auto") ? Kernels.get() : Kernels.named(provider)).withThreads(1);
    }

    static float[] randomFloats(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) r.nextDouble(-1, 1);
        }
        return a;
    }

    // ------------------------------------------------------------------------------------------------
    // 1. M-FAC static

    @State(Scope.Benchmark)
    public static class StaticMfac {
        @Param({"scalar", "vector", "openblas"})
        public String provider;

        @Param({"1000000"})
        public int d;

        @Param({"256"})
        public int m;

        Kernels kernels;
        float[] g;
        MfacStatic op;
        double[] x;
        double[] out;
        float[] xf;
        float[] yf;

        @Setup(Level.Trial)
        public void setup() {
            kernels = kernels(provider);
            g = randomFloats(m * d, 1);
            op = MfacStatic.overwriting(g, m, d, 1e-5, m, BlockPartition.whole(d), kernels);
            x = new double[d];
            xf = randomFloats(d, 2);
            for (int i = 0; i < d; i++) {
                x[i] = xf[i];
            }
            out = new double[d];
            yf = new float[m];
        }
    }

    @Benchmark
    public double[] mfacStaticInverseProduct(StaticMfac s) {
        s.op.inverseMultiply(s.x, s.out);
        return s.out;
    }

    @Benchmark
    public float[] mfacStaticStreamingPass(StaticMfac s) {
        s.kernels.rowDots(s.m, s.d, s.g, 0, s.d, s.xf, 0, s.yf, 0);
        return s.yf;
    }

    /**
     * STREAM's triad {@code a[i] = b[i] + q·c[i]} over three arrays of {@code n} floats, far larger than the caches:
     * the machine's sustainable one-thread bandwidth, the yardstick of issue 8's M-FAC target (the inverse product
     * at ≥ 0.8× of it). Counted as STREAM does, 12 bytes per element (two reads, one write; the write-allocate read is
     * not counted). The M-FAC product reads 2 · m · d · 4 bytes.
     */
    @State(Scope.Benchmark)
    public static class Triad {
        @Param({"67108864"})
        public int n;

        float[] a;
        float[] b;
        float[] c;

        @Setup(Level.Trial)
        public void setup() {
            a = new float[n];
            b = randomFloats(n, 3);
            c = randomFloats(n, 4);
        }
    }

    @Benchmark
    public float[] streamTriad(Triad s) {
        float[] a = s.a;
        float[] b = s.b;
        float[] c = s.c;
        float q = 3f;
        for (int i = 0; i < a.length; i++) {
            a[i] = b[i] + q * c[i];
        }
        return a;
    }

    // ------------------------------------------------------------------------------------------------
    // 2. M-FAC dynamic

    @State(Scope.Benchmark)
    public static class DynamicMfac {
        @Param({"scalar", "vector", "openblas"})
        public String provider;

        @Param({"100000"})
        public int d;

        @Param({"256"})
        public int m;

        MfacDynamic op;
        float[][] pool;
        int next;
        double[] x;
        double[] out;

        @Setup(Level.Trial)
        public void setup() {
            Kernels k = kernels(provider);
            op = new MfacDynamic(m, d, 1e-5, GradientStorage.FLOAT, k);
            pool = new float[8][];
            for (int i = 0; i < pool.length; i++) {
                pool[i] = randomFloats(d, 10 + i);
            }
            // Fill the window so that the benchmark sees a full, non-trivial buffer.
            for (int i = 0; i < m; i++) {
                op.push(pool[i % pool.length]);
            }
            x = new double[d];
            float[] xf = randomFloats(d, 3);
            for (int i = 0; i < d; i++) {
                x[i] = xf[i];
            }
            out = new double[d];
        }
    }

    @Benchmark
    public MfacDynamic mfacDynamicWindowUpdate(DynamicMfac s) {
        s.op.push(s.pool[s.next]);
        s.next = (s.next + 1) % s.pool.length;
        return s.op;
    }

    @Benchmark
    public double[] mfacDynamicInverseProduct(DynamicMfac s) {
        s.op.inverseMultiply(s.x, s.out);
        return s.out;
    }

    // ------------------------------------------------------------------------------------------------
    // 3. Dense inverse empirical Fisher

    @State(Scope.Benchmark)
    public static class DenseFisher {
        @Param({"scalar", "vector", "openblas"})
        public String provider;

        @Param({"10000"})
        public int d;

        @Param({"1000"})
        public int n;

        @Param({"10"})
        public int recursionSteps;

        Kernels kernels;
        double[] g;

        @Setup(Level.Trial)
        public void setup() {
            kernels = kernels(provider);
            float[] f = randomFloats(n * d, 4);
            g = new double[f.length];
            for (int i = 0; i < f.length; i++) {
                g[i] = f[i];
            }
        }
    }

    @Benchmark
    @BenchmarkMode(Mode.SingleShotTime)
    @Warmup(iterations = 0)
    @Measurement(iterations = 2)
    @OutputTimeUnit(TimeUnit.SECONDS)
    public double[] denseFisherCholesky(DenseFisher s) {
        DenseOperator f = DenseOperator.fromGradients("empirical Fisher", s.g, s.n, s.d, s.n, Damping.absolute(1e-5),
                DenseInverseMethod.CHOLESKY, s.kernels);
        return f.inverseDiagonal();
    }

    /** {@code recursionSteps} Sherman–Morrison steps with N = n in the denominator; scale by n / recursionSteps. */
    @Benchmark
    @BenchmarkMode(Mode.SingleShotTime)
    @Warmup(iterations = 1)
    @Measurement(iterations = 3)
    @OutputTimeUnit(TimeUnit.SECONDS)
    public double[] denseFisherRankOneSteps(DenseFisher s) {
        DenseOperator f = DenseOperator.fromGradients("empirical Fisher", s.g, s.recursionSteps, s.d, s.n,
                Damping.absolute(1e-5), DenseInverseMethod.RANK_ONE, s.kernels);
        return f.inverseDiagonal();
    }

    // ------------------------------------------------------------------------------------------------
    // 4. K-FAC factor accumulation

    @State(Scope.Benchmark)
    public static class Kfac {
        @Param({"scalar", "vector", "openblas"})
        public String provider;

        @Param({"128"})
        public int batch;

        Network net;
        Workspace ws;
        Loss loss;
        float[] seeds;
        float[] grad;
        List<LayerStatistics> statistics;
        KroneckerFactors factors;
        SplittableRandom labels;

        @Setup(Level.Trial)
        public void setup() {
            net = Network.create(ArchitectureSpec.preset("lenet-300-100"), 1, kernels(provider));
            loss = Loss.softmaxCrossEntropy();
            SplittableRandom r = new SplittableRandom(5);
            float[] x = new float[batch * 784];
            int[] y = new int[batch];
            for (int i = 0; i < batch; i++) {
                y[i] = r.nextInt(10);
                for (int p = 0; p < 784; p++) {
                    x[i * 784 + p] = (float) r.nextDouble();
                }
            }
            Dataset data = Dataset.classification("synthetic", new int[] {1, 28, 28}, x, y, 10);
            ws = net.workspace(batch);
            ws.load(data, 0, batch);
            net.forward(ws, false);
            seeds = new float[batch * 10];
            grad = new float[net.parameterCount()];
            labels = new SplittableRandom(6);
            net.lossSeeds(ws, loss, labels, seeds, 0);
            statistics = net.kroneckerStatistics(ws, seeds, 0);
            factors = KroneckerFactors.of(net, ParameterSubset.all(net.layout()), KroneckerFactors.Averaging.exponential(0.95));
        }
    }

    /** The statistics views stay valid: this method runs no network pass. */
    @Benchmark
    public KroneckerFactors kfacFactorAccumulation(Kfac s) {
        s.factors.update(s.statistics);
        return s.factors;
    }

    @Benchmark
    public float[] backwardPass(Kfac s) {
        s.net.lossGradient(s.ws, s.loss, s.grad);
        return s.grad;
    }

    @Benchmark
    public List<LayerStatistics> kfacStatisticsPass(Kfac s) {
        s.net.lossSeeds(s.ws, s.loss, s.labels, s.seeds, 0);
        return s.net.kroneckerStatistics(s.ws, s.seeds, 0);
    }
}
