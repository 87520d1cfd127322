package dev.surgeon.core.curvature;

import static dev.surgeon.core.curvature.Dense.assertClose;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.surgeon.core.nn.LayerStatistics;
import dev.surgeon.core.nn.Network;
import dev.surgeon.core.nn.Workspace;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * K-FAC / KFC (METHODS A7, R19): factors against their definitions, the Kronecker product against the exact
 * Fisher block where the factorization is exact (one sample, one layer, one output position), both damping
 * variants against dense (Γ ⊗ A + λI)⁻¹ and ((Γ + γ/π I) ⊗ (A + πγ I))⁻¹, and the averaging schedules.
 */
class KfacTest {

    /**
     * One sample and one layer (|T| = 1 for the convolution): E[δδᵀ ⊗ h̄h̄ᵀ] = Γ ⊗ A exactly, so K-FAC + λI must equal
     * the dense true Fisher block + λI built from the same sampled label. Both sides come from float passes
     * (1e-6 + 2e-5·max, as the other network tests); a transposed Kronecker order or a missing bias column moves
     * entries by O(1).
     */
    @ParameterizedTest(name = "{0}, layer {1}")
    @CsvSource(delimiter = ';', value = {
        "in(3) dense(4) tanh dense(3); fc2",
        "in(3) dense(4) tanh dense(3); fc1",
        "in(2,3,3) conv(3,3) tanh flatten dense(2); conv1",
    })
    void kfacEqualsTheExactFisherBlockForOneSampleAndOneLayer(String spec, String layer) {
        TestNets tn = TestNets.of(spec, "cross-entropy-mean", 1, 51);
        Curvature c = tn.curvature(1).subset(ParameterSubset.layers(tn.net.layout(), layer)).seed(7);
        double lambda = 1e-3;
        KfacOperator k = c.kfac(GradientKind.TRUE_FISHER, KfacDamping.eigen(lambda));
        DenseOperator f = c.dense(Gradients.trueFisher(), Damping.absolute(lambda), DenseInverseMethod.CHOLESKY);
        assertClose(f.toDense(), k.toDense(), 1e-6, 2e-5, "K-FAC vs exact Fisher block of " + layer);
        assertClose(f.diagonal(), k.diagonal(), 1e-6, 2e-5, "diagonal");
        if (spec.contains("conv")) {
            assertEquals(1, k.factors().layers().get(0).rowsPerSample());
        }
    }

