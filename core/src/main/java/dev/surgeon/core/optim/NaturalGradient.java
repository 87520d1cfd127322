package dev.surgeon.core.optim;

import dev.surgeon.core.curvature.MemoryBudget;
import dev.surgeon.core.nn.Loss;
import dev.surgeon.core.nn.Network;
import dev.surgeon.core.nn.Workspace;
import dev.surgeon.kernels.Kernels;
import dev.surgeon.kernels.NotPositiveDefiniteException;
import dev.surgeon.kernels.Trans;
import dev.surgeon.kernels.Uplo;
import java.util.List;

/**
 * The natural gradient with the exact dense Fisher, for tiny networks and as the reference the approximations are
 * judged by (Amari 1998, "Natural gradient works efficiently in learning"; METHODS F item 13):
 * <pre>
 * w ← w − η (F + λI)⁻¹ (g + wd·w).
 * </pre>
 * F is the Fisher of the batch loss. For the losses here (squared error, softmax and binary cross-entropy) the true
 * Fisher equals the generalized Gauss-Newton matrix, so it is computed exactly, without sampled labels:
 * F_batch = s·Σ_n J_nᵀ Λ_n J_n from the C columns of Λ_n = S_n S_nᵀ back-propagated as output seeds (METHODS A3,
 * A4.1; C = K per-sample gradient rows), accumulated by one syrk in double. Across steps F is an exponential average
 * F ← εF + (1 − ε)F_batch with ε = min(1 − 1/t, decay) (decay 0: the current batch only). The system is solved by a
 * Cholesky factorization in double; pruned coordinates are removed from it (their rows and columns replaced by the
 * identity, their right-hand side by 0), so the step is the exact natural gradient in the unpruned subspace and
 * pruned weights stay 0.
 *
 * <p>Defaults: η = 1, λ = 1e-3, decay 0.95, wd = 0. Cost per step: K·B per-sample gradient rows, a d × d syrk
 * (O(KBd²)) and a Cholesky factorization (O(d³/3)); memory 16d² bytes, checked against the {@link MemoryBudget}
 * (K-FAC and M-FAC are the alternatives named when it does not fit). Notation: docs/NOTATION.md.
 */
public final class NaturalGradient extends MaskedOptimizer implements CurvatureOptimizer {
    private final Network network;
    private final Kernels kernels;
    private final CurvatureBatch batch;
    private final int d;
    private double damping = 1e-3;
    private double decay = 0.95;
    private double weightDecay;
    private int updates;
    private final double[] fisher;
    private final double[] system;
    private final double[] rhs;
    private double[] rowsDouble;
    private float[] rows;
    private float[] factor;
    private boolean prepared;

    public NaturalGradient(Network network) {
        super(1);
        this.network = network;
        this.kernels = network.kernels();
        this.batch = new CurvatureBatch(network);
        this.d = network.parameterCount();
        long square = 8L * d * d;
        MemoryBudget.defaultBudget().require("natural gradient with the dense Fisher (d = " + d + ")", 2 * square,
                (long) d * d, "a d × d double matrix", List.of(
                        new MemoryBudget.Alternative("K-FAC (Kfac)", kroneckerBytes(network)),
                        new MemoryBudget.Alternative("M-FAC (Mfac, m = 256 float gradients)", 4L * 256 * d)));
        this.fisher = new double[d * d];
        this.system = new double[d * d];
        this.rhs = new double[d];
    }

    /** Bytes of the K-FAC factors of the network's layers, 8(n_A² + n_Γ²) each. */
    private static long kroneckerBytes(Network network) {
        long s = 0;
        for (dev.surgeon.core.nn.ParameterTensor t : network.layout().tensors()) {
            if (t.role() == dev.surgeon.core.nn.ParameterTensor.Role.WEIGHT) {
                long na = t.columns() + 1L;
                s += 8 * (na * na + (long) t.rows() * t.rows());
            }
        }
        return s;
    }

    public NaturalGradient learningRate(double eta) {
        setLearningRate(eta);
        return this;
    }

