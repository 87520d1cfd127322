package dev.surgeon.core.prune;

import dev.surgeon.kernels.Diag;
import dev.surgeon.kernels.Kernels;
import dev.surgeon.kernels.NotPositiveDefiniteException;
import dev.surgeon.kernels.Side;
import dev.surgeon.kernels.Trans;
import dev.surgeon.kernels.Uplo;

/**
 * Sequential OBS eliminations on one row of a layer (the engine of ExactOBS and OBQ; Frantar, Singh and Alistarh
 * 2022, "Optimal brain compression", Lemma 1 and eqs. for δw; METHODS 1.2–1.4, B9, C2). The row w starts with the
 * layer's shared inverse Hessian H⁻¹; eliminating a set B of coordinates with targets t_B (0 for pruning, grid
 * values for quantization) applies
 * <pre>
 *   δw = −H⁻¹_{:,B} ([H⁻¹]_BB)⁻¹ (w_B − t_B),   loss = ½ (w_B − t_B)ᵀ ([H⁻¹]_BB)⁻¹ (w_B − t_B),
 *   H⁻¹ ← H⁻¹ − H⁻¹_{:,B} ([H⁻¹]_BB)⁻¹ H⁻¹_{B,:}
 * </pre>
 * where H⁻¹ is the inverse over the coordinates not eliminated yet (1.4). |B| = 1 is single-weight OBS.
 *
 * <h2>Deferred, compacted downdates (why this is level-3 work)</h2>
 * The textbook loop rewrites the whole d × d inverse after every step (O(d²) memory traffic per step, the
 * reference implementation's cost). Here the downdate H⁻¹ ← H⁻¹ − x xᵀ (x = H⁻¹_{:,p}/√[H⁻¹]_pp, or the |B|
 * columns of H⁻¹_{:,B} L⁻ᵀ with [H⁻¹]_BB = L Lᵀ) is kept as a pending column of a matrix R, so that the current
 * inverse is M − R Rᵀ with M the materialized lower triangle. A step only needs the current column(s) of the
 * eliminated coordinates, M_{:,B} − R R_{B,:}ᵀ (one gemv or gemm), and the current diagonal (or diagonal blocks),
 * which is kept up to date in O(size). Every {@code flushEvery} eliminations the pending vectors are folded in
 * by ONE {@code syrk} (M ← M − R Rᵀ, lower triangle) and the eliminated rows and columns are squeezed out of M, so
 * the matrix shrinks as the row is pruned. Over a full row of d steps this costs about d³/3 flops in syrk (vs 2d³
 * for per-step rank-one updates of the full matrix) and reads M once per flush instead of once per step.
 *
 * <p>Block tracking: the engine keeps, for every coordinate j, the current entries [H⁻¹]_{j,u} for the u of
 * j's block ⌊j/s⌋·s … ⌊j/s⌋·s + s − 1 (s = {@code blockSize}; s = 1 is the diagonal), updated with every
 * downdate; this is what the scores of the unstructured (s = 1) and block (s = 4) patterns read. Entries of
 * eliminated coordinates are exactly 0; block scores are taken over a block's remaining coordinates, which
 * replaces OBC's "reset eliminated diagonal entries to 1" device.
 *
 * <p>An instance is a reusable per-thread workspace (d² + O(d·(s + flushEvery)) doubles), not thread-safe.
 */
public final class ExactObsEliminator {
    /** Default number of eliminations between two syrk flushes. */
    public static final int DEFAULT_FLUSH = 32;

    private final Kernels kernels;
    private final int d;
    private final int block;
    private final int flushEvery;
    private final int capacity;
    private final double[] m;
    private int size;
    private final int[] active;
    private final int[] position;
    private final double[] r;
    private int pending;
    private final double[] w;
    private final boolean[] eliminated;
    private final double[] blocks;
    private int remaining;
    private final double[] column;
    private final double[] gathered;
    private final double[] small;
    private final double[] rhs;
    private final double[] errors;
    private final int[] compact;
    private final int[] survivors;

    /**
     * @param kernels    used single-threaded (callers parallelize over rows)
     * @param columns    d, the row length
     * @param blockSize  s ≥ 1: the largest set eliminated jointly and the width of the tracked diagonal blocks
     * @param flushEvery eliminations between syrk flushes (≥ 1)
     */
    public ExactObsEliminator(Kernels kernels, int columns, int blockSize, int flushEvery) {
        if (columns < 1 || blockSize < 1 || blockSize > columns || flushEvery < 1) {
            throw new IllegalArgumentException("need columns >= 1, 1 <= blockSize <= columns and flushEvery >= 1, got "
                    + columns + ", " + blockSize + ", " + flushEvery);
        }
        this.kernels = kernels;
        this.d = columns;
        this.block = blockSize;
        this.flushEvery = flushEvery;
        this.capacity = flushEvery + blockSize - 1;
        this.m = new double[Math.multiplyExact(columns, columns)];
        this.active = new int[columns];
        this.position = new int[columns];
        this.r = new double[Math.multiplyExact(columns, capacity)];
        this.w = new double[columns];
        this.eliminated = new boolean[columns];
        this.blocks = new double[columns * blockSize];
        this.column = new double[columns * blockSize];
        this.gathered = new double[blockSize * capacity];
        this.small = new double[blockSize * blockSize];
        this.rhs = new double[blockSize];
        this.errors = new double[blockSize];
        this.compact = new int[blockSize];
        this.survivors = new int[columns];
    }

