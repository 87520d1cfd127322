package dev.surgeon.core.nn;

import static dev.surgeon.core.nn.DenseCurvature.assertClose;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * R-operator Hessian-vector products, Jacobian products, Gauss-Newton products and diagonals against dense
 * float64 matrices of the {@link ReferenceNetwork} (second differences, finite-difference Jacobians), on
 * networks with fewer than 200 weights.
 *
 * <p>Tolerances: the reference Hessian is good to ~1e-7 and the reference Jacobian to ~1e-9. The float
 * passes chain 4 sweeps of float32 arithmetic over ≤ 100-term sums, so relative errors of ~1e-6 of the
 * largest entry are expected; we allow 1e-6 + 2e-5·max|expected|. A missing φ'' term, a wrong Λ or a
 * transposed V changes entries by O(10%) of the largest one.
 */
class SecondOrderTest {

    private static final double ATOL = 1e-6;
    private static final double RTOL = 2e-5;

    @ParameterizedTest(name = "{0} / {1}")
    @CsvSource(delimiter = ';', value = {
        "in(3) dense(4) tanh dense(3); cross-entropy-mean",
        "xor; mse-sum",
        "in(4) dense(3) sigmoid dense(2) sigmoid; mse-mean",
        "in(4) dense(5) relu dense(3); bce-mean",
        "in(1,5,5) conv(2,3) tanh maxpool(3) flatten dense(2); cross-entropy-sum",
        "in(2,5,5) conv(2,2,stride=2,pad=1) sigmoid avgpool(2) flatten dense(3) tanh; mse-sum",
        "in(1,6,6) conv(2,3,bias=false) relu avgpool(2) conv(2,2) tanh flatten dense(2); cross-entropy-mean",
        "in(1,5,5) conv(2,3) tanh conv(2,3,stride=2,pad=2) sigmoid flatten dense(2); mse-sum",
        "in(1,9,9) conv(2,2) tanh maxpool(2) flatten dense(2); cross-entropy-sum",
        "in(1,10,10) conv(1,2) tanh conv(2,2) maxpool(4) flatten dense(2); mse-sum",
    })
    void hessianVectorProductsEqualTheDenseHessian(String spec, String loss) {
        Fixture fx = Fixture.of(spec, loss, 3, 21);
        assertTrue(fx.d() < 200);
        double[][] h = fx.referenceHessian();
        double tol = ATOL + RTOL * DenseCurvature.maxAbs(h);
        for (int i = 0; i < fx.d(); i++) {
            float[] column = fx.hessianVectorProduct(DenseCurvature.unit(fx.d(), i));
            assertClose(h[i], column, tol, 0, "column " + i + " of the Hessian of " + spec);
        }
    }

    @Test
    void hessianIsSymmetricInRandomDirections() {
        Fixture fx = Fixture.of("in(2,8,8) conv(4,3) tanh maxpool(2) conv(3,2) sigmoid flatten dense(5) tanh dense(3)",
                "cross-entropy-mean", 4, 3);
        float[] u = ReferenceNetwork.randomFloats(fx.d(), 1, 1);
        float[] v = ReferenceNetwork.randomFloats(fx.d(), 2, 1);
        double uHv = dot(u, fx.hessianVectorProduct(v));
        double vHu = dot(v, fx.hessianVectorProduct(u));
        // Both sides are float32 sums over d ≈ 450 products: relative agreement to ~1e-5 is expected.
        assertEquals(uHv, vHu, 1e-4 * (Math.abs(uHv) + 1e-3));
        assertTrue(Math.abs(uHv) > 1e-3, "non-trivial curvature in these directions");
    }

