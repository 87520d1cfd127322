package dev.surgeon.kernels;

import java.util.function.IntToLongFunction;

/**
 * The blocked, packed matrix product {@code C ← alpha·op(A)·op(B) + beta·C} behind {@code gemm} and
 * {@code syrk}, following Goto &amp; van de Geijn (2008), "Anatomy of high-performance matrix
 * multiplication", in the loop order of BLIS (Van Zee &amp; van de Geijn 2015):
 *
 * <pre>
 * for jc in steps of NC:            columns of C and op(B)
 *   for pc in steps of KC:          the shared dimension; op(B)[pc.., jc..] packed into NR-wide panels
 *     for ic in steps of MC:        rows of C; op(A)[ic.., pc..] packed into MR-tall panels (per task)
 *       for jr in steps of NR:      one B micro-panel (KC×NR) stays in L1 ...
 *         for ir in steps of MR:    ... while the A micro-panels stream from L2
 *           MR×NR register tile += A micro-panel · B micro-panel
 * </pre>
 *
 * Packing makes every operand contiguous in the order the micro-kernel reads it, so all four transpose
 * combinations cost the same once packed. Panels are zero-padded to MR/NR. The micro-kernel always
 * writes its register tile to a small buffer that is then merged into C — with vectors for a full tile,
 * element by element for a tile that overhangs C or crosses the diagonal of a {@code syrk} triangle — so
 * there is exactly one micro-kernel per precision. {@code beta} is applied by the first KC block's merge
 * (C is read and written once per KC block).
 *
 * <p>Parallelism: each (jc, pc) step packs op(B) once (its panels split among the tasks), then the tasks
 * take disjoint row ranges of C — or column panel ranges when C has few rows — balanced by the number of
 * tiles they compute (for a triangle, the lower rows are longer). Each task packs its own op(A) rows, so
 * nothing is packed twice.
 *
 * <p>This class is generic over the array type ({@code float[]} or {@code double[]}); the
 * precision-specific packing and micro-kernel live in the subclasses, called once per panel or tile.
 *
 * @param <A> the array type
 */
abstract class PackedProduct<A> {
    /** Below this many multiply-adds per task, fork/join overhead outweighs the parallel gain. */
    private static final long MIN_MULADDS_PER_TASK = 1L << 22;

    final int mr;
    final int nr;
    private final int kc;
    private final int mc;
    private final int nc;

    PackedProduct(int mr, int nr, int kc, int mc, int nc) {
        this.mr = mr;
        this.nr = nr;
        this.kc = kc;
        this.mc = mc - mc % mr;
        this.nc = nc - nc % nr;
    }

    // ------------------------------------------------------------------------------------------------
    // Precision-specific pieces

    /** The array of at least {@code size} elements leased for A panels, B panels, or edge tiles. */
    abstract A primary(PackingBuffers.Lease lease, int size);

    abstract A secondary(PackingBuffers.Lease lease, int size);

    /**
     * Packs rows [i0, i0+rows) × depth [p0, p0+depth) of op(A) into MR-tall panels: panel q holds
     * {@code dst[q*MR*depth + p*MR + r] = op(A)[i0 + q*MR + r][p0 + p]}, zero past the last row.
     */
    abstract void packA(boolean trans, A a, int aOff, int lda, int i0, int rows, int p0, int depth, A dst);

    /**
     * Packs depth [p0, p0+depth) × columns [j0, j0+cols) of op(B) (cols ≤ NR) into one NR-wide panel at
     * {@code dst[dstOff + p*NR + c]}, zero past the last column.
     */
    abstract void packB(boolean trans, A b, int bOff, int ldb, int p0, int depth, int j0, int cols, A dst, int dstOff);

    /**
     * The register-tiled micro-kernel: {@code tile ← Ap·Bp}, the MR×NR product of one A panel and one B
     * panel of the given depth, stored NR-strided. Its accumulators are written to the tile rather than
     * merged into C in place so that the kernel stays small enough for C2 to keep every vector in a
     * register (a merge step inlined into it exceeded C2's node budget, and the vectors it failed to
     * inline were boxed: 40% slower).
     */
    abstract void kernel(int depth, A ap, int ai, A bp, int bi, A tile);

