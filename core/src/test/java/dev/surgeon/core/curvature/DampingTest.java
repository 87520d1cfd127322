package dev.surgeon.core.curvature;

import static dev.surgeon.core.curvature.Dense.assertClose;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.surgeon.kernels.Kernels;
import org.junit.jupiter.api.Test;

/** The damping rule and the Cholesky retry shared by every dense inverse (METHODS 1.9, G.3). */
class DampingTest {
    private static final Kernels K = Kernels.scalar();

    /** Q diag(values) Qᵀ for a fixed rotation in the (0, 1) and (1, 2) planes. */
    private static double[] withEigenvalues(double... values) {
        int n = values.length;
        double[][] q = new double[n][n];
        for (int i = 0; i < n; i++) {
            q[i][i] = 1;
        }
        double c = Math.cos(0.7);
        double s = Math.sin(0.7);
        double[][] r = {{c, -s, 0}, {s, c, 0}, {0, 0, 1}};
        double[][] m = new double[n][n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                for (int k = 0; k < n; k++) {
                    m[i][j] += r[i][k] * values[k] * r[j][k];
                }
            }
        }
        return Dense.flat(m);
    }

    @Test
    void aCholeskyFailureIsRetriedWithIncreasedDampingAndRecorded() {
        double[] h = withEigenvalues(-0.3, 1, 2);
        double[] inv = new double[9];
        DampingRecord r = DampedCholesky.invert(K, "block 7", h, 0, 3, 3, Damping.absolute(1e-3), inv, 0, 3);
        // 1e-3, 1e-2 and 1e-1 leave the eigenvalue −0.3 + λ negative; λ = 1 is the first that works.
        assertEquals(4, r.attempts());
        assertEquals(1.0, r.used(), 1e-12);
        assertEquals(1e-3, r.requested());
        assertEquals("block 7", r.block());
        assertClose(Dense.flat(Dense.inverse(Dense.plusIdentity(Dense.square(h, 3), r.used()))), inv, 0, 1e-12, "inverse");
        assertEquals(withEigenvalues(-0.3, 1, 2)[4], h[4], 0, "the undamped matrix is not modified");
    }

    @Test
    void denseOperatorsUseTheRaisedDampingEverywhereAfterARetry() {
        DenseOperator op = DenseOperator.of("indefinite Hessian", withEigenvalues(-0.3, 1, 2), 3, Damping.none(), K);
        double[] v = {1, 2, 3};
        double[] out = new double[3];
        op.inverseMultiply(v, out);
        DampingRecord r = op.dampingUsed().get(0);
        assertTrue(r.retried() && r.used() > 0.3, r.toString());
        double[] back = new double[3];
        op.multiply(out, back);
        assertClose(v, back, 1e-12, 1e-12, "multiply and inverseMultiply stay inverse to each other");
        assertEquals(r.used(), op.lambda());
    }

    @Test
    void givingUpIsATypedExceptionNamingTheBlockAndTheFix() {
        double[] h = withEigenvalues(-50, 1, 2);
        CurvatureNotPositiveDefiniteException e = assertThrows(CurvatureNotPositiveDefiniteException.class,
                () -> DampedCholesky.invert(K, "fc3", h, 0, 3, 3, Damping.absolute(1e-2).withRetry(10, 3), new double[9], 0, 3));
        assertEquals("fc3", e.block());
        assertEquals(1.0, e.lastLambda(), 1e-12);
        assertTrue(e.getMessage().contains("fc3") && e.getMessage().contains("Damping"), e.getMessage());
        assertThrows(CurvatureNotPositiveDefiniteException.class, () -> DampedCholesky.invert(K, "x",
                withEigenvalues(-1, 1, 1), 0, 3, 3, Damping.absolute(0.1).withoutRetry(), new double[9], 0, 3));
        double[] nan = withEigenvalues(1, 1, 1);
        nan[4] = Double.NaN;
        CurvatureNotPositiveDefiniteException n = assertThrows(CurvatureNotPositiveDefiniteException.class,
                () -> DampedCholesky.factor(K, "nan", nan, 0, 3, 3, Damping.none(), new double[9], 0, 3));
        assertTrue(n.getMessage().contains("non-finite"), n.getMessage());
    }

    @Test
    void relativeDampingIsAFractionOfTheMeanDiagonalAndRetryFromZeroStartsTiny() {
        double[] h = withEigenvalues(1, 2, 6);
        DampingRecord r = DampedCholesky.invert(K, "b", h, 0, 3, 3, Damping.of(0.5, 0.1), new double[9], 0, 3);
        assertEquals(0.5 + 0.1 * 3, r.used(), 1e-12);
        double[] singular = withEigenvalues(0, 2, 4);
        DampingRecord z = DampedCholesky.invert(K, "s", singular, 0, 3, 3, Damping.none(), new double[9], 0, 3);
        // From λ = 0 the retry starts at 1e-8·mean|diag| = 1e-8·2 and grows ×10 until the factorization succeeds.
        assertTrue(z.retried() && z.used() >= 2e-8 && z.used() <= 2e-4, z.toString());
        assertThrows(IllegalArgumentException.class, () -> Damping.absolute(-1));
        assertThrows(IllegalArgumentException.class, () -> Damping.none().withRetry(1, 3));
    }
}
