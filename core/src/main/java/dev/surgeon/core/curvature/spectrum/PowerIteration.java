package dev.surgeon.core.curvature.spectrum;

import dev.surgeon.core.curvature.CurvatureOperator;
import java.util.SplittableRandom;

/**
 * Top eigenvalues by power iteration with deflation (METHODS A11; PyHessian's {@code eigenvalues}): start from
 * a seeded normal vector, repeat u = Cv, ν = vᵀu, v = u/‖u‖ until |ν − ν_prev|/(|ν_prev| + 1e-6) &lt; tolerance or
 * {@code maxIterations}; for the k-th eigenvalue, v and u are orthogonalized against the k − 1 eigenvectors
 * already found in every iteration. Each result is the eigenvalue of largest <em>magnitude</em> in the deflated
 * space, which can be negative for a Hessian (the spectral radius is |ν|; for the most negative eigenvalue
 * iterate on ν_max·I − C). Convergence rate |ν₂/ν₁| per step. Cost: one product per iteration; memory (k + 2)d.
 */
public final class PowerIteration {
    /** PyHessian's iteration limit. */
    public static final int DEFAULT_MAX_ITERATIONS = 100;
    /** PyHessian's relative tolerance. */
    public static final double DEFAULT_TOLERANCE = 1e-3;

    private PowerIteration() {
    }

    /**
     * Eigenvalues in the order found (decreasing magnitude), unit eigenvectors ({@code vectors[j]} belongs to
     * {@code values[j]}), iterations used and whether each met the tolerance.
     */
    public record Result(double[] values, double[][] vectors, int[] iterations, boolean[] converged) {
    }

    /** The top k eigenvalues with PyHessian's defaults. */
    public static Result topEigenvalues(CurvatureOperator op, int k, long seed) {
        return topEigenvalues(op, k, seed, DEFAULT_MAX_ITERATIONS, DEFAULT_TOLERANCE);
    }

    public static Result topEigenvalues(CurvatureOperator op, int k, long seed, int maxIterations, double tolerance) {
        int d = op.dim();
        if (k < 1 || k > d) {
            throw new IllegalArgumentException("number of eigenvalues must be in [1, " + d + "], got " + k);
        }
        if (maxIterations < 1 || !(tolerance >= 0)) {
            throw new IllegalArgumentException("need maxIterations >= 1 and tolerance >= 0, got " + maxIterations
                    + " and " + tolerance);
        }
        SplittableRandom random = new SplittableRandom(seed);
        double[] values = new double[k];
        double[][] vectors = new double[k][];
        int[] iterations = new int[k];
        boolean[] converged = new boolean[k];
        double[] u = new double[d];
        for (int e = 0; e < k; e++) {
            double[] v = new double[d];
            Probes.gaussian(random, v);
            orthogonalize(v, vectors, e);
            Probes.scale(v, 1 / Probes.norm(v));
            double nu = 0;
            int it = 0;
            while (it < maxIterations) {
                it++;
                op.multiply(v, u);
                double previous = nu;
                nu = Probes.dot(v, u);
                orthogonalize(u, vectors, e);
                double norm = Probes.norm(u);
                if (norm == 0) {
                    converged[e] = true;
                    break;
                }
                for (int i = 0; i < d; i++) {
                    v[i] = u[i] / norm;
                }
                if (it > 1 && Math.abs(nu - previous) / (Math.abs(previous) + 1e-6) < tolerance) {
                    converged[e] = true;
                    break;
                }
            }
            values[e] = nu;
            vectors[e] = v;
            iterations[e] = it;
        }
        return new Result(values, vectors, iterations, converged);
    }

    private static void orthogonalize(double[] x, double[][] found, int count) {
        for (int j = 0; j < count; j++) {
            Probes.removeComponent(x, found[j]);
        }
    }
}
