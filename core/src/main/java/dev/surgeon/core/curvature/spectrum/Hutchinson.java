package dev.surgeon.core.curvature.spectrum;

import dev.surgeon.core.curvature.CurvatureOperator;
import dev.surgeon.core.curvature.Damping;
import dev.surgeon.core.curvature.DiagonalOperator;
import java.util.SplittableRandom;

/**
 * Hutchinson's stochastic estimators with Rademacher probes v (entries ±1, seeded; METHODS A10):
 * tr(C) ≈ (1/S) Σ_s v_sᵀ C v_s (variance per probe 2 Σ_{i≠j} C_ij²) and diag(C) ≈ (1/S) Σ_s v_s ⊙ (C v_s)
 * (variance of entry i per probe Σ_{j≠i} C_ij²). Stopping rule of PyHessian (amirgholami/PyHessian): at most
 * {@code maxProbes} (default 100) probes, stop when the running mean changes by less than a relative
 * {@code tolerance} (default 1e-3) — for the diagonal, measured on the Euclidean norm of the change relative to
 * the norm of the previous mean, our choice since PyHessian only applies the rule to the trace. Works with any
 * operator that multiplies (Hessian, Gauss-Newton, …). Cost: one product per probe; memory 3d doubles.
 */
public final class Hutchinson {
    /** PyHessian's maximum number of probes. */
    public static final int DEFAULT_MAX_PROBES = 100;
    /** PyHessian's relative tolerance on the running mean. */
    public static final double DEFAULT_TOLERANCE = 1e-3;

    private Hutchinson() {
    }

    /** A trace estimate and the number of probes it took. */
    public record Trace(double value, int probes, boolean converged) {
    }

    /** A diagonal estimate and the number of probes it took. */
    public record Diagonal(double[] values, int probes, boolean converged) {
    }

    /** tr(C) with the defaults. */
    public static Trace trace(CurvatureOperator op, long seed) {
        return trace(op, seed, DEFAULT_MAX_PROBES, DEFAULT_TOLERANCE);
    }

    /** tr(C) with at most {@code maxProbes} probes (tolerance 0: always use them all). */
    public static Trace trace(CurvatureOperator op, long seed, int maxProbes, double tolerance) {
        check(maxProbes, tolerance);
        int d = op.dim();
        SplittableRandom random = new SplittableRandom(seed);
        double[] v = new double[d];
        double[] cv = new double[d];
        double sum = 0;
        double previous = 0;
        for (int s = 1; s <= maxProbes; s++) {
            Probes.rademacher(random, v);
            op.multiply(v, cv);
            sum += Probes.dot(v, cv);
            double mean = sum / s;
            if (s > 1 && Math.abs(mean - previous) / (Math.abs(previous) + 1e-6) < tolerance) {
                return new Trace(mean, s, true);
            }
            previous = mean;
        }
        return new Trace(previous, maxProbes, false);
    }

    /** diag(C) with the defaults. */
    public static Diagonal diagonal(CurvatureOperator op, long seed) {
        return diagonal(op, seed, DEFAULT_MAX_PROBES, DEFAULT_TOLERANCE);
    }

    /** diag(C) with at most {@code maxProbes} probes (tolerance 0: always use them all). */
    public static Diagonal diagonal(CurvatureOperator op, long seed, int maxProbes, double tolerance) {
        check(maxProbes, tolerance);
        int d = op.dim();
        SplittableRandom random = new SplittableRandom(seed);
        double[] v = new double[d];
        double[] cv = new double[d];
        double[] sum = new double[d];
        double[] previous = new double[d];
        for (int s = 1; s <= maxProbes; s++) {
            Probes.rademacher(random, v);
            op.multiply(v, cv);
            double change = 0;
            double norm = 0;
            for (int i = 0; i < d; i++) {
                sum[i] += v[i] * cv[i];
                double mean = sum[i] / s;
                change += (mean - previous[i]) * (mean - previous[i]);
                norm += previous[i] * previous[i];
                previous[i] = mean;
            }
            if (s > 1 && Math.sqrt(change) / (Math.sqrt(norm) + 1e-6) < tolerance) {
                return new Diagonal(previous, s, true);
            }
        }
        return new Diagonal(previous, maxProbes, false);
    }

    /** The estimated diagonal as a {@link DiagonalOperator} ("Hutchinson diagonal of …"). */
    public static DiagonalOperator diagonalOperator(CurvatureOperator op, long seed, int maxProbes, double tolerance,
                                                    Damping damping) {
        Diagonal d = diagonal(op, seed, maxProbes, tolerance);
        return DiagonalOperator.of("Hutchinson diagonal (" + d.probes() + " probes) of " + op.name(), d.values(), damping);
    }

    private static void check(int maxProbes, double tolerance) {
        if (maxProbes < 1) {
            throw new IllegalArgumentException("at least one probe is needed, got " + maxProbes);
        }
        if (!(tolerance >= 0)) {
            throw new IllegalArgumentException("tolerance must be >= 0, got " + tolerance);
        }
    }
}
