package dev.surgeon.core.prune;

import dev.surgeon.core.curvature.Damping;
import dev.surgeon.core.curvature.LayerwiseHessian;
import dev.surgeon.kernels.Kernels;
import java.lang.reflect.Proxy;
import java.util.SplittableRandom;

/**
 * A random layer-wise problem with its calibration inputs X kept in float, so that the reconstruction error
 * (1/N)‖(W − Ŵ)X‖_F² can be computed directly from X in double, independently of H. Inputs are correlated
 * (x_j = z_j + 0.6 z_{j+1} − 0.3 z_{j+3} for Gaussian z) so that H is far from diagonal and OBS differs from
 * magnitude pruning.
 */
public final class LayerFixture {
    public final int rows;
    public final int cols;
    public final int n;
    public final float[] x;
    public final double[] w;
    public final LayerwiseHessian hessian;
    public final LayerReconstructionProblem problem;

    private LayerFixture(int rows, int cols, int n, int kernelPositions, long seed, Damping damping, int zeros, int dead) {
        this.rows = rows;
        this.cols = cols;
        this.n = n;
        SplittableRandom r = new SplittableRandom(seed);
        this.x = new float[n * cols];
        double[] z = new double[cols + 3];
        for (int s = 0; s < n; s++) {
            for (int j = 0; j < z.length; j++) {
                z[j] = r.nextGaussian();
            }
            for (int j = 0; j < cols; j++) {
                x[s * cols + j] = j < dead ? 0f : (float) (z[j] + 0.6 * z[j + 1] - 0.3 * z[j + 3]);
            }
        }
        this.w = new double[rows * cols];
        for (int q = 0; q < w.length; q++) {
            w[q] = r.nextGaussian();
        }
        for (int k = 0; k < zeros; k++) {
            w[r.nextInt(w.length)] = 0;
        }
        LayerwiseHessian.Accumulator acc = new LayerwiseHessian.Accumulator("test", null, rows, cols, Kernels.scalar());
        acc.addColumns(x, 0, cols, 1, n);
        this.hessian = acc.build(damping);
        this.problem = new LayerReconstructionProblem("test", rows, cols, kernelPositions, w, hessian);
    }

    public static LayerFixture random(int rows, int cols, int n, long seed) {
        return new LayerFixture(rows, cols, n, 1, seed, Damping.none(), 0, 0);
    }

    public static LayerFixture withZeros(int rows, int cols, int n, long seed, int zeros, int deadColumns) {
        return new LayerFixture(rows, cols, n, 1, seed, Damping.none(), zeros, deadColumns);
    }

    public static LayerFixture convolution(int rows, int channels, int positions, int n, long seed) {
        return new LayerFixture(rows, channels * positions, n, positions, seed, Damping.none(), 0, 0);
    }

    public static LayerFixture damped(int rows, int cols, int n, long seed, Damping damping) {
        return new LayerFixture(rows, cols, n, 1, seed, damping, 0, 0);
    }

    /** (1/N)‖(W − Ŵ)X‖_F² straight from the float inputs, in double. */
    public double directError(double[] compressed) {
        double sum = 0;
        for (int s = 0; s < n; s++) {
            for (int i = 0; i < rows; i++) {
                double dot = 0;
                for (int j = 0; j < cols; j++) {
                    dot += (w[i * cols + j] - compressed[i * cols + j]) * x[s * cols + j];
                }
                sum += dot * dot;
            }
        }
        return sum / n;
    }

    /** The scalar kernels, but claiming {@code threads} threads, so row-parallel code really runs on several threads. */
    public static Kernels scalarWithThreads(int threads) {
        Kernels scalar = Kernels.scalar();
        return (Kernels) Proxy.newProxyInstance(Kernels.class.getClassLoader(), new Class<?>[] {Kernels.class},
                (proxy, method, args) -> switch (method.getName()) {
                    case "threads" -> threads;
                    case "withThreads" -> (int) args[0] == threads ? proxy : scalarWithThreads((int) args[0]);
                    default -> {
                        try {
                            yield method.invoke(scalar, args);
                        } catch (java.lang.reflect.InvocationTargetException e) {
                            throw e.getCause();
                        }
                    }
                });
    }

    /** Inverse of a small SPD matrix by Gauss–Jordan elimination in double (independent of the kernels). */
    public static double[] invert(double[] a, int n) {
        double[] m = a.clone();
        double[] inv = new double[n * n];
        for (int i = 0; i < n; i++) {
            inv[i * n + i] = 1;
        }
        for (int c = 0; c < n; c++) {
            double p = m[c * n + c];
            for (int j = 0; j < n; j++) {
                m[c * n + j] /= p;
                inv[c * n + j] /= p;
            }
            for (int r = 0; r < n; r++) {
                if (r != c) {
                    double f = m[r * n + c];
                    for (int j = 0; j < n; j++) {
                        m[r * n + j] -= f * m[c * n + j];
                        inv[r * n + j] -= f * inv[c * n + j];
                    }
                }
            }
        }
        return inv;
    }

    /** The submatrix of the full n × n matrix a on the given indices. */
    public static double[] sub(double[] a, int n, int[] idx) {
        double[] s = new double[idx.length * idx.length];
        for (int i = 0; i < idx.length; i++) {
            for (int j = 0; j < idx.length; j++) {
                s[i * idx.length + j] = a[idx[i] * n + idx[j]];
            }
        }
        return s;
    }

    public static void assertRelative(double expected, double actual, double tolerance, String what) {
        double scale = Math.max(Math.abs(expected), Double.MIN_NORMAL);
        if (!(Math.abs(expected - actual) <= tolerance * scale)) {
            throw new AssertionError(what + ": expected " + expected + " but was " + actual + " (relative error "
                    + Math.abs(expected - actual) / scale + " > " + tolerance + ")");
        }
    }

    public static double maxAbsDiff(double[] a, double[] b) {
        double m = 0;
        for (int i = 0; i < a.length; i++) {
            m = Math.max(m, Math.abs(a[i] - b[i]));
        }
        return m;
    }
}
