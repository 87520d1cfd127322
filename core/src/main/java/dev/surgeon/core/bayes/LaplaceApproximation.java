package dev.surgeon.core.bayes;

import dev.surgeon.core.curvature.Curvature;
import dev.surgeon.core.curvature.DataSource;
import dev.surgeon.core.curvature.Damping;
import dev.surgeon.core.curvature.GradientKind;
import dev.surgeon.core.curvature.KfacDamping;
import dev.surgeon.core.curvature.KfacOperator;
import dev.surgeon.core.curvature.KroneckerFactors;
import dev.surgeon.core.curvature.ParameterSubset;
import dev.surgeon.core.data.Dataset;
import dev.surgeon.core.nn.Loss;
import dev.surgeon.core.nn.Network;
import dev.surgeon.core.nn.Workspace;
import dev.surgeon.kernels.Kernels;
import dev.surgeon.kernels.NotPositiveDefiniteException;
import dev.surgeon.kernels.Trans;
import dev.surgeon.kernels.Uplo;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * MacKay's Gaussian (Laplace) approximation of the weight posterior around trained weights w_MP (MacKay 1992,
 * "A practical Bayesian framework for backpropagation networks"; MacKay 1992, "The evidence framework applied to
 * classification networks"; METHODS E1). With the objective M(w) = β E_D + Σ_c α_c E_W^(c) (summed data error,
 * {@link Likelihood}; weight classes, {@link WeightClasses}) the posterior precision is
 * <pre>
 * A = ∇∇M = β B + Σ_c α_c I_c,        B = ∇∇E_D at w_MP,
 * </pre>
 * and everything the evidence framework needs follows from A: the well-determined parameters
 * γ_c = k_c − α_c tr_c(A⁻¹) (with one class γ = Σ_a βν_a/(βν_a + α) over the eigenvalues ν_a of B), the
 * re-estimates α_c ← γ_c/(2E_W^(c)) and β ← (N_t − γ)/(2E_D) ({@link #reestimate}), the log evidence with its
 * Occam factor ({@link #evidence}, {@link EvidenceTerms}) and the predictive error bars σ²(x) = 1/β + bᵀA⁻¹b,
 * b = ∂f(x)/∂w, or the moderated output for classification ({@link #outputVariance}, {@link #moderatedOutputs}).
 *
 * <h2>B, and how ln det A and the traces are computed</h2>
 * <ul>
 *   <li>{@link Hessian#EXACT}: the dense Hessian of E_D by R-operator products (METHODS A1/A2) over the model's
 *       parameters; {@link Hessian#GAUSS_NEWTON}: the dense Gauss-Newton matrix Σ_n J_nᵀΛ_nJ_n (A3), by products.
 *       B = QνQᵀ is eigendecomposed once; negative eigenvalues (the exact Hessian away from a zero-residual fit,
 *       or rounding) are clipped to 0 as Netlab does, so B⁺ = Q max(ν, 0) Qᵀ is used throughout and A is positive
 *       definite for every α &gt; 0 ({@link #clippedEigenvalueMass} reports what was clipped). With one α
 *       (all classes equal): ln det A = Σ_a ln(βν_a + α) and diag(A⁻¹)_i = Σ_a Q_ia²/(βν_a + α), O(k²). With
 *       several α_c: one Cholesky factorization of A = βB⁺ + diag(α), ln det A = 2 Σ ln L_ii, A⁻¹ by potri,
 *       O(k³/3). Dense B is for small networks (k up to a few thousand): 8k² bytes, k products per data pass.</li>
 *   <li>{@link Hessian#KFAC}: B ≈ blockdiag_l σ(Γ_l ⊗ A_l) with the factors of the true Fisher (labels sampled from
 *       the model, seeded; σ = N for the summed error; METHODS A7), which for these matching likelihoods
 *       estimates the Gauss-Newton matrix. The classes must be unions of whole layers (weight and bias; e.g.
 *       {@link WeightClasses#perLayer}), so every block is σΓ⊗A + α_l I and is diagonal in the Kronecker
 *       eigenbasis: with A_l = Q_A diag(a) Q_Aᵀ and Γ_l = Q_Γ diag(c) Q_Γᵀ, the eigenvalues of βB + α_l I are
 *       βσ c_i a_j + α_l, so ln det A = Σ_l Σ_ij ln(βσ c_i a_j + α_l) and tr_l(A⁻¹) = Σ_ij 1/(βσ c_i a_j + α_l)
 *       exactly for the approximate matrix, and bᵀA⁻¹b = Σ_l Σ_ij [Q_Γᵀ B̄_l Q_A]_ij² / (βσ c_i a_j + α_l). The
 *       cross-layer curvature is dropped, which makes ln det A and γ approximations (the E1 pitfall: they are
 *       dominated by small eigenvalues); a pruning mask is not representable and is refused.</li>
 * </ul>
 * The approximation is built at the network's current weights (copied; later changes to the network do not
 * affect it, except that the prediction methods evaluate the network as it is then). Notation: docs/NOTATION.md.
 */
public final class LaplaceApproximation {
    /** Which matrix stands for B = ∇∇E_D (see the class documentation). */
    public enum Hessian { EXACT, GAUSS_NEWTON, KFAC }

    /** Samples per batch of the data passes (efficiency only). */
    static final int BATCH = 256;

    private final Network network;
    private final Likelihood likelihood;
    private final Loss loss;
    private final WeightClasses classes;
    private final Hessian kind;
    private final Kernels kernels;
    private final float[] weights;
    private final int[] coordinates;
    private final int[] classOfCoordinate;
    private final double dataError;
    private final double[] regularizers;
    private final int targets;
    private final double symmetry;
    // Dense B: eigenvectors (columns), clipped eigenvalues, and B⁺ on demand.
    private double[] eigenvectors;
    private double[] eigenvalues;
    private double clippedMass;
    private double[] clippedMatrix;
    // K-FAC: one block per layer.
    private List<KroneckerBlock> blocks;

    private Hyperparameters cachedFor;
    private Posterior cached;

    /** A layer's Kronecker eigenbasis and the eigenvalues βσ c_i a_j / β of its block. */
    private record KroneckerBlock(int weightOffset, int biasOffset, int columns, int inputDim, int outputDim,
                                  double[] inputVectors, double[] gradientVectors, double[] values, int classIndex) {
    }

    private LaplaceApproximation(Network network, Dataset data, Likelihood likelihood, WeightClasses classes, Hessian kind,
                                 long seed) {
        if (classes.layout().size() != network.parameterCount()) {
            throw new IllegalArgumentException("the weight classes cover " + classes.layout().size()
                    + " parameters but the network has " + network.parameterCount());
        }
        if (classes.parameterCount() == 0) {
            throw new IllegalArgumentException("the weight classes contain no parameter: nothing to approximate");
        }
        this.network = network;
        this.likelihood = likelihood;
        this.loss = likelihood.loss();
        this.classes = classes;
        this.kind = kind;
        this.kernels = network.kernels();
        this.weights = network.parameters().clone();
        this.coordinates = classes.parameters();
        this.classOfCoordinate = new int[coordinates.length];
        for (int i = 0; i < coordinates.length; i++) {
            classOfCoordinate[i] = classes.classOf(coordinates[i]);
        }
        this.regularizers = classes.regularizers(weights);
        this.dataError = summedLoss(network, loss, data);
        this.targets = likelihood == Likelihood.GAUSSIAN ? data.size() * network.outputSize() : data.size();
        this.symmetry = HiddenUnitSymmetry.logFactor(network, classes);
        Curvature curvature = Curvature.of(network, loss, DataSource.all(data, Math.min(BATCH, data.size()))).seed(seed);
        if (kind == Hessian.KFAC) {
            buildKronecker(curvature);
        } else {
            buildDense(curvature.subset(subsetOf(coordinates, network)));
        }
    }

    /**
     * The Laplace approximation at the network's current weights (a trained minimum of M(w)) over the whole
     * data set, the likelihood chosen by {@link Likelihood#of}.
     *
     * @param seed seed of the sampled labels of {@link Hessian#KFAC} (unused otherwise)
     * @throws IllegalArgumentException if K-FAC is asked for with classes that split a layer or exclude parameters
     */
    public static LaplaceApproximation at(Network network, Dataset data, WeightClasses classes, Hessian kind, long seed) {
        return at(network, data, Likelihood.of(network, data), classes, kind, seed);
    }

    /** The same with an explicit likelihood. */
    public static LaplaceApproximation at(Network network, Dataset data, Likelihood likelihood, WeightClasses classes,
                                          Hessian kind, long seed) {
        if (kind == Hessian.KFAC && (!classes.wholeLayers() || classes.parameterCount() != network.parameterCount())) {
            throw new IllegalArgumentException("K-FAC represents α only per whole layer and cannot drop pruned weights; "
                    + "use WeightClasses.perLayer or single without a mask, or the EXACT / GAUSS_NEWTON Hessian (classes "
                    + classes + ")");
        }
        return new LaplaceApproximation(network, data, likelihood, classes, kind, seed);
    }

    /** The sum of the (SUM-reduced) loss over the data set, in evaluation mode. */
    static double summedLoss(Network network, Loss loss, Dataset data) {
        Workspace ws = network.workspace(Math.min(BATCH, data.size()));
        int[] order = new int[data.size()];
        Arrays.setAll(order, i -> i);
        double sum = 0;
        for (int from = 0; from < data.size(); from += ws.capacity()) {
            int count = Math.min(ws.capacity(), data.size() - from);
            ws.load(data, order, from, count);
            network.forward(ws, false);
            sum += network.loss(ws, loss) / loss.scale(count);
        }
        return sum;
    }

    private static ParameterSubset subsetOf(int[] coordinates, Network network) {
        List<int[]> ranges = new ArrayList<>();
        int start = coordinates[0];
        for (int i = 1; i <= coordinates.length; i++) {
            if (i == coordinates.length || coordinates[i] != coordinates[i - 1] + 1) {
                ranges.add(new int[] {start, coordinates[i - 1] + 1});
                if (i < coordinates.length) {
                    start = coordinates[i];
                }
            }
        }
        return ParameterSubset.ranges(network.layout(), ranges.toArray(int[][]::new));
    }

    private void buildDense(Curvature curvature) {
        int k = coordinates.length;
        double[] b = kind == Hessian.EXACT ? curvature.denseHessian(Damping.none()).toDense()
                : curvature.gaussNewton().toDense();
        // The product-built Gauss-Newton matrix is symmetric only to rounding; the eigensolver reads one triangle.
        for (int i = 0; i < k; i++) {
            for (int j = 0; j < i; j++) {
                double m = 0.5 * (b[i * k + j] + b[j * k + i]);
                b[i * k + j] = m;
                b[j * k + i] = m;
            }
        }
        eigenvalues = new double[k];
        kernels.syev(Uplo.LOWER, k, b, 0, k, eigenvalues, 0);
        eigenvectors = b;
        for (int a = 0; a < k; a++) {
            if (eigenvalues[a] < 0) {
                clippedMass += -eigenvalues[a];
                eigenvalues[a] = 0;
            }
        }
    }

    private void buildKronecker(Curvature curvature) {
        KfacOperator kfac = curvature.kfac(GradientKind.TRUE_FISHER, KfacDamping.eigen(0));
        blocks = new ArrayList<>();
        List<KroneckerFactors.LayerFactors> layers = kfac.factors().layers();
        for (int l = 0; l < layers.size(); l++) {
            KroneckerFactors.LayerFactors f = layers.get(l);
            KfacOperator.Eigenbasis e = kfac.eigenbasis(l);
            int na = e.inputDim();
            int ng = e.outputDim();
            double[] values = new double[ng * na];
            for (int i = 0; i < ng; i++) {
                for (int j = 0; j < na; j++) {
                    // gradientValues already carry σ; eigenvalues of the factors were clipped at 0 by the operator.
                    values[i * na + j] = e.gradientValues()[i] * e.inputValues()[j];
                }
            }
            blocks.add(new KroneckerBlock(f.weight().offset(), f.bias() == null ? -1 : f.bias().offset(),
                    f.weight().columns(), na, ng, e.inputVectors(), e.gradientVectors(), values,
                    classes.classOf(f.weight().offset())));
        }
    }

    // ------------------------------------------------------------------------------------------------
    // Accessors

    public Likelihood likelihood() {
        return likelihood;
    }

    public WeightClasses classes() {
        return classes;
    }

    public Hessian hessian() {
        return kind;
    }

    /** E_D at w_MP (½ Σ (f − t)², or G for classification). */
    public double dataError() {
        return dataError;
    }

    /** E_W^(c) at w_MP. */
    public double[] regularizers() {
        return regularizers.clone();
    }

    /** k, the parameters of the model. */
    public int parameters() {
        return coordinates.length;
    }

    /** N_t: scalar targets (N·K for regression), or examples for classification. */
    public int targets() {
        return targets;
    }

    /**
     * The eigenvalues ν of B used (negative ones clipped to 0), ascending for the dense Hessians; for K-FAC the
     * products σ c_i a_j of every layer in layer order.
     */
    public double[] curvatureEigenvalues() {
        if (blocks == null) {
            return eigenvalues.clone();
        }
        double[] all = new double[coordinates.length];
        int n = 0;
        for (KroneckerBlock b : blocks) {
            System.arraycopy(b.values(), 0, all, n, b.values().length);
            n += b.values().length;
        }
        return all;
    }

    /** The sum of |ν| over the negative eigenvalues of B clipped to 0 (dense Hessians; 0 for K-FAC). */
    public double clippedEigenvalueMass() {
        return clippedMass;
    }

    // ------------------------------------------------------------------------------------------------
    // The posterior at given hyperparameters

    /** ln det A and diag(A⁻¹) (in the model's coordinates), with the means to form bᵀA⁻¹b. */
    private final class Posterior {
        final Hyperparameters h;
        double logDet;
        final double[] inverseDiagonal = new double[coordinates.length];
        /** A⁻¹ (dense, both triangles) when formed; null otherwise. */
        double[] inverse;
        final boolean oneAlpha;
        final double alpha;

        Posterior(Hyperparameters h) {
            this.h = h;
            double first = Double.NaN;
            boolean same = true;
            for (int c = 0; c < classes.size(); c++) {
                if (classes.count(c) > 0) {
                    if (Double.isNaN(first)) {
                        first = h.alpha(c);
                    } else {
                        same &= h.alpha(c) == first;
                    }
                }
            }
            this.oneAlpha = same;
            this.alpha = first;
            if (blocks != null) {
                kronecker();
            } else if (oneAlpha) {
                eigen();
            } else {
                cholesky();
            }
        }

        private void eigen() {
            int k = coordinates.length;
            double beta = h.beta();
            for (int a = 0; a < k; a++) {
                logDet += Math.log(beta * eigenvalues[a] + alpha);
            }
            for (int i = 0; i < k; i++) {
                double s = 0;
                for (int a = 0; a < k; a++) {
                    double q = eigenvectors[i * k + a];
                    s += q * q / (beta * eigenvalues[a] + alpha);
                }
                inverseDiagonal[i] = s;
            }
        }

        private void cholesky() {
            int k = coordinates.length;
            double[] a = clippedMatrix().clone();
            for (int i = 0; i < a.length; i++) {
                a[i] *= h.beta();
            }
            for (int i = 0; i < k; i++) {
                a[i * k + i] += h.alpha(classOfCoordinate[i]);
            }
            try {
                kernels.potrf(Uplo.LOWER, k, a, 0, k);
            } catch (NotPositiveDefiniteException e) {
                // βB⁺ is positive semi-definite and every α_c > 0, so only rounding of a hugely ill-conditioned A gets here.
                throw new ArithmeticException("A = βB⁺ + diag(α) is numerically singular (" + e.getMessage()
                        + "); the α_c are too small against β‖B‖: " + h);
            }
            for (int i = 0; i < k; i++) {
                logDet += 2 * Math.log(a[i * k + i]);
            }
            kernels.potri(Uplo.LOWER, k, a, 0, k);
            kernels.symmetrize(Uplo.LOWER, k, a, 0, k);
            inverse = a;
            for (int i = 0; i < k; i++) {
                inverseDiagonal[i] = a[i * k + i];
            }
        }

        private void kronecker() {
            int n = 0;
            for (KroneckerBlock b : blocks) {
                double al = h.alpha(b.classIndex());
                double[] local = new double[b.values().length];
                for (int i = 0; i < local.length; i++) {
                    double m = h.beta() * b.values()[i] + al;
                    logDet += Math.log(m);
                    local[i] = 1 / m;
                }
                // diag(A⁻¹) in the block: (Q_Γ∘Q_Γ) M⁻¹ (Q_A∘Q_A)ᵀ, scattered to the layer's flat positions.
                double[] qg2 = squares(b.gradientVectors());
                double[] qa2 = squares(b.inputVectors());
                double[] t = new double[b.outputDim() * b.inputDim()];
                double[] d = new double[t.length];
                kernels.gemm(Trans.N, Trans.N, b.outputDim(), b.inputDim(), b.outputDim(), 1.0, qg2, 0, b.outputDim(),
                        local, 0, b.inputDim(), 0.0, t, 0, b.inputDim());
                kernels.gemm(Trans.N, Trans.T, b.outputDim(), b.inputDim(), b.inputDim(), 1.0, t, 0, b.inputDim(), qa2, 0,
                        b.inputDim(), 0.0, d, 0, b.inputDim());
                for (int i = 0; i < b.outputDim(); i++) {
                    for (int j = 0; j < b.columns(); j++) {
                        inverseDiagonal[b.weightOffset() + i * b.columns() + j] = d[i * b.inputDim() + j];
                    }
                    if (b.biasOffset() >= 0) {
                        inverseDiagonal[b.biasOffset() + i] = d[i * b.inputDim() + b.columns()];
                    }
                }
                n += local.length;
            }
            assert n == coordinates.length;
        }

        /** bᵀA⁻¹b for b in the model's coordinates. */
        double quadraticForm(double[] b) {
            if (blocks != null) {
                return kroneckerQuadraticForm(b, h);
            }
            int k = coordinates.length;
            if (inverse == null && oneAlpha) {
                double s = 0;
                for (int a = 0; a < k; a++) {
                    double p = 0;
                    for (int i = 0; i < k; i++) {
                        p += eigenvectors[i * k + a] * b[i];
                    }
                    s += p * p / (h.beta() * eigenvalues[a] + alpha);
                }
                return s;
            }
            double s = 0;
            for (int i = 0; i < k; i++) {
                double r = 0;
                for (int j = 0; j < k; j++) {
                    r += inverse[i * k + j] * b[j];
                }
                s += b[i] * r;
            }
            return s;
        }
    }

    private static double[] squares(double[] q) {
        double[] s = new double[q.length];
        for (int i = 0; i < q.length; i++) {
            s[i] = q[i] * q[i];
        }
        return s;
    }

    private double kroneckerQuadraticForm(double[] b, Hyperparameters h) {
        double s = 0;
        for (KroneckerBlock k : blocks) {
            int na = k.inputDim();
            int ng = k.outputDim();
            double[] v = new double[ng * na];
            for (int i = 0; i < ng; i++) {
                System.arraycopy(b, k.weightOffset() + i * k.columns(), v, i * na, k.columns());
                if (k.biasOffset() >= 0) {
                    v[i * na + k.columns()] = b[k.biasOffset() + i];
                }
            }
            double[] t = new double[ng * na];
            double[] y = new double[ng * na];
            kernels.gemm(Trans.T, Trans.N, ng, na, ng, 1.0, k.gradientVectors(), 0, ng, v, 0, na, 0.0, t, 0, na);
            kernels.gemm(Trans.N, Trans.N, ng, na, na, 1.0, t, 0, na, k.inputVectors(), 0, na, 0.0, y, 0, na);
            double al = h.alpha(k.classIndex());
            for (int i = 0; i < y.length; i++) {
                s += y[i] * y[i] / (h.beta() * k.values()[i] + al);
            }
        }
        return s;
    }

    /** B⁺ = Q max(ν, 0) Qᵀ, formed once. */
    private double[] clippedMatrix() {
        if (clippedMatrix == null) {
            int k = coordinates.length;
            double[] scaled = new double[k * k];
            for (int i = 0; i < k; i++) {
                for (int a = 0; a < k; a++) {
                    scaled[i * k + a] = eigenvectors[i * k + a] * eigenvalues[a];
                }
            }
            clippedMatrix = new double[k * k];
            kernels.gemm(Trans.N, Trans.T, k, k, k, 1.0, scaled, 0, k, eigenvectors, 0, k, 0.0, clippedMatrix, 0, k);
        }
        return clippedMatrix;
    }

    private Posterior posterior(Hyperparameters h) {
        if (h.classes() != classes.size()) {
            throw new IllegalArgumentException(h + " has " + h.classes() + " α values for " + classes.size() + " classes");
        }
        if (!likelihood.hasNoisePrecision() && h.beta() != 1) {
            throw new IllegalArgumentException(likelihood + " has no noise precision; β must be 1, got " + h.beta());
        }
        if (!h.equals(cachedFor)) {
            cached = new Posterior(h);
            cachedFor = h;
        }
        return cached;
    }

    // ------------------------------------------------------------------------------------------------
    // Evidence framework

    /** γ_c = k_c − α_c tr_c(A⁻¹), the well-determined parameters of every class (0 ≤ γ_c ≤ k_c). */
    public double[] wellDetermined(Hyperparameters h) {
        Posterior p = posterior(h);
        double[] trace = new double[classes.size()];
        for (int i = 0; i < coordinates.length; i++) {
            trace[classOfCoordinate[i]] += p.inverseDiagonal[i];
        }
        double[] gamma = new double[classes.size()];
        for (int c = 0; c < gamma.length; c++) {
            gamma[c] = classes.count(c) - h.alpha(c) * trace[c];
        }
        return gamma;
    }

    /** ln det A at the hyperparameters. */
    public double logDeterminant(Hyperparameters h) {
        return posterior(h).logDet;
    }

    /**
     * One re-estimation step (E1): α_c ← γ_c / (2 E_W^(c)) and, for regression, β ← (N_t − γ) / (2 E_D), with γ
     * at the given hyperparameters. A class with no parameters, or whose weights are all zero, keeps its α.
     */
    public Hyperparameters reestimate(Hyperparameters h) {
        double[] gamma = wellDetermined(h);
        double[] alpha = h.alpha();
        double total = 0;
        for (int c = 0; c < alpha.length; c++) {
            total += gamma[c];
            if (classes.count(c) > 0 && regularizers[c] > 0 && gamma[c] > 0) {
                alpha[c] = gamma[c] / (2 * regularizers[c]);
            }
        }
        double beta = h.beta();
        if (likelihood.hasNoisePrecision()) {
            if (!(dataError > 0)) {
                throw new IllegalStateException("E_D = " + dataError + ": the network fits the targets exactly, so β has no "
                        + "finite re-estimate; the data must be noisy (or keep β fixed)");
            }
            beta = (targets - total) / (2 * dataError);
        }
        return new Hyperparameters(alpha, beta);
    }

    /**
     * Re-estimation iterated at the fixed weights and B until no α_c or β changes by more than the relative
     * tolerance (or {@code maxIterations} steps). Cheap: with one α each step is O(k²).
     */
    public Hyperparameters reestimate(Hyperparameters h, int maxIterations, double tolerance) {
        Hyperparameters current = h;
        for (int it = 0; it < maxIterations; it++) {
            Hyperparameters next = reestimate(current);
            boolean settled = Math.abs(next.beta() - current.beta()) <= tolerance * current.beta();
            for (int c = 0; c < next.classes(); c++) {
                settled &= Math.abs(next.alpha(c) - current.alpha(c)) <= tolerance * current.alpha(c);
            }
            current = next;
            if (settled) {
                break;
            }
        }
        return current;
    }

    /** The log evidence and its terms at the hyperparameters (see {@link EvidenceTerms}). */
    public EvidenceTerms evidence(Hyperparameters h) {
        Posterior p = posterior(h);
        double[] gamma = wellDetermined(h);
        double prior = 0;
        double alphaTerm = 0;
        double gammaTotal = 0;
        double hyper = 0;
        for (int c = 0; c < classes.size(); c++) {
            if (classes.count(c) == 0) {
                continue;
            }
            prior -= h.alpha(c) * regularizers[c];
            alphaTerm += 0.5 * classes.count(c) * Math.log(h.alpha(c));
            gammaTotal += gamma[c];
            hyper += 0.5 * Math.log(2 / gamma[c]);
        }
        double data = -h.beta() * dataError;
        double noise = 0;
        if (likelihood.hasNoisePrecision()) {
            noise = 0.5 * targets * Math.log(h.beta()) - 0.5 * targets * Math.log(2 * Math.PI);
            hyper += 0.5 * Math.log(2 / (targets - gammaTotal));
        }
        double logEvidence = data + prior - 0.5 * p.logDet + alphaTerm + noise;
        return new EvidenceTerms(data, prior, p.logDet, alphaTerm, noise, logEvidence, -0.5 * p.logDet + alphaTerm,
                gammaTotal, gamma, coordinates.length, targets, symmetry, hyper, logEvidence + symmetry + hyper);
    }

    // ------------------------------------------------------------------------------------------------
    // Predictions

    /**
     * bᵀA⁻¹b with b = ∂f_k(x_n)/∂w for every sample n of {@code inputs} and output k (n × K, row-major): the
     * weight-uncertainty part of the predictive variance, at the network's current weights. Pruned weights have
     * no entry in b.
     */
    public double[] outputVariance(Hyperparameters h, Dataset inputs) {
        Posterior p = posterior(h);
        int kOut = network.outputSize();
        int d = network.parameterCount();
        int batch = Math.min(BATCH, inputs.size());
        Workspace ws = network.workspace(batch);
        float[] seeds = new float[batch * kOut];
        float[] rows = new float[batch * d];
        double[] b = new double[coordinates.length];
        double[] out = new double[inputs.size() * kOut];
        int[] order = new int[inputs.size()];
        Arrays.setAll(order, i -> i);
        for (int from = 0; from < inputs.size(); from += batch) {
            int count = Math.min(batch, inputs.size() - from);
            ws.load(inputs, order, from, count);
            network.forward(ws, false);
            for (int k = 0; k < kOut; k++) {
                Arrays.fill(seeds, 0f);
                for (int n = 0; n < count; n++) {
                    seeds[n * kOut + k] = 1f;
                }
                network.sampleGradients(ws, seeds, 0, rows, 0, d);
                for (int n = 0; n < count; n++) {
                    for (int i = 0; i < coordinates.length; i++) {
                        b[i] = rows[n * d + coordinates[i]];
                    }
                    out[(from + n) * kOut + k] = p.quadraticForm(b);
                }
            }
        }
        return out;
    }

    /** Regression error bars σ²(x) = 1/β + bᵀA⁻¹b (n × K). */
    public double[] predictiveVariance(Hyperparameters h, Dataset inputs) {
        if (!likelihood.hasNoisePrecision()) {
            throw new IllegalStateException("predictive variances are for the Gaussian likelihood; use moderatedOutputs for "
                    + likelihood);
        }
        double[] v = outputVariance(h, inputs);
        for (int i = 0; i < v.length; i++) {
            v[i] += 1 / h.beta();
        }
        return v;
    }

    /**
     * Classification with the moderated output (MacKay 1992, classification paper; METHODS E1): with the logit a_MP
     * and s² = bᵀA⁻¹b, κ = (1 + π s²/8)^{−1/2}. Bernoulli: P(t = 1 | x) ≈ sigmoid(κ a_MP), one value per sample.
     * Categorical: softmax over κ_k a_k with each logit moderated by its own variance (a per-logit extension of the
     * probit approximation; MacKay's derivation is for one logit), K values per sample.
     */
    public double[] moderatedOutputs(Hyperparameters h, Dataset inputs) {
        if (likelihood.hasNoisePrecision()) {
            throw new IllegalStateException("the moderated output is for classification likelihoods, not " + likelihood);
        }
        double[] s2 = outputVariance(h, inputs);
        int kOut = network.outputSize();
        double[] logits = outputs(network, inputs);
        double[] out = new double[logits.length];
        for (int n = 0; n < inputs.size(); n++) {
            if (kOut == 1) {
                double kappa = 1 / Math.sqrt(1 + Math.PI * s2[n] / 8);
                out[n] = 1 / (1 + Math.exp(-kappa * logits[n]));
                continue;
            }
            double max = Double.NEGATIVE_INFINITY;
            for (int k = 0; k < kOut; k++) {
                double kappa = 1 / Math.sqrt(1 + Math.PI * s2[n * kOut + k] / 8);
                out[n * kOut + k] = kappa * logits[n * kOut + k];
                max = Math.max(max, out[n * kOut + k]);
            }
            double sum = 0;
            for (int k = 0; k < kOut; k++) {
                out[n * kOut + k] = Math.exp(out[n * kOut + k] - max);
                sum += out[n * kOut + k];
            }
            for (int k = 0; k < kOut; k++) {
                out[n * kOut + k] /= sum;
            }
        }
        return out;
    }

    /** The network's outputs on every sample (n × K, evaluation mode): the predictive means of a regression model. */
    public static double[] outputs(Network network, Dataset inputs) {
        int kOut = network.outputSize();
        int batch = Math.min(BATCH, inputs.size());
        Workspace ws = network.workspace(batch);
        double[] out = new double[inputs.size() * kOut];
        for (int from = 0; from < inputs.size(); from += batch) {
            int count = Math.min(batch, inputs.size() - from);
            ws.load(inputs, from, count);
            float[] f = network.forward(ws, false);
            for (int i = 0; i < count * kOut; i++) {
                out[from * kOut + i] = f[i];
            }
        }
        return out;
    }

    /** The weights the approximation was built at (a copy). */
    public float[] weights() {
        return weights.clone();
    }

    @Override
    public String toString() {
        return "Laplace approximation (" + kind + " B, " + likelihood + ", k = " + coordinates.length + ", N_t = " + targets
                + ", " + classes + ")";
    }
}