    @Test
    void hessianVectorProductEqualsFiniteDifferencesOfGradients() {
        Fixture fx = Fixture.of("in(2,8,8) conv(4,3) tanh avgpool(2) conv(3,2,pad=1) sigmoid flatten dense(5) tanh dense(3)",
                "cross-entropy-mean", 4, 8);
        float[] v = ReferenceNetwork.randomFloats(fx.d(), 4, 1);
        float[] hv = fx.hessianVectorProduct(v);
        float[] w = fx.net.parameters();
        float[] w0 = w.clone();
        double eps = 1e-3;
        float[] up = new float[fx.d()];
        float[] down = new float[fx.d()];
        for (int q = 0; q < w.length; q++) {
            w[q] = (float) (w0[q] + eps * v[q]);
        }
        fx.net.lossAndGradient(fx.ws, fx.loss, up, false);
        for (int q = 0; q < w.length; q++) {
            w[q] = (float) (w0[q] - eps * v[q]);
        }
        fx.net.lossAndGradient(fx.ws, fx.loss, down, false);
        System.arraycopy(w0, 0, w, 0, w.length);
        double[] fd = new double[fx.d()];
        for (int q = 0; q < fd.length; q++) {
            fd[q] = (up[q] - (double) down[q]) / (2 * eps);
        }
        // Float32 differences: gradient rounding ~1e-8 absolute and the float32 rounding of w ± εv (~3e-8 per
        // weight) divided by 2ε give ~3e-5; truncation ε²|∇³L| ≈ 1e-6. Tolerance 3e-4 + 1e-3·max|Hv|.
        assertClose(fd, hv, 3e-4, 1e-3, "Hv against finite differences of float gradients");
    }

    @ParameterizedTest(name = "{0} / {1}")
    @CsvSource(delimiter = ';', value = {
        "in(3) dense(4) tanh dense(3); cross-entropy-mean",
        "in(4) dense(3) sigmoid dense(2) sigmoid; mse-sum",
        "in(2,6,6) conv(2,3,stride=2) relu maxpool(2) flatten dense(3); bce-mean",
        "in(1,6,6) conv(2,3,bias=false) tanh avgpool(2) conv(2,2) tanh flatten dense(2); cross-entropy-sum",
    })
    void jacobianProductsEqualTheDenseJacobian(String spec, String loss) {
        Fixture fx = Fixture.of(spec, loss, 3, 31);
        double[][] j = fx.referenceJacobian();
        int rows = j.length;
        float[] v = ReferenceNetwork.randomFloats(fx.d(), 5, 1);
        float[] jv = new float[rows];
        fx.net.jacobianVectorProduct(fx.ws, v, jv, 0);
        assertClose(DenseCurvature.multiply(j, v), jv, ATOL, RTOL, "J v");

        float[] u = ReferenceNetwork.randomFloats(rows, 6, 1);
        float[] jtu = new float[fx.d()];
        fx.net.vectorJacobianProduct(fx.ws, u, 0, jtu);
        double[] expected = new double[fx.d()];
        for (int r = 0; r < rows; r++) {
            for (int q = 0; q < fx.d(); q++) {
                expected[q] += j[r][q] * u[r];
            }
        }
        assertClose(expected, jtu, ATOL, RTOL, "Jᵀ u");
    }

    @ParameterizedTest(name = "{0} / {1}")
    @CsvSource(delimiter = ';', value = {
        "in(3) dense(4) tanh dense(3); cross-entropy-mean",
        "in(4) dense(3) sigmoid dense(2) sigmoid; mse-sum",
        "in(4) dense(5) relu dense(2); bce-sum",
        "in(2,6,6) conv(2,3,stride=2) relu maxpool(2) flatten dense(3); cross-entropy-mean",
        "in(1,6,6) conv(2,3,bias=false) tanh avgpool(2) conv(2,2) sigmoid flatten dense(2); mse-mean",
    })
    void gaussNewtonProductsAndDiagonalEqualTheDenseMatrix(String spec, String loss) {
        Fixture fx = Fixture.of(spec, loss, 3, 41);
        double[][] g = DenseCurvature.gaussNewton(fx);
        double tol = ATOL + RTOL * DenseCurvature.maxAbs(g);
        for (int i = 0; i < fx.d(); i += 3) {
            float[] column = new float[fx.d()];
            fx.net.gaussNewtonVectorProduct(fx.ws, fx.loss, DenseCurvature.unit(fx.d(), i), column);
            assertClose(g[i], column, tol, 0, "column " + i + " of JᵀΛJ");
        }
        float[] diag = new float[fx.d()];
        fx.net.gaussNewtonDiagonal(fx.ws, fx.loss, diag);
        assertClose(DenseCurvature.diagonal(g), diag, ATOL, RTOL, "exact diag(JᵀΛJ)");
    }

