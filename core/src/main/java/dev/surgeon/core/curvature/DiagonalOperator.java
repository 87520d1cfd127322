package dev.surgeon.core.curvature;

import dev.surgeon.core.nn.Network;
import dev.surgeon.core.nn.Workspace;
import dev.surgeon.core.progress.Progress;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * A diagonal curvature D + λI. Four different quantities share the name "diagonal Gauss-Newton" or
 * "diagonal Fisher" (METHODS A4); each has its own builder in {@link Curvature}:
 * <ul>
 *   <li>Becker–LeCun (1988) second-order back-propagation, the one Optimal Brain Damage uses (LeCun, Denker and
 *       Solla 1990): off-diagonal terms dropped at every layer, an approximation ({@link Curvature#beckerLeCunDiagonal});</li>
 *   <li>the exact diag of the Gauss-Newton matrix by back-propagating the C columns of Λ_n = S_n S_nᵀ (A4.1);</li>
 *   <li>the diagonal empirical Fisher s·Σ_n g_n∘² and the Monte-Carlo diagonal true Fisher (sampled labels, A4.2),
 *       from the network's sum of squared per-sample gradients without materializing them;</li>
 *   <li>Hutchinson's estimate (1/S) Σ_s v_s ⊙ (C v_s) with Rademacher probes (A10, {@link dev.surgeon.core.curvature.spectrum.Hutchinson}).</li>
 * </ul>
 * Inversion needs every D_i + λ &gt; 0; otherwise λ grows by the {@link Damping} retry rule (a Hessian diagonal
 * with φ'' terms or a Hutchinson estimate may be negative). Cost O(d) per operation; memory 8d bytes.
 */
public final class DiagonalOperator implements CurvatureOperator {
    private final String name;
    private final double[] values;
    private final Damping damping;
    private double lambda;
    private DampingRecord record;

    private DiagonalOperator(String name, double[] values, Damping damping) {
        this.name = name;
        this.values = values;
        this.damping = damping;
        double mean = 0;
        for (double v : values) {
            if (!Double.isFinite(v)) {
                throw new IllegalArgumentException(name + ": diagonal entry " + v + " is not finite");
            }
            mean += v;
        }
        this.lambda = damping.lambda(mean / values.length);
    }

    /** Wraps diagonal values D (the array is taken over). */
    public static DiagonalOperator of(String name, double[] values, Damping damping) {
        if (values.length == 0) {
            throw new IllegalArgumentException(name + ": empty diagonal");
        }
        return new DiagonalOperator(name, values, damping);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public int dim() {
        return values.length;
    }

    @Override
    public Set<Capability> capabilities() {
        return EnumSet.allOf(Capability.class);
    }

    /** The undamped values D (a copy). */
    public double[] values() {
        return values.clone();
    }

    @Override
    public void multiply(double[] v, double[] out) {
        Vectors.check(this, v, out);
        for (int i = 0; i < values.length; i++) {
            out[i] = (values[i] + lambda) * v[i];
        }
    }

    @Override
    public void inverseMultiply(double[] v, double[] out) {
        Vectors.check(this, v, out);
        factor();
        for (int i = 0; i < values.length; i++) {
            out[i] = v[i] / (values[i] + lambda);
        }
    }

    @Override
    public double[] diagonal() {
        double[] d = new double[values.length];
        for (int i = 0; i < d.length; i++) {
            d[i] = values[i] + lambda;
        }
        return d;
    }

    @Override
    public double[] inverseDiagonal() {
        factor();
        double[] d = new double[values.length];
        for (int i = 0; i < d.length; i++) {
            d[i] = 1 / (values[i] + lambda);
        }
        return d;
    }

    @Override
    public double[] toDense() {
        int d = values.length;
        MemoryBudget.defaultBudget().require(name + ", dense form", 8L * d * d, (long) d * d, "a d × d double matrix", List.of());
        double[] m = new double[d * d];
        for (int i = 0; i < d; i++) {
            m[i * d + i] = values[i] + lambda;
        }
        return m;
    }

    @Override
    public long memoryBytes() {
        return 8L * values.length;
    }

    @Override
    public List<DampingRecord> dampingUsed() {
        return List.of(record != null ? record : new DampingRecord(name, lambda, lambda, 0));
    }

    /** A diagonal is positive definite when every damped entry is positive. */
    private void factor() {
        if (record != null) {
            return;
        }
        double meanAbs = 0;
        for (double v : values) {
            meanAbs += Math.abs(v);
        }
        record = DampedCholesky.retry(name, damping, lambda, meanAbs / values.length, l -> {
            for (double v : values) {
                if (!(v + l > 0)) {
                    return false;
                }
            }
            return true;
        });
        lambda = record.used();
    }

    // ------------------------------------------------------------------------------------------------
    // Builders over a data source

    /** Exact diag of the Gauss-Newton matrix (METHODS A4.1), batches weighted into the data-source loss. */
    static double[] gaussNewtonDiagonal(Curvature c) {
        return perBatch(c, "exact Gauss-Newton diagonal", (net, ws, out) -> net.gaussNewtonDiagonal(ws, c.loss(), out), true);
    }

    /** Becker–LeCun's recursion (METHODS A4.3), with or without the φ''·∂L/∂h terms. */
    static double[] beckerLeCun(Curvature c, boolean secondDerivativeTerms) {
        return perBatch(c, "Becker–LeCun diagonal",
                (net, ws, out) -> net.diagonalGaussNewton(ws, c.loss(), secondDerivativeTerms, out), true);
    }

    /**
     * diag of C = c·Σ x xᵀ for the gradient kind: per-sample Fisher rows through the network's sum of squared
     * per-sample gradients, the Gauss-Newton kind through its exact diagonal, anything else (output Jacobian,
     * mini-batches) through the streamed rows.
     */
    static double[] outerProductDiagonal(Curvature c, Gradients g) {
        GradientStream stream = new GradientStream(c, g);
        if (g.kind() == GradientKind.GAUSS_NEWTON) {
            return gaussNewtonDiagonal(c);
        }
        double coefficient = stream.coefficient();
        if (g.miniBatch() == 1 && g.kind() != GradientKind.OUTPUT_JACOBIAN) {
            SplittableRandom labels = stream.labelSampler();
            float[] seeds = new float[c.data().batchSize() * c.network().outputSize()];
            return perBatch(c, g.label() + " diagonal", (net, ws, out) -> {
                net.lossSeeds(ws, c.loss(), labels, seeds, 0);
                net.sumOfSquaredSampleGradients(ws, seeds, 0, out);
            }, false, coefficient);
        }
        int d = c.subset().dim();
        double[] diag = new double[d];
        stream.run((rows, off, count) -> {
            for (int r = 0; r < count; r++) {
                int base = off + r * d;
                for (int i = 0; i < d; i++) {
                    double x = rows[base + i];
                    diag[i] += coefficient * x * x;
                }
            }
        });
        return diag;
    }

    interface BatchDiagonal {
        void compute(Network net, Workspace ws, float[] out);
    }

    private static double[] perBatch(Curvature c, String stage, BatchDiagonal hook, boolean lossQuantity) {
        return perBatch(c, stage, hook, lossQuantity, 1);
    }

    /**
     * Runs the hook on every batch; a loss quantity (of the batch loss) is weighted by s_N/s_B, a per-sample sum
     * by the given constant.
     */
    private static double[] perBatch(Curvature c, String stage, BatchDiagonal hook, boolean lossQuantity, double constant) {
        Network net = c.network();
        DataSource data = c.data();
        Workspace ws = net.workspace(data.batchSize());
        float[] batchDiag = new float[net.parameterCount()];
        double[] diag = new double[c.subset().dim()];
        Progress progress = c.progress();
        progress.start(stage, data.batchCount());
        for (int b = 0; b < data.batchCount(); b++) {
            data.load(ws, b);
            net.forward(ws, false);
            hook.compute(net, ws, batchDiag);
            double w = lossQuantity ? NetworkProductOperator.batchWeight(c, ws.batch()) : constant;
            c.subset().gatherAdd(batchDiag, w, diag);
            progress.advance(1);
        }
        progress.finish();
        return diag;
    }

    @Override
    public String toString() {
        return name + " (" + values.length + " entries, λ = " + lambda + ")";
    }
}
