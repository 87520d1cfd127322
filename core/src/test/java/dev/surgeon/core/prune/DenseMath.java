package dev.surgeon.core.prune;

import java.util.SplittableRandom;

/** Float64 reference linear algebra for the pruning tests, independent of the Kernels SPI. */
public final class DenseMath {
    private DenseMath() {
    }

    /** Inverse of an n × n matrix by Gauss–Jordan elimination with partial pivoting. */
    public static double[] inverse(double[] a, int n) {
        double[] m = a.clone();
        double[] inv = new double[n * n];
        for (int i = 0; i < n; i++) {
            inv[i * n + i] = 1;
        }
        for (int c = 0; c < n; c++) {
            int p = c;
            for (int r = c + 1; r < n; r++) {
                if (Math.abs(m[r * n + c]) > Math.abs(m[p * n + c])) {
                    p = r;
                }
            }
            swapRows(m, n, c, p);
            swapRows(inv, n, c, p);
            double d = m[c * n + c];
            for (int j = 0; j < n; j++) {
                m[c * n + j] /= d;
                inv[c * n + j] /= d;
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

    private static void swapRows(double[] m, int n, int a, int b) {
        for (int j = 0; j < n; j++) {
            double t = m[a * n + j];
            m[a * n + j] = m[b * n + j];
            m[b * n + j] = t;
        }
    }

    /** y = A x. */
    static double[] multiply(double[] a, int n, double[] x) {
        double[] y = new double[n];
        for (int i = 0; i < n; i++) {
            double s = 0;
            for (int j = 0; j < n; j++) {
                s += a[i * n + j] * x[j];
            }
            y[i] = s;
        }
        return y;
    }

    /** xᵀ A x. */
    static double quadratic(double[] a, int n, double[] x) {
        double[] y = multiply(a, n, x);
        double s = 0;
        for (int i = 0; i < n; i++) {
            s += x[i] * y[i];
        }
        return s;
    }

    /** A random symmetric positive-definite matrix B Bᵀ/n + shift·I with Gaussian B. */
    public static double[] randomSpd(int n, double shift, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        double[] b = new double[n * n];
        for (int i = 0; i < b.length; i++) {
            b[i] = r.nextGaussian();
        }
        double[] a = new double[n * n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                double s = 0;
                for (int k = 0; k < n; k++) {
                    s += b[i * n + k] * b[j * n + k];
                }
                a[i * n + j] = s / n + (i == j ? shift : 0);
            }
        }
        return a;
    }

    static double[] randomVector(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = r.nextGaussian();
        }
        return v;
    }

    /**
     * The minimizer of ½δᵀHδ subject to δ_i = −w_i for the fixed coordinates, by solving the free block directly from
     * the full KKT system [H Eᵀ; E 0][δ; μ] = [0; −w_P] (a different route than the complement form under test).
     *
     * @return δ, with the minimum value in the extra last entry
     */
    static double[] constrainedMinimum(double[] h, int n, boolean[] fixed, double[] w) {
        int p = 0;
        for (boolean f : fixed) {
            p += f ? 1 : 0;
        }
        int size = n + p;
        double[] k = new double[size * size];
        double[] rhs = new double[size];
        for (int i = 0; i < n; i++) {
            System.arraycopy(h, i * n, k, i * size, n);
        }
        int c = 0;
        for (int i = 0; i < n; i++) {
            if (fixed[i]) {
                k[(n + c) * size + i] = 1;
                k[i * size + n + c] = 1;
                rhs[n + c] = -w[i];
                c++;
            }
        }
        double[] sol = multiply(inverse(k, size), size, rhs);
        double[] out = new double[n + 1];
        System.arraycopy(sol, 0, out, 0, n);
        double[] delta = java.util.Arrays.copyOf(sol, n);
        out[n] = 0.5 * quadratic(h, n, delta);
        return out;
    }

    static double maxAbsDiff(double[] a, double[] b) {
        double m = 0;
        for (int i = 0; i < a.length; i++) {
            m = Math.max(m, Math.abs(a[i] - b[i]));
        }
        return m;
    }

    static double maxAbs(double[] a) {
        double m = 0;
        for (double x : a) {
            m = Math.max(m, Math.abs(x));
        }
        return m;
    }
}