    /**
     * Merges the first rows×cols of an NR-strided tile into C: {@code C ← alpha·tile + beta·C} (C not read
     * when {@code beta == 0}), only where the entry lies in the triangle {@code tri} (null: everywhere);
     * {@code diag} = (row − column) of the tile's first entry in C.
     */
    abstract void mergeTile(A tile, int rows, int cols, A c, int ci, int ldc, double alpha, double beta,
                            Uplo tri, int diag);

    // ------------------------------------------------------------------------------------------------
    // Driver

    /**
     * {@code C ← alpha·op(A)·op(B) + beta·C} over the m×n C (only the {@code tri} triangle when it is not
     * null, C then being square), for {@code m, n, k > 0} and {@code alpha != 0}.
     */
    final void multiply(Uplo tri, boolean transA, boolean transB, int m, int n, int k, double alpha,
                        A a, int aOff, int lda, A b, int bOff, int ldb, double beta, A c, int cOff, int ldc,
                        int threads) {
        long muladds = (long) m * n * k / (tri == null ? 1 : 2);
        int tasks = (int) Math.max(1, Math.min(Math.min(threads, KernelPool.processors()),
                muladds / MIN_MULADDS_PER_TASK));
        PackingBuffers.Lease bLease = PackingBuffers.acquire(PackingBuffers.Slot.PANEL_B);
        try {
            for (int jc = 0; jc < n; jc += nc) {
                int jn = Math.min(nc, n - jc);
                int rowLo = tri == Uplo.LOWER ? jc : 0;
                int rowHi = tri == Uplo.UPPER ? Math.min(m, jc + jn) : m;
                int panels = (jn + nr - 1) / nr;
                for (int pc = 0; pc < k; pc += kc) {
                    Block blk = new Block(tri, transA, transB, alpha, pc == 0 ? beta : 1.0, a, aOff, lda,
                            b, bOff, ldb, c, cOff, ldc, jc, jn, pc, Math.min(kc, k - pc), panels,
                            primary(bLease, panels * nr * Math.min(kc, k - pc)));
                    blk.run(rowLo, rowHi, tasks);
                }
            }
        } finally {
            bLease.release();
        }
    }

    /** One (jc, pc) step: a packed B panel and the rows of C it updates. */
    private final class Block {
        final Uplo tri;
        final boolean transA;
        final boolean transB;
        final double alpha;
        final double beta;
        final A a;
        final int aOff;
        final int lda;
        final A b;
        final int bOff;
        final int ldb;
        final A c;
        final int cOff;
        final int ldc;
        final int jc;
        final int jn;
        final int pc;
        final int depth;
        final int panels;
        final A bp;

        Block(Uplo tri, boolean transA, boolean transB, double alpha, double beta, A a, int aOff, int lda,
              A b, int bOff, int ldb, A c, int cOff, int ldc, int jc, int jn, int pc, int depth, int panels, A bp) {
            this.tri = tri;
            this.transA = transA;
            this.transB = transB;
            this.alpha = alpha;
            this.beta = beta;
            this.a = a;
            this.aOff = aOff;
            this.lda = lda;
            this.b = b;
            this.bOff = bOff;
            this.ldb = ldb;
            this.c = c;
            this.cOff = cOff;
            this.ldc = ldc;
            this.jc = jc;
            this.jn = jn;
            this.pc = pc;
            this.depth = depth;
            this.panels = panels;
            this.bp = bp;
        }

        void run(int rowLo, int rowHi, int tasks) {
            int rowTiles = (rowHi - rowLo + mr - 1) / mr;
            if (tasks <= 1 || (rowTiles < 2 && panels < 2)) {
                packPanels(0, panels);
                compute(rowLo, rowHi, 0, panels);
                return;
            }
            if (rowTiles >= Math.min(panels, 4 * tasks)) {
                // Split rows: every task reads every B panel, so all panels are packed first.
                int[] panelCut = split(panels, tasks, q -> 1);
                KernelPool.run(tasks, t -> packPanels(panelCut[t], panelCut[t + 1]));
                int[] rowCut = split(rowTiles, tasks, q -> rowWeight(rowLo + q * mr));
                KernelPool.run(tasks, t -> compute(rowLo + rowCut[t] * mr,
                        Math.min(rowHi, rowLo + rowCut[t + 1] * mr), 0, panels));
            } else {
                // Split column panels: each task packs and reads only its own panels.
                int[] panelCut = split(panels, tasks, q -> panelWeight(jc + q * nr, rowLo, rowHi));
                KernelPool.run(tasks, t -> {
                    packPanels(panelCut[t], panelCut[t + 1]);
                    compute(rowLo, rowHi, panelCut[t], panelCut[t + 1]);
                });
            }
        }

