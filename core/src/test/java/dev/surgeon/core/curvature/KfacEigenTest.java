package dev.surgeon.core.curvature;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.surgeon.kernels.Kernels;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The eigendecomposition of K-FAC factors with exactly-zero rows (the units a structured pruner removed). */
class KfacEigenTest {

    /** XᵀX/m of random X (m × n) whose columns in {@code dead} are exactly 0, like A of a layer after its input units went. */
    private static double[] factorWithDeadCoordinates(int n, int m, boolean[] dead, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        double[] x = new double[m * n];
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                x[i * n + j] = dead[j] ? 0 : Math.max(0, r.nextGaussian());
            }
        }
        double[] a = new double[n * n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                double s = 0;
                for (int k = 0; k < m; k++) {
                    s += x[k * n + i] * x[k * n + j];
                }
                a[i * n + j] = s / m;
            }
        }
        return a;
    }

    @Test
    void zeroRowsAreSplitOffAndTheDecompositionIsExact() {
        int n = 120;
        boolean[] dead = new boolean[n];
        SplittableRandom r = new SplittableRandom(7);
        for (int j = 0; j < n; j++) {
            dead[j] = r.nextDouble() < 0.6;
        }
        double[] a = factorWithDeadCoordinates(n, 400, dead, 3);
        double[] v = a.clone();
        double[] w = new double[n];
        KfacOperator.symmetricEigen(Kernels.get(), n, v, w);
        double norm = 0;
        for (double x : a) {
            norm = Math.max(norm, Math.abs(x));
        }
        for (int i = 1; i < n; i++) {
            assertTrue(w[i] >= w[i - 1], "ascending eigenvalues");
        }
        // V diag(w) Vᵀ = A and VᵀV = I, in float64: 1e-10 relative leaves room for the O(n·ε) rounding of the solver.
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                double rec = 0;
                double gram = 0;
                for (int k = 0; k < n; k++) {
                    rec += v[i * n + k] * w[k] * v[j * n + k];
                    gram += v[k * n + i] * v[k * n + j];
                }
                assertEquals(a[i * n + j], rec, 1e-10 * norm, "reconstruction " + i + "," + j);
                assertEquals(i == j ? 1 : 0, gram, 1e-10, "orthonormal columns " + i + "," + j);
            }
        }
        // A dead coordinate i: e_i is an eigenvector of eigenvalue 0.
        for (int i = 0; i < n; i++) {
            if (dead[i]) {
                boolean found = false;
                for (int k = 0; k < n; k++) {
                    found |= v[i * n + k] == 1 && w[k] == 0;
                }
                assertTrue(found, "unit eigenvector for dead coordinate " + i);
            }
        }
    }

    @Test
    void withoutZeroRowsItIsThePlainSolver() {
        int n = 40;
        double[] a = factorWithDeadCoordinates(n, 100, new boolean[n], 5);
        double[] v = a.clone();
        double[] w = new double[n];
        KfacOperator.symmetricEigen(Kernels.get(), n, v, w);
        double[] v2 = a.clone();
        double[] w2 = new double[n];
        Kernels.get().syev(dev.surgeon.kernels.Uplo.LOWER, n, v2, 0, n, w2, 0);
        for (int i = 0; i < n; i++) {
            assertEquals(w2[i], w[i], 0.0, "identical path");
        }
        for (int i = 0; i < n * n; i++) {
            assertEquals(v2[i], v[i], 0.0);
        }
    }
}
