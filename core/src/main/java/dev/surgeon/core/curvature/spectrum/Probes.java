package dev.surgeon.core.curvature.spectrum;

import java.util.SplittableRandom;

/** Seeded random vectors and the small dense-vector helpers of the spectral tools. */
final class Probes {
    private Probes() {
    }

    /** Entries ±1 with probability ½ each. */
    static void rademacher(SplittableRandom random, double[] v) {
        for (int i = 0; i < v.length; i++) {
            v[i] = random.nextBoolean() ? 1.0 : -1.0;
        }
    }

    /** Entries N(0, 1) (Box–Muller; both variates used). */
    static void gaussian(SplittableRandom random, double[] v) {
        for (int i = 0; i < v.length; i += 2) {
            double u1 = 1.0 - random.nextDouble();
            double u2 = random.nextDouble();
            double r = Math.sqrt(-2 * Math.log(u1));
            v[i] = r * Math.cos(2 * Math.PI * u2);
            if (i + 1 < v.length) {
                v[i + 1] = r * Math.sin(2 * Math.PI * u2);
            }
        }
    }

    static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s;
    }

    static double norm(double[] a) {
        return Math.sqrt(dot(a, a));
    }

    /** a ← a − (aᵀb) b for a unit vector b. */
    static void removeComponent(double[] a, double[] b) {
        double p = dot(a, b);
        for (int i = 0; i < a.length; i++) {
            a[i] -= p * b[i];
        }
    }

    static void scale(double[] a, double s) {
        for (int i = 0; i < a.length; i++) {
            a[i] *= s;
        }
    }
}