    @Test
    void beckerLeCunIsExactOnAChainOfSingleUnits() {
        // One unit per layer: no off-diagonal terms exist, so the recursion with φ'' terms is the exact Hessian
        // diagonal and without them the exact Gauss-Newton diagonal (METHODS A4.3).
        Fixture fx = Fixture.of("in(1) dense(1) sigmoid dense(1) sigmoid", "mse-sum", 4, 51);
        double[][] h = fx.referenceHessian();
        float[] full = new float[fx.d()];
        fx.net.diagonalGaussNewton(fx.ws, fx.loss, true, full);
        assertClose(DenseCurvature.diagonal(h), full, ATOL, RTOL, "Becker–LeCun with φ'' vs diag(H)");
        float[] gn = new float[fx.d()];
        fx.net.diagonalGaussNewton(fx.ws, fx.loss, false, gn);
        assertClose(DenseCurvature.diagonal(DenseCurvature.gaussNewton(fx)), gn, ATOL, RTOL, "Becker–LeCun vs diag(G)");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = ';', value = {
        "in(2,5,5) conv(3,3,stride=2,pad=1) maxpool(2) flatten",
        "in(2,4,4) conv(2,2,bias=false) flatten",
        "in(6) dense(3)",
    })
    void beckerLeCunEqualsTheExactDiagonalOnSingleLinearLayers(String spec) {
        // A single linear layer under squared error: each output is a separate row of J and Λ = I, so dropping
        // cross-output terms drops nothing; cross-position terms of a shared conv weight do not exist either.
        Fixture fx = Fixture.of(spec, "mse-sum", 3, 61);
        float[] bl = new float[fx.d()];
        fx.net.diagonalGaussNewton(fx.ws, fx.loss, false, bl);
        assertClose(DenseCurvature.diagonal(DenseCurvature.gaussNewton(fx)), bl, ATOL, RTOL, "Becker–LeCun on " + spec);
    }

    @ParameterizedTest(name = "{0} / {1} / φ'' terms: {2}")
    @CsvSource(delimiter = ';', value = {
        "in(4) dense(5) tanh dense(3) sigmoid dense(3); cross-entropy-mean; true",
        "in(4) dense(5) tanh dense(3) sigmoid dense(3); cross-entropy-mean; false",
        "in(4) dense(3) sigmoid dense(2) sigmoid; mse-sum; true",
        "in(2,7,7) conv(3,3,pad=1,stride=2) tanh avgpool(2) conv(2,2,bias=false) relu flatten dense(2); bce-mean; true",
        "in(2,7,7) conv(3,3,pad=1) sigmoid maxpool(3,stride=2) conv(2,2) flatten dense(3); cross-entropy-sum; false",
    })
    void beckerLeCunFollowsItsRecursion(String spec, String loss, boolean secondDerivativeTerms) {
        Fixture fx = Fixture.of(spec, loss, 3, 71);
        float[] diag = new float[fx.d()];
        fx.net.diagonalGaussNewton(fx.ws, fx.loss, secondDerivativeTerms, diag);
        assertClose(BeckerLeCunDefinition.diagonal(fx, secondDerivativeTerms), diag, ATOL, RTOL, "Becker–LeCun recursion");
    }

    @Test
    void curvaturePassesRefuseATrainingModeDropoutForward() {
        Fixture fx = Fixture.of("in(4) dense(5) dropout(0.5) dense(2)", "cross-entropy-mean", 3, 1);
        fx.net.forward(fx.ws, true);
        float[] v = new float[fx.d()];
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> fx.net.hessianVectorProduct(fx.ws, fx.loss, v, new float[fx.d()]));
        assertTrue(e.getMessage().contains("forward(ws, false)"), e.getMessage());
        fx.net.forward(fx.ws, false);
        fx.net.hessianVectorProduct(fx.ws, fx.loss, v, new float[fx.d()]);
    }

    private static double dot(float[] a, float[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += (double) a[i] * b[i];
        }
        return s;
    }
}