    /**
     * Starts a row: the inverse (full symmetric d × d from {@code invOff}, row stride {@code ldi}; only the lower
     * triangle and the diagonal blocks are read) and the weights (d from {@code wOff}) are copied.
     */
    public void reset(double[] inverse, int invOff, int ldi, double[] weights, int wOff) {
        for (int i = 0; i < d; i++) {
            System.arraycopy(inverse, invOff + i * ldi, m, i * d, i + 1);
            active[i] = i;
            position[i] = i;
            eliminated[i] = false;
            int start = i / block * block;
            for (int t = 0; t < block; t++) {
                int u = start + t;
                blocks[i * block + t] = u < d ? inverse[invOff + i * ldi + u] : 0;
            }
        }
        System.arraycopy(weights, wOff, w, 0, d);
        size = d;
        pending = 0;
        remaining = d;
    }

    /** d. */
    public int columns() {
        return d;
    }

    /** Coordinates not eliminated yet. */
    public int remaining() {
        return remaining;
    }

    public boolean isEliminated(int j) {
        return eliminated[j];
    }

    /** The live row (original coordinates): eliminated entries hold their targets. Do not modify. */
    public double[] weights() {
        return w;
    }

    /** The current [H⁻¹]_jj (0 once j is eliminated). */
    public double inverseDiagonal(int j) {
        return blocks[j * block + j % block];
    }

    /**
     * The current [H⁻¹]_{j,u} for u in j's block (u = ⌊j/s⌋·s + t); 0 if either is eliminated or u ≥ d.
     */
    public double inverseBlockEntry(int j, int t) {
        return blocks[j * block + t];
    }

    /**
     * Eliminates the coordinates {@code coords[0..n)} (original indices, distinct, not eliminated, n ≤ blockSize)
     * jointly, moving them to {@code targets[0..n)} and compensating the rest of the row; returns the loss
     * ½ eᵀ([H⁻¹]_BB)⁻¹e with e = w_B − t_B.
     *
     * @throws ExactObsBreakdownException if [H⁻¹]_BB is not positive definite (the running inverse lost
     *                                    definiteness: the Hessian needs damping)
     */
    public double eliminate(int[] coords, double[] targets, int n) {
        if (n < 1 || n > block) {
            throw new IllegalArgumentException("can eliminate 1.." + block + " coordinates jointly, got " + n);
        }
        for (int t = 0; t < n; t++) {
            int j = coords[t];
            if (j < 0 || j >= d || eliminated[j]) {
                throw new IllegalArgumentException("coordinate " + j + " is outside [0, " + d + ") or already eliminated");
            }
            compact[t] = position[j];
        }
        fetchColumns(n);
        double loss;
        if (n == 1) {
            int p = compact[0];
            double piv = column[p];
            if (!(piv > 0)) {
                throw breakdown(coords[0], piv);
            }
            double e = w[coords[0]] - targets[0];
            double y = e / piv;
            loss = 0.5 * e * y;
            for (int i = 0; i < size; i++) {
                int j = active[i];
                if (!eliminated[j]) {
                    w[j] -= column[i] * y;
                }
            }
            kernels.scal(size, 1 / Math.sqrt(piv), column, 0);
        } else {
            for (int t = 0; t < n; t++) {
                System.arraycopy(column, compact[t] * n, small, t * n, n);
                rhs[t] = w[coords[t]] - targets[t];
                errors[t] = rhs[t];
            }
            try {
                kernels.potrf(Uplo.LOWER, n, small, 0, n);
            } catch (NotPositiveDefiniteException ex) {
                throw breakdown(coords[ex.pivot()], ex.pivotValue());
            }
            kernels.potrs(Uplo.LOWER, n, 1, small, 0, n, rhs, 0, 1);
            loss = 0.5 * kernels.dot(n, errors, 0, rhs, 0);
            for (int i = 0; i < size; i++) {
                int j = active[i];
                if (!eliminated[j]) {
                    w[j] -= kernels.dot(n, column, i * n, rhs, 0);
                }
            }
            // Downdate vectors X = H⁻¹_{:,B} L⁻ᵀ, so that H⁻¹_{:,B} ([H⁻¹]_BB)⁻¹ H⁻¹_{B,:} = X Xᵀ.
            kernels.trsm(Side.RIGHT, Uplo.LOWER, Trans.T, Diag.NON_UNIT, size, n, 1.0, small, 0, n, column, 0, n);
        }
        for (int i = 0; i < size; i++) {
            System.arraycopy(column, i * n, r, i * capacity + pending, n);
        }
        updateBlocks(n);
        pending += n;
        for (int t = 0; t < n; t++) {
            markEliminated(coords[t], targets[t]);
        }
        if (pending >= flushEvery || remaining == 0) {
            flush();
        }
        return loss;
    }

