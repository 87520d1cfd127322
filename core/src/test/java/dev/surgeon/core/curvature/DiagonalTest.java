package dev.surgeon.core.curvature;

import static dev.surgeon.core.curvature.Dense.assertClose;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.surgeon.core.curvature.spectrum.Hutchinson;
import dev.surgeon.kernels.Kernels;
import org.junit.jupiter.api.Test;

/**
 * Diagonal operators (METHODS A4, A10): Becker–LeCun, exact Gauss-Newton, Fisher and Hutchinson diagonals
 * against their dense references, and the damping retry of a diagonal with non-positive entries.
 */
class DiagonalTest {
    private static final double ATOL = 1e-6;
    private static final double RTOL = 2e-5;

    /** For a chain of single units no off-diagonal term exists, so Becker–LeCun is the exact Gauss-Newton diagonal. */
    @Test
    void beckerLeCunIsExactForAChainOfSingleUnits() {
        TestNets tn = TestNets.of("in(1) dense(1) tanh dense(1) sigmoid", "mse-sum", 6, 31);
        Curvature c = tn.curvature(4);
        double[] bl = c.beckerLeCunDiagonal(false, Damping.none()).diagonal();
        assertClose(Dense.diagonal(tn.gaussNewton()), bl, ATOL, RTOL, "Becker–LeCun on a chain");
    }

    @Test
    void diagonalsDoNotDependOnTheBatchSize() {
        TestNets tn = TestNets.of("in(3) dense(4) tanh dense(3)", "cross-entropy-mean", 7, 32);
        for (boolean phi : new boolean[] {false, true}) {
            double[] one = tn.curvature(7).beckerLeCunDiagonal(phi, Damping.none()).diagonal();
            double[] many = tn.curvature(2).beckerLeCunDiagonal(phi, Damping.none()).diagonal();
            // Batches of 2, 2, 2, 1 weighted by B/N must reproduce one batch of 7 (float rounding only).
            assertClose(one, many, 1e-7, 1e-5, "Becker–LeCun, φ'' terms " + phi);
        }
        assertClose(tn.curvature(7).diagonal(Gradients.gaussNewton(), Damping.none()).diagonal(),
                tn.curvature(3).diagonal(Gradients.gaussNewton(), Damping.none()).diagonal(), 1e-7, 1e-5, "exact GN diagonal");
    }

    @Test
    void outerProductDiagonalsEqualTheirDenseMatrices() {
        TestNets tn = TestNets.of("in(3) dense(3) sigmoid dense(2) sigmoid", "mse-mean", 5, 33);
        Curvature c = tn.curvature(2);
        assertClose(Dense.diagonal(TestNets.outerProducts(tn.jacobian(), 1.0 / tn.n)),
                c.diagonal(Gradients.outputJacobian(), Damping.none()).diagonal(), ATOL, RTOL, "OBS outer-product diagonal");
        assertClose(Dense.diagonal(tn.gaussNewton()), c.diagonal(Gradients.gaussNewton(), Damping.none()).diagonal(),
                ATOL, RTOL, "exact Gauss-Newton diagonal");
        double[] dense = c.dense(Gradients.empiricalFisher(2), Damping.none(), DenseInverseMethod.CHOLESKY).diagonal();
        assertClose(dense, c.diagonal(Gradients.empiricalFisher(2), Damping.none()).diagonal(), 1e-12, 1e-12,
                "mini-batch Fisher diagonal from the same rows");
    }

    @Test
    void inversionRaisesTheDampingUntilEveryEntryIsPositiveAndRecordsIt() {
        DiagonalOperator d = DiagonalOperator.of("signed", new double[] {2, -0.5, 1, 4}, Damping.absolute(0.1));
        double[] inv = d.inverseDiagonal();
        DampingRecord r = d.dampingUsed().get(0);
        assertEquals(0.1, r.requested());
        assertTrue(r.retried() && r.used() > 0.5, r.toString());
        // Growth ×10 per attempt: 0.1 fails, 1.0 is the first λ with −0.5 + λ > 0.
        assertEquals(1.0, r.used(), 1e-12);
        assertEquals(2, r.attempts());
        assertArrayEquals(new double[] {1 / 3.0, 2.0, 0.5, 0.2}, inv, 1e-12);
        double[] v = {1, 1, 1, 1};
        double[] out = new double[4];
        d.multiply(v, out);
        assertArrayEquals(new double[] {3, 0.5, 2, 5}, out, 1e-12, "multiply uses the λ that inversion fixed");
    }

