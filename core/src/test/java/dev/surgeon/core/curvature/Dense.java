package dev.surgeon.core.curvature;

/** Plain float64 dense linear algebra for test references (no kernels involved). */
final class Dense {
    private Dense() {
    }

    static double[][] square(double[] flat, int n) {
        double[][] m = new double[n][n];
        for (int i = 0; i < n; i++) {
            System.arraycopy(flat, i * n, m[i], 0, n);
        }
        return m;
    }

    static double[] flat(double[][] m) {
        int n = m.length;
        double[] f = new double[n * n];
        for (int i = 0; i < n; i++) {
            System.arraycopy(m[i], 0, f, i * n, n);
        }
        return f;
    }

    static double[] multiply(double[][] m, double[] v) {
        double[] out = new double[m.length];
        for (int i = 0; i < m.length; i++) {
            double s = 0;
            for (int j = 0; j < v.length; j++) {
                s += m[i][j] * v[j];
            }
            out[i] = s;
        }
        return out;
    }

    static double[][] plusIdentity(double[][] m, double lambda) {
        double[][] r = new double[m.length][];
        for (int i = 0; i < m.length; i++) {
            r[i] = m[i].clone();
            r[i][i] += lambda;
        }
        return r;
    }

    /** Inverse by Gauss–Jordan elimination with partial pivoting. */
    static double[][] inverse(double[][] m) {
        int n = m.length;
        double[][] a = new double[n][2 * n];
        for (int i = 0; i < n; i++) {
            System.arraycopy(m[i], 0, a[i], 0, n);
            a[i][n + i] = 1;
        }
        for (int c = 0; c < n; c++) {
            int p = c;
            for (int r = c + 1; r < n; r++) {
                if (Math.abs(a[r][c]) > Math.abs(a[p][c])) {
                    p = r;
                }
            }
            double[] t = a[c];
            a[c] = a[p];
            a[p] = t;
            double piv = a[c][c];
            for (int j = 0; j < 2 * n; j++) {
                a[c][j] /= piv;
            }
            for (int r = 0; r < n; r++) {
                if (r != c && a[r][c] != 0) {
                    double f = a[r][c];
                    for (int j = 0; j < 2 * n; j++) {
                        a[r][j] -= f * a[c][j];
                    }
                }
            }
        }
        double[][] inv = new double[n][n];
        for (int i = 0; i < n; i++) {
            System.arraycopy(a[i], n, inv[i], 0, n);
        }
        return inv;
    }

    static double[] diagonal(double[][] m) {
        double[] d = new double[m.length];
        for (int i = 0; i < m.length; i++) {
            d[i] = m[i][i];
        }
        return d;
    }

    static double maxAbs(double[] a) {
        return dev.surgeon.core.nn.ReferenceNetwork.maxAbs(a);
    }

    static double maxAbs(double[][] m) {
        double x = 0;
        for (double[] r : m) {
            x = Math.max(x, maxAbs(r));
        }
        return x;
    }

    static double[] random(int n, long seed) {
        java.util.SplittableRandom r = new java.util.SplittableRandom(seed);
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = 2 * r.nextDouble() - 1;
        }
        return v;
    }

    /**
     * Asserts max_i |expected_i − actual_i| ≤ atol + rtol·max|expected|, naming the worst entry on failure.
     */
    static void assertClose(double[] expected, double[] actual, double atol, double rtol, String what) {
        if (expected.length != actual.length) {
            throw new AssertionError(what + ": lengths " + expected.length + " and " + actual.length);
        }
        double scale = maxAbs(expected);
        double worst = -1;
        int at = -1;
        for (int i = 0; i < expected.length; i++) {
            double e = Math.abs(expected[i] - actual[i]);
            if (!(e <= worst) || Double.isNaN(e)) {
                worst = Double.isNaN(e) ? Double.POSITIVE_INFINITY : e;
                at = i;
            }
        }
        double tol = atol + rtol * scale;
        if (worst > tol) {
            throw new AssertionError(what + ": entry " + at + " is " + actual[at] + ", expected " + expected[at]
                    + " (error " + worst + " > tolerance " + tol + ", max |expected| " + scale + ")");
        }
    }

    static void assertClose(double[][] expected, double[] actualFlat, double atol, double rtol, String what) {
        assertClose(flat(expected), actualFlat, atol, rtol, what);
    }
}
