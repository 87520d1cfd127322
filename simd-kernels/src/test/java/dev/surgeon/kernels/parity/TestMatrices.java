package dev.surgeon.kernels.parity;

import dev.surgeon.kernels.*;

import java.util.SplittableRandom;

/**
 * Test matrices whose properties are known by construction, so that tolerances can be derived from them
 * instead of guessed: condition bounds from Gershgorin's theorem, and integer matrices whose factorizations
 * are computed exactly in floating point (every intermediate is a small integer) so that a pivot is exactly
 * zero or negative where the test puts it.
 */
public final class TestMatrices {
    /** Off-diagonal mass of the well-conditioned matrices: each row and column sums to at most this. */
    static final double OFF_DIAGONAL_MASS = 0.5;

    private TestMatrices() {
    }

    /** Deterministic generator for a case: the same case always sees the same numbers. */
    public static SplittableRandom random(Object... key) {
        return new SplittableRandom(java.util.Arrays.deepHashCode(key) * 0x9E3779B97F4A7C15L);
    }

    /**
     * Symmetric positive definite with diagonal in [1, 2] and off-diagonal entries in ±0.5/n, so every
     * Gershgorin disc lies in [0.5, 2.5]: λ_min ≥ 0.5, κ₂ ≤ 5, and A = D½(I + E)D½ with ‖E‖ ≤ ½. Only the
     * {@code cells} are written (e.g. one triangle).
     */
    public static void wellConditionedSpd(Operand a, Operand.Cells cells, SplittableRandom rnd) {
        int n = a.rows;
        double[] full = symmetricDominant(n, rnd);
        a.fill(cells, (i, j) -> full[i * n + j]);
    }

    /** The full matrix of {@link #wellConditionedSpd} as doubles (row-major, n×n). */
    static double[] symmetricDominant(int n, SplittableRandom rnd) {
        double[] s = new double[n * n];
        double scale = OFF_DIAGONAL_MASS / Math.max(1, n);
        for (int i = 0; i < n; i++) {
            s[i * n + i] = rnd.nextDouble(1, 2);
            for (int j = 0; j < i; j++) {
                double v = rnd.nextDouble(-1, 1) * scale;
                s[i * n + j] = v;
                s[j * n + i] = v;
            }
        }
        return s;
    }

    /**
     * A damped Gram matrix {@code (1/k)·G·Gᵀ + δ·I}, G n×k uniform in [-1, 1), the shape of a curvature
     * estimate from few samples: positive definite because of δ, but with a condition number in the
     * thousands, which the componentwise Cholesky residual bound does not care about.
     */
    public static void dampedGram(Operand a, Operand.Cells cells, SplittableRandom rnd) {
        int n = a.rows;
        int k = Math.min(n + 8, 96);
        double[] g = new double[n * k];
        for (int i = 0; i < g.length; i++) {
            g[i] = rnd.nextDouble(-1, 1);
        }
        double delta = 1e-3;
        a.fill(cells, (i, j) -> {
            double s = 0;
            for (int p = 0; p < k; p++) {
                s += g[i * k + p] * g[j * k + p];
            }
            return s / k + (i == j ? delta : 0);
        });
    }

    /**
     * A well-conditioned square matrix for LU without pivoting or a triangular operand: diagonal in
     * [1, 2], off-diagonal entries in ±0.5/n, so A = D(I + N) with ‖N‖∞, ‖N‖₁ ≤ ½ and
     * ‖A⁻¹‖∞ ≤ 1/(min d·(1 − ½)) ≤ 2 (also for any triangle of A). Only {@code cells} are written.
     */
    public static void wellConditionedSquare(Operand a, Operand.Cells cells, SplittableRandom rnd) {
        int n = a.rows;
        double scale = OFF_DIAGONAL_MASS / Math.max(1, n);
        a.fill(cells, (i, j) -> i == j ? rnd.nextDouble(1, 2) : rnd.nextDouble(-1, 1) * scale);
    }

    /** Bound on ‖op(A)⁻¹‖ (∞- and 1-norm) for the matrices of {@link #wellConditionedSquare}. */
    static final double WELL_CONDITIONED_INVERSE_NORM = 2;

    /**
     * {@code L·diag(d)·Lᵀ} with L unit lower triangular with entries in {-1, 0, 1} and d_i ∈ {1, 4}
     * except {@code d[failing] = failingPivot} (0 or negative). Cholesky on it is exact in floating point
     * (square roots of 1 and 4, divisions by 1 and 2, integer sums far below 2^24), so its first pivot
     * that is not positive is exactly at {@code failing}. Written into {@code cells} of a.
     */
    public static void integerLdlt(Operand a, Operand.Cells cells, int failing, double failingPivot,
                                   SplittableRandom rnd) {
        int n = a.rows;
        int[] l = new int[n * n];
        int[] d = new int[n];
        for (int i = 0; i < n; i++) {
            l[i * n + i] = 1;
            for (int j = 0; j < i; j++) {
                l[i * n + j] = rnd.nextInt(3) - 1;
            }
            d[i] = rnd.nextBoolean() ? 1 : 4;
        }
        a.fill(cells, (i, j) -> {
            double s = 0;
            for (int p = 0; p <= Math.min(i, j); p++) {
                double dp = p == failing ? failingPivot : d[p];
                s += l[i * n + p] * dp * l[j * n + p];
            }
            return s;
        });
    }

    /**
     * {@code L·U} with L unit lower triangular and U upper triangular, off-diagonal entries in {-1, 0, 1},
     * U's diagonal in {1, 2, 4} except {@code U[zero][zero] = 0}. Gaussian elimination without pivoting
     * reproduces L exactly (each multiplier is an integer times a power of two divided by it), so the
     * first zero pivot is exactly at {@code zero}.
     */
    public static void integerLu(Operand a, int zero, SplittableRandom rnd) {
        int n = a.rows;
        int[] l = new int[n * n];
        int[] u = new int[n * n];
        int[] diag = {1, 2, 4};
        for (int i = 0; i < n; i++) {
            l[i * n + i] = 1;
            u[i * n + i] = i == zero ? 0 : diag[rnd.nextInt(3)];
            for (int j = 0; j < i; j++) {
                l[i * n + j] = rnd.nextInt(3) - 1;
                u[j * n + i] = rnd.nextInt(3) - 1;
            }
        }
        a.fill(Operand.Cells.ALL, (i, j) -> {
            double s = 0;
            for (int p = 0; p <= Math.min(i, j); p++) {
                s += l[i * n + p] * u[p * n + j];
            }
            return s;
        });
    }

    /** Gershgorin interval [lo, hi] containing every eigenvalue of the symmetric n×n s (row-major). */
    static double[] gershgorin(double[] s, int n) {
        double lo = Double.POSITIVE_INFINITY;
        double hi = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) {
            double r = 0;
            for (int j = 0; j < n; j++) {
                if (j != i) {
                    r += Math.abs(s[i * n + j]);
                }
            }
            lo = Math.min(lo, s[i * n + i] - r);
            hi = Math.max(hi, s[i * n + i] + r);
        }
        return new double[] {lo, hi};
    }
}
