package dev.surgeon.core.bayes;

import static dev.surgeon.core.bayes.Matrices.assertClose;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.surgeon.core.curvature.Curvature;
import dev.surgeon.core.curvature.DataSource;
import dev.surgeon.core.curvature.GradientKind;
import dev.surgeon.core.curvature.KfacDamping;
import dev.surgeon.core.curvature.KfacOperator;
import dev.surgeon.core.data.Dataset;
import dev.surgeon.core.nn.ArchitectureSpec;
import dev.surgeon.core.nn.Mask;
import dev.surgeon.core.nn.Network;
import dev.surgeon.kernels.Kernels;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * MacKay's evidence framework (METHODS E1) against closed forms. On a linear model f = wᵀx + b with squared
 * error, everything is exact: B = X̄ᵀX̄ (X̄ = inputs with a column of ones), w_MP = A⁻¹βX̄ᵀt, and the evidence is
 * the Gaussian marginal likelihood ln N(t; 0, β⁻¹I + X̄ diag(1/α) X̄ᵀ) — computed here without any Laplace algebra,
 * so it checks every term of the Laplace formula (a dropped (N/2) ln 2π, (k/2) ln α or ½ ln det A term moves the
 * result by 10 or more nats). Logistic regression checks the classification path against its closed-form
 * Hessian X̄ᵀ diag(p(1 − p)) X̄, and K-FAC against the dense matrix of the same Kronecker factors.
 */
class EvidenceTest {
    private static final int N = 40;
    private static final int D = 3;

