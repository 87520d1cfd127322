package dev.surgeon.core.prune;

import dev.surgeon.core.curvature.BlockDiagonalOperator;
import dev.surgeon.core.curvature.BlockPartition;
import dev.surgeon.core.curvature.CurvatureOperator;
import dev.surgeon.core.curvature.Damping;
import dev.surgeon.core.curvature.DampingRecord;
import dev.surgeon.core.curvature.DenseOperator;
import dev.surgeon.core.curvature.GradientStorage;
import dev.surgeon.core.curvature.MemoryBudget;
import dev.surgeon.core.curvature.MfacStatic;
import dev.surgeon.core.curvature.ParameterSubset;
import dev.surgeon.kernels.Kernels;
import dev.surgeon.kernels.Trans;
import dev.surgeon.kernels.Uplo;
import java.util.ArrayList;
import java.util.List;

/**
 * The empirical-Fisher quadratic model of stored gradients, block-diagonal over a {@link BlockPartition}:
 * C = blockdiag_b(λI + (1/n) G_bᵀ G_b) with G the m × |S| matrix of gradients (rows: the m gradients, each the mean
 * over a mini-batch; METHODS A5, B5, B6, B7) and n = m ("N in the denominator"). Gradients of pruned coordinates are
 * zero (WoodFisher masks the gradients), so pruned coordinates decouple with C_qq = λ.
 *
 * <p>The gradients are stored coordinate-major (Gᵀ, |S| × m, double), so one coordinate's m values are contiguous:
 * entries H_ij = λ[i=j] + g_{·i}·g_{·j}/n cost O(m) (CBS forms them on demand instead of holding a d × d matrix) and
 * the columns of any coordinate set pack by row copies.
 * <ul>
 *   <li>Inverse diagonal and inverse products: per block either the dense inverse (Cholesky of the c_b × c_b block,
 *       cost O(m c_b² + c_b³)) or M-FAC's static recurrences (Frantar, Kurtic and Alistarh 2021; METHODS 1.6, cost
 *       O(m² d + m³·blocks)), both exact to rounding; {@link Representation#AUTO} takes the cheaper one.</li>
 *   <li>Products C v: O(d m) from the stored gradients, for any partition.</li>
 *   <li>Exact joint correction per block: C_RR δ_R = C_RP w_P with C_RP w_P = G_Rᵀ(G_P w_P)/n; C_RR is solved
 *       densely when |R| ≤ m and otherwise by Woodbury, C_RR⁻¹ = λ⁻¹[I − G_Rᵀ(nλI + G_R G_Rᵀ)⁻¹G_R], an m × m
 *       Cholesky after one O(m²|R|) syrk.</li>
 * </ul>
 */
final class GradientModel implements QuadraticModel {
    /** How the inverse is represented (both are exact). */
    enum Representation { AUTO, DENSE_BLOCKS, MFAC }

    private final String name;
    private final ParameterSubset subset;
    private final int dim;
    private final int m;
    private final double[] gt;
    private final double lambda;
    private final double count;
    private final BlockPartition blocks;
    private final Kernels kernels;
    private final Representation representation;
    private final List<DampingRecord> records = new ArrayList<>();
    /** The block of every coordinate. */
    private final int[] blockIndex;
    private CurvatureOperator inverse;
    private double[] inverseDiagonal;