    /** λ &gt; 0 added to F. */
    public NaturalGradient damping(double lambda) {
        this.damping = positive(lambda, "natural-gradient damping");
        return this;
    }

    /** The cap of the exponential average of F (0: the batch Fisher only). */
    public NaturalGradient decay(double cap) {
        ElementwiseOptimizer.checkUnitInterval(cap, "Fisher decay");
        this.decay = cap;
        return this;
    }

    /** Coupled L2 weight decay. */
    public NaturalGradient weightDecay(double wd) {
        ElementwiseOptimizer.checkNonNegative(wd, "weight decay");
        this.weightDecay = wd;
        return this;
    }

    @Override
    public void prepare(Workspace ws, Loss loss) {
        Workspace w = batch.deterministic(ws);
        int b = w.batch();
        int k = network.outputSize();
        int columns = loss.factorColumns(k);
        if (rows == null || rows.length < w.capacity() * d) {
            rows = new float[w.capacity() * d];
            rowsDouble = new double[w.capacity() * d];
            factor = new float[columns * w.capacity() * k];
        }
        loss.hessianFactor(w.outputs(), w.targets(), b, k, loss.scale(b), factor, 0);
        updates++;
        double eps = Math.min(1 - 1.0 / updates, decay);
        for (int i = 0; i < fisher.length; i++) {
            fisher[i] *= eps;
        }
        for (int c = 0; c < columns; c++) {
            network.sampleGradients(w, factor, c * b * k, rows, 0, d);
            for (int i = 0; i < b * d; i++) {
                rowsDouble[i] = rows[i];
            }
            kernels.syrk(Uplo.LOWER, Trans.T, d, b, 1 - eps, rowsDouble, 0, d, 1.0, fisher, 0, d);
        }
        prepared = true;
    }

    @Override
    public void step(float[] params, float[] grads) {
        if (params.length != d || grads.length != d) {
            throw new IllegalArgumentException("the natural gradient of this network has " + d + " parameters, got "
                    + params.length + " and " + grads.length);
        }
        if (!prepared) {
            throw new IllegalStateException("the natural gradient needs prepare(workspace, loss) before every step; "
                    + "train with Trainer, which calls it");
        }
        prepared = false;
        checkMask();
        t++;
        System.arraycopy(fisher, 0, system, 0, fisher.length);
        for (int q = 0; q < d; q++) {
            system[q * d + q] += damping;
            rhs[q] = grads[q] + weightDecay * params[q];
        }
        if (mask != null) {
            for (int q : mask.prunedIndices()) {
                for (int j = 0; j < d; j++) {
                    system[q * d + j] = 0;
                    system[j * d + q] = 0;
                }
                system[q * d + q] = 1;
                rhs[q] = 0;
            }
        }
        try {
            kernels.potrf(Uplo.LOWER, d, system, 0, d);
        } catch (NotPositiveDefiniteException e) {
            throw new ArithmeticException("F + λI is not numerically positive definite with λ = " + damping + " ("
                    + e.getMessage() + "); raise the damping");
        }
        kernels.potrs(Uplo.LOWER, d, 1, system, 0, d, rhs, 0, 1);
        float eta = (float) learningRate();
        for (int q = 0; q < d; q++) {
            params[q] -= eta * (float) rhs[q];
        }
        if (mask != null) {
            mask.apply(params);
        }
    }

    /** The averaged Fisher F (d × d, lower triangle filled; a copy). */
    public double[] fisher() {
        return fisher.clone();
    }

    /** The Fisher describes the network's outputs, not its weights: a mask change leaves nothing stale. */
    @Override
    void clearState() {
    }

    @Override
    public void reset() {
        t = 0;
        updates = 0;
        java.util.Arrays.fill(fisher, 0);
    }

    @Override
    public String toString() {
        return "natural gradient (dense Fisher, lr=" + learningRate() + ", λ=" + damping + ", decay=" + decay
                + ", weight decay=" + weightDecay + ")";
    }
}
