package dev.surgeon.core.curvature;

import dev.surgeon.kernels.Kernels;
import dev.surgeon.kernels.Trans;
import dev.surgeon.kernels.Uplo;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * The K-FAC / KFC block-diagonal Fisher: one Kronecker block σ·(Γ_l ⊗ A_l) per dense or convolutional layer
 * ({@link KroneckerFactors}; Martens and Grosse 2015; Grosse and Martens 2016; METHODS A7), damped by one of the
 * {@link KfacDamping} variants. In layer l's coordinates the vector is the d_out × n_A matrix V̄ = [V | v_b]
 * (row-major W, bias as the last column; {@link KroneckerFactors} explains the Γ ⊗ A order):
 * <ul>
 *   <li>factored Tikhonov: C_l = Γ_d ⊗ A_d with A_d = A + πγI, Γ_d = σΓ + (γ/π)I; C_l V̄ = Γ_d V̄ A_d,
 *       C_l⁻¹ V̄ = Γ_d⁻¹ V̄ A_d⁻¹ (Cholesky inverses), diag = diag(Γ_d) diag(A_d)ᵀ;</li>
 *   <li>eigen: A = Q_A diag(a) Q_Aᵀ, Γ = Q_Γ diag(c) Q_Γᵀ (syev; eigenvalues below 0, rounding only, clipped
 *       to 0), C_l V̄ = Q_Γ[(Q_Γᵀ V̄ Q_A) ⊙ M] Q_Aᵀ and C_l⁻¹ V̄ = Q_Γ[(Q_Γᵀ V̄ Q_A) ⊘ M] Q_Aᵀ with
 *       M = σ c aᵀ + λ; diag(C_l⁻¹) = (Q_Γ∘Q_Γ)(1 ⊘ M)(Q_A∘Q_A)ᵀ.</li>
 * </ul>
 * σ = 1 for a MEAN loss and N for a SUM loss (the factors are per-sample means). The operator represents the
 * factors as of the last {@link #refresh()} (called on construction; an optimizer that keeps updating the
 * factors calls it every few steps, METHODS A7's T₃). Cost per product: 2 (Tikhonov) or 4 (eigen) gemms of
 * d_out × n_A by the factors per layer; refresh O(n_A³ + n_Γ³) per layer. Memory 16(n_A² + n_Γ²) per layer.
 */
public final class KfacOperator implements CurvatureOperator {
    private final String name;
    private final KroneckerFactors factors;
    private final ParameterSubset subset;
    private final KfacDamping damping;
    private final double scale;
    private final Kernels kernels;
    private final Block[] blocks;
    private final double[] work1;
    private final double[] work2;
    private final List<DampingRecord> records = new ArrayList<>();

    /** Damped factors (Tikhonov) or eigenbases (eigen) of one layer, and where the layer sits in the vector. */
    private static final class Block {
        final KroneckerFactors.LayerFactors f;
        final int weightLocal;
        final int biasLocal;
        final int dCol;
        double[] first;
        double[] second;
        double[] firstInverse;
        double[] secondInverse;
        double[] inputValues;
        double[] gradientValues;
        double lambda;

        Block(KroneckerFactors.LayerFactors f, ParameterSubset subset) {
            this.f = f;
            this.weightLocal = subset.local(f.weight.offset());
            this.biasLocal = f.bias == null ? -1 : subset.local(f.bias.offset());
            this.dCol = f.weight.columns();
        }
    }

    private KfacOperator(String name, KroneckerFactors factors, ParameterSubset subset, KfacDamping damping, double scale) {
        this.name = name;
        this.factors = factors;
        this.subset = subset;
        this.damping = damping;
        this.scale = scale;
        this.kernels = factors.kernels();
        this.blocks = new Block[factors.layers().size()];
        int max = 0;
        int covered = 0;
        for (int i = 0; i < blocks.length; i++) {
            KroneckerFactors.LayerFactors f = factors.layers().get(i);
            blocks[i] = new Block(f, subset);
            max = Math.max(max, f.inputDim * f.outputDim);
            covered += f.inputDim * f.outputDim;
        }
        if (covered != subset.dim()) {
            throw new IllegalArgumentException(name + ": the factors cover " + covered + " parameters but the subset has "
                    + subset.dim() + "; build them over the same subset");
        }
        this.work1 = new double[max];
        this.work2 = new double[max];
        refresh();
    }

    /**
     * An operator over existing factors (e.g. an optimizer's moving averages).
     *
     * @param subset the subset the factors were built over (its whole layers, in order)
     * @param scale  σ: 1 for the Fisher of a mean loss, N for a summed loss over N samples
     */
    public static KfacOperator of(KroneckerFactors factors, ParameterSubset subset, KfacDamping damping, double scale) {
        if (!(scale > 0)) {
            throw new IllegalArgumentException("Fisher scale must be > 0, got " + scale);
        }
        String variant = damping.variant() == KfacDamping.Variant.EIGEN ? "eigen-damped" : "factored Tikhonov";
        return new KfacOperator("K-FAC (" + variant + ") over " + subset.describe(), factors, subset, damping, scale);
    }

    /** Memory of the operator for the layers of a subset, before building it. */
    static long estimateBytes(dev.surgeon.core.nn.Network net, ParameterSubset subset) {
        return 3 * KroneckerFactors.estimateBytes(net, subset);
    }

    /** Recomputes the damped inverses or eigendecompositions from the current factors. */
    public void refresh() {
        records.clear();
        for (Block b : blocks) {
            if (damping.variant() == KfacDamping.Variant.EIGEN) {
                refreshEigen(b);
            } else {
                refreshTikhonov(b);
            }
        }
    }

    private void refreshTikhonov(Block b) {
        KroneckerFactors.LayerFactors f = b.f;
        int na = f.inputDim;
        int ng = f.outputDim;
        double traceA = Vectors.meanDiagonal(f.a(), 0, na, na);
        double traceG = scale * Vectors.meanDiagonal(f.gamma(), 0, ng, ng);
        double gamma = Math.sqrt(damping.lambda() + damping.weightDecay());
        // π balances the two factors' scales; degenerate factors (zero trace) get π = 1.
        double pi = traceA > 0 && traceG > 0 ? Math.sqrt(traceA / traceG) : 1;
        b.first = f.gamma().clone();
        for (int i = 0; i < b.first.length; i++) {
            b.first[i] *= scale;
        }
        b.second = f.a().clone();
        b.firstInverse = new double[ng * ng];
        b.secondInverse = new double[na * na];
        DampingRecord rg = DampedCholesky.invert(kernels, f.name + " Γ", b.first, 0, ng, ng,
                Damping.absolute(gamma / pi), b.firstInverse, 0, ng);
        DampingRecord ra = DampedCholesky.invert(kernels, f.name + " A", b.second, 0, na, na,
                Damping.absolute(gamma * pi), b.secondInverse, 0, na);
        for (int i = 0; i < ng; i++) {
            b.first[i * ng + i] += rg.used();
        }
        for (int i = 0; i < na; i++) {
            b.second[i * na + i] += ra.used();
        }
        records.add(rg);
        records.add(ra);
    }

    private void refreshEigen(Block b) {
        KroneckerFactors.LayerFactors f = b.f;
        int na = f.inputDim;
        int ng = f.outputDim;
        b.second = f.a().clone();
        b.inputValues = new double[na];
        symmetricEigen(kernels, na, b.second, b.inputValues);
        b.first = f.gamma().clone();
        b.gradientValues = new double[ng];
        symmetricEigen(kernels, ng, b.first, b.gradientValues);
        for (int i = 0; i < na; i++) {
            b.inputValues[i] = Math.max(0, b.inputValues[i]);
        }
        double minProduct = Double.POSITIVE_INFINITY;
        for (int i = 0; i < ng; i++) {
            b.gradientValues[i] = Math.max(0, b.gradientValues[i]) * scale;
            minProduct = Math.min(minProduct, b.gradientValues[i] * b.inputValues[0]);
        }
        double floor = minProduct;
        double meanAbs = Math.abs(Vectors.meanDiagonal(f.gamma(), 0, ng, ng) * scale * Vectors.meanDiagonal(f.a(), 0, na, na));
        DampingRecord r = DampedCholesky.retry(f.name, Damping.absolute(damping.lambda()), damping.lambda(), meanAbs,
                l -> floor + l > 0);
        b.lambda = r.used();
        records.add(r);
    }

    /**
     * {@code syev} of the symmetric n×n {@code m} (overwritten with V, eigenvector j in column j; values ascending), with
     * the exactly-zero rows split off first: a zero row i makes e_i an eigenvector with eigenvalue 0, so the
     * decomposition of the rest plus those unit vectors is exact. Why: the factors of a structurally pruned network
     * have such rows (a removed unit's activation and back-propagated gradient are exactly 0), and refreshing them
     * during spectral-radius pruning of LeNet-300-100 to 4× and 8× fewer FLOPs failed in the kernels' QL iteration
     * ("did not converge for eigenvalue 66 after 60 QL sweeps"); with the zero rows split off the same runs complete.
     * A random factor with zero rows alone did not reproduce the failure, so what exactly stalls the QL sweeps on the
     * real factors is not pinned down (a kernels-level question); splitting is exact and cheaper either way.
     */
    static void symmetricEigen(Kernels kernels, int n, double[] m, double[] values) {
        int[] alive = new int[n];
        int r = 0;
        for (int i = 0; i < n; i++) {
            boolean zero = true;
            for (int j = 0; j < n && zero; j++) {
                zero = m[i * n + j] == 0 && m[j * n + i] == 0;
            }
            if (!zero) {
                alive[r++] = i;
            }
        }
        if (r == n) {
            kernels.syev(Uplo.LOWER, n, m, 0, n, values, 0);
            return;
        }
        double[] reduced = new double[r * r];
        for (int a = 0; a < r; a++) {
            for (int c = 0; c < r; c++) {
                reduced[a * r + c] = m[alive[a] * n + alive[c]];
            }
        }
        double[] w = new double[r];
        if (r > 0) {
            kernels.syev(Uplo.LOWER, r, reduced, 0, r, w, 0);
        }
        // Columns in ascending order of eigenvalue: the reduced ones (ascending already) merged with the zeros.
        Integer[] order = new Integer[n];
        double[] value = new double[n];
        boolean[] isAlive = new boolean[n];
        for (int a = 0; a < r; a++) {
            isAlive[alive[a]] = true;
        }
        int k = 0;
        for (int i = 0; i < n; i++) {
            if (!isAlive[i]) {
                order[k] = -1 - i;
                value[k++] = 0;
            }
        }
        for (int a = 0; a < r; a++) {
            order[k] = a;
            value[k++] = w[a];
        }
        Integer[] idx = new Integer[n];
        for (int i = 0; i < n; i++) {
            idx[i] = i;
        }
        java.util.Arrays.sort(idx, (x, y) -> Double.compare(value[x], value[y]));
        java.util.Arrays.fill(m, 0, n * n, 0.0);
        for (int col = 0; col < n; col++) {
            int o = order[idx[col]];
            values[col] = value[idx[col]];
            if (o < 0) {
                m[(-1 - o) * n + col] = 1;
            } else {
                for (int a = 0; a < r; a++) {
                    m[alive[a] * n + col] = reduced[a * r + o];
                }
            }
        }
    }

    /** The eigendecompositions of a layer's factors (EigenDamage), available with {@link KfacDamping#eigen}. */
    public record Eigenbasis(String layer, int inputDim, int outputDim, double[] inputVectors, double[] inputValues,
                             double[] gradientVectors, double[] gradientValues) {
    }

    /**
     * Q_A (n_A × n_A, column k = eigenvector k), its eigenvalues a (ascending), Q_Γ and σ·c for layer i (copies).
     *
     * @throws UnsupportedOperationException with factored Tikhonov damping
     */
    public Eigenbasis eigenbasis(int layer) {
        if (damping.variant() != KfacDamping.Variant.EIGEN) {
            throw new UnsupportedOperationException(name + " keeps Cholesky inverses, not eigenbases; build it with KfacDamping.eigen");
        }
        Block b = blocks[layer];
        return new Eigenbasis(b.f.name, b.f.inputDim, b.f.outputDim, b.second.clone(), b.inputValues.clone(),
                b.first.clone(), b.gradientValues.clone());
    }

    /** The factors this operator reads. */
    public KroneckerFactors factors() {
        return factors;
    }

    public KfacDamping damping() {
        return damping;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public int dim() {
        return subset.dim();
    }

    @Override
    public Set<Capability> capabilities() {
        return EnumSet.allOf(Capability.class);
    }

    @Override
    public void multiply(double[] v, double[] out) {
        Vectors.check(this, v, out);
        for (Block b : blocks) {
            gather(b, v, work1);
            if (damping.variant() == KfacDamping.Variant.EIGEN) {
                eigenApply(b, work1, false);
            } else {
                sandwich(b, b.first, b.second, work1);
            }
            scatter(b, work1, out);
        }
    }

    @Override
    public void inverseMultiply(double[] v, double[] out) {
        Vectors.check(this, v, out);
        for (Block b : blocks) {
            gather(b, v, work1);
            if (damping.variant() == KfacDamping.Variant.EIGEN) {
                eigenApply(b, work1, true);
            } else {
                sandwich(b, b.firstInverse, b.secondInverse, work1);
            }
            scatter(b, work1, out);
        }
    }

    @Override
    public double[] diagonal() {
        double[] d = new double[dim()];
        for (Block b : blocks) {
            int na = b.f.inputDim;
            int ng = b.f.outputDim;
            if (damping.variant() == KfacDamping.Variant.EIGEN) {
                // diag(Γ)_i = Σ_k Q_Γ[i,k]² c_k and diag(A)_j = Σ_l Q_A[j,l]² a_l, from the refreshed eigenbases.
                double[] dg = eigenDiagonal(b.first, b.gradientValues, ng);
                double[] da = eigenDiagonal(b.second, b.inputValues, na);
                for (int i = 0; i < ng; i++) {
                    for (int j = 0; j < na; j++) {
                        work1[i * na + j] = dg[i] * da[j] + b.lambda;
                    }
                }
            } else {
                for (int i = 0; i < ng; i++) {
                    for (int j = 0; j < na; j++) {
                        work1[i * na + j] = b.first[i * ng + i] * b.second[j * na + j];
                    }
                }
            }
            scatter(b, work1, d);
        }
        return d;
    }

    private static double[] eigenDiagonal(double[] q, double[] values, int n) {
        double[] d = new double[n];
        for (int i = 0; i < n; i++) {
            double s = 0;
            for (int k = 0; k < n; k++) {
                s += q[i * n + k] * q[i * n + k] * values[k];
            }
            d[i] = s;
        }
        return d;
    }

    @Override
    public double[] inverseDiagonal() {
        double[] d = new double[dim()];
        for (Block b : blocks) {
            int na = b.f.inputDim;
            int ng = b.f.outputDim;
            if (damping.variant() == KfacDamping.Variant.EIGEN) {
                double[] qg2 = squares(b.first);
                double[] qa2 = squares(b.second);
                for (int k = 0; k < ng; k++) {
                    for (int l = 0; l < na; l++) {
                        work2[k * na + l] = 1 / (b.gradientValues[k] * b.inputValues[l] + b.lambda);
                    }
                }
                double[] t = new double[ng * na];
                kernels.gemm(Trans.N, Trans.N, ng, na, ng, 1.0, qg2, 0, ng, work2, 0, na, 0.0, t, 0, na);
                kernels.gemm(Trans.N, Trans.T, ng, na, na, 1.0, t, 0, na, qa2, 0, na, 0.0, work1, 0, na);
            } else {
                for (int i = 0; i < ng; i++) {
                    for (int j = 0; j < na; j++) {
                        work1[i * na + j] = b.firstInverse[i * ng + i] * b.secondInverse[j * na + j];
                    }
                }
            }
            scatter(b, work1, d);
        }
        return d;
    }

    private static double[] squares(double[] q) {
        double[] s = new double[q.length];
        for (int i = 0; i < q.length; i++) {
            s[i] = q[i] * q[i];
        }
        return s;
    }

    /** V̄ ← left · V̄ · right (left n_Γ × n_Γ, right n_A × n_A, both symmetric). */
    private void sandwich(Block b, double[] left, double[] right, double[] v) {
        int na = b.f.inputDim;
        int ng = b.f.outputDim;
        kernels.gemm(Trans.N, Trans.N, ng, na, ng, 1.0, left, 0, ng, v, 0, na, 0.0, work2, 0, na);
        kernels.gemm(Trans.N, Trans.N, ng, na, na, 1.0, work2, 0, na, right, 0, na, 0.0, v, 0, na);
    }

    /** V̄ ← Q_Γ[(Q_Γᵀ V̄ Q_A) ⊙ M or ⊘ M] Q_Aᵀ. */
    private void eigenApply(Block b, double[] v, boolean inverse) {
        int na = b.f.inputDim;
        int ng = b.f.outputDim;
        kernels.gemm(Trans.T, Trans.N, ng, na, ng, 1.0, b.first, 0, ng, v, 0, na, 0.0, work2, 0, na);
        kernels.gemm(Trans.N, Trans.N, ng, na, na, 1.0, work2, 0, na, b.second, 0, na, 0.0, v, 0, na);
        for (int k = 0; k < ng; k++) {
            for (int l = 0; l < na; l++) {
                double m = b.gradientValues[k] * b.inputValues[l] + b.lambda;
                v[k * na + l] = inverse ? v[k * na + l] / m : v[k * na + l] * m;
            }
        }
        kernels.gemm(Trans.N, Trans.N, ng, na, ng, 1.0, b.first, 0, ng, v, 0, na, 0.0, work2, 0, na);
        kernels.gemm(Trans.N, Trans.T, ng, na, na, 1.0, work2, 0, na, b.second, 0, na, 0.0, v, 0, na);
    }

    /** V̄[i, j] from the subset vector: weights row-major, the bias as column d_col. */
    private static void gather(Block b, double[] v, double[] vbar) {
        int na = b.f.inputDim;
        for (int i = 0; i < b.f.outputDim; i++) {
            System.arraycopy(v, b.weightLocal + i * b.dCol, vbar, i * na, b.dCol);
            if (b.biasLocal >= 0) {
                vbar[i * na + b.dCol] = v[b.biasLocal + i];
            }
        }
    }

    private static void scatter(Block b, double[] vbar, double[] out) {
        int na = b.f.inputDim;
        for (int i = 0; i < b.f.outputDim; i++) {
            System.arraycopy(vbar, i * na, out, b.weightLocal + i * b.dCol, b.dCol);
            if (b.biasLocal >= 0) {
                out[b.biasLocal + i] = vbar[i * na + b.dCol];
            }
        }
    }

    @Override
    public long memoryBytes() {
        long s = factors.memoryBytes() + 8L * (work1.length + work2.length);
        for (Block b : blocks) {
            long na = b.f.inputDim;
            long ng = b.f.outputDim;
            s += damping.variant() == KfacDamping.Variant.EIGEN ? 8 * (na * na + ng * ng + na + ng) : 16 * (na * na + ng * ng);
        }
        return s;
    }

    @Override
    public List<DampingRecord> dampingUsed() {
        return List.copyOf(records);
    }

    @Override
    public String toString() {
        return name;
    }
}
