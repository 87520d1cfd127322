package dev.surgeon.core.curvature;

import static dev.surgeon.core.curvature.Dense.assertClose;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The exact Hessian and Gauss-Newton operators (matrix-free and dense) against float64 references of the
 * data-source loss computed without the network's second-order hooks (second differences of the loss,
 * finite-difference Jacobians and output-space Hessians), on networks with fewer than 120 weights and data
 * sources whose last batch is short (so the batch weighting s_N/s_B is exercised).
 *
 * <p>Tolerances: the references are good to ~1e-7; the network computes in float32 over ≤ 100-term sums, so
 * relative errors of ~1e-6 of the largest entry are expected and we allow 1e-6 + 2e-5·max|expected| (as the
 * network's own second-order tests). A wrong batch weight changes entries by ≥ 20 %, a missing term by O(10 %).
 */
class HessianAndGaussNewtonTest {
    private static final double ATOL = 1e-6;
    private static final double RTOL = 2e-5;

    @ParameterizedTest(name = "{0} / {1}")
    @CsvSource(delimiter = ';', value = {
        "in(3) dense(4) tanh dense(3); cross-entropy-mean",
        "in(3) dense(3) sigmoid dense(2) sigmoid; mse-sum",
        "in(4) dense(3) relu dense(2); bce-mean",
        "in(1,4,4) conv(2,3) tanh flatten dense(2); cross-entropy-sum",
    })
    void hessianProductsEqualTheReferenceHessian(String spec, String loss) {
        TestNets tn = TestNets.of(spec, loss, 5, 3);
        HessianOperator h = tn.curvature(2).hessian();
        double[][] ref = tn.hessian();
        for (int s = 0; s < 3; s++) {
            double[] v = Dense.random(tn.d(), 10 + s);
            double[] hv = new double[tn.d()];
            h.multiply(v, hv);
            double[] expected = Dense.multiply(ref, v);
            assertClose(expected, hv, ATOL, RTOL, "H v for " + spec);
        }
    }

    @Test
    void denseHessianEqualsTheReferenceAndIsNearlySymmetric() {
        TestNets tn = TestNets.of("in(3) dense(4) tanh dense(3)", "cross-entropy-mean", 5, 4);
        DenseOperator h = tn.curvature(2).denseHessian(Damping.none());
        double[][] ref = tn.hessian();
        assertClose(ref, h.toDense(), ATOL, RTOL, "dense Hessian");
        // Columns come from float R-operator passes: the asymmetry is float rounding, ~1e-7 of the largest entry.
        assertTrue(h.asymmetry() < 1e-5 * Dense.maxAbs(ref), "asymmetry " + h.asymmetry());
        assertClose(ref, tn.curvature(5).hessian().toDense(), ATOL, RTOL, "HessianOperator.toDense");
    }

    @Test
    void denseHessianEqualsCentralDifferencesOfTheNetworkGradient() {
        TestNets tn = TestNets.of("in(1,4,4) conv(2,3) sigmoid flatten dense(3) tanh dense(2)", "mse-mean", 4, 6);
        DenseOperator h = tn.curvature(3).denseHessian(Damping.none());
        double[] dense = h.toDense();
        float[] w = tn.net.parameters();
        int d = tn.d();
        // ε = 1e-2 balances the O(ε²) truncation (~1e-5 relative here) against float gradient rounding
        // (~1e-7/ε); both stay below the 1e-3 relative tolerance, while a wrong column is off by O(1).
        double eps = 1e-2;
        double scale = Dense.maxAbs(dense);
        for (int i = 0; i < d; i++) {
            float w0 = w[i];
            w[i] = (float) (w0 + eps);
            double step = w[i] - w0;
            double[] up = dataSourceGradient(tn);
            w[i] = (float) (w0 - eps);
            double stepDown = w0 - w[i];
            double[] down = dataSourceGradient(tn);
            w[i] = w0;
            double[] column = new double[d];
            for (int j = 0; j < d; j++) {
                column[j] = (up[j] - down[j]) / (step + stepDown);
            }
            double[] expected = new double[d];
            for (int j = 0; j < d; j++) {
                expected[j] = dense[j * d + i];
            }
            assertClose(expected, column, 1e-3 * scale, 0, "column " + i + " vs central differences of ∇L");
        }
    }

    /** ∇L over the data source (batches weighted B/N for the mean loss), in double. */
    private static double[] dataSourceGradient(TestNets tn) {
        DataSource data = DataSource.all(tn.data, 3);
        var ws = tn.net.workspace(3);
        float[] g = new float[tn.d()];
        double[] sum = new double[tn.d()];
        for (int b = 0; b < data.batchCount(); b++) {
            data.load(ws, b);
            tn.net.lossAndGradient(ws, tn.loss, g, false);
            for (int q = 0; q < g.length; q++) {
                sum[q] += g[q] * (double) ws.batch() / data.size();
            }
        }
        return sum;
    }

    @ParameterizedTest(name = "{0} / {1}")
    @CsvSource(delimiter = ';', value = {
        "in(3) dense(4) tanh dense(3); cross-entropy-mean",
        "in(3) dense(3) sigmoid dense(2); mse-sum",
        "in(4) dense(3) tanh dense(2); bce-mean",
        "in(1,4,4) conv(2,3) relu flatten dense(3); cross-entropy-sum",
    })
    void gaussNewtonProductsAndDiagonalEqualTheReference(String spec, String loss) {
        TestNets tn = TestNets.of(spec, loss, 5, 7);
        Curvature c = tn.curvature(2);
        GaussNewtonOperator g = c.gaussNewton();
        double[][] ref = tn.gaussNewton();
        double[] v = Dense.random(tn.d(), 11);
        double[] gv = new double[tn.d()];
        g.multiply(v, gv);
        assertClose(Dense.multiply(ref, v), gv, ATOL, RTOL, "G v for " + spec);
        assertClose(Dense.diagonal(ref), g.diagonal(), ATOL, RTOL, "exact diag G for " + spec);
        // The dense form from the Λ-factor columns (per-sample gradients, syrk) is an independent network path.
        DenseOperator dense = c.denseGaussNewton(Damping.none());
        assertClose(ref, dense.toDense(), ATOL, RTOL, "dense Gauss-Newton from factor columns for " + spec);
    }

    @Test
    void outerProductHessianIsTheMeanOfJacobianGramsOverAllOutputs() {
        TestNets tn = TestNets.of("in(3) dense(4) sigmoid dense(3) sigmoid", "mse-sum", 5, 8);
        DenseOperator obs = tn.curvature(2).dense(Gradients.outputJacobian(), Damping.none(), DenseInverseMethod.CHOLESKY);
        double[][] j = tn.jacobian();
        // (1/P) Σ_n Σ_k ∂f_k/∂w ∂f_k/∂wᵀ: every output k of every sample contributes, whatever the loss's reduction.
        double[][] expected = TestNets.outerProducts(j, 1.0 / tn.n);
        assertClose(expected, obs.toDense(), ATOL, RTOL, "OBS outer-product Hessian");
        // With linear outputs and the mean squared error it is exactly the Gauss-Newton matrix (Λ = I).
        TestNets lin = TestNets.of("in(3) dense(4) tanh dense(3)", "mse-mean", 5, 8);
        DenseOperator a = lin.curvature(2).dense(Gradients.outputJacobian(), Damping.none(), DenseInverseMethod.CHOLESKY);
        assertClose(lin.curvature(3).denseGaussNewton(Damping.none()).toDense(), a.toDense(), 1e-9, 1e-6,
                "OBS form = Gauss-Newton for linear outputs and mse-mean");
    }

    @Test
    void subsetOperatorsAreSubmatricesOfTheFullOnes() {
        TestNets tn = TestNets.of("in(3) dense(4) tanh dense(3)", "cross-entropy-mean", 4, 9);
        ParameterSubset fc2 = ParameterSubset.layers(tn.net.layout(), "fc2");
        ParameterSubset weights = ParameterSubset.weights(tn.net.layout());
        double[][] h = tn.hessian();
        double[][] g = tn.gaussNewton();
        for (ParameterSubset s : new ParameterSubset[] {fc2, weights}) {
            Curvature c = tn.curvature(3).subset(s);
            assertEquals(s.dim(), c.hessian().dim());
            assertClose(TestNets.restrict(h, s), c.denseHessian(Damping.none()).toDense(), ATOL, RTOL, "Hessian over " + s);
            assertClose(TestNets.restrict(g, s), c.gaussNewton().toDense(), ATOL, RTOL, "Gauss-Newton over " + s);
        }
    }

    @Test
    void matrixFreeOperatorsRefuseInversesNamingAlternatives() {
        TestNets tn = TestNets.of("in(3) dense(2)", "mse-mean", 3, 1);
        HessianOperator h = tn.curvature(3).hessian();
        assertFalse(h.supports(Capability.INVERSE_MULTIPLY));
        UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class,
                () -> h.inverseMultiply(new double[h.dim()], new double[h.dim()]));
        assertTrue(e.getMessage().contains("Hessian") && e.getMessage().contains("blockDiagonal"), e.getMessage());
        assertThrows(UnsupportedOperationException.class, h::diagonal);
    }
}
