package dev.surgeon.core.curvature;

import dev.surgeon.core.nn.Layer;
import dev.surgeon.core.nn.LayerStatistics;
import dev.surgeon.core.nn.Loss;
import dev.surgeon.core.nn.Network;
import dev.surgeon.core.nn.ParameterLayout;
import dev.surgeon.core.nn.ParameterTensor;
import dev.surgeon.core.nn.Reduction;
import dev.surgeon.core.nn.Workspace;
import dev.surgeon.core.progress.Progress;
import dev.surgeon.kernels.Kernels;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Builds curvature operators of a network's loss over a data source: the entry point of the package. A
 * {@code Curvature} is an immutable description (network, loss, {@link DataSource}, {@link ParameterSubset},
 * seed, {@link MemoryBudget}, {@link Progress}); each factory method runs the passes it needs and returns an
 * operator. Example:
 * <pre>{@code
 * Curvature c = Curvature.of(net, Loss.softmaxCrossEntropy(), DataSource.sample(train, 1000, 100, seed))
 *         .subset(ParameterSubset.weights(net.layout())).seed(seed);
 * BlockDiagonalOperator f = c.blockDiagonal(Gradients.empiricalFisher(), BlockPartition.fixedSize(c.subset(), 128),
 *         Damping.absolute(1e-5));
 * double[] inverseDiagonal = f.inverseDiagonal();  // WoodFisher's [F⁻¹]_qq
 * }</pre>
 *
 * <h2>Scale conventions</h2>
 * Every operator is the curvature of the data-source loss L = s·Σ_n ℓ_n over its N samples, with the loss's
 * reduction (s = 1/N for MEAN, 1 for SUM; batches are weighted accordingly, so the batch size does not matter):
 * Hessian ∇²L, Gauss-Newton s·Σ J_nᵀΛ_nJ_n, empirical/true Fisher s·Σ_n g_n g_nᵀ with g_n = ∇ℓ_n (data or
 * sampled targets), K-FAC σ(Γ ⊗ A) with σ = N·s. Exceptions, by definition of the method: OBS's outer-product
 * Hessian is (1/N) Σ_n Σ_k ∂f_k/∂w ∂f_k/∂wᵀ whatever the loss; mini-batch gradients give
 * (N·s/M) Σ_j g_j g_jᵀ over the M mini-batch means ({@link Gradients}: about b times smaller than the
 * per-sample Fisher; not rescaled). In the rank-one recursion the denominator is 1/c for C = λI + c·Σ x xᵀ:
 * N for per-sample rows of a MEAN loss ("N in the denominator", METHODS 1.5), also for several rows per sample;
 * M-FAC built here uses the same c (its count n = 1/c, which is m for per-sample rows of a MEAN loss).
 *
 * <h2>Determinism and provenance</h2>
 * Sampled labels (true Fisher) come from {@link #seed()}; the data source records its sample indices. Same
 * seed, same data source ⇒ the same operator, bit for bit with the same kernels.
 *
 * <h2>Memory</h2>
 * Each builder estimates its memory first and refuses with a {@link CurvatureTooLargeException} naming the
 * bytes, the budget and the cheaper operators that would fit, before allocating anything big.
 */
public final class Curvature {
    /** Gradients M-FAC would keep at most in the memory alternatives of a refusal message. */
    static final int ALTERNATIVE_MFAC_GRADIENTS = 1024;

    private final Network network;
    private final Loss loss;
    private final DataSource data;
    private final ParameterSubset subset;
    private final long seed;
    private final MemoryBudget budget;
    private final Progress progress;

    private Curvature(Network network, Loss loss, DataSource data, ParameterSubset subset, long seed,
                      MemoryBudget budget, Progress progress) {
        this.network = network;
        this.loss = loss;
        this.data = data;
        this.subset = subset;
        this.seed = seed;
        this.budget = budget;
        this.progress = progress;
    }

    /** All parameters, the data source's seed, the default budget, no progress reporting. */
    public static Curvature of(Network network, Loss loss, DataSource data) {
        loss.checkOutputs(network.outputSize());
        network.workspace(1).checkCompatible(data.dataset());
        return new Curvature(network, loss, data, ParameterSubset.all(network.layout()), data.seed(),
                MemoryBudget.defaultBudget(), Progress.NONE);
    }

    /** The same over a parameter subset of this network. */
    public Curvature subset(ParameterSubset s) {
        if (!sameLayout(s.layout(), network.layout())) {
            throw new IllegalArgumentException("the subset " + s + " belongs to another network than " + network);
        }
        return new Curvature(network, loss, data, s, seed, budget, progress);
    }

    private static boolean sameLayout(ParameterLayout a, ParameterLayout b) {
        if (a == b) {
            return true;
        }
        if (a.size() != b.size() || a.tensors().size() != b.tensors().size()) {
            return false;
        }
        for (int i = 0; i < a.tensors().size(); i++) {
            ParameterTensor x = a.tensors().get(i);
            ParameterTensor y = b.tensors().get(i);
            if (!x.name().equals(y.name()) || x.offset() != y.offset() || x.length() != y.length()) {
                return false;
            }
        }
        return true;
    }

    /** The same with another seed for sampled labels. */
    public Curvature seed(long s) {
        return new Curvature(network, loss, data, subset, s, budget, progress);
    }

    public Curvature budget(MemoryBudget b) {
        return new Curvature(network, loss, data, subset, seed, b, progress);
    }

    public Curvature progress(Progress p) {
        return new Curvature(network, loss, data, subset, seed, budget, p);
    }

    public Network network() {
        return network;
    }

    public Loss loss() {
        return loss;
    }

    public DataSource data() {
        return data;
    }

    public ParameterSubset subset() {
        return subset;
    }

    public long seed() {
        return seed;
    }

    public MemoryBudget budget() {
        return budget;
    }

    public Progress progress() {
        return progress;
    }

    Kernels kernels() {
        return network.kernels();
    }

    // ------------------------------------------------------------------------------------------------
    // Matrix-free

    /** The exact Hessian, by R-operator products at the current weights. */
    public HessianOperator hessian() {
        return new HessianOperator(this);
    }

    /** The generalized Gauss-Newton matrix, by JᵀΛJ products at the current weights. */
    public GaussNewtonOperator gaussNewton() {
        return new GaussNewtonOperator(this);
    }

    // ------------------------------------------------------------------------------------------------
    // Dense

    /** The dense exact Hessian (d R-operator products per batch, symmetrized; METHODS A1). */
    public DenseOperator denseHessian(Damping damping) {
        int d = subset.dim();
        budget.require("dense Hessian over " + subset.describe(), 16L * d * d + 16L * network.parameterCount(),
                (long) d * d, "a d × d double matrix", alternatives());
        return HessianOperator.dense(this, damping);
    }

    /** The dense Gauss-Newton matrix from the Λ-factor columns (exact), syrk + Cholesky. */
    public DenseOperator denseGaussNewton(Damping damping) {
        return dense(Gradients.gaussNewton(), damping, DenseInverseMethod.CHOLESKY);
    }

    /**
     * A dense outer-product curvature C = λI + c·Σ x xᵀ: empirical or true Fisher, Gauss-Newton, or OBS's
     * outer-product Hessian, built by {@link DenseInverseMethod#CHOLESKY} or {@link DenseInverseMethod#RANK_ONE}.
     */
    public DenseOperator dense(Gradients gradients, Damping damping, DenseInverseMethod method) {
        GradientStream stream = new GradientStream(this, gradients);
        int d = subset.dim();
        long rows = stream.rows();
        long bytes = OuterProductMatrix.estimateBytes(method, d, rows, stream.maxRowsPerCall());
        long largest = Math.max((long) d * d, method == DenseInverseMethod.CHOLESKY && rows < d ? rows * d : 0);
        String name = "dense " + gradients.label() + " (" + method.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-')
                + ") over " + subset.describe();
        budget.require(name, bytes, largest, "a d × d double matrix", alternatives());
        return OuterProductMatrix.build(name, OuterProductMatrix.of(stream), d, stream.coefficient(), damping, method, kernels());
    }

    // ------------------------------------------------------------------------------------------------
    // Diagonal

    /**
     * diag of the outer-product curvature of the gradient kind: the diagonal empirical Fisher, the Monte-Carlo
     * diagonal true Fisher, the exact Gauss-Newton diagonal, or the OBS outer-product diagonal.
     */
    public DiagonalOperator diagonal(Gradients gradients, Damping damping) {
        budget.require("diagonal " + gradients.label(), 8L * (subset.dim() + 3L * network.parameterCount()),
                subset.dim(), "a vector", List.of());
        return DiagonalOperator.of("diagonal " + gradients.label() + " over " + subset.describe(),
                DiagonalOperator.outerProductDiagonal(this, gradients), damping);
    }

    /**
     * The Becker–LeCun diagonal (OBD), optionally with the φ''·∂L/∂h terms of the "exact diagonal" variant
     * (which may be negative).
     */
    public DiagonalOperator beckerLeCunDiagonal(boolean secondDerivativeTerms, Damping damping) {
        return DiagonalOperator.of("Becker–LeCun diagonal" + (secondDerivativeTerms ? " with φ'' terms" : "") + " over "
                + subset.describe(), DiagonalOperator.beckerLeCun(this, secondDerivativeTerms), damping);
    }

    // ------------------------------------------------------------------------------------------------
    // Structured

    /** Block-diagonal outer-product curvature over the partition (use {@link BlockPartition} over {@link #subset()}). */
    public BlockDiagonalOperator blockDiagonal(Gradients gradients, BlockPartition partition, Damping damping) {
        if (partition.dim() != subset.dim()) {
            throw new IllegalArgumentException("the partition covers " + partition.dim() + " coordinates but the subset has "
                    + subset.dim() + "; build it with BlockPartition.perLayer/fixedSize(curvature.subset(), …)");
        }
        GradientStream stream = new GradientStream(this, gradients);
        String name = "block-diagonal " + gradients.label() + " (" + partition + ") over " + subset.describe();
        budget.require(name, BlockDiagonalOperator.estimateBytes(partition, stream.maxRowsPerCall()),
                (long) partition.largestBlock() * partition.largestBlock(), "the largest block", alternatives());
        return BlockDiagonalOperator.build(name, OuterProductMatrix.of(stream), partition, stream.coefficient(), damping,
                kernels());
    }

    /**
     * K-FAC / KFC over the subset's layers (whole layers), factors averaged over the data source with one
     * extra backward pass per batch from data ({@link GradientKind#EMPIRICAL_FISHER}) or sampled
     * ({@link GradientKind#TRUE_FISHER}, the K-FAC default) targets.
     */
    public KfacOperator kfac(GradientKind kind, KfacDamping damping) {
        if (!kind.allowsMiniBatches()) {
            throw new IllegalArgumentException("K-FAC factors come from per-sample loss gradients: use TRUE_FISHER "
                    + "(sampled labels, the paper's choice) or EMPIRICAL_FISHER, not " + kind);
        }
        String name = "K-FAC over " + subset.describe();
        budget.require(name, KfacOperator.estimateBytes(network, subset), largestFactor(), "the largest factor", alternatives());
        KroneckerFactors factors = KroneckerFactors.of(network, subset, KroneckerFactors.Averaging.mean());
        Workspace ws = network.workspace(data.batchSize());
        float[] seeds = new float[data.batchSize() * network.outputSize()];
        SplittableRandom labels = new GradientStream(this, new Gradients(kind, 1)).labelSampler();
        progress.start("K-FAC factors", data.batchCount());
        for (int b = 0; b < data.batchCount(); b++) {
            data.load(ws, b);
            network.forward(ws, false);
            network.lossSeeds(ws, loss, labels, seeds, 0);
            factors.update(network.kroneckerStatistics(ws, seeds, 0));
            progress.advance(1);
        }
        progress.finish();
        double sigma = loss.reduction() == Reduction.MEAN ? 1.0 : data.size();
        return KfacOperator.of(factors, subset, damping, sigma);
    }

    private long largestFactor() {
        long m = 0;
        for (ParameterTensor t : network.layout().tensors()) {
            if (t.role() == ParameterTensor.Role.WEIGHT && subset.intersectsTensor(t)) {
                long n = Math.max(t.columns() + 1L, t.rows());
                m = Math.max(m, n * n);
            }
        }
        return m;
    }

    /**
     * M-FAC static over the gradient rows (F̂ = λI + c·GᵀG with c from the scale conventions above), in blocks
     * of {@code blockSize} coordinates along each layer ({@code blockSize >= d}: unblocked).
     */
    public MfacStatic mfac(Gradients gradients, double lambda, int blockSize, GradientStorage storage) {
        GradientStream stream = new GradientStream(this, gradients);
        int d = subset.dim();
        BlockPartition blocks = blockSize >= d ? BlockPartition.whole(d) : BlockPartition.fixedSize(subset, blockSize);
        long rowsLong = stream.rows();
        String name = "M-FAC static over " + rowsLong + " " + gradients.label() + " rows"
                + (blocks.size() > 1 ? ", blocks of " + blockSize : "") + " over " + subset.describe();
        budget.require(name, MfacStatic.estimateBytes((int) Math.min(rowsLong, Integer.MAX_VALUE), d, blocks.size(), storage)
                        + 12L * stream.maxRowsPerCall() * d,
                rowsLong * d, "the m × d gradient matrix", alternatives());
        int m = Math.toIntExact(rowsLong);
        MfacRows rows = MfacRows.of(storage, m, d, kernels());
        int[] filled = {0};
        stream.run((r, off, count) -> {
            for (int i = 0; i < count; i++) {
                rows.setRow(filled[0]++, r, off + i * d);
            }
        });
        return MfacStatic.ofRows(name, rows, blocks, lambda, 1 / stream.coefficient());
    }

    /**
     * The layer-wise Hessians H = (2/N) X Xᵀ of every dense and convolutional layer whose weight is in the
     * subset, from one forward pass per batch (METHODS A9).
     */
    public List<LayerwiseHessian> layerwiseHessians(Damping damping) {
        List<LayerwiseHessian.Accumulator> acc = new ArrayList<>();
        List<Integer> index = new ArrayList<>();
        long bytes = 0;
        long largest = 0;
        for (Layer l : network.layers()) {
            if (l.hasParameters() && subset.intersectsTensor(l.parameters().get(0))) {
                ParameterTensor w = l.parameters().get(0);
                bytes += 16L * w.columns() * w.columns() + 8L * Gram.EXACT_CHUNK * w.columns();
                largest = Math.max(largest, (long) w.columns() * w.columns());
                index.add(l.index());
            }
        }
        if (index.isEmpty()) {
            throw new IllegalArgumentException("the subset " + subset + " contains no dense or convolutional weight");
        }
        budget.require("layer-wise Hessians over " + subset.describe(), bytes, largest, "the largest d_col × d_col matrix",
                List.of());
        for (int i : index) {
            acc.add(LayerwiseHessian.Accumulator.forWeight(network.layers().get(i).parameters().get(0), kernels()));
        }
        Workspace ws = network.workspace(data.batchSize());
        progress.start("layer-wise Hessians", data.batchCount());
        for (int b = 0; b < data.batchCount(); b++) {
            data.load(ws, b);
            network.forward(ws, false);
            List<LayerStatistics> views = network.layerInputs(ws);
            for (int i = 0; i < index.size(); i++) {
                for (LayerStatistics v : views) {
                    if (v.layer().index() == index.get(i)) {
                        acc.get(i).add(v);
                    }
                }
            }
            progress.advance(1);
        }
        progress.finish();
        List<LayerwiseHessian> out = new ArrayList<>();
        for (LayerwiseHessian.Accumulator a : acc) {
            out.add(a.build(damping));
        }
        return out;
    }

    // ------------------------------------------------------------------------------------------------
    // Memory alternatives

    /**
     * The cheaper operators over this subset with their estimated sizes, as named in refusal messages:
     * block-diagonal (blocks of 128), M-FAC static (min(N, 1024) gradients, float), K-FAC (whole layers only),
     * diagonal.
     */
    public List<MemoryBudget.Alternative> alternatives() {
        int d = subset.dim();
        List<MemoryBudget.Alternative> list = new ArrayList<>();
        BlockPartition blocks = BlockPartition.fixedSize(subset, BlockPartition.MFAC_BLOCK_SIZE);
        list.add(new MemoryBudget.Alternative("block-diagonal (Curvature.blockDiagonal, blocks of "
                + BlockPartition.MFAC_BLOCK_SIZE + " along each layer)", BlockDiagonalOperator.estimateBytes(blocks, data.batchSize())));
        int m = Math.min(data.size(), ALTERNATIVE_MFAC_GRADIENTS);
        list.add(new MemoryBudget.Alternative("M-FAC static (Curvature.mfac, m = " + m + " gradients, float storage)",
                MfacStatic.estimateBytes(m, d, 1, GradientStorage.FLOAT)));
        if (wholeLayers()) {
            list.add(new MemoryBudget.Alternative("K-FAC (Curvature.kfac)", KfacOperator.estimateBytes(network, subset)));
        }
        list.add(new MemoryBudget.Alternative("diagonal Fisher or Gauss-Newton (Curvature.diagonal)", 8L * d));
        return list;
    }

    private boolean wholeLayers() {
        for (Layer l : network.layers()) {
            if (subset.coverage(l) == ParameterSubset.Coverage.PARTIAL) {
                return false;
            }
        }
        return true;
    }

    @Override
    public String toString() {
        return "curvature of " + loss.name() + " over " + data + ", " + subset.describe() + ", seed " + seed;
    }
}
