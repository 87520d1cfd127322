package dev.surgeon.cli;

import dev.surgeon.core.data.Dataset;
import dev.surgeon.core.nn.ArchitectureSpec;
import dev.surgeon.core.nn.Loss;
import dev.surgeon.core.nn.Network;
import dev.surgeon.core.optim.Sgd;
import dev.surgeon.core.train.Trainer;
import dev.surgeon.kernels.Kernels;
import dev.surgeon.kernels.Trans;
import dev.surgeon.kernels.Uplo;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Function;

/**
 * One workload of {@code surgeon bench}: a name, the unit of its throughput, the amount of work of one operation in
 * that unit, and a factory that prepares the operation's buffers for a kernel provider (allocation outside the timed
 * region) and returns the operation.
 *
 * @param name   e.g. {@code sgemm n=1024}
 * @param unit   {@code GFLOP/s} or {@code samples/s}
 * @param work   units of work per operation (floating-point operations / 1e9, or samples)
 * @param setup  prepares one provider's operation
 */
record BenchWorkload(String name, String unit, double work, Function<Kernels, Runnable> setup) {

    /** The default workloads; {@code quick} shrinks the sizes so that the test suite stays fast. */
    static List<BenchWorkload> defaults(boolean quick) {
        List<BenchWorkload> list = new ArrayList<>();
        for (int n : quick ? new int[] {64} : new int[] {256, 1024}) {
            list.add(sgemm(n));
        }
        list.add(sdot(quick ? 4096 : 1 << 20));
        list.add(dpotrf(quick ? 64 : 512));
        list.add(lenetTraining(quick ? 128 : 2048));
        list.add(exactObsElimination(quick ? 64 : 784, quick ? 8 : 64));
        list.add(mfacProducts(quick ? 8 : 64, quick ? 1024 : 32360));
        return list;
    }

    static BenchWorkload sgemm(int n) {
        return new BenchWorkload("sgemm n=" + n, "GFLOP/s", 2.0 * n * n * n / 1e9, k -> {
            float[] a = random(n * n, 1);
            float[] b = random(n * n, 2);
            float[] c = new float[n * n];
            return () -> k.gemm(Trans.N, Trans.N, n, n, n, 1f, a, 0, n, b, 0, n, 0f, c, 0, n);
        });
    }

    static BenchWorkload sdot(int n) {
        return new BenchWorkload("sdot n=" + n, "GFLOP/s", 2.0 * n / 1e9, k -> {
            float[] x = random(n, 3);
            float[] y = random(n, 4);
            float[] sink = new float[1];
            return () -> sink[0] += k.dot(n, x, 0, y, 0);
        });
    }

    /** Double Cholesky of an SPD matrix (n³/3 flops), restored from a copy before each factorization. */
    static BenchWorkload dpotrf(int n) {
        return new BenchWorkload("dpotrf n=" + n, "GFLOP/s", (double) n * n * n / 3 / 1e9, k -> {
            double[] spd = spd(n, 5);
            double[] a = new double[n * n];
            return () -> {
                System.arraycopy(spd, 0, a, 0, a.length);
                k.potrf(Uplo.LOWER, n, a, 0, n);
            };
        });
    }

    /**
     * One epoch slice of LeNet-300-100 training (784-300-100-10 ReLU, softmax cross-entropy, SGD with momentum, batches
     * of 128 as in ../shared/bench/peer_torch.py) over {@code samples} synthetic images: forward, backward and update.
     */
    static BenchWorkload lenetTraining(int samples) {
        return new BenchWorkload("LeNet-300-100 training, batch 128", "samples/s", samples, k -> {
            SplittableRandom r = new SplittableRandom(6);
            float[] x = new float[samples * 784];
            int[] labels = new int[samples];
            for (int i = 0; i < x.length; i++) {
                x[i] = (float) r.nextDouble();
            }
            for (int i = 0; i < samples; i++) {
                labels[i] = r.nextInt(10);
            }
            Dataset data = Dataset.classification("synthetic", new int[] {1, 28, 28}, x, labels, 10);
            Network net = Network.create(ArchitectureSpec.parse("lenet-300-100"), 1, k);
            Trainer trainer = Trainer.builder(net, Loss.softmaxCrossEntropy(), Sgd.momentum(0.05, 0.9)).batchSize(128).epochs(1)
                    .seed(1).build();
            return () -> trainer.fit(data);
        });
    }

    /**
     * ExactOBS's row loop (Frantar, Singh and Alistarh 2022): {@code eliminations} Gaussian eliminations of coordinates of
     * an n × n inverse Hessian ({@code hInv ← hInv − hInv[:,p] hInv[p,:] / hInv[p,p]}, 2n² flops each; n = 784 is an
     * MLPNet/LeNet first-layer row), restored from a copy before each operation.
     */
    static BenchWorkload exactObsElimination(int n, int eliminations) {
        return new BenchWorkload("ExactOBS eliminations n=" + n, "GFLOP/s", 2.0 * n * n * eliminations / 1e9, k -> {
            float[] inverse = new float[n * n];
            double[] spd = spd(n, 7);
            for (int i = 0; i < inverse.length; i++) {
                inverse[i] = (float) spd[i];
            }
            float[] h = new float[n * n];
            float[] work = new float[n];
            return () -> {
                System.arraycopy(inverse, 0, h, 0, h.length);
                for (int e = 0; e < eliminations; e++) {
                    k.eliminateCoordinate(n, e * (n / eliminations), h, 0, n, work, 0);
                }
            };
        });
    }

    /** M-FAC's products with m gradients of d coordinates (Frantar, Kurtic and Alistarh 2021): G·x then Gᵀ·c, 4md flops. */
    static BenchWorkload mfacProducts(int m, int d) {
        return new BenchWorkload("M-FAC G·x and Gᵀ·c, m=" + m + " d=" + d, "GFLOP/s", 4.0 * m * d / 1e9, k -> {
            float[] g = random(m * d, 8);
            float[] x = random(d, 9);
            float[] y = new float[m];
            float[] z = new float[d];
            return () -> {
                k.rowDots(m, d, g, 0, d, x, 0, y, 0);
                k.rowCombination(m, d, y, 0, g, 0, d, 0f, z, 0);
            };
        });
    }

    private static float[] random(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) (r.nextDouble() * 2 - 1);
        }
        return x;
    }

    /** A symmetric, strictly diagonally dominant matrix with a positive diagonal, hence positive definite. */
    private static double[] spd(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        double[] a = new double[n * n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < i; j++) {
                double v = r.nextDouble() * 2 - 1;
                a[i * n + j] = v;
                a[j * n + i] = v;
            }
            a[i * n + i] = n;
        }
        return a;
    }
}
