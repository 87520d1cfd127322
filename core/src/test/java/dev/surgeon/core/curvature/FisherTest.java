package dev.surgeon.core.curvature;

import static dev.surgeon.core.curvature.Dense.assertClose;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.surgeon.core.data.Dataset;
import dev.surgeon.core.nn.ArchitectureSpec;
import dev.surgeon.core.nn.Loss;
import dev.surgeon.core.nn.Network;
import dev.surgeon.kernels.Kernels;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Dense empirical and true Fisher matrices (METHODS A5, 1.5): against outer products of float64 finite-difference
 * per-sample gradients; the three inverse paths (full syrk + Cholesky, the Woodbury form on the R × R side, the
 * rank-one recursion with N in the denominator) against each other and a Gauss–Jordan inverse; mini-batch rows;
 * and the true Fisher's sampled labels, whose expectation is the Gauss-Newton matrix.
 */
class FisherTest {
    /** As in {@link HessianAndGaussNewtonTest}: float network passes vs float64 references. */
    private static final double ATOL = 1e-6;
    private static final double RTOL = 2e-5;

    @ParameterizedTest(name = "{0} / {1}")
    @CsvSource(delimiter = ';', value = {
        "in(3) dense(4) tanh dense(3); cross-entropy-mean",
        "in(3) dense(3) sigmoid dense(2); mse-sum",
        "in(1,4,4) conv(2,3) tanh flatten dense(2); bce-mean",
    })
    void denseEmpiricalFisherIsTheScaledSumOfSampleGradientOuterProducts(String spec, String loss) {
        TestNets tn = TestNets.of(spec, loss, 5, 21);
        DenseOperator f = tn.curvature(2).dense(Gradients.empiricalFisher(), Damping.none(), DenseInverseMethod.CHOLESKY);
        double[][] expected = TestNets.outerProducts(tn.sampleGradients(), tn.scale());
        assertClose(expected, f.toDense(), ATOL, RTOL, "empirical Fisher of " + spec);
        double[] diag = tn.curvature(3).diagonal(Gradients.empiricalFisher(), Damping.none()).diagonal();
        assertClose(Dense.diagonal(expected), diag, ATOL, RTOL, "diagonal empirical Fisher of " + spec);
    }

    /**
     * In double, the three paths compute the same (λI + c XᵀX)⁻¹ from the same float rows; they differ only by
     * rounding amplified by κ(C) ≤ (λ + ‖C‖)/λ ≈ 1e3 here, so 1e-10 of the largest entry is a safe bound, far
     * below the effect of a wrong denominator (N vs 1 changes entries by O(1)).
     */
    @ParameterizedTest(name = "{0} with {2} samples")
    @CsvSource(delimiter = ';', value = {
        "in(3) dense(4) tanh dense(3); cross-entropy-mean; 6",
        "in(2) dense(2); mse-sum; 12",
        "in(2) dense(2) tanh dense(2); cross-entropy-mean; 40",
    })
    void choleskyWoodburyAndRankOneRecursionAgree(String spec, String loss, int samples) {
        TestNets tn = TestNets.of(spec, loss, samples, 22);
        Curvature c = tn.curvature(4);
        Damping damping = Damping.absolute(1e-3);
        DenseOperator chol = c.dense(Gradients.empiricalFisher(), damping, DenseInverseMethod.CHOLESKY);
        DenseOperator rank = c.dense(Gradients.empiricalFisher(), damping, DenseInverseMethod.RANK_ONE);
        double[] reference = Dense.flat(Dense.inverse(Dense.square(chol.toDense(), tn.d())));
        double scale = Dense.maxAbs(reference);
        assertClose(reference, chol.inverse(), 1e-10 * scale, 0, "syrk + Cholesky inverse");
        assertClose(reference, rank.inverse(), 1e-10 * scale, 0, "rank-one recursion inverse");
        assertClose(chol.toDense(), rank.toDense(), 1e-9 * Dense.maxAbs(chol.toDense()), 0, "C recovered from the recursion");
        double[] v = Dense.random(tn.d(), 5);
        double[] a = new double[tn.d()];
        double[] b = new double[tn.d()];
        chol.inverseMultiply(v, a);
        rank.inverseMultiply(v, b);
        assertClose(Dense.multiply(Dense.square(reference, tn.d()), v), a, 1e-10 * scale, 0, "C⁻¹v (Cholesky)");
        assertClose(a, b, 1e-10 * scale, 0, "C⁻¹v (rank-one)");
        assertClose(Dense.diagonal(Dense.square(reference, tn.d())), rank.inverseDiagonal(), 1e-10 * scale, 0, "diag C⁻¹");
        assertEquals(1e-3, chol.dampingUsed().get(0).used());
    }

    @Test
    void theDampingIsPartOfEveryOperation() {
        TestNets tn = TestNets.of("in(3) dense(2)", "mse-mean", 4, 23);
        DenseOperator f = tn.curvature(4).dense(Gradients.empiricalFisher(), Damping.absolute(0.5), DenseInverseMethod.CHOLESKY);
        double[][] expected = Dense.plusIdentity(TestNets.outerProducts(tn.sampleGradients(), tn.scale()), 0.5);
        assertClose(expected, f.toDense(), ATOL, RTOL, "F + λI");
        double[] v = Dense.random(tn.d(), 2);
        double[] fv = new double[tn.d()];
        f.multiply(v, fv);
        assertClose(Dense.multiply(expected, v), fv, ATOL, RTOL, "(F + λI) v");
        assertClose(Dense.diagonal(expected), f.diagonal(), ATOL, RTOL, "diag(F + λI)");
        double[] back = new double[tn.d()];
        f.inverseMultiply(fv, back);
        assertClose(v, back, 1e-12, 1e-10, "inverse of the product");
    }