    /**
     * @param gt    the gradients coordinate-major: {@code gt[q·m + i]} is gradient i at local coordinate q (taken over)
     * @param count n in (1/n) Σ g gᵀ (m for the mean outer product)
     */
    GradientModel(String name, ParameterSubset subset, double[] gt, int m, double lambda, double count, BlockPartition blocks,
                  Representation representation, Kernels kernels) {
        if (!(lambda > 0) || Double.isInfinite(lambda)) {
            throw new IllegalArgumentException(name + ": the Fisher damping λ must be > 0 (its inverse starts from λ⁻¹I), got "
                    + lambda);
        }
        if (m < 1 || gt.length != (long) subset.dim() * m) {
            throw new IllegalArgumentException(name + ": expected " + subset.dim() + " × " + m + " gradient values, got " + gt.length);
        }
        if (blocks.dim() != subset.dim()) {
            throw new IllegalArgumentException(name + ": the partition covers " + blocks.dim() + " coordinates, the subset "
                    + subset.dim());
        }
        this.name = name;
        this.subset = subset;
        this.dim = subset.dim();
        this.m = m;
        this.gt = gt;
        this.lambda = lambda;
        this.count = count;
        this.blocks = blocks;
        this.representation = representation;
        this.kernels = kernels;
        this.blockIndex = new int[dim];
        for (int b = 0; b < blocks.size(); b++) {
            java.util.Arrays.fill(blockIndex, blocks.blocks().get(b).from(), blocks.blocks().get(b).to(), b);
        }
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public ParameterSubset subset() {
        return subset;
    }

    /** m, the number of stored gradients. */
    int gradients() {
        return m;
    }

    double lambda() {
        return lambda;
    }

    double count() {
        return count;
    }

    BlockPartition blocks() {
        return blocks;
    }

    /** The stored gradients, coordinate-major (live array). */
    double[] coordinateMajor() {
        return gt;
    }

    /** H_ij = λ[i = j] + g_{·i}·g_{·j}/n, zero across blocks. */
    double entry(int i, int j) {
        if (blockIndex[i] != blockIndex[j]) {
            return 0;
        }
        double v = kernels.dot(m, gt, i * m, gt, j * m) / count;
        return i == j ? v + lambda : v;
    }

    @Override
    public double[] inverseDiagonal() {
        if (inverseDiagonal == null) {
            inverseDiagonal = inverse().inverseDiagonal();
        }
        return inverseDiagonal.clone();
    }

    @Override
    public void inverseMultiply(double[] v, double[] out) {
        inverse().inverseMultiply(v, out);
    }

    private CurvatureOperator inverse() {
        if (inverse != null) {
            return inverse;
        }
        double dense = 0;
        long denseBytes = 0;
        for (BlockPartition.Block b : blocks.blocks()) {
            double c = b.size();
            dense += m * c * c + c * c * c;
            denseBytes += 16L * b.size() * b.size();
        }
        double mfac = (double) m * m * dim + (double) m * m * m * blocks.size();
        boolean useDense = switch (representation) {
            case DENSE_BLOCKS -> true;
            case MFAC -> false;
            case AUTO -> dense < mfac && MemoryBudget.defaultBudget().fits(denseBytes);
        };
        if (useDense) {
            MemoryBudget.defaultBudget().require(name + " (dense blocks)", denseBytes, (long) blocks.largestBlock() * blocks.largestBlock(),
                    "the largest block", List.of());
            List<DenseOperator> ops = new ArrayList<>();
            for (BlockPartition.Block b : blocks.blocks()) {
                int c = b.size();
                double[] a = new double[c * c];
                kernels.syrk(Uplo.LOWER, Trans.N, c, m, 1 / count, gt, b.from() * m, m, 0, a, 0, c);
                kernels.symmetrize(Uplo.LOWER, c, a, 0, c);
                ops.add(DenseOperator.of(b.label(), a, c, Damping.absolute(lambda), kernels));
            }
            inverse = BlockDiagonalOperator.of(name, blocks, ops);
        } else {
            MemoryBudget.defaultBudget().require(name + " (M-FAC)", 16L * m * dim, (long) m * dim, "the m × d gradients", List.of());
            double[] g = new double[m * dim];
            for (int q = 0; q < dim; q++) {
                for (int i = 0; i < m; i++) {
                    g[i * dim + q] = gt[q * m + i];
                }
            }
            inverse = MfacStatic.of(g, m, dim, lambda, count, blocks, GradientStorage.DOUBLE, kernels);
        }
        return inverse;
    }

    @Override
    public double[] meanGradient() {
        double[] g = new double[dim];
        for (int q = 0; q < dim; q++) {
            double sum = 0;
            for (int i = 0; i < m; i++) {
                sum += gt[q * m + i];
            }
            g[q] = sum / m;
        }
        return g;
    }

    @Override
    public boolean supportsMultiply() {
        return true;
    }

    @Override
    public void multiply(double[] v, double[] out) {
        double[] y = new double[m];
        for (BlockPartition.Block b : blocks.blocks()) {
            int c = b.size();
            kernels.gemv(Trans.T, c, m, 1.0, gt, b.from() * m, m, v, b.from(), 0.0, y, 0);
            kernels.gemv(Trans.N, c, m, 1 / count, gt, b.from() * m, m, y, 0, 0.0, out, b.from());
            kernels.axpy(c, lambda, v, b.from(), out, b.from());
        }
    }

    @Override
    public double constrainedCorrection(boolean[] pruned, double[] w, double[] delta) {
        double value = 0;
        for (BlockPartition.Block b : blocks.blocks()) {
            value += constrainedBlock(b, pruned, w, delta);
        }
        return value;
    }

    private double constrainedBlock(BlockPartition.Block b, boolean[] pruned, double[] w, double[] delta) {
        int r = 0;
        boolean moving = false;
        double[] u = new double[m];
        double wp2 = 0;
        for (int q = b.from(); q < b.to(); q++) {
            if (pruned[q]) {
                delta[q] = -w[q];
                if (w[q] != 0) {
                    moving = true;
                    wp2 += w[q] * w[q];
                    kernels.axpy(m, w[q], gt, q * m, u, 0);
                }
            } else {
                delta[q] = 0;
                r++;
            }
        }
        if (!moving) {
            return 0;
        }
        double uu = kernels.dot(m, u, 0, u, 0);
        double quadratic = lambda * wp2 + uu / count;
        if (r == 0) {
            return 0.5 * quadratic;
        }
        MemoryBudget.defaultBudget().require(name + ": joint OBS correction", 8L * r * m + 8L * Math.min(r, m) * Math.min(r, m) * 2,
                (long) r * m, "the free coordinates' gradients", List.of());
        // A = G_Rᵀ (r × m): the free coordinates' gradient rows.
        double[] a = new double[r * m];
        int[] free = new int[r];
        int k = 0;
        for (int q = b.from(); q < b.to(); q++) {
            if (!pruned[q]) {
                free[k] = q;
                System.arraycopy(gt, q * m, a, k * m, m);
                k++;
            }
        }
        double[] rhs = new double[r];
        kernels.gemv(Trans.N, r, m, 1 / count, a, 0, m, u, 0, 0.0, rhs, 0);
        double[] x;
        if (r <= m) {
            double[] c = new double[r * r];
            kernels.syrk(Uplo.LOWER, Trans.N, r, m, 1 / count, a, 0, m, 0, c, 0, r);
            for (int i = 0; i < r; i++) {
                c[i * r + i] += lambda;
            }
            x = rhs.clone();
            ConstrainedSolve.solve(kernels, b.label(), c, r, x, records);
        } else {
            double[] mm = new double[m * m];
            kernels.syrk(Uplo.LOWER, Trans.T, m, r, 1.0, a, 0, m, 0, mm, 0, m);
            for (int i = 0; i < m; i++) {
                mm[i * m + i] += count * lambda;
            }
            double[] y = new double[m];
            kernels.gemv(Trans.T, r, m, 1.0, a, 0, m, rhs, 0, 0.0, y, 0);
            ConstrainedSolve.solve(kernels, b.label() + " (Woodbury)", mm, m, y, records);
            x = rhs.clone();
            kernels.gemv(Trans.N, r, m, -1.0, a, 0, m, y, 0, 1.0, x, 0);
            kernels.scal(r, 1 / lambda, x, 0);
        }
        double cross = 0;
        for (int i = 0; i < r; i++) {
            delta[free[i]] = x[i];
            cross += x[i] * rhs[i];
        }
        return 0.5 * (quadratic - cross);
    }

    @Override
    public List<DampingRecord> dampingUsed() {
        List<DampingRecord> all = new ArrayList<>();
        if (inverse != null) {
            all.addAll(inverse.dampingUsed());
        } else {
            all.add(new DampingRecord(name, lambda, lambda, 1));
        }
        all.addAll(records);
        return all;
    }

    @Override
    public String toString() {
        return name;
    }
}