    /** Inputs U(−1, 1)³ and targets 0.8x₁ − 0.5x₂ + 0.3 + N(0, σ²) with σ = 0.1. */
    private static Dataset regression(long seed, int n) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] x = new float[n * D];
        float[] t = new float[n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < D; j++) {
                x[i * D + j] = (float) (2 * r.nextDouble() - 1);
            }
            t[i] = (float) (0.8 * x[i * D] - 0.5 * x[i * D + 1] + 0.3 + 0.1 * r.nextGaussian());
        }
        return Dataset.regression("linear", new int[] {D}, x, 1, t);
    }

    /** Rows [x, 1], restricted to the kept columns (null: all D + 1). */
    private static double[][] design(Dataset data, int[] columns) {
        int n = data.size();
        int[] cols = columns != null ? columns : new int[] {0, 1, 2, 3};
        double[][] x = new double[n][cols.length];
        for (int i = 0; i < n; i++) {
            for (int c = 0; c < cols.length; c++) {
                x[i][c] = cols[c] == D ? 1 : data.inputs()[i * D + cols[c]];
            }
        }
        return x;
    }

    private static double[] targets(Dataset data) {
        double[] t = new double[data.size()];
        for (int i = 0; i < t.length; i++) {
            t[i] = data.targets()[i];
        }
        return t;
    }

    /** βX̄ᵀX̄ + diag(alpha). */
    private static double[][] precision(double[][] x, double beta, double[] alpha) {
        int k = alpha.length;
        double[][] a = new double[k][k];
        for (double[] row : x) {
            for (int i = 0; i < k; i++) {
                for (int j = 0; j < k; j++) {
                    a[i][j] += beta * row[i] * row[j];
                }
            }
        }
        for (int i = 0; i < k; i++) {
            a[i][i] += alpha[i];
        }
        return a;
    }

    private static double[] mostProbable(double[][] x, double[] t, double beta, double[] alpha) {
        double[] xt = new double[alpha.length];
        for (int n = 0; n < t.length; n++) {
            for (int i = 0; i < alpha.length; i++) {
                xt[i] += beta * x[n][i] * t[n];
            }
        }
        return Matrices.solve(precision(x, beta, alpha), xt);
    }

    /** ln N(t; 0, β⁻¹I + X̄ diag(1/α) X̄ᵀ). */
    private static double marginalLikelihood(double[][] x, double[] t, double beta, double[] alpha) {
        int n = t.length;
        double[][] c = new double[n][n];
        for (int i = 0; i < n; i++) {
            c[i][i] = 1 / beta;
            for (int j = 0; j < n; j++) {
                for (int q = 0; q < alpha.length; q++) {
                    c[i][j] += x[i][q] * x[j][q] / alpha[q];
                }
            }
        }
        return Matrices.logGaussian(t, c);
    }

    private static Network linear(double[] w) {
        Network net = Network.create(ArchitectureSpec.parse("in(3) dense(1)"), 1, Kernels.scalar());
        for (int q = 0; q < w.length; q++) {
            net.parameters()[q] = (float) w[q];
        }
        return net;
    }

    @Test
    void linearRegressionEvidenceGammaAndReestimatesEqualTheClosedForms() {
        Dataset data = regression(1, N);
        double[][] x = design(data, null);
        double[] t = targets(data);
        double alpha = 0.7;
        double beta = 80;
        double[] a4 = {alpha, alpha, alpha, alpha};
        double[] w = mostProbable(x, t, beta, a4);
        Network net = linear(w);
        Hyperparameters h = Hyperparameters.uniform(1, alpha, beta);
        for (LaplaceApproximation.Hessian kind : new LaplaceApproximation.Hessian[] {
            LaplaceApproximation.Hessian.EXACT, LaplaceApproximation.Hessian.GAUSS_NEWTON}) {
            LaplaceApproximation lap = LaplaceApproximation.at(net, data, WeightClasses.single(net.layout()), kind, 0);
            EvidenceTerms e = lap.evidence(h);
            // Float weights and float products: E_D and B carry ~1e-6 relative error; the evidence is ~ +30 nats.
            assertClose(marginalLikelihood(x, t, beta, a4), e.logEvidence(), 2e-3, kind + " log evidence");
            double[][] inv = Matrices.inverse(precision(x, beta, a4));
            double gamma = 4 - alpha * (inv[0][0] + inv[1][1] + inv[2][2] + inv[3][3]);
            assertClose(gamma, e.gamma(), 1e-5, kind + " γ");
            assertTrue(e.gamma() > 0 && e.gamma() < e.parameters(), "0 < γ < k");
            double ew = 0.5 * Matrices.dot(w, w);
            double ed = 0;
            for (int n = 0; n < N; n++) {
                double r = Matrices.dot(x[n], w) - t[n];
                ed += 0.5 * r * r;
            }
            Hyperparameters next = lap.reestimate(h);
            assertClose(gamma / (2 * ew), next.alpha(0), 1e-5 * next.alpha(0), kind + " α re-estimate");
            assertClose((N - gamma) / (2 * ed), next.beta(), 1e-4 * next.beta(), kind + " β re-estimate");
            assertClose(-0.5 * Matrices.logDet(precision(x, beta, a4)) + 2 * Math.log(alpha), e.logOccamFactor(), 1e-4,
                    "Occam factor");
            assertClose(0.5 * Math.log(2 / gamma) + 0.5 * Math.log(2 / (N - gamma)), e.hyperparameterOccam(), 1e-5,
                    "hyperparameter Occam terms");
            assertEquals(0, e.symmetryTerm(), "a linear model has no hidden units");
        }
    }

    @Test
    void severalWeightClassesUseTheirOwnAlphaInEveryTerm() {
        Dataset data = regression(2, N);
        double[][] x = design(data, null);
        double[] t = targets(data);
        double[] a4 = {0.3, 0.3, 0.3, 5.0};
        double beta = 60;
        Network net = linear(mostProbable(x, t, beta, a4));
        LaplaceApproximation lap = LaplaceApproximation.at(net, data, WeightClasses.perTensor(net.layout()),
                LaplaceApproximation.Hessian.EXACT, 0);
        Hyperparameters h = new Hyperparameters(new double[] {0.3, 5.0}, beta);
        EvidenceTerms e = lap.evidence(h);
        assertClose(marginalLikelihood(x, t, beta, a4), e.logEvidence(), 2e-3, "log evidence with two classes");
        double[][] inv = Matrices.inverse(precision(x, beta, a4));
        double[] gamma = e.gammaPerClass();
        assertClose(3 - 0.3 * (inv[0][0] + inv[1][1] + inv[2][2]), gamma[0], 1e-5, "γ of the weights");
        assertClose(1 - 5.0 * inv[3][3], gamma[1], 1e-5, "γ of the bias");
        assertClose(0.5 * Math.log(2 / gamma[0]) + 0.5 * Math.log(2 / gamma[1]) + 0.5 * Math.log(2 / (N - e.gamma())),
                e.hyperparameterOccam(), 1e-5, "one Occam term per class and one for β");
    }

    @Test
    void aMaskedModelHasTheEvidenceOfTheSmallerModel() {
        Dataset data = regression(3, N);
        int[] kept = {0, 1, 3};
        double[][] x = design(data, kept);
        double[] t = targets(data);
        double alpha = 0.5;
        double beta = 90;
        double[] a3 = {alpha, alpha, alpha};
        double[] w3 = mostProbable(x, t, beta, a3);
        Network net = linear(new double[] {w3[0], w3[1], 0, w3[2]});
        Mask mask = Mask.dense(net.layout());
        mask.prune(2);
        WeightClasses classes = WeightClasses.single(net.layout()).masked(mask);
        assertEquals(3, classes.parameterCount());
        LaplaceApproximation lap = LaplaceApproximation.at(net, data, classes, LaplaceApproximation.Hessian.EXACT, 0);
        EvidenceTerms e = lap.evidence(Hyperparameters.uniform(1, alpha, beta));
        assertEquals(3, e.parameters());
        assertClose(marginalLikelihood(x, t, beta, a3), e.logEvidence(), 2e-3, "evidence of the pruned model");
    }

    @Test
    void predictiveVarianceIsNoisePlusTheWeightUncertaintyOfTheOutput() {
        Dataset data = regression(4, N);
        double[][] x = design(data, null);
        double[] t = targets(data);
        double[] a4 = {0.4, 0.4, 0.4, 0.4};
        double beta = 70;
        Network net = linear(mostProbable(x, t, beta, a4));
        LaplaceApproximation lap = LaplaceApproximation.at(net, data, WeightClasses.single(net.layout()),
                LaplaceApproximation.Hessian.GAUSS_NEWTON, 0);
        Dataset probe = regression(5, 3);
        double[][] xp = design(probe, null);
        double[][] inv = Matrices.inverse(precision(x, beta, a4));
        double[] v = lap.predictiveVariance(Hyperparameters.uniform(1, 0.4, beta), probe);
        for (int n = 0; n < 3; n++) {
            double expected = 1 / beta + Matrices.dot(xp[n], Matrices.multiply(inv, xp[n]));
            assertClose(expected, v[n], 1e-6 * expected, "σ² at probe " + n);
        }
    }

    @Test
    void logisticRegressionEvidenceAndModeratedOutputFollowTheClosedFormHessian() {
        SplittableRandom r = new SplittableRandom(6);
        float[] xs = new float[N * D];
        int[] labels = new int[N];
        for (int i = 0; i < N; i++) {
            for (int j = 0; j < D; j++) {
                xs[i * D + j] = (float) (2 * r.nextDouble() - 1);
            }
            labels[i] = r.nextDouble() < 1 / (1 + Math.exp(-(2 * xs[i * D] - xs[i * D + 2]))) ? 1 : 0;
        }
        Dataset data = Dataset.classification("logistic", new int[] {D}, xs, labels, 2);
        Network net = linear(new double[] {1.5, 0.1, -0.8, 0.05});
        double alpha = 0.3;
        LaplaceApproximation lap = LaplaceApproximation.at(net, data, WeightClasses.single(net.layout()),
                LaplaceApproximation.Hessian.EXACT, 0);
        assertEquals(Likelihood.BERNOULLI, lap.likelihood());
        double[][] x = design(data, null);
        double[] w = {1.5, 0.1, -0.8, 0.05};
        double[][] a = new double[4][4];
        double g = 0;
        for (int n = 0; n < N; n++) {
            double f = Matrices.dot(x[n], w);
            double p = 1 / (1 + Math.exp(-f));
            g -= labels[n] == 1 ? Math.log(p) : Math.log(1 - p);
            for (int i = 0; i < 4; i++) {
                for (int j = 0; j < 4; j++) {
                    a[i][j] += p * (1 - p) * x[n][i] * x[n][j];
                }
            }
        }
        for (int i = 0; i < 4; i++) {
            a[i][i] += alpha;
        }
        double expected = -g - alpha * 0.5 * Matrices.dot(w, w) - 0.5 * Matrices.logDet(a) + 2 * Math.log(alpha);
        EvidenceTerms e = lap.evidence(Hyperparameters.uniform(1, alpha, 1));
        assertClose(expected, e.logEvidence(), 1e-3, "classification log evidence (no β, no 2π terms)");
        assertClose(0.5 * Math.log(2 / e.gamma()), e.hyperparameterOccam(), 1e-9, "no β Occam term");
        double[][] inv = Matrices.inverse(a);
        double[] p = lap.moderatedOutputs(Hyperparameters.uniform(1, alpha, 1), data.head(5));
        for (int n = 0; n < 5; n++) {
            double s2 = Matrices.dot(x[n], Matrices.multiply(inv, x[n]));
            double kappa = 1 / Math.sqrt(1 + Math.PI * s2 / 8);
            double mod = 1 / (1 + Math.exp(-kappa * Matrices.dot(x[n], w)));
            assertClose(mod, p[n], 1e-5, "moderated output " + n);
        }
        assertThrows(IllegalArgumentException.class, () -> lap.evidence(Hyperparameters.uniform(1, alpha, 2)),
                "classification has no β to set");
    }

    /**
     * K-FAC: ln det A, γ_l and bᵀA⁻¹b from the Kronecker eigenvalues must equal the dense algebra on the matrix
     * βσ(Γ⊗A) + diag(α_l) built from the same factors (the operator's dense form), per-layer α differing.
     */
    @Test
    void kroneckerLaplaceEqualsTheDenseAlgebraOfItsOwnBlocks() {
        SplittableRandom r = new SplittableRandom(7);
        int n = 30;
        float[] xs = new float[n * 2];
        float[] t = new float[n * 2];
        for (int i = 0; i < xs.length; i++) {
            xs[i] = (float) (2 * r.nextDouble() - 1);
            t[i] = (float) r.nextGaussian();
        }
        Dataset data = Dataset.regression("two outputs", new int[] {2}, xs, 2, t);
        Network net = Network.create(ArchitectureSpec.parse("in(2) dense(3) tanh dense(2)"), 8, Kernels.scalar());
        WeightClasses classes = WeightClasses.perLayer(net.layout());
        LaplaceApproximation lap = LaplaceApproximation.at(net, data, classes, LaplaceApproximation.Hessian.KFAC, 11);
        KfacOperator k = Curvature.of(net, Likelihood.GAUSSIAN.loss(), DataSource.all(data, LaplaceApproximation.BATCH))
                .seed(11).kfac(GradientKind.TRUE_FISHER, KfacDamping.eigen(0));
        int d = net.parameterCount();
        double[] dense = k.toDense();
        double lambda = k.dampingUsed().get(0).used();
        double beta = 3;
        double[] alpha = {0.2, 1.7};
        double[][] a = new double[d][d];
        for (int i = 0; i < d; i++) {
            for (int j = 0; j < d; j++) {
                a[i][j] = beta * (dense[i * d + j] - (i == j ? lambda : 0));
            }
            a[i][i] += alpha[classes.classOf(i)];
        }
        Hyperparameters h = new Hyperparameters(alpha, beta);
        // The operator's eigen-damping λ is subtracted again above; it is ~1e-8 of the factor products at most.
        assertClose(Matrices.logDet(a), lap.logDeterminant(h), 1e-6 * d, "ln det A");
        double[][] inv = Matrices.inverse(a);
        double[] gamma = lap.wellDetermined(h);
        for (int c = 0; c < 2; c++) {
            double tr = 0;
            for (int i = 0; i < d; i++) {
                if (classes.classOf(i) == c) {
                    tr += inv[i][i];
                }
            }
            assertClose(classes.count(c) - alpha[c] * tr, gamma[c], 1e-6 * classes.count(c), "γ of " + classes.name(c));
        }
        double[] v = lap.outputVariance(h, data.head(2));
        double[][] jac = new dev.surgeon.core.nn.ReferenceNetwork(net.spec()).jacobian(
                dev.surgeon.core.nn.ReferenceNetwork.toDouble(net.parameters()), dev.surgeon.core.nn.ReferenceNetwork.toDouble(xs, 4), 2);
        for (int row = 0; row < 4; row++) {
            double expected = Matrices.dot(jac[row], Matrices.multiply(inv, jac[row]));
            // The reference Jacobian is a central difference (~1e-9); the network's rows are float.
            assertClose(expected, v[row], 1e-5 * Math.max(1, expected), "bᵀA⁻¹b, row " + row);
        }
    }

    @Test
    void kroneckerLaplaceRefusesClassesItCannotRepresent() {
        Network net = Network.create(ArchitectureSpec.parse("in(2) dense(3) tanh dense(1)"), 8, Kernels.scalar());
        Dataset two = Dataset.regression("d", new int[] {2}, new float[20], 1, new float[10]);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> LaplaceApproximation.at(net, two,
                WeightClasses.perTensor(net.layout()), LaplaceApproximation.Hessian.KFAC, 0));
        assertTrue(e.getMessage().contains("perLayer"), e.getMessage());
    }

    @Test
    void hiddenUnitSymmetryCountsLiveUnitsAndSignFlipsOfTanh() {
        Network tanh = Network.create(ArchitectureSpec.parse("in(2) dense(5) tanh dense(1)"), 1, Kernels.scalar());
        WeightClasses all = WeightClasses.perTensor(tanh.layout());
        assertClose(5 * Math.log(2) + Math.log(120), HiddenUnitSymmetry.logFactor(tanh, all), 1e-12, "ln(2^5 5!)");
        Mask mask = Mask.dense(tanh.layout());
        int out = tanh.layout().tensor("fc2.weight").offset();
        mask.prune(out + 3);
        assertClose(4 * Math.log(2) + Math.log(24), HiddenUnitSymmetry.logFactor(tanh, all.masked(mask)), 1e-12,
                "a unit without outgoing weights is not a unit");
        Network relu = Network.create(ArchitectureSpec.parse("in(2) dense(4) relu dense(3) relu dense(1)"), 1, Kernels.scalar());
        assertClose(Math.log(24) + Math.log(6), HiddenUnitSymmetry.logFactor(relu, WeightClasses.single(relu.layout())),
                1e-12, "ReLU: permutations only, per hidden layer");
    }

    /**
     * The full loop on the linear model: training by L-BFGS and one re-estimation per loop must reach the
     * fixed point of the closed-form iteration (w_MP, α ← γ/2E_W, β ← (N − γ)/2E_D) computed in double.
     */
    @Test
    void theTrainingLoopReachesTheClosedFormFixedPoint() {
        Dataset data = regression(9, N);
        double[][] x = design(data, null);
        double[] t = targets(data);
        double alpha = 0.01;
        double beta = 1;
        for (int it = 0; it < 200; it++) {
            double[] a4 = {alpha, alpha, alpha, alpha};
            double[] w = mostProbable(x, t, beta, a4);
            double[][] inv = Matrices.inverse(precision(x, beta, a4));
            double gamma = 4 - alpha * (inv[0][0] + inv[1][1] + inv[2][2] + inv[3][3]);
            double ed = 0;
            for (int n = 0; n < N; n++) {
                double res = Matrices.dot(x[n], w) - t[n];
                ed += 0.5 * res * res;
            }
            alpha = gamma / Matrices.dot(w, w);
            beta = (N - gamma) / (2 * ed);
        }
        Network net = Network.create(ArchitectureSpec.parse("in(3) dense(1)"), 1, Kernels.scalar());
        EvidenceFramework.Result result = EvidenceFramework.builder(net, data).classes(WeightClasses.single(net.layout()))
                .initial(Hyperparameters.uniform(1, 0.01, 1)).loops(60).iterations(100).tolerance(1e-6).build().run();
        // Float weights limit the fixed point to ~1e-5 relative; a wrong update rule is off by O(1).
        assertClose(alpha, result.hyperparameters().alpha(0), 1e-3 * alpha, "α at the fixed point");
        assertClose(beta, result.hyperparameters().beta(), 1e-3 * beta, "β at the fixed point");
        assertTrue(result.evidence().gamma() <= result.evidence().parameters(), "γ ≤ k");
        assertTrue(result.loops().size() < 60 || result.converged(), "settles");
    }

    @Test
    void theStoppingRuleKeepsTheBestStepAndStopsAfterThePatience() {
        EvidenceStoppingRule rule = new EvidenceStoppingRule(2, 0.5);
        assertTrue(rule.record(-100));
        assertTrue(rule.record(-90));
        assertTrue(rule.record(-89.8), "within the tolerance: no improvement, one step of patience used");
        assertFalse(rule.record(-95), "second step without improvement");
        assertEquals(1, rule.bestStep());
        assertEquals(-90, rule.bestLogEvidence(), 0.0);
    }
}
