package dev.surgeon.core.curvature;

import dev.surgeon.kernels.Diag;
import dev.surgeon.kernels.Kernels;
import dev.surgeon.kernels.Side;
import dev.surgeon.kernels.Trans;
import dev.surgeon.kernels.Uplo;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * M-FAC's static operator (Frantar, Kurtic and Alistarh 2021, "M-FAC: Efficient matrix-free approximations of
 * second-order information"; IST-DASLab/M-FAC; METHODS 1.6, A8): the empirical-Fisher-type matrix
 * F̂ = λI + (1/n) Σ_{i=1}^{m} g_i g_iᵀ of m stored gradients (n = m in the paper; the data-source builder uses
 * the loss scale), independently per block of a {@link BlockPartition} (whole: one block; the reference block
 * size is 128). Construction turns the stored rows into v_i = F̂_{i−1}⁻¹ g_i in place (the rows of G are
 * overwritten by V = B·G, with B and den from {@link MfacCoefficients}), after which
 * <ul>
 *   <li>F̂⁻¹x = λ⁻¹x − Σ_i (v_iᵀx / den_i) v_i: one rowDots and one rowCombination pass over V, O(dm);</li>
 *   <li>[F̂⁻¹]_kk = λ⁻¹ − Σ_i v_ik² / den_i: O(m) per entry ({@link #inverseDiagonalEntry}), O(dm) for all;</li>
 *   <li>diag F̂ = λ + (1/n) Σ_i g_ik² (kept from before the overwrite, d doubles);</li>
 *   <li>F̂x (one block only: B is kept, G = B⁻¹V): λx + (1/n) Vᵀ B⁻ᵀ B⁻¹ V x, two m × m triangular solves.</li>
 * </ul>
 * Construction per block: the Gram matrix (double syrk), O(m³) coefficients, V = B·G (double gemm); O(m²d + m³·blocks)
 * in all. Memory: the m·d rows (float or double, {@link GradientStorage}), m doubles per block, d doubles,
 * plus m² doubles for a single block. Results equal the dense (λI + GᵀG/n)⁻¹ to rounding in double storage
 * (METHODS R16); float storage runs the d-long products in float.
 */
public final class MfacStatic implements CurvatureOperator {
    private final String name;
    private final MfacRows rows;
    private final BlockPartition blocks;
    private final double lambda;
    private final double count;
    private final double[] den;
    private final double[] columnSquares;
    private final double[] b;
    private final double[] q;

    private MfacStatic(String name, MfacRows rows, BlockPartition blocks, double lambda, double count) {
        if (!(lambda > 0) || Double.isInfinite(lambda)) {
            throw new IllegalArgumentException("M-FAC needs a damping λ > 0 (the recurrences start from λ⁻¹I), got " + lambda);
        }
        if (!(count > 0)) {
            throw new IllegalArgumentException("the denominator count must be > 0, got " + count);
        }
        if (blocks.dim() != rows.d) {
            throw new IllegalArgumentException("the partition covers " + blocks.dim() + " coordinates, the gradients " + rows.d);
        }
        this.name = name;
        this.rows = rows;
        this.blocks = blocks;
        this.lambda = lambda;
        this.count = count;
        int m = rows.m;
        this.den = new double[m * blocks.size()];
        this.columnSquares = new double[rows.d];
        this.q = new double[m];
        rows.weightedSquares(null, null, 0, rows.d, columnSquares, 0);
        double[] p = new double[m * m];
        double[] coef = new double[m];
        double[] bb = new double[m * m];
        for (int i = 0; i < blocks.size(); i++) {
            BlockPartition.Block blk = blocks.blocks().get(i);
            rows.gram(blk.from(), blk.size(), p);
            double[] d = new double[m];
            MfacCoefficients.compute(rows.kernels, p, m, lambda, count, bb, d, coef);
            System.arraycopy(d, 0, den, i * m, m);
            rows.transform(bb, blk.from(), blk.size());
        }
        this.b = blocks.size() == 1 ? bb : null;
    }

    /**
     * M-FAC over a copy of the m × d gradients (row-major), F̂ = λI + (1/count) GᵀG.
     *
     * @param blocks    the block structure ({@link BlockPartition#whole}, or {@link BlockPartition#fixedSize})
     * @param storage   precision of the stored rows
     */
    public static MfacStatic of(float[] g, int m, int d, double lambda, double count, BlockPartition blocks,
                                GradientStorage storage, Kernels kernels) {
        check(g.length, m, d);
        return fill(m, d, lambda, count, blocks, storage, kernels, (r, i) -> r.setRow(i, g, i * d));
    }

    /** The same over double gradients. */
    public static MfacStatic of(double[] g, int m, int d, double lambda, double count, BlockPartition blocks,
                                GradientStorage storage, Kernels kernels) {
        check(g.length, m, d);
        return fill(m, d, lambda, count, blocks, storage, kernels, (r, i) -> r.setRow(i, g, i * d));
    }

    private static MfacStatic fill(int m, int d, double lambda, double count, BlockPartition blocks, GradientStorage storage,
                                   Kernels kernels, java.util.function.ObjIntConsumer<MfacRows> copyRow) {
        MfacRows r = MfacRows.of(storage, m, d, kernels);
        for (int i = 0; i < m; i++) {
            copyRow.accept(r, i);
        }
        return new MfacStatic(label(m, blocks), r, blocks, lambda, count);
    }

    /** Unblocked, count = m, the default kernels, double storage. */
    public static MfacStatic of(double[] g, int m, int d, double lambda) {
        return of(g, m, d, lambda, m, BlockPartition.whole(d), GradientStorage.DOUBLE, Kernels.get());
    }

    /**
     * M-FAC that overwrites the caller's float gradients with the v_i rows (no copy: memory m·d floats in all;
     * the array must hold exactly m·d values).
     */
    public static MfacStatic overwriting(float[] g, int m, int d, double lambda, double count, BlockPartition blocks,
                                         Kernels kernels) {
        check(g.length, m, d);
        if (g.length != (long) m * d) {
            throw new IllegalArgumentException("overwriting needs exactly m·d = " + ((long) m * d) + " values, got " + g.length);
        }
        return new MfacStatic(label(m, blocks), new MfacRows.FloatRows(g, m, d, kernels), blocks, lambda, count);
    }

    /** Built by the data-source builder from rows it filled. */
    static MfacStatic ofRows(String name, MfacRows rows, BlockPartition blocks, double lambda, double count) {
        return new MfacStatic(name, rows, blocks, lambda, count);
    }

    /** Memory for m gradients of d coordinates in the given storage and block count. */
    static long estimateBytes(int m, int d, int blockCount, GradientStorage storage) {
        return (long) storage.bytesPerValue() * m * d + 8L * (m * (long) blockCount + d + 2L * m * m)
                + 16L * d + 16L * m * MfacRows.CHUNK;
    }

    private static void check(int length, int m, int d) {
        if (length < (long) m * d) {
            throw new IllegalArgumentException("an " + m + " × " + d + " gradient matrix needs " + ((long) m * d)
                    + " values, got " + length);
        }
    }

    private static String label(int m, BlockPartition blocks) {
        return "M-FAC static (m = " + m + (blocks.size() == 1 ? "" : ", " + blocks.size() + " blocks") + ")";
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public int dim() {
        return rows.d;
    }

    /** Number of stored gradients m. */
    public int gradients() {
        return rows.m;
    }

    public double lambda() {
        return lambda;
    }

    public BlockPartition blocks() {
        return blocks;
    }

    @Override
    public Set<Capability> capabilities() {
        return b != null ? EnumSet.allOf(Capability.class) : EnumSet.complementOf(EnumSet.of(Capability.MULTIPLY, Capability.DENSE));
    }

    @Override
    public void multiply(double[] v, double[] out) {
        Vectors.check(this, v, out);
        if (b == null) {
            throw Capability.MULTIPLY.unsupportedBy(this, "the blocked static operator keeps only the v_i rows and the "
                    + "denominators; use one block (BlockPartition.whole) or MfacDynamic for products with F̂");
        }
        int m = rows.m;
        rows.setVector(v);
        rows.rowDots(m, 0, rows.d, q, 0);
        Kernels k = rows.kernels;
        // G v = B⁻¹ (V v); Gᵀ w = Vᵀ B⁻ᵀ w.
        k.trsm(Side.LEFT, Uplo.LOWER, Trans.N, Diag.NON_UNIT, m, 1, 1.0, b, 0, m, q, 0, 1);
        k.trsm(Side.LEFT, Uplo.LOWER, Trans.T, Diag.NON_UNIT, m, 1, 1.0 / count, b, 0, m, q, 0, 1);
        rows.rowCombination(m, q, 0, 0, rows.d);
        rows.finish(lambda, v, 1.0, out);
    }

    @Override
    public void inverseMultiply(double[] v, double[] out) {
        Vectors.check(this, v, out);
        int m = rows.m;
        rows.setVector(v);
        for (int i = 0; i < blocks.size(); i++) {
            BlockPartition.Block blk = blocks.blocks().get(i);
            rows.rowDots(m, blk.from(), blk.size(), q, 0);
            for (int j = 0; j < m; j++) {
                q[j] /= den[i * m + j];
            }
            rows.rowCombination(m, q, 0, blk.from(), blk.size());
        }
        rows.finish(1 / lambda, v, -1.0, out);
    }

    @Override
    public double[] diagonal() {
        double[] d = new double[rows.d];
        for (int k = 0; k < d.length; k++) {
            d[k] = lambda + columnSquares[k] / count;
        }
        return d;
    }

    @Override
    public double[] inverseDiagonal() {
        double[] d = new double[rows.d];
        for (int i = 0; i < blocks.size(); i++) {
            BlockPartition.Block blk = blocks.blocks().get(i);
            rows.inverseDiagonal(null, den, i * rows.m, lambda, blk.from(), blk.size(), d, blk.from());
        }
        return d;
    }

    /** [F̂⁻¹]_kk in O(m). */
    public double inverseDiagonalEntry(int k) {
        if (k < 0 || k >= rows.d) {
            throw new IllegalArgumentException("coordinate " + k + " outside [0, " + rows.d + ")");
        }
        int block = blockOf(k);
        int m = rows.m;
        double s = 1 / lambda;
        for (int i = 0; i < m; i++) {
            double v = rows.get(i, k);
            s -= v * v / den[block * m + i];
        }
        return s;
    }

    private int blockOf(int k) {
        List<BlockPartition.Block> bs = blocks.blocks();
        int lo = 0;
        int hi = bs.size() - 1;
        while (lo < hi) {
            int mid = (lo + hi + 1) >>> 1;
            if (bs.get(mid).from() <= k) {
                lo = mid;
            } else {
                hi = mid - 1;
            }
        }
        return lo;
    }

    @Override
    public long memoryBytes() {
        return rows.bytes() + 8L * (den.length + columnSquares.length + q.length) + (b != null ? 8L * b.length : 0);
    }

    @Override
    public List<DampingRecord> dampingUsed() {
        return List.of(new DampingRecord(name, lambda, lambda, 1));
    }

    @Override
    public String toString() {
        return name + " over " + rows.d + " coordinates (" + rows.storage() + ")";
    }
}
