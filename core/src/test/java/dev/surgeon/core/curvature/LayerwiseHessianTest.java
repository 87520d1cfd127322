package dev.surgeon.core.curvature;

import static dev.surgeon.core.curvature.Dense.assertClose;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.surgeon.core.data.Dataset;
import dev.surgeon.core.nn.ArchitectureSpec;
import dev.surgeon.core.nn.Loss;
import dev.surgeon.core.nn.Network;
import dev.surgeon.kernels.Kernels;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Layer-wise H = (2/N) X Xᵀ (METHODS A9): the running mean against the Gram matrix of inputs written out by hand
 * (dense inputs, convolution patches with stride and padding), batch-size invariance, dead columns, absolute
 * and relative damping, and the Cholesky retry.
 */
class LayerwiseHessianTest {

    /** H is computed in double from the float inputs, so only double summation order differs: 1e-13 relative. */
    @Test
    void runningMeanEqualsTwoOverNTimesXXtForDenseInputs() {
        TestNets tn = TestNets.of("in(3) dense(4) tanh dense(2)", "mse-mean", 7, 71);
        List<LayerwiseHessian> hs = tn.curvature(3).layerwiseHessians(Damping.none());
        assertEquals(2, hs.size());
        LayerwiseHessian h = hs.get(0);
        double[] expected = new double[9];
        for (int n = 0; n < tn.n; n++) {
            for (int i = 0; i < 3; i++) {
                for (int j = 0; j < 3; j++) {
                    expected[i * 3 + j] += 2.0 / tn.n * tn.x[3 * n + i] * tn.x[3 * n + j];
                }
            }
        }
        assertClose(expected, h.hessian(), 0, 1e-13, "H of fc1");
        assertEquals(7, h.samples());
        assertEquals(4, h.rows());
        // Batches of 1 and of 7 must agree: the running mean H·n/(n + b) + (2/(n + b)) Σ x xᵀ is exact.
        for (int k = 0; k < 2; k++) {
            assertClose(tn.curvature(7).layerwiseHessians(Damping.none()).get(k).hessian(),
                    tn.curvature(1).layerwiseHessians(Damping.none()).get(k).hessian(), 0, 1e-12, "layer " + k);
        }
    }

    @Test
    void convolutionColumnsAreTheUnfoldedPatches() {
        TestNets tn = TestNets.of("in(2,4,4) conv(2,3,stride=2,pad=1) tanh flatten dense(2)", "mse-mean", 3, 72);
        LayerwiseHessian h = tn.curvature(2).layerwiseHessians(Damping.none()).get(0);
        int patch = 18;
        double[] expected = new double[patch * patch];
        int columns = 0;
        for (int n = 0; n < tn.n; n++) {
            for (int oy = 0; oy < 2; oy++) {
                for (int ox = 0; ox < 2; ox++) {
                    double[] p = new double[patch];
                    for (int c = 0; c < 2; c++) {
                        for (int ky = 0; ky < 3; ky++) {
                            for (int kx = 0; kx < 3; kx++) {
                                int y = oy * 2 - 1 + ky;
                                int x = ox * 2 - 1 + kx;
                                boolean inside = y >= 0 && y < 4 && x >= 0 && x < 4;
                                p[(c * 3 + ky) * 3 + kx] = inside ? tn.x[n * 32 + c * 16 + y * 4 + x] : 0;
                            }
                        }
                    }
                    for (int i = 0; i < patch; i++) {
                        for (int j = 0; j < patch; j++) {
                            expected[i * patch + j] += p[i] * p[j];
                        }
                    }
                    columns++;
                }
            }
        }
        for (int i = 0; i < expected.length; i++) {
            expected[i] *= 2.0 / columns;
        }
        assertEquals(columns, h.samples());
        assertClose(expected, h.hessian(), 0, 1e-13, "H of conv1 from hand-cut patches");
    }

    @Test
    void deadInputsGetAUnitDiagonalAndAreListed() {
        Network net = Network.create(ArchitectureSpec.parse("in(4) dense(2)"), 1, Kernels.scalar());
        float[] x = new float[4 * 6];
        for (int n = 0; n < 6; n++) {
            x[4 * n] = n + 1;
            x[4 * n + 2] = (float) Math.sin(n);
        }
        Dataset data = Dataset.regression("dead", new int[] {4}, x, 2, new float[12]);
        LayerwiseHessian h = Curvature.of(net, Loss.meanSquaredError(dev.surgeon.core.nn.Reduction.MEAN),
                DataSource.all(data, 4)).layerwiseHessians(Damping.relative(0.01)).get(0);
        assertArrayEquals(new int[] {1, 3}, h.deadColumns());
        double[] m = h.hessian();
        assertEquals(1.0, m[1 * 4 + 1]);
        assertEquals(1.0, m[3 * 4 + 3]);
        // Relative damping: p·mean(diag H) after the dead-column fix (SparseGPT's order).
        double mean = (m[0] + m[5] + m[10] + m[15]) / 4;
        double[] inv = h.inverse();
        DampingRecord r = h.dampingUsed().get(0);
        assertEquals(0.01 * mean, r.used(), 1e-15 * mean);
        double[][] damped = Dense.plusIdentity(Dense.square(m, 4), r.used());
        assertClose(Dense.flat(Dense.inverse(damped)), inv, 0, 1e-12, "(H + λI)⁻¹");
    }

    /**
     * Fewer inputs than columns make H singular; with no damping the Cholesky fails, is retried with λ growing
     * from 1e-8·mean|diag H| and the λ that worked is recorded and used by every operation.
     */
    @Test
    void aSingularHessianIsRetriedWithMoreDampingAndTheDampingIsRecorded() {
        TestNets tn = TestNets.of("in(6) dense(3)", "mse-mean", 3, 73);
        LayerwiseHessian h = tn.curvature(3).layerwiseHessians(Damping.none()).get(0);
        double[] inv = h.inverse();
        DampingRecord r = h.dampingUsed().get(0);
        assertTrue(r.retried(), r.toString());
        assertEquals(0.0, r.requested());
        assertTrue(r.used() > 0);
        assertEquals(r.used(), h.lambda());
        double[][] damped = Dense.plusIdentity(Dense.square(h.hessian(), 6), r.used());
        // κ(H + λI) ~ ‖H‖/λ is large here, so compare (H + λI)·inverse with the identity instead of entries.
        double[] product = Dense.flat(multiply(damped, Dense.square(inv, 6)));
        for (int i = 0; i < 6; i++) {
            for (int j = 0; j < 6; j++) {
                assertEquals(i == j ? 1 : 0, product[i * 6 + j], 1e-4, "(H + λI)(H + λI)⁻¹ at " + i + "," + j);
            }
        }
        // The operator is I ⊗ (H + λI) over the row-major weight: row i of V times H + λI.
        double[] v = Dense.random(h.dim(), 5);
        double[] out = new double[h.dim()];
        h.multiply(v, out);
        for (int row = 0; row < 3; row++) {
            double[] vr = java.util.Arrays.copyOfRange(v, row * 6, row * 6 + 6);
            assertClose(Dense.multiply(damped, vr), java.util.Arrays.copyOfRange(out, row * 6, row * 6 + 6), 1e-12, 1e-10,
                    "row " + row);
        }
    }

    private static double[][] multiply(double[][] a, double[][] b) {
        int n = a.length;
        double[][] c = new double[n][n];
        for (int i = 0; i < n; i++) {
            for (int k = 0; k < n; k++) {
                for (int j = 0; j < n; j++) {
                    c[i][j] += a[i][k] * b[k][j];
                }
            }
        }
        return c;
    }
}
