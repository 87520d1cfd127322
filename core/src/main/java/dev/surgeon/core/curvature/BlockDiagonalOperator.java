package dev.surgeon.core.curvature;

import dev.surgeon.kernels.Kernels;
import dev.surgeon.kernels.Trans;
import dev.surgeon.kernels.Uplo;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * A block-diagonal curvature blockdiag(C_1 + λ_1 I, …, C_B + λ_B I) over a {@link BlockPartition} (METHODS
 * A6): whole layers, or chunks of c coordinates along each layer (WoodFisher, Singh and Alistarh 2020, with its
 * "fittable params" chunk size; the M-FAC pruner's blocks). Each block is a {@link DenseOperator}, inverted
 * independently on first use with its own damping record, so OBS formulas apply inside a block. Built from
 * outer-product rows (empirical/true Fisher, Gauss-Newton, OBS's output Jacobian): per streamed row block, one
 * double syrk per curvature block on that block's columns. Cost O(R Σ_b c_b²) to build, O(Σ_b c_b³) to invert,
 * O(Σ_b c_b²) per product; memory 8 Σ_b c_b² bytes (twice once inverted).
 */
public final class BlockDiagonalOperator implements CurvatureOperator {
    private final String name;
    private final BlockPartition partition;
    private final List<DenseOperator> blocks;

    private BlockDiagonalOperator(String name, BlockPartition partition, List<DenseOperator> blocks) {
        this.name = name;
        this.partition = partition;
        this.blocks = List.copyOf(blocks);
    }

    /** Assembles blocks (block i must have the size of partition block i). */
    public static BlockDiagonalOperator of(String name, BlockPartition partition, List<DenseOperator> blocks) {
        if (blocks.size() != partition.size()) {
            throw new IllegalArgumentException(name + ": " + blocks.size() + " blocks for a partition of " + partition.size());
        }
        for (int i = 0; i < blocks.size(); i++) {
            if (blocks.get(i).dim() != partition.blocks().get(i).size()) {
                throw new IllegalArgumentException(name + ": block " + i + " has dimension " + blocks.get(i).dim()
                        + " but the partition block " + partition.blocks().get(i) + " has " + partition.blocks().get(i).size());
            }
        }
        return new BlockDiagonalOperator(name, partition, blocks);
    }

    /** Bytes for the blocks' matrices and inverses, plus the row buffers. */
    static long estimateBytes(BlockPartition p, int rowsPerCall) {
        return 16 * p.squaredSizes() + 12L * rowsPerCall * p.dim();
    }

    /** Builds C_b = c·Σ_r x_r[b] x_r[b]ᵀ for every block from the rows. */
    static BlockDiagonalOperator build(String name, OuterProductMatrix.Source src, BlockPartition p, double coefficient,
                                       Damping damping, Kernels kernels) {
        int d = p.dim();
        List<BlockPartition.Block> bs = p.blocks();
        double[][] mats = new double[bs.size()][];
        for (int i = 0; i < mats.length; i++) {
            mats[i] = new double[bs.get(i).size() * bs.get(i).size()];
        }
        src.forEach((rows, off, count) -> {
            for (int i = 0; i < mats.length; i++) {
                BlockPartition.Block b = bs.get(i);
                kernels.syrk(Uplo.LOWER, Trans.T, b.size(), count, coefficient, rows, off + b.from(), d, 1.0, mats[i], 0, b.size());
            }
        });
        List<DenseOperator> out = new ArrayList<>(mats.length);
        for (int i = 0; i < mats.length; i++) {
            int n = bs.get(i).size();
            kernels.symmetrize(Uplo.LOWER, n, mats[i], 0, n);
            out.add(DenseOperator.of(bs.get(i).label(), mats[i], n, damping, kernels));
        }
        return new BlockDiagonalOperator(name, p, out);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public int dim() {
        return partition.dim();
    }

    @Override
    public Set<Capability> capabilities() {
        return EnumSet.allOf(Capability.class);
    }

    public BlockPartition partition() {
        return partition;
    }

    /** Block i (its coordinates are {@code partition().blocks().get(i)}). */
    public DenseOperator block(int i) {
        return blocks.get(i);
    }

    @Override
    public void multiply(double[] v, double[] out) {
        Vectors.check(this, v, out);
        for (int i = 0; i < blocks.size(); i++) {
            int from = partition.blocks().get(i).from();
            blocks.get(i).multiplyAt(v, from, out, from);
        }
    }

    @Override
    public void inverseMultiply(double[] v, double[] out) {
        Vectors.check(this, v, out);
        for (int i = 0; i < blocks.size(); i++) {
            int from = partition.blocks().get(i).from();
            blocks.get(i).inverseMultiplyAt(v, from, out, from);
        }
    }

    @Override
    public double[] diagonal() {
        double[] d = new double[dim()];
        for (int i = 0; i < blocks.size(); i++) {
            blocks.get(i).diagonalAt(d, partition.blocks().get(i).from());
        }
        return d;
    }

    @Override
    public double[] inverseDiagonal() {
        double[] d = new double[dim()];
        for (int i = 0; i < blocks.size(); i++) {
            blocks.get(i).inverseDiagonalAt(d, partition.blocks().get(i).from());
        }
        return d;
    }

    @Override
    public double[] toDense() {
        int d = dim();
        MemoryBudget.defaultBudget().require(name + ", dense form", 8L * d * d, (long) d * d, "a d × d double matrix", List.of());
        double[] m = new double[d * d];
        for (int i = 0; i < blocks.size(); i++) {
            BlockPartition.Block b = partition.blocks().get(i);
            double[] blk = blocks.get(i).toDense();
            for (int r = 0; r < b.size(); r++) {
                System.arraycopy(blk, r * b.size(), m, (b.from() + r) * d + b.from(), b.size());
            }
        }
        return m;
    }

    @Override
    public long memoryBytes() {
        long s = 0;
        for (DenseOperator b : blocks) {
            s += b.memoryBytes();
        }
        return s;
    }

    @Override
    public List<DampingRecord> dampingUsed() {
        List<DampingRecord> all = new ArrayList<>(blocks.size());
        for (DenseOperator b : blocks) {
            all.addAll(b.dampingUsed());
        }
        return all;
    }

    @Override
    public String toString() {
        return name + " (" + partition + ")";
    }
}