    /** Single-coordinate form of {@link #eliminate(int[], double[], int)}. */
    public double eliminate(int j, double target) {
        int[] c = {j};
        double[] t = {target};
        return eliminate(c, t, 1);
    }

    /** column (size × n, row stride n) ← current H⁻¹_{:,B} = M_{:,B} − R R_{B,:}ᵀ for the compact indices B. */
    private void fetchColumns(int n) {
        for (int t = 0; t < n; t++) {
            int p = compact[t];
            int rowP = p * size;
            for (int i = 0; i < p; i++) {
                column[i * n + t] = m[rowP + i];
            }
            for (int i = p; i < size; i++) {
                column[i * n + t] = m[i * size + p];
            }
        }
        if (pending == 0) {
            return;
        }
        for (int t = 0; t < n; t++) {
            System.arraycopy(r, compact[t] * capacity, gathered, t * pending, pending);
        }
        if (n == 1) {
            kernels.gemv(Trans.N, size, pending, -1.0, r, 0, capacity, gathered, 0, 1.0, column, 0);
        } else {
            kernels.gemm(Trans.N, Trans.T, size, n, pending, -1.0, r, 0, capacity, gathered, 0, pending, 1.0, column, 0, n);
        }
    }

    /** blocks ← blocks − X Xᵀ on the tracked diagonal blocks, X = the n new downdate columns. */
    private void updateBlocks(int n) {
        for (int i = 0; i < size; i++) {
            int j = active[i];
            if (eliminated[j]) {
                continue;
            }
            int start = j / block * block;
            int end = Math.min(d, start + block);
            for (int u = start; u < end; u++) {
                int pu = position[u];
                if (pu < 0 || eliminated[u]) {
                    continue;
                }
                double s = 0;
                for (int t = 0; t < n; t++) {
                    s += column[i * n + t] * column[pu * n + t];
                }
                blocks[j * block + (u - start)] -= s;
            }
        }
    }

    private void markEliminated(int j, double target) {
        w[j] = target;
        eliminated[j] = true;
        remaining--;
        int start = j / block * block;
        int end = Math.min(d, start + block);
        for (int u = start; u < end; u++) {
            blocks[j * block + (u - start)] = 0;
            blocks[u * block + (j - start)] = 0;
        }
    }

    /** M ← M − R Rᵀ (one syrk), then squeezes the eliminated coordinates out of M. */
    private void flush() {
        if (pending == 0) {
            return;
        }
        kernels.syrk(Uplo.LOWER, Trans.N, size, pending, -1.0, r, 0, capacity, 1.0, m, 0, size);
        pending = 0;
        int kept = 0;
        for (int i = 0; i < size; i++) {
            int j = active[i];
            if (eliminated[j]) {
                position[j] = -1;
            } else {
                survivors[kept++] = i;
            }
        }
        // In place: destination a·kept + b never follows its source i·size + survivors[b] (a ≤ i, kept ≤ size,
        // b ≤ survivors[b]), and sources are read in increasing order, so no unread entry is overwritten.
        for (int a = 0; a < kept; a++) {
            int src = survivors[a] * size;
            int dst = a * kept;
            for (int b = 0; b <= a; b++) {
                m[dst + b] = m[src + survivors[b]];
            }
        }
        for (int a = 0; a < kept; a++) {
            int j = active[survivors[a]];
            active[a] = j;
            position[j] = a;
        }
        size = kept;
        // Refresh the tracked blocks from the materialized matrix (limits drift of the incremental updates).
        for (int i = 0; i < size; i++) {
            int j = active[i];
            int start = j / block * block;
            int end = Math.min(d, start + block);
            for (int u = start; u < end; u++) {
                int pu = position[u];
                if (pu >= 0 && !eliminated[u]) {
                    blocks[j * block + (u - start)] = pu <= i ? m[i * size + pu] : m[pu * size + i];
                }
            }
        }
    }

    private ExactObsBreakdownException breakdown(int j, double pivot) {
        return new ExactObsBreakdownException("the running inverse Hessian is no longer positive definite at coordinate "
                + j + " (pivot " + pivot + ", " + (d - remaining) + " of " + d + " coordinates eliminated); the layer-wise "
                + "Hessian is too ill-conditioned: use damping (e.g. Damping.relative(0.01)) or more calibration samples");
    }
}