    /** Eigen damping: every operation against the dense (Γ ⊗ A + λI) in row-major vec order, to double rounding. */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = ';', value = {
        "in(3) dense(4) tanh dense(3)",
        "in(2,4,4) conv(3,3) tanh flatten dense(2)",
        "in(3) dense(4,bias=false) tanh dense(3)",
    })
    void eigenDampingEqualsTheDenseInverseOfTheDampedKroneckerProduct(String spec) {
        // 20 samples and a squared error make every factor full rank, so the clipping of rounding-level negative
        // eigenvalues plays no part in the comparison. (A rank-deficient factor — softmax cross-entropy's Γ of the
        // output layer has rank K − 1 — accumulated in float has eigenvalues of ±1e-9·‖Γ‖ where the exact ones
        // are 0; clipping them moves the operator by that much, far below any meaningful curvature.)
        TestNets tn = TestNets.of(spec, "mse-mean", 20, 52);
        Curvature c = tn.curvature(4).seed(3);
        double lambda = 0.05;
        KfacOperator k = c.kfac(GradientKind.TRUE_FISHER, KfacDamping.eigen(lambda));
        double[][] dense = blockDiagonalKronecker(c.subset(), k.factors(), 0, 0, lambda);
        checkAgainstDense(k, dense, "eigen-damped K-FAC of " + spec);
        assertEquals(k.factors().layers().size(), k.dampingUsed().size());
    }

    @Test
    void factoredTikhonovEqualsTheDenseProductOfDampedFactors() {
        TestNets tn = TestNets.of("in(2,4,4) conv(2,3) tanh flatten dense(3)", "mse-mean", 5, 53);
        Curvature c = tn.curvature(2).seed(4);
        double lambda = 0.01;
        double wd = 0.003;
        KfacOperator k = c.kfac(GradientKind.EMPIRICAL_FISHER, KfacDamping.factoredTikhonov(lambda, wd));
        double gamma = Math.sqrt(lambda + wd);
        double[][] dense = blockDiagonalKronecker(c.subset(), k.factors(), gamma, -1, 0);
        checkAgainstDense(k, dense, "factored Tikhonov K-FAC");
        assertEquals(2 * k.factors().layers().size(), k.dampingUsed().size());
        assertTrue(k.dampingUsed().get(0).block().endsWith("Γ"), k.dampingUsed().get(0).block());
    }

    private static void checkAgainstDense(KfacOperator k, double[][] dense, String what) {
        int d = dense.length;
        double[][] inv = Dense.inverse(dense);
        double[] v = Dense.random(d, 9);
        double[] out = new double[d];
        // Double arithmetic on both sides; κ ≤ ~1e3: 1e-10 of the largest entry is ample and any index error is O(1).
        k.multiply(v, out);
        assertClose(Dense.multiply(dense, v), out, 1e-12, 1e-10, what + ": multiply");
        k.inverseMultiply(v, out);
        assertClose(Dense.multiply(inv, v), out, 1e-12, 1e-9, what + ": inverseMultiply");
        assertClose(Dense.diagonal(dense), k.diagonal(), 1e-12, 1e-10, what + ": diagonal");
        assertClose(Dense.diagonal(inv), k.inverseDiagonal(), 1e-12, 1e-9, what + ": inverseDiagonal");
    }

    /**
     * blockdiag over layers of (Γ_d ⊗ A_d) + λI in the subset's coordinates (weights row-major, then biases):
     * entry ((i, j), (p, q)) = Γ_d[i][p]·A_d[j][q]. With gamma &gt; 0 the factors are Tikhonov-damped with π.
     */
    static double[][] blockDiagonalKronecker(ParameterSubset s, KroneckerFactors f, double gamma, int unused, double lambda) {
        int d = s.dim();
        double[][] m = new double[d][d];
        for (KroneckerFactors.LayerFactors l : f.layers()) {
            int na = l.inputDim();
            int ng = l.outputDim();
            double[] a = l.inputFactor();
            double[] g = l.gradientFactor();
            if (gamma > 0) {
                double pi = Math.sqrt(trace(a, na) / na / (trace(g, ng) / ng));
                for (int i = 0; i < na; i++) {
                    a[i * na + i] += pi * gamma;
                }
                for (int i = 0; i < ng; i++) {
                    g[i * ng + i] += gamma / pi;
                }
            }
            int dCol = l.weight().columns();
            for (int i = 0; i < ng; i++) {
                for (int j = 0; j < na; j++) {
                    int r = local(s, l, i, j, dCol);
                    for (int p = 0; p < ng; p++) {
                        for (int q = 0; q < na; q++) {
                            m[r][local(s, l, p, q, dCol)] = g[i * ng + p] * a[j * na + q];
                        }
                    }
                }
            }
        }
        return Dense.plusIdentity(m, lambda);
    }

    private static int local(ParameterSubset s, KroneckerFactors.LayerFactors l, int i, int j, int dCol) {
        return j < dCol ? s.local(l.weight().offset() + i * dCol + j) : s.local(l.bias().offset() + i);
    }

    private static double trace(double[] a, int n) {
        double t = 0;
        for (int i = 0; i < n; i++) {
            t += a[i * n + i];
        }
        return t;
    }

    /**
     * A = (1/N) Σ h̄h̄ᵀ of the first dense layer is a function of the data alone, and Γ of the output layer with
     * data targets is (1/N) Σ (p − y)(p − y)ᵀ for softmax cross-entropy: both written from the definitions in
     * double. For a first convolution A = (1/N) Σ_n Σ_τ ⟦x⟧_τ⟦x⟧_τᵀ from patches cut by hand.
     */
    @Test
    void factorsEqualTheirDefinitions() {
        TestNets tn = TestNets.of("in(3) dense(4) tanh dense(3)", "cross-entropy-mean", 5, 54);
        KfacOperator k = tn.curvature(2).kfac(GradientKind.EMPIRICAL_FISHER, KfacDamping.eigen(1));
        double[] a = new double[16];
        for (int n = 0; n < tn.n; n++) {
            double[] h = {tn.x[3 * n], tn.x[3 * n + 1], tn.x[3 * n + 2], 1};
            for (int i = 0; i < 4; i++) {
                for (int j = 0; j < 4; j++) {
                    a[i * 4 + j] += h[i] * h[j] / tn.n;
                }
            }
        }
        // Inputs are floats, products summed in float over ≤ 256 rows then in double: ~1e-7 relative.
        assertClose(a, k.factors().layers().get(0).inputFactor(), 1e-7, 1e-6, "A of fc1");
        double[] f = tn.ref.forward(tn.w(), tn.x, tn.n);
        double[] g = new double[9];
        for (int n = 0; n < tn.n; n++) {
            double z = 0;
            for (int j = 0; j < 3; j++) {
                z += Math.exp(f[3 * n + j]);
            }
            double[] delta = new double[3];
            for (int j = 0; j < 3; j++) {
                delta[j] = Math.exp(f[3 * n + j]) / z - tn.t[3 * n + j];
            }
            for (int i = 0; i < 3; i++) {
                for (int j = 0; j < 3; j++) {
                    g[i * 3 + j] += delta[i] * delta[j] / tn.n;
                }
            }
        }
        assertClose(g, k.factors().layers().get(1).gradientFactor(), 1e-6, 1e-5, "Γ of fc2");

        TestNets conv = TestNets.of("in(1,4,4) conv(2,2,bias=false) tanh flatten dense(2)", "mse-mean", 3, 55);
        KfacOperator kc = conv.curvature(2).kfac(GradientKind.EMPIRICAL_FISHER, KfacDamping.eigen(1));
        double[] ac = new double[16];
        for (int n = 0; n < conv.n; n++) {
            for (int oy = 0; oy < 3; oy++) {
                for (int ox = 0; ox < 3; ox++) {
                    double[] patch = new double[4];
                    for (int ky = 0; ky < 2; ky++) {
                        for (int kx = 0; kx < 2; kx++) {
                            patch[ky * 2 + kx] = conv.x[n * 16 + (oy + ky) * 4 + ox + kx];
                        }
                    }
                    for (int i = 0; i < 4; i++) {
                        for (int j = 0; j < 4; j++) {
                            ac[i * 4 + j] += patch[i] * patch[j] / conv.n;
                        }
                    }
                }
            }
        }
        assertClose(ac, kc.factors().layers().get(0).inputFactor(), 1e-7, 1e-6, "KFC A of conv1 (sum over positions)");
        assertEquals(9, kc.factors().layers().get(0).rowsPerSample());
    }

    @Test
    void averagingSchedulesFollowTheirDefinitions() {
        TestNets tn = TestNets.of("in(3) dense(2)", "mse-mean", 6, 56);
        Network net = tn.net;
        ParameterSubset all = ParameterSubset.all(net.layout());
        KroneckerFactors paper = KroneckerFactors.of(net, all, KroneckerFactors.Averaging.exponential(0.6));
        KroneckerFactors fixed = KroneckerFactors.of(net, all, KroneckerFactors.Averaging.fixed(0.9));
        KroneckerFactors mean = KroneckerFactors.of(net, all, KroneckerFactors.Averaging.mean());
        DataSource data = DataSource.all(tn.data, 2);
        Workspace ws = net.workspace(2);
        float[] seeds = new float[2 * net.outputSize()];
        double[] expectPaper = null;
        double[] expectFixed = identity(4);
        double[] sum = new double[16];
        for (int b = 0; b < 3; b++) {
            data.load(ws, b);
            net.forward(ws, false);
            net.lossSeeds(ws, tn.loss, null, seeds, 0);
            List<LayerStatistics> stats = net.kroneckerStatistics(ws, seeds, 0);
            KroneckerFactors one = KroneckerFactors.of(net, all, KroneckerFactors.Averaging.mean());
            one.update(stats);
            paper.update(stats);
            fixed.update(stats);
            mean.update(stats);
            double[] batch = one.layers().get(0).inputFactor();
            double eps = Math.min(1 - 1.0 / (b + 1), 0.6);
            expectPaper = b == 0 ? batch : combine(expectPaper, batch, eps);
            expectFixed = combine(expectFixed, batch, 0.9);
            for (int i = 0; i < 16; i++) {
                sum[i] += batch[i] / 3;
            }
        }
        assertClose(expectPaper, paper.layers().get(0).inputFactor(), 1e-12, 1e-12, "ε = min(1 − 1/t, 0.6)");
        assertClose(expectFixed, fixed.layers().get(0).inputFactor(), 1e-12, 1e-12, "fixed ε from the identity");
        assertClose(sum, mean.layers().get(0).inputFactor(), 1e-12, 1e-12, "mean of equal batches");
        assertEquals(3, mean.updates());
        assertEquals(6, mean.samples());
    }

    private static double[] identity(int n) {
        double[] a = new double[n * n];
        for (int i = 0; i < n; i++) {
            a[i * n + i] = 1;
        }
        return a;
    }

    private static double[] combine(double[] old, double[] batch, double eps) {
        double[] r = new double[old.length];
        for (int i = 0; i < r.length; i++) {
            r[i] = eps * old[i] + (1 - eps) * batch[i];
        }
        return r;
    }

    @Test
    void summedLossesScaleTheFisherByN() {
        TestNets mean = TestNets.of("in(3) dense(3) tanh dense(2)", "mse-mean", 5, 57);
        TestNets sum = TestNets.of("in(3) dense(3) tanh dense(2)", "mse-sum", 5, 57);
        double[] a = mean.curvature(2).kfac(GradientKind.EMPIRICAL_FISHER, KfacDamping.eigen(1e-4)).toDense();
        double[] b = sum.curvature(2).kfac(GradientKind.EMPIRICAL_FISHER, KfacDamping.eigen(5e-4)).toDense();
        for (int i = 0; i < a.length; i++) {
            a[i] *= 5;
        }
        assertClose(a, b, 1e-12, 1e-9, "σ = N for a summed loss");
    }

    @Test
    void partialLayersAndNonFisherKindsAreRejected() {
        TestNets tn = TestNets.of("in(3) dense(2)", "mse-mean", 2, 58);
        Curvature c = tn.curvature(2);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> c.subset(
                ParameterSubset.weights(tn.net.layout())).kfac(GradientKind.TRUE_FISHER, KfacDamping.eigen(1)));
        assertTrue(e.getMessage().contains("whole layers"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> c.kfac(GradientKind.OUTPUT_JACOBIAN, KfacDamping.eigen(1)));
        KfacOperator t = c.kfac(GradientKind.TRUE_FISHER, KfacDamping.factoredTikhonov(1, 0));
        assertThrows(UnsupportedOperationException.class, () -> t.eigenbasis(0));
    }
}
