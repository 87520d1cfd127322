package dev.surgeon.core.curvature;

import dev.surgeon.core.nn.ParameterTensor;
import java.util.ArrayList;
import java.util.List;

/**
 * A partition of an operator's coordinates [0, d) into consecutive blocks, for block-diagonal curvature
 * (METHODS A6) and blocked M-FAC (A8). Built over a {@link ParameterSubset}, blocks are whole layers or
 * chunks of c consecutive coordinates along each layer's part of the subset (WoodFisher's "fittable params",
 * M-FAC's block size 128): a block never straddles two layers, and the last chunk of a layer may be shorter.
 */
public final class BlockPartition {
    /** Block size of the M-FAC reference code. */
    public static final int MFAC_BLOCK_SIZE = 128;

    /**
     * Coordinates [from, to) of one block.
     *
     * @param label e.g. "fc1" or "fc1[128:256)" (offsets within the layer's part of the subset)
     */
    public record Block(int from, int to, String label) {
        public int size() {
            return to - from;
        }
    }

    private final List<Block> blocks;
    private final int dim;

    private BlockPartition(List<Block> blocks) {
        this.blocks = List.copyOf(blocks);
        this.dim = blocks.get(blocks.size() - 1).to();
    }

    /** One block per layer of the subset (weight and bias of a layer form one block). */
    public static BlockPartition perLayer(ParameterSubset subset) {
        return new BlockPartition(layerBlocks(subset));
    }

    /** Chunks of {@code size} coordinates along each layer's part of the subset; the last chunk may be shorter. */
    public static BlockPartition fixedSize(ParameterSubset subset, int size) {
        checkSize(size);
        List<Block> out = new ArrayList<>();
        for (Block layer : layerBlocks(subset)) {
            chunk(layer, size, out);
        }
        return new BlockPartition(out);
    }

    /** A single block [0, d). */
    public static BlockPartition whole(int dim) {
        if (dim < 1) {
            throw new IllegalArgumentException("dimension must be >= 1, got " + dim);
        }
        return new BlockPartition(List.of(new Block(0, dim, "all")));
    }

    /** Chunks of {@code size} consecutive coordinates of [0, d) (no layer structure). */
    public static BlockPartition fixedSize(int dim, int size) {
        checkSize(size);
        List<Block> out = new ArrayList<>();
        chunk(whole(dim).blocks.get(0), size, out);
        return new BlockPartition(out);
    }

    private static void checkSize(int size) {
        if (size < 1) {
            throw new IllegalArgumentException("block size must be >= 1, got " + size);
        }
    }

    private static void chunk(Block b, int size, List<Block> out) {
        for (int s = b.from(); s < b.to(); s += size) {
            int e = Math.min(b.to(), s + size);
            out.add(new Block(s, e, b.label() + "[" + (s - b.from()) + ":" + (e - b.from()) + ")"));
        }
    }

    private static List<Block> layerBlocks(ParameterSubset subset) {
        List<Block> out = new ArrayList<>();
        int start = 0;
        int layer = -1;
        String name = null;
        for (int r = 0; r < subset.rangeCount(); r++) {
            int q = subset.rangeFrom(r);
            while (q < subset.rangeTo(r)) {
                ParameterTensor t = subset.layout().tensorAt(q);
                int local = subset.local(q);
                if (t.layerIndex() != layer) {
                    if (name != null) {
                        out.add(new Block(start, local, name));
                    }
                    start = local;
                    layer = t.layerIndex();
                    name = ParameterSubset.layerName(t);
                }
                q = Math.min(t.end(), subset.rangeTo(r));
            }
        }
        out.add(new Block(start, subset.dim(), name));
        return out;
    }

    public List<Block> blocks() {
        return blocks;
    }

    /** Number of blocks. */
    public int size() {
        return blocks.size();
    }

    /** Total number of coordinates. */
    public int dim() {
        return dim;
    }

    /** The largest block size. */
    public int largestBlock() {
        int m = 0;
        for (Block b : blocks) {
            m = Math.max(m, b.size());
        }
        return m;
    }

    /** Σ_b size_b², the number of entries of the block-diagonal matrix. */
    public long squaredSizes() {
        long s = 0;
        for (Block b : blocks) {
            s += (long) b.size() * b.size();
        }
        return s;
    }

    @Override
    public String toString() {
        return blocks.size() + " blocks over " + dim + " coordinates (largest " + largestBlock() + ")";
    }
}