        /** Columns of this block a tile row starting at global row i computes. */
        private long rowWeight(int i) {
            if (tri == Uplo.LOWER) {
                return Math.clamp(i + mr - jc, 0, jn);
            }
            if (tri == Uplo.UPPER) {
                return Math.clamp(jc + jn - i, 0, jn);
            }
            return jn;
        }

        /** Rows a column panel starting at global column j computes. */
        private long panelWeight(int j, int rowLo, int rowHi) {
            if (tri == Uplo.LOWER) {
                return Math.clamp(rowHi - j, 0, rowHi - rowLo);
            }
            if (tri == Uplo.UPPER) {
                return Math.clamp(j + nr - rowLo, 0, rowHi - rowLo);
            }
            return rowHi - rowLo;
        }

        private void packPanels(int from, int to) {
            for (int q = from; q < to; q++) {
                int j = q * nr;
                packB(transB, b, bOff, ldb, pc, depth, jc + j, Math.min(nr, jn - j), bp, q * nr * depth);
            }
        }

        /** Rows [r0, r1) of C against B panels [q0, q1) of this block. */
        private void compute(int r0, int r1, int q0, int q1) {
            if (r0 >= r1 || q0 >= q1) {
                return;
            }
            PackingBuffers.Lease lease = PackingBuffers.acquire(PackingBuffers.Slot.PANEL_A);
            try {
                A ap = primary(lease, Math.min(mc, r1 - r0 + mr) * depth);
                A tile = secondary(lease, mr * nr);
                for (int ic = r0; ic < r1; ic += mc) {
                    int in = Math.min(mc, r1 - ic);
                    packA(transA, a, aOff, lda, ic, in, pc, depth, ap);
                    for (int q = q0; q < q1; q++) {
                        int j = jc + q * nr;
                        int cols = Math.min(nr, jc + jn - j);
                        int bi = q * nr * depth;
                        for (int ir = 0; ir < in; ir += mr) {
                            int i = ic + ir;
                            int rows = Math.min(mr, in - ir);
                            int ai = ir * depth;
                            int ci = cOff + i * ldc + j;
                            int inside = triangleCoverage(i, rows, j, cols);
                            if (inside != NONE) {
                                kernel(depth, ap, ai, bp, bi, tile);
                                mergeTile(tile, rows, cols, c, ci, ldc, alpha, beta,
                                        inside == FULL ? null : tri, i - j);
                            }
                        }
                    }
                }
            } finally {
                lease.release();
            }
        }

        /** Whether the rows×cols tile at (i, j) lies fully, partly or not at all in the triangle. */
        private int triangleCoverage(int i, int rows, int j, int cols) {
            if (tri == Uplo.LOWER) {
                return j + cols - 1 <= i ? FULL : j > i + rows - 1 ? NONE : PART;
            }
            if (tri == Uplo.UPPER) {
                return i + rows - 1 <= j ? FULL : i > j + cols - 1 ? NONE : PART;
            }
            return FULL;
        }
    }

    private static final int NONE = 0;
    private static final int PART = 1;
    private static final int FULL = 2;

    /**
     * Cuts {@code units} consecutive units into {@code parts} ranges of about equal total weight:
     * range t is [cut[t], cut[t+1]).
     */
    static int[] split(int units, int parts, IntToLongFunction weight) {
        long total = 0;
        for (int q = 0; q < units; q++) {
            total += weight.applyAsLong(q);
        }
        int[] cut = new int[parts + 1];
        cut[parts] = units;
        long acc = 0;
        int t = 1;
        for (int q = 0; q < units && t < parts; q++) {
            acc += weight.applyAsLong(q);
            while (t < parts && acc * parts >= total * t) {
                cut[t++] = q + 1;
            }
        }
        while (t < parts) {
            cut[t++] = units;
        }
        return cut;
    }
}
