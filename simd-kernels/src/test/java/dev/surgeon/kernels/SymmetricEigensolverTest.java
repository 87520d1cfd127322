package dev.surgeon.kernels;

import dev.surgeon.kernels.parity.FactorizationParity;
import dev.surgeon.kernels.parity.Precision;
import dev.surgeon.kernels.parity.TestMatrices;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * What the reference eigensolver promises beyond the parity suite: a closed-form case, invariance under
 * scaling by powers of two down to subnormal entries (the solver's own scaling is exact, so the
 * eigenvalues of 2^e·A are 2^e times those of A up to its usual rounding; the matrix entries are ≤ 1 and
 * the eigenvalues ≤ n, so 64·n ulps of 1 is a loose absolute bound) and NaN output for infinite input
 * instead of a "did not converge" error.
 */
class SymmetricEigensolverTest {

    @Test
    void twoByTwoMatchesTheClosedForm() {
        // [[2, 1], [1, 2]] has eigenvalues 1 and 3 with eigenvectors (1, −1)/√2 and (1, 1)/√2.
        double[] a = {2, 1, 1, 2};
        double[] w = new double[2];
        SymmetricEigensolver.decompose(Uplo.UPPER, 2, a, 0, 2, w, 0);
        assertEquals(1, w[0], 4 * Math.ulp(3.0));
        assertEquals(3, w[1], 4 * Math.ulp(3.0));
        double r = Math.sqrt(0.5);
        assertEquals(r, Math.abs(a[0]), 4 * Math.ulp(1.0), "first eigenvector, component 0");
        assertEquals(-a[0], a[2], 4 * Math.ulp(1.0), "first eigenvector is (1, −1)/√2 up to sign");
        assertEquals(a[1], a[3], 4 * Math.ulp(1.0), "second eigenvector is (1, 1)/√2 up to sign");
    }

    @Test
    void eigenvaluesScaleWithTheMatrixFromSubnormalToHugeEntries() {
        int n = 6;
        double[] base = FactorizationParity.spectrumMatrix(FactorizationParity.Spectrum.RANDOM, n, Precision.DOUBLE,
                TestMatrices.random("eigen scaling"));
        for (int exponent : new int[] {-1060, -600, -300, 300, 600, 1000}) {
            double[] scaled = new double[n * n];
            double[] held = new double[n * n]; // what the scaled matrix holds, brought back exactly
            for (int i = 0; i < scaled.length; i++) {
                scaled[i] = Math.scalb(base[i], exponent); // subnormal at 2^-1060: only ~14 bits survive
                held[i] = Math.scalb(scaled[i], -exponent);
            }
            double[] reference = eigenvalues(held);
            double[] w = eigenvalues(scaled);
            // At 2^-1060 the eigenvalues are subnormal too: add the output's quantum 2^-1074, scaled back.
            double tol = 64 * Math.ulp(1.0) * n + Math.scalb(Double.MIN_VALUE, -exponent);
            for (int i = 0; i < n; i++) {
                assertEquals(reference[i], Math.scalb(w[i], -exponent), tol,
                        "eigenvalue " + i + " of the matrix scaled by 2^" + exponent);
            }
        }
    }

    @Test
    void infiniteEntriesGiveNaNInsteadOfANonConvergenceError() {
        int n = 4;
        double[] a = FactorizationParity.spectrumMatrix(FactorizationParity.Spectrum.RANDOM, n, Precision.DOUBLE,
                TestMatrices.random("eigen inf"));
        a[3 * n + 1] = Double.NEGATIVE_INFINITY;
        double[] w = new double[n];
        SymmetricEigensolver.decompose(Uplo.LOWER, n, a, 0, n, w, 0);
        for (int i = 0; i < n; i++) {
            assertTrue(Double.isNaN(w[i]), "eigenvalue " + i + " = " + w[i]);
            for (int j = 0; j < n; j++) {
                assertTrue(Double.isNaN(a[i * n + j]), "V(" + i + ", " + j + ") = " + a[i * n + j]);
            }
        }
    }

    private static double[] eigenvalues(double[] matrix) {
        int n = (int) Math.round(Math.sqrt(matrix.length));
        double[] a = matrix.clone();
        double[] w = new double[n];
        SymmetricEigensolver.decompose(Uplo.LOWER, n, a, 0, n, w, 0);
        return w;
    }
}
