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
 * (C is read and written once per KC block). Three shortcuts: a whole tile with α = 1 and β = 0 is stored by the kernel
 * straight into C; when at most two row tiles share each B panel, a B that is not transposed is read in place instead
 * of packed; and a {@link TileSink} may take the tiles instead of C (a convolution's input gradient folds them into
 * the image).
 *
 * <p>Parallelism: one fork/join per call. The tasks take disjoint row bands of C (balanced by the tiles
 * they compute: a triangle's lower rows are longer), or column ranges when C has more column panels than
 * row tiles, and each runs the whole loop nest above on its part with its own packed panels. Sharing one
 * packed B panel among the tasks instead needs two joins per (jc, pc) step; on 2 cores each join costs a
 * worker wake-up and the slower task's lead, which lost more than re-packing the other operand's share
 * (sgemm n = 1024 on two idle cores: 1.67× one thread with the shared panel, 1.9× with this scheme).
 *
 * <p>This class is generic over the array type ({@code float[]} or {@code double[]}); the
 * precision-specific packing and micro-kernel live in the subclasses, called once per panel or tile.
 *
 * @param <A> the array type
 */
abstract class PackedProduct<A> {
    /**
     * Below this many multiply-adds per task, the hand-off outweighs the parallel gain. With the spinning
     * {@link WorkerTeam} (about 1 µs per hand-off) 2²⁰ pays: on 2 cores sgemm n = 128 ran 1.40–1.46× faster on two
     * threads, n = 192 1.65–1.74×, where 2²² (the fork/join-era bound) left everything below n = 256 on one thread.
     */
    private static final long MIN_MULADDS_PER_TASK = 1L << 20;

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
     * panel of the given depth (k step p of the B panel at {@code bi + p·bStride}: NR for a packed panel, ldb when the
     * kernel reads B where it lies), stored at {@code tile[ti + r·ld + c]} (the NR-strided tile buffer, or C itself
     * when nothing is left to merge); at least the first {@code rows} rows (the panel's live rows: an
     * implementation may compute only those, as a narrower kernel, for the last panel of an edge). Its accumulators are written to the tile rather than
     * merged into C in place so that the kernel stays small enough for C2 to keep every vector in a
     * register (a merge step inlined into it exceeded C2's node budget, and the vectors it failed to
     * inline were boxed: 40% slower).
     */
    abstract void kernel(int rows, int depth, A ap, int ai, A bp, int bi, int bStride, A tile, int ti, int ld);

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
        int tasks = tasks(tri, m, n, k, threads);
        Product p = record(tasks);
        p.set(tri, transA, transB, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
        run(p, tasks, m, n);
    }

    /**
     * op(B) packed straight from where its entries live instead of from a k × n matrix (implicit GEMM: a
     * convolution's unfolded input is never written out). {@link #pack} must fill {@code cols <= nr} columns of the
     * micro-panel exactly as {@link #packB} would, zero past {@code cols}, and may be called from several threads at
     * once.
     */
    interface PanelSource<A> {
        /** Rows [p0, p0 + depth) × columns [j0, j0 + cols) of op(B), k-major, nr per k step, at {@code dst[dstOff]}. */
        void pack(int p0, int depth, int j0, int cols, A dst, int dstOff);
    }

    /**
     * {@code C ← alpha·op(A)·B + beta·C} with the k × n operand B supplied panel by panel ({@link PanelSource}), for
     * {@code m, n, k > 0} and {@code alpha != 0}; otherwise as {@link #multiply}.
     */
    final void multiply(boolean transA, int m, int n, int k, double alpha, A a, int aOff, int lda, PanelSource<A> b,
                        double beta, A c, int cOff, int ldc, int threads) {
        int tasks = tasks(null, m, n, k, threads);
        Product p = record(tasks);
        p.set(null, transA, false, k, alpha, a, aOff, lda, null, 0, 0, beta, c, cOff, ldc);
        p.source = b;
        run(p, tasks, m, n);
    }

    /**
     * Where the tiles of C go instead of into a matrix: a convolution's input gradient folds each tile of its unfolded
     * gradient straight into the image (col2im), so the d_col × cols matrix is never written. Called with each
     * finished MR×NR tile ({@code rows} × {@code cols} live, NR-strided from {@code tile[ti]}, with NR floats of the
     * array before and after the tile that a sink may read), and with {@link #finish} on the same thread once its task
     * is done; tasks cover whole {@link #columnUnit} column ranges, and each task's tiles arrive column panel by
     * column panel.
     */
    interface TileSink<A> {
        void accept(A tile, int ti, int rows, int cols, int i, int j);

        void finish();

        /** Columns that must stay within one task (a multiple of NR). */
        int columnUnit();
    }

    /**
     * {@code tiles ← alpha·op(A)·B} for the k × n B (not transposed), delivered to {@code sink} instead of being
     * stored, for {@code m, n, k > 0}, {@code k ≤ KC} (each tile is final after one pass over k) and
     * {@code alpha != 0}.
     */
    final void multiply(boolean transA, int m, int n, int k, double alpha, A a, int aOff, int lda, A b, int bOff,
                        int ldb, TileSink<A> sink, int threads) {
        if (k > kc || sink.columnUnit() % nr != 0) {
            throw new IllegalArgumentException("a tile sink needs k <= " + kc + " and a column unit that is a multiple"
                    + " of " + nr + ", got k = " + k + ", unit " + sink.columnUnit());
        }
        int tasks = tasks(null, m, n, k, threads);
        Product p = record(tasks);
        p.set(null, transA, false, k, alpha, a, aOff, lda, b, bOff, ldb, 0.0, null, 0, 0);
        p.sink = sink;
        run(p, tasks, m, n);
    }

    /** The depth of one pass over k (KC): a product with a tile sink must not be deeper. */
    final int depthBlock() {
        return kc;
    }

    /** How many tasks a product is split into: 1 below {@link #MIN_MULADDS_PER_TASK} each, or for a single tile. */
    private int tasks(Uplo tri, int m, int n, int k, int threads) {
        long muladds = (long) m * n * k / (tri == null ? 1 : 2);
        int tasks = (int) Math.max(1, Math.min(Math.min(threads, KernelPool.processors()),
                muladds / MIN_MULADDS_PER_TASK));
        return (m + mr - 1) / mr < 2 && (n + nr - 1) / nr < 2 ? 1 : tasks;
    }

    /**
     * The operand record of a call: on one task the calling thread's own, so that a call on one thread allocates
     * nothing (training steps make thousands of small products). compute() never waits on other tasks, so the
     * record cannot be reused by a nested call on this thread while it is in use.
     */
    private Product record(int tasks) {
        return tasks <= 1 ? serial.get() : new Product();
    }

    /** Computes the product set up in {@code p}, on one task or split into {@code tasks}. */
    private void run(Product p, int tasks, int m, int n) {
        if (tasks <= 1) {
            try {
                p.compute(0, m, 0, n);
            } finally {
                p.clear();
            }
            return;
        }
        int rowTiles = (m + mr - 1) / mr;
        int panels = (n + nr - 1) / nr;
        if (p.sink != null) {
            // Whole column units per task: two tasks must not fold tiles into the same part of the image.
            int unit = p.sink.columnUnit();
            int[] cut = split((n + unit - 1) / unit, tasks, q -> 1);
            KernelPool.run(tasks, t -> p.compute(0, m, Math.min(n, cut[t] * unit), Math.min(n, cut[t + 1] * unit)));
        } else if (p.tri != null || rowTiles >= panels) {
            // Row bands, balanced by the columns each row tile computes (a triangle's rows differ in length).
            int[] cut = split(rowTiles, tasks, q -> p.rowWeight(q * mr, n));
            KernelPool.run(tasks, t -> p.compute(cut[t] * mr, Math.min(m, cut[t + 1] * mr), 0, n));
        } else {
            int[] cut = split(panels, tasks, q -> 1);
            KernelPool.run(tasks, t -> p.compute(0, m, cut[t] * nr, Math.min(n, cut[t + 1] * nr)));
        }
    }

    /** Per-thread operand records of single-task calls. */
    private final ThreadLocal<Product> serial = ThreadLocal.withInitial(Product::new);

    /** The operands of one call (set before the call's compute, cleared after a single-task call). */
    private final class Product {
        Uplo tri;
        boolean transA;
        boolean transB;
        int k;
        double alpha;
        double beta;
        A a;
        int aOff;
        int lda;
        A b;
        PanelSource<A> source;
        TileSink<A> sink;
        int bOff;
        int ldb;
        A c;
        int cOff;
        int ldc;

        /** Drops the operand arrays so a thread's record does not keep them alive. */
        void clear() {
            a = null;
            b = null;
            source = null;
            sink = null;
            c = null;
        }

        void set(Uplo tri, boolean transA, boolean transB, int k, double alpha, A a, int aOff, int lda,
                 A b, int bOff, int ldb, double beta, A c, int cOff, int ldc) {
            this.tri = tri;
            this.transA = transA;
            this.transB = transB;
            this.k = k;
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
        }

        /** Columns of the n-wide C that a tile row starting at row i computes. */
        long rowWeight(int i, int n) {
            if (tri == Uplo.LOWER) {
                return Math.min(n, i + mr);
            }
            if (tri == Uplo.UPPER) {
                return n - i;
            }
            return n;
        }

        /**
         * The whole loop nest for rows [r0, r1) × columns [c0, c1) of C, on this thread, with its own packed
         * panels: a task of a parallel call never waits for another, at the price of packing its share of
         * the other operand again (~5% of the work for square operands split in two).
         */
        void compute(int r0, int r1, int c0, int c1) {
            PackingBuffers.Lease aLease = PackingBuffers.acquire(PackingBuffers.Slot.PANEL_A);
            PackingBuffers.Lease bLease = PackingBuffers.acquire(PackingBuffers.Slot.PANEL_B);
            try {
                // A sink reads up to NR floats before or after a tile row: the tile then has NR floats of margin.
                int ti = sink == null ? 0 : nr;
                A tile = secondary(aLease, 2 * ti + mr * nr);
                for (int jc = c0; jc < c1; jc += nc) {
                    int jn = Math.min(nc, c1 - jc);
                    // Rows of [r0, r1) that meet the triangle within columns [jc, jc + jn).
                    int rowLo = tri == Uplo.LOWER ? Math.max(r0, jc) : r0;
                    int rowHi = tri == Uplo.UPPER ? Math.min(r1, jc + jn) : r1;
                    if (rowLo >= rowHi) {
                        continue;
                    }
                    int panels = (jn + nr - 1) / nr;
                    // With at most two row tiles to share each packed B panel, packing costs about as much as it saves:
                    // a B not transposed is read in place (all but a partial last panel). LeNet-5's first convolution's
                    // forward products, 20 × 576 × 25 per sample: 1.26–1.42 ms per batch packed, 1.09–1.24 in place.
                    boolean inPlace = source == null && !transB && rowHi - rowLo <= 2 * mr;
                    for (int pc = 0; pc < k; pc += kc) {
                        int depth = Math.min(kc, k - pc);
                        A bp = primary(bLease, panels * nr * depth);
                        for (int q = 0; q < panels; q++) {
                            if (inPlace && jn - q * nr >= nr) {
                                continue;
                            }
                            if (source != null) {
                                source.pack(pc, depth, jc + q * nr, Math.min(nr, jn - q * nr), bp, q * nr * depth);
                            } else {
                                packB(transB, b, bOff, ldb, pc, depth, jc + q * nr, Math.min(nr, jn - q * nr), bp,
                                        q * nr * depth);
                            }
                        }
                        // A sink gets every row of a column panel before the next panel (it folds one image sample at
                        // a time), so its rows are one block.
                        int rowBlock = sink == null ? mc : (rowHi - rowLo + mr - 1) / mr * mr;
                        A ap = primary(aLease, Math.min(rowBlock, rowHi - rowLo + mr) * depth);
                        double betaNow = pc == 0 ? beta : 1.0;
                        for (int ic = rowLo; ic < rowHi; ic += rowBlock) {
                            int in = Math.min(rowBlock, rowHi - ic);
                            packA(transA, a, aOff, lda, ic, in, pc, depth, ap);
                            macroKernel(ic, in, jc, jn, pc, depth, ap, bp, inPlace, tile, ti, betaNow);
                        }
                    }
                }
                if (sink != null) {
                    sink.finish();
                }
            } finally {
                bLease.release();
                aLease.release();
            }
        }

        /** Rows [ic, ic+in) × columns [jc, jc+jn) of C from packed A and B blocks of the given depth. */
        private void macroKernel(int ic, int in, int jc, int jn, int pc, int depth, A ap, A bp, boolean inPlace, A tile,
                                 int ti, double betaNow) {
            for (int jr = 0; jr < jn; jr += nr) {
                int j = jc + jr;
                int cols = Math.min(nr, jn - jr);
                boolean direct = inPlace && cols == nr;
                A panel = direct ? b : bp;
                int bi = direct ? bOff + pc * ldb + j : jr * depth;
                int bStride = direct ? ldb : nr;
                for (int ir = 0; ir < in; ir += mr) {
                    int i = ic + ir;
                    int rows = Math.min(mr, in - ir);
                    int inside = triangleCoverage(i, rows, j, cols);
                    if (sink != null) {
                        kernel(rows, depth, ap, ir * depth, panel, bi, bStride, tile, ti, nr);
                        sink.accept(tile, ti, rows, cols, i, j);
                    } else if (inside == FULL && rows == mr && cols == nr && alpha == 1 && betaNow == 0) {
                        // Nothing to merge: the kernel stores its accumulators into C (saves a store and a load of
                        // every entry through the tile, a third of the work of products over a short k).
                        kernel(rows, depth, ap, ir * depth, panel, bi, bStride, c, cOff + i * ldc + j, ldc);
                    } else if (inside != NONE) {
                        kernel(rows, depth, ap, ir * depth, panel, bi, bStride, tile, 0, nr);
                        mergeTile(tile, rows, cols, c, cOff + i * ldc + j, ldc, alpha, betaNow,
                                inside == FULL ? null : tri, i - j);
                    }
                }
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
