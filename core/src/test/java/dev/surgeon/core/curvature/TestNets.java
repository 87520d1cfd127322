package dev.surgeon.core.curvature;

import dev.surgeon.core.data.Dataset;
import dev.surgeon.core.nn.ArchitectureSpec;
import dev.surgeon.core.nn.Loss;
import dev.surgeon.core.nn.Network;
import dev.surgeon.core.nn.ReferenceNetwork;
import dev.surgeon.kernels.Kernels;
import java.util.SplittableRandom;

/**
 * A tiny network with a random dataset, and float64 reference curvature matrices of its data-source loss
 * computed independently of the network's hooks: the {@link ReferenceNetwork}'s second differences of the loss
 * (Hessian), its finite-difference output Jacobian and per-sample gradients, and output-space Hessians Λ by
 * second differences of the loss in f (not from the Loss classes).
 */
final class TestNets {
    final Network net;
    final Dataset data;
    final Loss loss;
    final String lossName;
    final ReferenceNetwork ref;
    final int n;
    final int k;
    final double[] x;
    final double[] t;

    private TestNets(String spec, String lossName, int samples, long seed) {
        this.net = Network.create(ArchitectureSpec.parse(spec), seed, Kernels.scalar());
        this.loss = Loss.named(lossName);
        this.lossName = loss.name();
        this.ref = new ReferenceNetwork(net.spec());
        this.n = samples;
        this.k = net.outputSize();
        int in = net.inputShape().size();
        float[] inputs = ReferenceNetwork.randomFloats(samples * in, seed + 1, 1.0);
        SplittableRandom r = new SplittableRandom(seed + 2);
        int[] shape = net.inputShape().dims();
        this.t = new double[samples * k];
        if (lossName.startsWith("cross-entropy") || (lossName.startsWith("bce") && k == 1)) {
            int classes = k == 1 ? 2 : k;
            int[] labels = new int[samples];
            for (int i = 0; i < samples; i++) {
                labels[i] = r.nextInt(classes);
                if (k == 1) {
                    t[i] = labels[i];
                } else {
                    t[i * k + labels[i]] = 1;
                }
            }
            this.data = Dataset.classification("random", shape, inputs, labels, classes);
        } else {
            float[] targets = new float[samples * k];
            for (int i = 0; i < targets.length; i++) {
                targets[i] = lossName.startsWith("bce") ? r.nextInt(2) : (float) r.nextDouble();
                t[i] = targets[i];
            }
            this.data = Dataset.regression("random", shape, inputs, k, targets);
        }
        this.x = ReferenceNetwork.toDouble(inputs);
    }

    static TestNets of(String spec, String lossName, int samples, long seed) {
        return new TestNets(spec, lossName, samples, seed);
    }

    int d() {
        return net.parameterCount();
    }

    double[] w() {
        return ReferenceNetwork.toDouble(net.parameters());
    }

    /** All samples in order, in batches of the given size. */
    Curvature curvature(int batchSize) {
        return Curvature.of(net, loss, DataSource.all(data, batchSize));
    }

    /** s in L = s·Σ ℓ_n over the N samples. */
    double scale() {
        return lossName.endsWith("mean") ? 1.0 / n : 1.0;
    }

    /** ∇²L of the data-source loss (second differences, entries good to ~1e-7). */
    double[][] hessian() {
        return ref.hessian(lossName, w(), x, t, n);
    }

    /** Row i: ∇ℓ_i at the data targets (central differences, ~1e-9). */
    double[][] sampleGradients() {
        return sampleGradients(t);
    }

    /** Per-sample gradients at the given targets. */
    double[][] sampleGradients(double[] targets) {
        String sum = lossName.replace("-mean", "-sum");
        int in = net.inputShape().size();
        double[][] g = new double[n][];
        for (int i = 0; i < n; i++) {
            double[] xi = java.util.Arrays.copyOfRange(x, i * in, (i + 1) * in);
            double[] ti = java.util.Arrays.copyOfRange(targets, i * k, (i + 1) * k);
            g[i] = ref.gradient(sum, w(), xi, ti, 1);
        }
        return g;
    }

    /** Output Jacobian rows n·K + k (central differences). */
    double[][] jacobian() {
        return ref.jacobian(w(), x, n);
    }

    /** Λ_i = ∂²ℓ_i/∂f² by second differences of the loss in output space (step 1e-4, entries good to ~1e-7). */
    double[][] outputHessian(double[] f, int i) {
        String sum = lossName.replace("-mean", "-sum");
        double eps = 1e-4;
        double[] fi = java.util.Arrays.copyOfRange(f, i * k, (i + 1) * k);
        double[] ti = java.util.Arrays.copyOfRange(t, i * k, (i + 1) * k);
        double[][] h = new double[k][k];
        for (int a = 0; a < k; a++) {
            for (int b = 0; b < k; b++) {
                double s = 0;
                for (int sa = -1; sa <= 1; sa += 2) {
                    for (int sb = -1; sb <= 1; sb += 2) {
                        double[] p = fi.clone();
                        p[a] += sa * eps;
                        p[b] += sb * eps;
                        s += sa * sb * ReferenceNetwork.loss(sum, p, ti, 1, k);
                    }
                }
                h[a][b] = s / (4 * eps * eps);
            }
        }
        return h;
    }

    /** s·Σ_n J_nᵀ Λ_n J_n. */
    double[][] gaussNewton() {
        int d = d();
        double[][] j = jacobian();
        double[] f = ref.forward(w(), x, n);
        double[][] g = new double[d][d];
        for (int i = 0; i < n; i++) {
            double[][] lambda = outputHessian(f, i);
            for (int a = 0; a < k; a++) {
                for (int b = 0; b < k; b++) {
                    double l = scale() * lambda[a][b];
                    for (int p = 0; p < d; p++) {
                        double jl = j[i * k + a][p] * l;
                        for (int q = 0; q < d; q++) {
                            g[p][q] += jl * j[i * k + b][q];
                        }
                    }
                }
            }
        }
        return g;
    }

    /** c·Σ_r x_r x_rᵀ. */
    static double[][] outerProducts(double[][] rows, double c) {
        int d = rows[0].length;
        double[][] m = new double[d][d];
        for (double[] r : rows) {
            for (int p = 0; p < d; p++) {
                for (int q = 0; q < d; q++) {
                    m[p][q] += c * r[p] * r[q];
                }
            }
        }
        return m;
    }

    /** The rows and columns of the subset. */
    static double[][] restrict(double[][] m, ParameterSubset s) {
        int d = s.dim();
        double[][] r = new double[d][d];
        for (int i = 0; i < d; i++) {
            for (int j = 0; j < d; j++) {
                r[i][j] = m[s.global(i)][s.global(j)];
            }
        }
        return r;
    }
}
