package dev.surgeon.core.curvature;

import static dev.surgeon.core.curvature.Dense.assertClose;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.surgeon.kernels.Kernels;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * M-FAC (METHODS 1.6, 1.7, A8, R16): static, blocked static and dynamic operators against the dense inverse of
 * λI + GᵀG/m in double — to 1e-10 relative, as R16 requires — including window updates, the unfilled window's
 * nominal count, float storage and the data-source builder.
 */
class MfacTest {
    /** R16's bound: every identity here is exact, so only double rounding (κ ≤ ~1e4 · 1e-16 · d) remains. */
    private static final double R16 = 1e-10;
    private static final Kernels K = Kernels.scalar();

    private static double[] dense(double[] g, int m, int d, double lambda, double count) {
        double[][] f = new double[d][d];
        for (int i = 0; i < m; i++) {
            for (int p = 0; p < d; p++) {
                for (int q = 0; q < d; q++) {
                    f[p][q] += g[i * d + p] * g[i * d + q] / count;
                }
            }
        }
        return Dense.flat(Dense.plusIdentity(f, lambda));
    }

    /** ‖a − b‖∞ ≤ R16·‖b‖∞. */
    private static void assertRelative(double[] expected, double[] actual, double rel, String what) {
        assertClose(expected, actual, 0, rel, what);
    }

    private static void checkOperator(CurvatureOperator op, double[] denseF, int d, boolean products, String what) {
        double[][] f = Dense.square(denseF, d);
        double[][] inv = Dense.inverse(f);
        for (int s = 0; s < 3; s++) {
            double[] x = Dense.random(d, 100 + s);
            double[] out = new double[d];
            op.inverseMultiply(x, out);
            assertRelative(Dense.multiply(inv, x), out, R16, what + ": F̂⁻¹x");
            if (products) {
                op.multiply(x, out);
                assertRelative(Dense.multiply(f, x), out, R16, what + ": F̂x");
            }
        }
        assertRelative(Dense.diagonal(inv), op.inverseDiagonal(), R16, what + ": diag F̂⁻¹");
        assertRelative(Dense.diagonal(f), op.diagonal(), R16, what + ": diag F̂");
    }

    @ParameterizedTest(name = "m = {0}, d = {1}, λ = {2}")
    @CsvSource({"12, 40, 1e-3", "30, 17, 1e-2", "1, 9, 0.5"})
    void staticDynamicRankOneAndDenseWoodburyAgreeInDouble(int m, int d, double lambda) {
        double[] g = Dense.random(m * d, m * 31L + d);
        double[] f = dense(g, m, d, lambda, m);
        checkOperator(MfacStatic.of(g, m, d, lambda, m, BlockPartition.whole(d), GradientStorage.DOUBLE, K), f, d, true, "static");
        MfacDynamic dyn = new MfacDynamic(m, d, lambda, GradientStorage.DOUBLE, K);
        for (int i = 0; i < m; i++) {
            dyn.push(Arrays.copyOfRange(g, i * d, (i + 1) * d));
        }
        checkOperator(dyn, f, d, true, "dynamic");
        DenseOperator rank = DenseOperator.fromGradients("rank-one", g, m, d, m, Damping.absolute(lambda),
                DenseInverseMethod.RANK_ONE, K);
        checkOperator(rank, f, d, true, "rank-one recursion with N = m in the denominator");
        DenseOperator chol = DenseOperator.fromGradients("Cholesky", g, m, d, m, Damping.absolute(lambda),
                DenseInverseMethod.CHOLESKY, K);
        checkOperator(chol, f, d, true, "syrk + Cholesky");
    }

