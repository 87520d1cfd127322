package dev.surgeon.core.curvature;

import dev.surgeon.core.nn.LayerStatistics;
import dev.surgeon.core.nn.ParameterTensor;
import dev.surgeon.kernels.Kernels;
import dev.surgeon.kernels.Trans;
import dev.surgeon.kernels.Uplo;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * The layer-wise Hessian of the reconstruction objective ‖WX − ŴX‖²/N of one dense or convolutional layer
 * (L-OBS, Dong, Chen and Pan 2017; ExactOBS/OBC, Frantar, Singh and Alistarh 2022; SparseGPT; METHODS A9):
 * every row of W shares H = (2/N) X Xᵀ (d_col × d_col), X holding the layer's calibration inputs as columns
 * (convolutions: the unfolded patches, one column per output position). As an operator over the weight tensor
 * (row-major, d_row·d_col coordinates, bias excluded) it is I_{d_row} ⊗ (H + λI): out = V (H + λI) for the
 * d_row × d_col matrix V.
 *
 * <p>Accumulation ({@link Accumulator}) is METHODS A9 step 1 in double: for each group of b new columns,
 * H ← H·n/(n + b), n ← n + b, H ← H + (2/n) Σ_new x xᵀ, done as one double syrk with β = n/(n + b) and
 * α = 2/(n + b) over the float inputs converted to double (products of floats are exact in double), so H is the
 * Gram matrix of the float data up to double rounding (the ExactOBS identity of R15 can then hold to 1e-9).
 * Dead inputs (H_ii = 0, step 3) get H_ii = 1 and are listed by {@link #deadColumns()}: the pruner sets
 * W_{:,i} = 0. Damping (step 4): λ = absolute + relative·mean(diag H) (SparseGPT: relative 0.01) after the
 * dead-column fix, Cholesky with retry ({@link DampedCholesky}), the λ used recorded.
 *
 * <p>Cost O(N d_col²) to accumulate, O(d_col³) to invert, O(d_row d_col²) per product; memory 8 d_col² (16 d_col²
 * once inverted).
 */
public final class LayerwiseHessian implements CurvatureOperator {
    private final String name;
    private final ParameterTensor weight;
    private final int rows;
    private final int cols;
    private final long samples;
    private final int[] dead;
    private final DenseOperator h;
    private final Kernels kernels;

    private LayerwiseHessian(String name, ParameterTensor weight, int rows, int cols, long samples, int[] dead,
                             DenseOperator h, Kernels kernels) {
        this.name = name;
        this.weight = weight;
        this.rows = rows;
        this.cols = cols;
        this.samples = samples;
        this.dead = dead;
        this.h = h;
        this.kernels = kernels;
    }

    /** Running mean of (2/N) X Xᵀ over groups of input columns. */
    public static final class Accumulator {
        private final String name;
        private final ParameterTensor weight;
        private final int rows;
        private final int cols;
        private final Kernels kernels;
        private final double[] h;
        private double[] buffer;
        private long samples;

        /**
         * @param weight the layer's weight tensor (d_row × d_col), or null for a bare matrix of d_col columns
         */
        public Accumulator(String name, ParameterTensor weight, int rows, int cols, Kernels kernels) {
            if (rows < 1 || cols < 1) {
                throw new IllegalArgumentException(name + ": a layer needs rows and columns >= 1, got " + rows + " × " + cols);
            }
            this.name = name;
            this.weight = weight;
            this.rows = rows;
            this.cols = cols;
            this.kernels = kernels;
            this.h = new double[cols * cols];
        }

        /** For a network layer's weight tensor. */
        public static Accumulator forWeight(ParameterTensor weight, Kernels kernels) {
            return new Accumulator(ParameterSubset.layerName(weight), weight, weight.rows(), weight.columns(), kernels);
        }

        /** Adds the inputs of a {@link dev.surgeon.core.nn.Network#layerInputs} view (no bias entry). */
        public void add(LayerStatistics view) {
            if (view.inputColumns() != cols || view.hasBiasColumn()) {
                throw new IllegalArgumentException(name + ": the view has " + view.inputColumns() + " input columns"
                        + (view.hasBiasColumn() ? " plus a bias entry" : "") + "; the layer has " + cols
                        + " (pass Network.layerInputs views)");
            }
            addColumns(view.inputs(), view.inputOffset(), view.inputSampleStride(), view.inputFeatureStride(), view.rows());
        }

        /**
         * Adds {@code count} input vectors x_r (length d_col), entry j of vector r at
         * {@code x[off + r·vectorStride + j·featureStride]} (one of the strides must be 1).
         */
        public void addColumns(float[] x, int off, int vectorStride, int featureStride, int count) {
            if (vectorStride != 1 && featureStride != 1) {
                throw new IllegalArgumentException("one of the strides must be 1, got " + vectorStride + " and " + featureStride);
            }
            int chunk = Math.min(count, Gram.EXACT_CHUNK);
            if (buffer == null || buffer.length < chunk * cols) {
                buffer = new double[chunk * cols];
            }
            for (int r0 = 0; r0 < count; r0 += Gram.EXACT_CHUNK) {
                int b = Math.min(Gram.EXACT_CHUNK, count - r0);
                double beta = (double) samples / (samples + b);
                double alpha = 2.0 / (samples + b);
                Gram.addExact(kernels, x, off + r0 * vectorStride, vectorStride, featureStride, cols, b, alpha, beta, h, buffer);
                samples += b;
            }
        }

        /** Input vectors (columns of X) seen so far, N. */
        public long samples() {
            return samples;
        }

        /** The operator: dead columns fixed, damping as requested (applied and recorded on first inversion). */
        public LayerwiseHessian build(Damping damping) {
            if (samples == 0) {
                throw new IllegalStateException(name + ": no calibration inputs were added");
            }
            double[] m = h.clone();
            kernels.symmetrize(Uplo.LOWER, cols, m, 0, cols);
            List<Integer> deadList = new ArrayList<>();
            for (int i = 0; i < cols; i++) {
                if (m[i * cols + i] == 0) {
                    m[i * cols + i] = 1;
                    deadList.add(i);
                }
            }
            int[] dead = deadList.stream().mapToInt(Integer::intValue).toArray();
            DenseOperator op = DenseOperator.of(name, m, cols, damping, kernels);
            return new LayerwiseHessian("layer-wise Hessian 2XXᵀ/N of " + name, weight, rows, cols, samples, dead, op, kernels);
        }
    }

    @Override
    public String name() {
        return name;
    }

    /** The weight tensor this Hessian belongs to, or null for a bare matrix. */
    public ParameterTensor weight() {
        return weight;
    }

    /** d_row, the rows of W (outputs). */
    public int rows() {
        return rows;
    }

    /** d_col, the columns of W and the size of H. */
    public int columns() {
        return cols;
    }

    /** N, the number of input vectors (samples × output positions) accumulated. */
    public long samples() {
        return samples;
    }

    /** Inputs that never fired (H_ii was 0; now 1); the pruner zeroes W_{:,i}. */
    public int[] deadColumns() {
        return dead.clone();
    }

    /** H with the dead-column fix, undamped (d_col × d_col, a copy). */
    public double[] hessian() {
        double[] m = h.toDense();
        for (int i = 0; i < cols; i++) {
            m[i * cols + i] -= h.lambda();
        }
        return m;
    }

    /** (H + λI)⁻¹ (d_col × d_col, a copy); fixes λ by the damped Cholesky. */
    public double[] inverse() {
        return h.inverse();
    }

    /** The d_col × d_col matrix H + λI as a dense operator (OBS formulas per row). */
    public DenseOperator rowHessian() {
        return h;
    }

    /** The λ currently used. */
    public double lambda() {
        return h.lambda();
    }

    @Override
    public int dim() {
        return rows * cols;
    }

    @Override
    public Set<Capability> capabilities() {
        return EnumSet.allOf(Capability.class);
    }

    @Override
    public void multiply(double[] v, double[] out) {
        Vectors.check(this, v, out);
        kernels.gemm(Trans.N, Trans.N, rows, cols, cols, 1.0, v, 0, cols, h.matrixView(), 0, cols, 0.0, out, 0, cols);
        kernels.axpy(rows * cols, h.lambda(), v, 0, out, 0);
    }

    @Override
    public void inverseMultiply(double[] v, double[] out) {
        Vectors.check(this, v, out);
        kernels.gemm(Trans.N, Trans.N, rows, cols, cols, 1.0, v, 0, cols, h.inverseView(), 0, cols, 0.0, out, 0, cols);
    }

    @Override
    public double[] diagonal() {
        return tile(h.diagonal());
    }

    @Override
    public double[] inverseDiagonal() {
        return tile(h.inverseDiagonal());
    }

    private double[] tile(double[] row) {
        double[] d = new double[rows * cols];
        for (int i = 0; i < rows; i++) {
            System.arraycopy(row, 0, d, i * cols, cols);
        }
        return d;
    }

    @Override
    public long memoryBytes() {
        return h.memoryBytes();
    }

    @Override
    public List<DampingRecord> dampingUsed() {
        return h.dampingUsed();
    }

    @Override
    public String toString() {
        return name + " (" + rows + " × " + cols + ", N = " + samples + ")";
    }
}
