package dev.surgeon.core.curvature.spectrum;

import dev.surgeon.core.curvature.CurvatureOperator;
import dev.surgeon.kernels.Kernels;
import dev.surgeon.kernels.Uplo;
import java.util.SplittableRandom;

/**
 * The Lanczos process with full re-orthogonalization (METHODS A12; PyHessian's {@code density}): from a unit
 * Rademacher start v₁, r = C v_j − β_{j−1} v_{j−1}, α_j = rᵀv_j, r ← r − α_j v_j, r re-orthogonalized against
 * v₁..v_j (twice: "twice is enough" for double), β_j = ‖r‖, stop early when β_j ≤ 1e-10·max|α|; the tridiagonal
 * T (α, β) is diagonalized with {@code syev}. Its eigenvalues (Ritz values) approximate the extreme eigenvalues
 * of C first; with the squared first components of T's eigenvectors as weights they form a Gauss quadrature
 * of the spectral density. Without the re-orthogonalization spurious copies of converged eigenvalues appear.
 * Cost: m products + O(m²d) for the re-orthogonalization; memory (m + 2)d doubles.
 */
public final class Lanczos {
    /** PyHessian's number of Lanczos steps. */
    public static final int DEFAULT_STEPS = 100;

    private Lanczos() {
    }

    /** Ritz values (ascending) from one seeded start: the extreme ones converge first. */
    public static double[] ritzValues(CurvatureOperator op, int steps, long seed) {
        return run(op, steps, new SplittableRandom(seed), new double[1][]) ;
    }

    /** Stochastic Lanczos quadrature with {@code probes} seeded starts of {@code steps} steps each. */
    public static SpectralDensity density(CurvatureOperator op, int steps, int probes, long seed) {
        if (probes < 1) {
            throw new IllegalArgumentException("at least one probe is needed, got " + probes);
        }
        SplittableRandom random = new SplittableRandom(seed);
        double[][] nodes = new double[probes][];
        double[][] weights = new double[probes][];
        for (int p = 0; p < probes; p++) {
            double[][] w = new double[1][];
            nodes[p] = run(op, steps, random, w);
            weights[p] = w[0];
        }
        return new SpectralDensity(op.dim(), nodes, weights);
    }

    /** One Lanczos run; returns the Ritz values and puts the quadrature weights in {@code weightsOut[0]}. */
    private static double[] run(CurvatureOperator op, int steps, SplittableRandom random, double[][] weightsOut) {
        int d = op.dim();
        if (steps < 1) {
            throw new IllegalArgumentException("at least one Lanczos step is needed, got " + steps);
        }
        int m = Math.min(steps, d);
        double[][] basis = new double[m][];
        double[] alpha = new double[m];
        double[] beta = new double[m];
        double[] v = new double[d];
        Probes.rademacher(random, v);
        Probes.scale(v, 1 / Probes.norm(v));
        double[] r = new double[d];
        double maxAlpha = 0;
        int j = 0;
        while (true) {
            basis[j] = v;
            op.multiply(v, r);
            if (j > 0) {
                double[] prev = basis[j - 1];
                for (int i = 0; i < d; i++) {
                    r[i] -= beta[j - 1] * prev[i];
                }
            }
            alpha[j] = Probes.dot(r, v);
            maxAlpha = Math.max(maxAlpha, Math.abs(alpha[j]));
            for (int i = 0; i < d; i++) {
                r[i] -= alpha[j] * v[i];
            }
            for (int pass = 0; pass < 2; pass++) {
                for (int k = 0; k <= j; k++) {
                    Probes.removeComponent(r, basis[k]);
                }
            }
            j++;
            if (j == m) {
                break;
            }
            double b = Probes.norm(r);
            if (b <= 1e-10 * maxAlpha || b == 0) {
                break;
            }
            beta[j - 1] = b;
            v = new double[d];
            for (int i = 0; i < d; i++) {
                v[i] = r[i] / b;
            }
        }
        double[] t = new double[j * j];
        for (int i = 0; i < j; i++) {
            t[i * j + i] = alpha[i];
            if (i + 1 < j) {
                t[(i + 1) * j + i] = beta[i];
                t[i * j + i + 1] = beta[i];
            }
        }
        double[] theta = new double[j];
        Kernels.scalar().syev(Uplo.LOWER, j, t, 0, j, theta, 0);
        double[] tau = new double[j];
        for (int k = 0; k < j; k++) {
            tau[k] = t[k] * t[k];
        }
        weightsOut[0] = tau;
        return theta;
    }
}