    @Test
    void blockedStaticEqualsTheBlockDiagonalInverse() {
        int m = 9;
        int d = 23;
        double lambda = 1e-3;
        double[] g = Dense.random(m * d, 7);
        double[] f = dense(g, m, d, lambda, m);
        BlockPartition p = BlockPartition.fixedSize(d, 5);
        for (int i = 0; i < d; i++) {
            for (int j = 0; j < d; j++) {
                if (i / 5 != j / 5) {
                    f[i * d + j] = 0;
                }
            }
        }
        MfacStatic blocked = MfacStatic.of(g, m, d, lambda, m, p, GradientStorage.DOUBLE, K);
        checkOperator(blocked, f, d, false, "blocked static (blocks of 5, last 3)");
        assertFalse(blocked.supports(Capability.MULTIPLY));
        UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class,
                () -> blocked.multiply(new double[d], new double[d]));
        assertTrue(e.getMessage().contains("MfacDynamic"), e.getMessage());
        double[] diag = blocked.inverseDiagonal();
        for (int k = 0; k < d; k++) {
            // The same terms summed in another order (λ⁻¹ first): rounding only.
            assertEquals(diag[k], blocked.inverseDiagonalEntry(k), 1e-12 * Math.abs(diag[k]), "entry " + k);
        }
    }

    /** After every push the window equals a static operator over the same m rows (their order is irrelevant). */
    @Test
    void dynamicWindowUpdatesEqualStaticOnTheSameWindow() {
        int m = 5;
        int d = 13;
        double lambda = 1e-2;
        MfacDynamic dyn = new MfacDynamic(m, d, lambda, GradientStorage.DOUBLE, K);
        double[][] pushed = new double[12][];
        for (int t = 0; t < 12; t++) {
            pushed[t] = Dense.random(d, 1000 + t);
            dyn.push(pushed[t]);
            if (t >= m - 1) {
                double[] window = new double[m * d];
                for (int i = 0; i < m; i++) {
                    System.arraycopy(pushed[t - i], 0, window, i * d, d);
                }
                MfacStatic st = MfacStatic.of(window, m, d, lambda);
                double[] x = Dense.random(d, t);
                double[] a = new double[d];
                double[] b = new double[d];
                dyn.inverseMultiply(x, a);
                st.inverseMultiply(x, b);
                assertRelative(b, a, R16, "after push " + (t + 1));
                assertRelative(st.inverseDiagonal(), dyn.inverseDiagonal(), R16, "diag after push " + (t + 1));
            }
        }
        assertEquals(12, dyn.pushes());
    }

    /** METHODS A8: the buffer starts as zeros and the denominators keep the nominal m. */
    @Test
    void anUnfilledWindowKeepsTheNominalCount() {
        int m = 6;
        int d = 8;
        double lambda = 0.05;
        MfacDynamic dyn = new MfacDynamic(m, d, lambda, GradientStorage.DOUBLE, K);
        double[] g = Dense.random(2 * d, 3);
        dyn.push(Arrays.copyOfRange(g, 0, d));
        dyn.push(Arrays.copyOfRange(g, d, 2 * d));
        checkOperator(dyn, dense(g, 2, d, lambda, m), d, true, "two gradients in a window of six");
        double[] out = new double[d];
        MfacDynamic empty = new MfacDynamic(m, d, lambda, GradientStorage.DOUBLE, K);
        double[] x = Dense.random(d, 4);
        empty.inverseMultiply(x, out);
        for (int i = 0; i < d; i++) {
            assertEquals(x[i] / lambda, out[i], 1e-12 * Math.abs(x[i] / lambda), "an empty window is λI");
        }
    }

    /**
     * Float storage keeps the m × m algebra in double but runs the d-long products in float: against the double
     * operator on the same (float-representable) gradients the error is float rounding amplified by κ(F̂) ≈ 1e2
     * for λ = 0.1, so 1e-4 relative; a wrong coefficient would be off by O(1).
     */
    @Test
    void floatStorageIsCloseToDoubleStorage() {
        int m = 16;
        int d = 300;
        double lambda = 0.1;
        float[] gf = new float[m * d];
        double[] gd = new double[m * d];
        double[] r = Dense.random(m * d, 12);
        for (int i = 0; i < gf.length; i++) {
            gf[i] = (float) r[i];
            gd[i] = gf[i];
        }
        MfacStatic a = MfacStatic.of(gf, m, d, lambda, m, BlockPartition.whole(d), GradientStorage.FLOAT, K);
        MfacStatic b = MfacStatic.of(gd, m, d, lambda, m, BlockPartition.whole(d), GradientStorage.DOUBLE, K);
        MfacDynamic c = new MfacDynamic(m, d, lambda, GradientStorage.FLOAT, K);
        for (int i = 0; i < m; i++) {
            c.push(Arrays.copyOfRange(gf, i * d, (i + 1) * d));
        }
        double[] x = Dense.random(d, 13);
        double[] ya = new double[d];
        double[] yb = new double[d];
        double[] yc = new double[d];
        a.inverseMultiply(x, ya);
        b.inverseMultiply(x, yb);
        c.inverseMultiply(x, yc);
        assertRelative(yb, ya, 1e-4, "static float vs double");
        assertRelative(yb, yc, 1e-4, "dynamic float vs double");
        assertRelative(b.inverseDiagonal(), a.inverseDiagonal(), 1e-4, "static diagonal float vs double");
        assertTrue(a.memoryBytes() < b.memoryBytes());
        // Overwriting: the caller's array becomes the v_i rows, with the same results.
        float[] own = gf.clone();
        MfacStatic o = MfacStatic.overwriting(own, m, d, lambda, m, BlockPartition.whole(d), K);
        assertNotEquals(gf[0], own[0]);
        double[] yo = new double[d];
        o.inverseMultiply(x, yo);
        assertRelative(ya, yo, 1e-12, "overwriting vs copying");
    }

    /** The data-source builder: the same float rows as the dense and block-diagonal Fisher, so double-exact. */
    @Test
    void dataSourceMfacEqualsTheDenseAndBlockFisherInverses() {
        TestNets tn = TestNets.of("in(3) dense(4) tanh dense(3)", "cross-entropy-mean", 9, 61);
        Curvature c = tn.curvature(4);
        double lambda = 1e-3;
        MfacStatic whole = c.mfac(Gradients.empiricalFisher(), lambda, Integer.MAX_VALUE, GradientStorage.DOUBLE);
        DenseOperator dense = c.dense(Gradients.empiricalFisher(), Damping.absolute(lambda), DenseInverseMethod.CHOLESKY);
        double[] x = Dense.random(tn.d(), 1);
        double[] a = new double[tn.d()];
        double[] b = new double[tn.d()];
        whole.inverseMultiply(x, a);
        dense.inverseMultiply(x, b);
        assertRelative(b, a, R16, "M-FAC vs dense empirical Fisher");
        assertEquals(9, whole.gradients());
        MfacStatic blocked = c.mfac(Gradients.empiricalFisher(), lambda, 5, GradientStorage.DOUBLE);
        BlockDiagonalOperator blocks = c.blockDiagonal(Gradients.empiricalFisher(), BlockPartition.fixedSize(c.subset(), 5),
                Damping.absolute(lambda));
        blocked.inverseMultiply(x, a);
        blocks.inverseMultiply(x, b);
        assertRelative(b, a, R16, "blocked M-FAC vs block-diagonal Fisher");
        assertEquals(blocks.partition().size(), blocked.blocks().size());
    }
}
