package dev.surgeon.core.nn;

/**
 * Dense curvature matrices of a {@link Fixture} in float64, from the reference network's finite-difference
 * Jacobian and the output-space Hessians Λ written out from their definitions (not from the Loss classes).
 */
final class DenseCurvature {
    private DenseCurvature() {
    }

    /** Λ_n = ∂²ℓ_n/∂f² at the reference outputs (K × K). */
    static double[][] outputHessian(String lossName, double[] f, int n, int k) {
        double[][] lambda = new double[k][k];
        if (lossName.startsWith("mse")) {
            for (int i = 0; i < k; i++) {
                lambda[i][i] = 1;
            }
        } else if (lossName.startsWith("bce")) {
            for (int i = 0; i < k; i++) {
                double p = 1 / (1 + Math.exp(-f[n * k + i]));
                lambda[i][i] = p * (1 - p);
            }
        } else {
            double z = 0;
            for (int i = 0; i < k; i++) {
                z += Math.exp(f[n * k + i]);
            }
            for (int i = 0; i < k; i++) {
                double pi = Math.exp(f[n * k + i]) / z;
                for (int j = 0; j < k; j++) {
                    double pj = Math.exp(f[n * k + j]) / z;
                    lambda[i][j] = (i == j ? pi : 0) - pi * pj;
                }
            }
        }
        return lambda;
    }

    /** G = s·Σ_n J_nᵀ Λ_n J_n (d × d). */
    static double[][] gaussNewton(Fixture fx) {
        int d = fx.d();
        int k = fx.net.outputSize();
        double[][] j = fx.referenceJacobian();
        double[] f = fx.ref.forward(fx.w(), fx.x, fx.batch);
        double s = fx.loss.reduction() == Reduction.MEAN ? 1.0 / fx.batch : 1.0;
        double[][] g = new double[d][d];
        for (int n = 0; n < fx.batch; n++) {
            double[][] lambda = outputHessian(fx.lossName, f, n, k);
            for (int a = 0; a < k; a++) {
                for (int b = 0; b < k; b++) {
                    double l = s * lambda[a][b];
                    if (l == 0) {
                        continue;
                    }
                    double[] ja = j[n * k + a];
                    double[] jb = j[n * k + b];
                    for (int p = 0; p < d; p++) {
                        for (int q = 0; q < d; q++) {
                            g[p][q] += ja[p] * l * jb[q];
                        }
                    }
                }
            }
        }
        return g;
    }

    static double[] multiply(double[][] m, float[] v) {
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

    static double[] diagonal(double[][] m) {
        double[] d = new double[m.length];
        for (int i = 0; i < m.length; i++) {
            d[i] = m[i][i];
        }
        return d;
    }

    static double maxAbs(double[][] m) {
        double max = 0;
        for (double[] row : m) {
            max = Math.max(max, ReferenceNetwork.maxAbs(row));
        }
        return max;
    }

    static float[] unit(int d, int i) {
        float[] e = new float[d];
        e[i] = 1f;
        return e;
    }

    /**
     * Asserts |expected − actual| ≤ atol + rtol·scale entrywise, with scale = max|expected|, naming the worst
     * entry on failure.
     */
    static void assertClose(double[] expected, float[] actual, double atol, double rtol, String what) {
        double scale = ReferenceNetwork.maxAbs(expected);
        double worst = 0;
        int at = -1;
        for (int i = 0; i < expected.length; i++) {
            double e = Math.abs(expected[i] - actual[i]);
            if (e > worst) {
                worst = e;
                at = i;
            }
        }
        double tol = atol + rtol * scale;
        if (worst > tol) {
            throw new AssertionError(what + ": entry " + at + " is " + actual[at] + ", expected " + expected[at]
                    + " (error " + worst + " > tolerance " + tol + ", max |expected| " + scale + ")");
        }
    }
}
