package dev.surgeon.core.curvature;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.surgeon.core.curvature.spectrum.Hutchinson;
import dev.surgeon.core.curvature.spectrum.Lanczos;
import dev.surgeon.core.curvature.spectrum.PowerIteration;
import dev.surgeon.core.curvature.spectrum.SpectralDensity;
import dev.surgeon.kernels.Kernels;
import dev.surgeon.kernels.Uplo;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * Power iteration, Lanczos and the spectral density (METHODS A11, A12) on dense symmetric matrices with known
 * eigenvalues (Q diag(ν) Qᵀ for a random orthogonal Q), and on the Hessian of a tiny network.
 */
class SpectrumTest {

    /** Q diag(values) Qᵀ with Q from Gram–Schmidt on a random matrix. */
    static DenseOperator withSpectrum(double[] values, long seed) {
        int n = values.length;
        double[][] q = new double[n][];
        for (int i = 0; i < n; i++) {
            double[] v = Dense.random(n, seed + i);
            for (int j = 0; j < i; j++) {
                double p = 0;
                for (int k = 0; k < n; k++) {
                    p += v[k] * q[j][k];
                }
                for (int k = 0; k < n; k++) {
                    v[k] -= p * q[j][k];
                }
            }
            double norm = Math.sqrt(Arrays.stream(v).map(x -> x * x).sum());
            for (int k = 0; k < n; k++) {
                v[k] /= norm;
            }
            q[i] = v;
        }
        double[] m = new double[n * n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                double s = 0;
                for (int k = 0; k < n; k++) {
                    s += q[k][i] * values[k] * q[k][j];
                }
                m[i * n + j] = s;
            }
        }
        return DenseOperator.of("known spectrum", m, n, Damping.none(), Kernels.scalar());
    }

    private static double[] spectrum(int n) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = 0.1 * (i % 7) - 0.2;
        }
        v[0] = 10;
        v[1] = -7;
        v[2] = 5;
        return v;
    }

    @Test
    void powerIterationRecoversTheTopEigenvaluesByMagnitude() {
        DenseOperator op = withSpectrum(spectrum(40), 3);
        PowerIteration.Result tight = PowerIteration.topEigenvalues(op, 3, 11, 2000, 1e-12);
        // Converged to 1e-12 in relative change, the eigenvalues are accurate to ~1e-9 (rate |ν₂/ν₁| ≤ 0.7).
        assertArrayEquals(new double[] {10, -7, 5}, tight.values(), 1e-8);
        for (boolean c : tight.converged()) {
            assertTrue(c);
        }
        // PyHessian's defaults (tolerance 1e-3 on the relative change) are good to about a percent.
        PowerIteration.Result loose = PowerIteration.topEigenvalues(op, 1, 11);
        assertEquals(10, loose.values()[0], 0.1);
        assertTrue(loose.iterations()[0] < PowerIteration.DEFAULT_MAX_ITERATIONS);
        // Eigenvectors are unit length and orthogonal to each other.
        double[][] v = tight.vectors();
        assertEquals(1, dot(v[0], v[0]), 1e-12);
        assertEquals(0, dot(v[0], v[1]), 1e-6);
    }

    private static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s;
    }

    @Test
    void lanczosWithAllStepsReturnsTheWholeSpectrumWithoutSpuriousCopies() {
        double[] values = spectrum(25);
        DenseOperator op = withSpectrum(values, 4);
        double[] ritz = Lanczos.ritzValues(op, 25, 5);
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        // Distinct values only: spectrum(25) repeats 0.1·(i mod 7) − 0.2, so exact Lanczos finds each once.
        double[] distinct = Arrays.stream(sorted).distinct().toArray();
        double[] found = Arrays.stream(ritz).map(x -> Math.round(x * 1e8) / 1e8).distinct().toArray();
        assertArrayEquals(Arrays.stream(distinct).map(x -> Math.round(x * 1e8) / 1e8).toArray(), found, 1e-7);
        // The extreme eigenvalues converge first: 15 steps of 40 already pin them down.
        double[] partial = Lanczos.ritzValues(withSpectrum(spectrum(40), 6), 15, 7);
        assertEquals(-7, partial[0], 1e-6);
        assertEquals(10, partial[partial.length - 1], 1e-6);
    }

    @Test
    void spectralDensityWeightsAreAQuadratureOfTheProbe() {
        DenseOperator op = withSpectrum(spectrum(30), 8);
        SpectralDensity density = Lanczos.density(op, 12, 4, 9);
        assertEquals(4, density.probes());
        for (int p = 0; p < 4; p++) {
            assertEquals(1, Arrays.stream(density.weights(p)).sum(), 1e-12, "weights of probe " + p);
        }
        // Σ_k τ_k θ_k = e₁ᵀTe₁ = v₁ᵀCv₁: with one Rademacher probe the trace estimate is Hutchinson's, same seed.
        double one = Lanczos.density(op, 12, 1, 21).trace();
        assertEquals(Hutchinson.trace(op, 21, 1, 0).value(), one, 1e-10 * Math.abs(one));
        // The density integrates to 1 (Gaussian kernels of σ² = 1e-2 on a fine grid covering the spectrum).
        double[] grid = new double[4001];
        for (int i = 0; i < grid.length; i++) {
            grid[i] = -9 + i * 0.005;
        }
        double[] phi = density.evaluate(grid, 1e-2);
        assertEquals(1, Arrays.stream(phi).sum() * 0.005, 1e-6);
        double[] range = density.range();
        assertTrue(range[0] < -6.9 && range[1] > 9.9, Arrays.toString(range));
    }

    /** The Hessian of a tiny net: power iteration on R-operator products vs a dense eigensolver on the reference. */
    @Test
    void powerIterationFindsTheHessiansLargestEigenvalue() {
        TestNets tn = TestNets.of("in(3) dense(4) tanh dense(2)", "mse-mean", 6, 81);
        double[] ref = Dense.flat(tn.hessian());
        int d = tn.d();
        double[] w = new double[d];
        Kernels.scalar().syev(Uplo.LOWER, d, ref.clone(), 0, d, w, 0);
        double top = Math.abs(w[0]) > Math.abs(w[d - 1]) ? w[0] : w[d - 1];
        PowerIteration.Result r = PowerIteration.topEigenvalues(tn.curvature(3).hessian(), 1, 2, 1000, 1e-9);
        // Float R-operator products: ~1e-6 relative, plus the reference's 1e-7.
        assertEquals(top, r.values()[0], 1e-4 * Math.abs(top));
    }
}