    @Test
    void miniBatchRowsAreMeanGradientsOfConsecutiveMiniBatches() {
        TestNets tn = TestNets.of("in(3) dense(3) tanh dense(2)", "cross-entropy-mean", 7, 24);
        DenseOperator f = tn.curvature(3).dense(Gradients.empiricalFisher(2), Damping.none(), DenseInverseMethod.CHOLESKY);
        double[][] g = tn.sampleGradients();
        int m = 3; // ⌊7/2⌋ mini-batches; the seventh sample is dropped
        double[][] rows = new double[m][tn.d()];
        for (int j = 0; j < m; j++) {
            for (int q = 0; q < tn.d(); q++) {
                rows[j][q] = 0.5 * (g[2 * j][q] + g[2 * j + 1][q]);
            }
        }
        // MEAN loss: N·s/M = 1/M.
        assertClose(TestNets.outerProducts(rows, 1.0 / m), f.toDense(), ATOL, RTOL, "mini-batch Fisher");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new Gradients(GradientKind.GAUSS_NEWTON, 2));
        assertTrue(e.getMessage().contains("only to the empirical and true Fisher"), e.getMessage());
    }

    /**
     * The true Fisher samples one label per example from the model; over N copies of one input its Monte-Carlo
     * average converges to the Gauss-Newton matrix (softmax cross-entropy is a matching loss), while the
     * empirical Fisher of the same data does not. With N = 4000 the standard error of every entry is below
     * 2 % of the largest one; 8 % is a 4σ bound, and the empirical Fisher is off by far more.
     */
    @Test
    void trueFisherConvergesToTheGaussNewtonMatrix() {
        Network net = Network.create(ArchitectureSpec.parse("in(2) dense(3) tanh dense(3)"), 5, Kernels.scalar());
        int n = 4000;
        float[] x = new float[2 * n];
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            x[2 * i] = 0.7f;
            x[2 * i + 1] = -0.4f;
        }
        Dataset data = Dataset.classification("copies", new int[] {2}, x, labels, 3);
        Curvature c = Curvature.of(net, Loss.softmaxCrossEntropy(), DataSource.all(data, 500)).seed(99);
        double[] ggn = c.denseGaussNewton(Damping.none()).toDense();
        double[] fisher = c.dense(Gradients.trueFisher(), Damping.none(), DenseInverseMethod.CHOLESKY).toDense();
        double[] empirical = c.dense(Gradients.empiricalFisher(), Damping.none(), DenseInverseMethod.CHOLESKY).toDense();
        double scale = Dense.maxAbs(ggn);
        assertClose(ggn, fisher, 0.08 * scale, 0, "true Fisher vs Gauss-Newton");
        double worst = 0;
        for (int i = 0; i < ggn.length; i++) {
            worst = Math.max(worst, Math.abs(ggn[i] - empirical[i]));
        }
        assertTrue(worst > 0.3 * scale, "the empirical Fisher (all labels 0) must differ: " + worst / scale);
        // Same seed ⇒ same labels ⇒ the same matrix; another seed ⇒ another sample.
        assertArrayEquals(fisher, c.dense(Gradients.trueFisher(), Damping.none(), DenseInverseMethod.CHOLESKY).toDense());
        assertFalse(Arrays.equals(fisher, c.seed(100).dense(Gradients.trueFisher(), Damping.none(),
                DenseInverseMethod.CHOLESKY).toDense()));
        double[] trueDiag = c.diagonal(Gradients.trueFisher(), Damping.none()).diagonal();
        double[] fisherDiag = Dense.diagonal(Dense.square(fisher, net.parameterCount()));
        // The diagonal from the squared-gradient hook sees the same sampled labels: equal up to float rounding.
        assertClose(fisherDiag, trueDiag, 1e-6, 1e-5, "diagonal true Fisher from the same labels");
    }

    @Test
    void aWeightsOnlySubsetIsTheMatchingSubmatrixOfTheFullFisher() {
        // Biases are usually not pruned, so pruners ask for the weights only; the last layer's weight then ends
        // where its bias begins. Every entry of the subset's Fisher must come from real gradient columns.
        TestNets tn = TestNets.of("in(3) dense(4) tanh dense(3)", "cross-entropy-mean", 6, 26);
        double[] full = tn.curvature(6).dense(Gradients.empiricalFisher(), Damping.none(), DenseInverseMethod.CHOLESKY)
                .toDense();
        Curvature c = tn.curvature(6).subset(ParameterSubset.weights(tn.net.layout()));
        double[] sub = c.dense(Gradients.empiricalFisher(), Damping.none(), DenseInverseMethod.CHOLESKY).toDense();
        int d = tn.d();
        int k = c.subset().dim();
        double[][] expected = new double[k][k];
        for (int i = 0; i < k; i++) {
            for (int j = 0; j < k; j++) {
                expected[i][j] = full[c.subset().global(i) * d + c.subset().global(j)];
            }
        }
        assertClose(expected, sub, ATOL, RTOL, "weights-only Fisher");
        double lastWeightDiagonal = sub[(k - 1) * k + k - 1];
        assertTrue(lastWeightDiagonal > 0, "the last weight's Fisher diagonal is " + lastWeightDiagonal);
    }

    @Test
    void rankOneRecursionNeedsAnAbsoluteDamping() {
        TestNets tn = TestNets.of("in(3) dense(2)", "mse-mean", 4, 25);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> tn.curvature(4)
                .dense(Gradients.empiricalFisher(), Damping.relative(0.01), DenseInverseMethod.RANK_ONE));
        assertTrue(e.getMessage().contains("absolute"), e.getMessage());
    }
}