    @Test
    void hutchinsonIsExactOnADiagonalAndStopsAtOnce() {
        DiagonalOperator diag = DiagonalOperator.of("d", new double[] {3, -1, 2, 7, 0.5}, Damping.none());
        Hutchinson.Diagonal h = Hutchinson.diagonal(diag, 4);
        // v ⊙ (D v) = D for v ∈ {±1}^d: every probe gives the diagonal, the running mean never changes.
        assertArrayEquals(diag.values(), h.values(), 0);
        assertEquals(2, h.probes());
        assertTrue(h.converged());
        assertEquals(11.5, Hutchinson.trace(diag, 4).value(), 1e-12);
    }

    /**
     * On a dense symmetric matrix, entry i of the S-probe estimate has standard deviation sqrt(Σ_{j≠i} C_ij² / S)
     * and the trace sqrt(2 Σ_{i≠j} C_ij² / S); we require every estimate within 5 standard deviations.
     */
    @Test
    void hutchinsonEstimatesAreWithinTheirStatisticalError() {
        int d = 12;
        double[] c = randomSymmetric(d, 8);
        DenseOperator op = DenseOperator.of("C", c.clone(), d, Damping.none(), Kernels.scalar());
        int probes = 400;
        Hutchinson.Diagonal h = Hutchinson.diagonal(op, 17, probes, 0);
        assertEquals(probes, h.probes());
        double trace = 0;
        double offSquares = 0;
        for (int i = 0; i < d; i++) {
            double off = 0;
            for (int j = 0; j < d; j++) {
                if (j != i) {
                    off += c[i * d + j] * c[i * d + j];
                }
            }
            offSquares += off;
            double sigma = Math.sqrt(off / probes);
            assertEquals(c[i * d + i], h.values()[i], 5 * sigma, "entry " + i);
            trace += c[i * d + i];
        }
        Hutchinson.Trace t = Hutchinson.trace(op, 18, probes, 0);
        assertEquals(trace, t.value(), 5 * Math.sqrt(2 * offSquares / probes));
        // Same seed ⇒ the same probes ⇒ the same estimate; the stopping rule ends well before 100 probes here.
        assertArrayEquals(h.values(), Hutchinson.diagonal(op, 17, probes, 0).values(), 0);
        Hutchinson.Trace stopped = Hutchinson.trace(op, 18);
        assertTrue(stopped.converged() && stopped.probes() < Hutchinson.DEFAULT_MAX_PROBES, "probes " + stopped.probes());
    }

    @Test
    void hutchinsonDiagonalOfTheHessianApproachesItsDiagonal() {
        TestNets tn = TestNets.of("in(3) dense(3) tanh dense(2)", "mse-mean", 4, 34);
        HessianOperator h = tn.curvature(4).hessian();
        double[][] ref = tn.hessian();
        DiagonalOperator est = Hutchinson.diagonalOperator(h, 5, 300, 0, Damping.none());
        double[] values = est.values();
        for (int i = 0; i < tn.d(); i++) {
            double off = 0;
            for (int j = 0; j < tn.d(); j++) {
                off += j == i ? 0 : ref[i][j] * ref[i][j];
            }
            assertEquals(ref[i][i], values[i], 5 * Math.sqrt(off / 300) + 1e-5, "entry " + i);
        }
        assertTrue(est.name().startsWith("Hutchinson diagonal"), est.name());
    }

    static double[] randomSymmetric(int d, long seed) {
        double[] r = Dense.random(d * d, seed);
        double[] c = new double[d * d];
        for (int i = 0; i < d; i++) {
            for (int j = 0; j < d; j++) {
                c[i * d + j] = 0.5 * (r[i * d + j] + r[j * d + i]) + (i == j ? 2 : 0);
            }
        }
        return c;
    }
}
