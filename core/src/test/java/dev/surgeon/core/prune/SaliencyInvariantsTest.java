package dev.surgeon.core.prune;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.surgeon.core.curvature.Damping;
import dev.surgeon.core.curvature.DenseOperator;
import dev.surgeon.core.curvature.ParameterSubset;
import dev.surgeon.core.nn.Network;
import dev.surgeon.kernels.Kernels;
import org.junit.jupiter.api.Test;

/** METHODS R18 / 1.8: OBS ≤ OBD for any SPD H, OBS = OBD for diagonal H, OBS ranks like magnitude for H = cI. */
class SaliencyInvariantsTest {
    private static final Kernels K = Kernels.scalar();
    private static final int N = 12;
    /** A subset of N coordinates (the model API needs one; its network is irrelevant here). */
    private static final ParameterSubset S = ParameterSubset.all(Fixtures.network("in(" + (N - 1) + ") dense(1)", 0).layout());

    private static QuadraticModel model(double[] h) {
        return QuadraticModel.of(DenseOperator.of("H", h.clone(), N, Damping.none(), K), S, K);
    }

    private static double[] obd(double[] h, double[] w) {
        double[] s = new double[N];
        for (int q = 0; q < N; q++) {
            s[q] = 0.5 * h[q * N + q] * w[q] * w[q];
        }
        return s;
    }

    @Test
    void obsSaliencyNeverExceedsObdOnRandomSpdMatrices() {
        for (long seed = 0; seed < 20; seed++) {
            double[] h = DenseMath.randomSpd(N, 0.05, seed);
            double[] w = DenseMath.randomVector(N, seed + 100);
            double[] obs = model(h).obsSaliencies(w);
            double[] obd = obd(h, w);
            for (int q = 0; q < N; q++) {
                // H_qq [H⁻¹]_qq ≥ 1 (Cauchy–Schwarz); allow the relative rounding of a 12 × 12 Cholesky inverse.
                assertTrue(obs[q] <= obd[q] * (1 + 1e-12), "seed " + seed + " q " + q + ": " + obs[q] + " > " + obd[q]);
            }
        }
    }

    @Test
    void obsEqualsObdForADiagonalHessian() {
        double[] h = new double[N * N];
        double[] d = DenseMath.randomVector(N, 5);
        for (int q = 0; q < N; q++) {
            h[q * N + q] = 0.1 + d[q] * d[q];
        }
        double[] w = DenseMath.randomVector(N, 6);
        double[] obs = model(h).obsSaliencies(w);
        double[] obd = obd(h, w);
        for (int q = 0; q < N; q++) {
            // The diagonal inverse is 1/H_qq up to one rounding.
            assertEquals(obd[q], obs[q], 1e-14 * obd[q]);
        }
    }

    @Test
    void obsRanksLikeMagnitudeForAScaledIdentity() {
        double[] h = new double[N * N];
        for (int q = 0; q < N; q++) {
            h[q * N + q] = 3.7;
        }
        double[] w = DenseMath.randomVector(N, 9);
        double[] obs = model(h).obsSaliencies(w);
        double[] mag = new double[N];
        for (int q = 0; q < N; q++) {
            mag[q] = Math.abs(w[q]);
        }
        assertArrayEquals(IndexSort.ascending(mag, N), IndexSort.ascending(obs, N));
    }

    @Test
    void magnitudeScorerIsAbsoluteValueAndHanScalingDividesByTheTensorStd() {
        Network net = Fixtures.network("in(6) dense(5) relu dense(3)", 2);
        PruningContext ctx = PruningContext.builder(net, dev.surgeon.core.nn.Loss.softmaxCrossEntropy(),
                Fixtures.classification(10, 6, 3, 1)).build();
        double[] plain = new MagnitudeScorer(false).score(ctx).scores();
        double[] han = new MagnitudeScorer(true).score(ctx).scores();
        float[] p = net.parameters();
        for (var t : ctx.prunableTensors()) {
            double mean = 0;
            for (int q = t.offset(); q < t.end(); q++) {
                mean += p[q];
            }
            mean /= t.length();
            double var = 0;
            for (int q = t.offset(); q < t.end(); q++) {
                var += (p[q] - mean) * (p[q] - mean);
            }
            double std = Math.sqrt(var / (t.length() - 1));
            for (int q = t.offset(); q < t.end(); q++) {
                assertEquals(Math.abs(p[q]), plain[q], 0);
                assertEquals(Math.abs(p[q]) / std, han[q], 1e-12 * han[q]);
            }
        }
    }
}
