package dev.surgeon.core.bayes;

/** Plain float64 dense linear algebra for test references (no kernels involved). */
public final class Matrices {
    private Matrices() {
    }

    /** Lower Cholesky factor of the symmetric positive-definite m. */
    public static double[][] cholesky(double[][] m) {
        int n = m.length;
        double[][] l = new double[n][n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j <= i; j++) {
                double s = m[i][j];
                for (int k = 0; k < j; k++) {
                    s -= l[i][k] * l[j][k];
                }
                if (i == j) {
                    if (!(s > 0)) {
                        throw new ArithmeticException("not positive definite at " + i);
                    }
                    l[i][i] = Math.sqrt(s);
                } else {
                    l[i][j] = s / l[j][j];
                }
            }
        }
        return l;
    }

    public static double logDet(double[][] m) {
        double[][] l = cholesky(m);
        double s = 0;
        for (int i = 0; i < m.length; i++) {
            s += 2 * Math.log(l[i][i]);
        }
        return s;
    }

    /** m⁻¹ b by Cholesky. */
    public static double[] solve(double[][] m, double[] b) {
        double[][] l = cholesky(m);
        int n = b.length;
        double[] y = new double[n];
        for (int i = 0; i < n; i++) {
            double s = b[i];
            for (int k = 0; k < i; k++) {
                s -= l[i][k] * y[k];
            }
            y[i] = s / l[i][i];
        }
        double[] x = new double[n];
        for (int i = n - 1; i >= 0; i--) {
            double s = y[i];
            for (int k = i + 1; k < n; k++) {
                s -= l[k][i] * x[k];
            }
            x[i] = s / l[i][i];
        }
        return x;
    }

    public static double[][] inverse(double[][] m) {
        int n = m.length;
        double[][] inv = new double[n][n];
        for (int j = 0; j < n; j++) {
            double[] e = new double[n];
            e[j] = 1;
            double[] c = solve(m, e);
            for (int i = 0; i < n; i++) {
                inv[i][j] = c[i];
            }
        }
        return inv;
    }

    public static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s;
    }

    public static double[] multiply(double[][] m, double[] v) {
        double[] out = new double[m.length];
        for (int i = 0; i < m.length; i++) {
            out[i] = dot(m[i], v);
        }
        return out;
    }

    /** log N(t; 0, C) for the covariance C. */
    public static double logGaussian(double[] t, double[][] c) {
        return -0.5 * dot(t, solve(c, t)) - 0.5 * logDet(c) - 0.5 * t.length * Math.log(2 * Math.PI);
    }

    public static void assertClose(double expected, double actual, double tolerance, String what) {
        if (!(Math.abs(expected - actual) <= tolerance)) {
            throw new AssertionError(what + ": expected " + expected + ", got " + actual + " (error "
                    + Math.abs(expected - actual) + " > " + tolerance + ")");
        }
    }

    /** max_i |expected_i − actual_i| ≤ atol + rtol·max|expected|, naming the worst entry on failure. */
    public static void assertClose(double[] expected, double[] actual, double atol, double rtol, String what) {
        if (expected.length != actual.length) {
            throw new AssertionError(what + ": lengths " + expected.length + " and " + actual.length);
        }
        double scale = 0;
        for (double e : expected) {
            scale = Math.max(scale, Math.abs(e));
        }
        int worst = -1;
        double error = -1;
        for (int i = 0; i < expected.length; i++) {
            double e = Math.abs(expected[i] - actual[i]);
            if (Double.isNaN(e) || e > error) {
                error = Double.isNaN(e) ? Double.POSITIVE_INFINITY : e;
                worst = i;
            }
        }
        if (error > atol + rtol * scale) {
            throw new AssertionError(what + ": entry " + worst + " is " + actual[worst] + ", expected " + expected[worst]
                    + " (error " + error + " > " + (atol + rtol * scale) + ")");
        }
    }
}
