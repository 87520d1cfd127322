package dev.surgeon.core.curvature;

import dev.surgeon.kernels.Kernels;
import dev.surgeon.kernels.Trans;
import dev.surgeon.kernels.Uplo;

/**
 * The m × d gradient (or v_i) rows of the M-FAC operators in float or double storage, with the few passes the
 * recurrences need. Column ranges [c0, c0 + w) address one block (row stride d). Double where it matters: the
 * Gram matrix and the in-place transformation G ← B·G are computed in double (float rows converted in chunks of
 * {@link #CHUNK} columns); the streaming products G·x and Gᵀ·c use the kernels of the storage precision.
 */
abstract sealed class MfacRows permits MfacRows.FloatRows, MfacRows.DoubleRows {
    /** Columns converted to double at a time (m × 1024 doubles: 2 MiB for m = 256). */
    static final int CHUNK = 1024;

    final int m;
    final int d;
    final Kernels kernels;
    final double[] y;

    MfacRows(int m, int d, Kernels kernels) {
        if (m < 1 || d < 1) {
            throw new IllegalArgumentException("a gradient matrix needs m >= 1 rows and d >= 1 columns, got " + m + " × " + d);
        }
        this.m = m;
        this.d = d;
        this.kernels = kernels;
        this.y = new double[m];
    }

    static MfacRows of(GradientStorage storage, int m, int d, Kernels kernels) {
        long n = (long) m * d;
        if (n > MemoryBudget.MAX_ARRAY_LENGTH) {
            throw new IllegalArgumentException("an " + m + " × " + d + " gradient matrix has " + n
                    + " entries, more than a Java array holds; use blocks over fewer parameters or fewer gradients");
        }
        return storage == GradientStorage.FLOAT ? new FloatRows(new float[(int) n], m, d, kernels)
                : new DoubleRows(new double[(int) n], m, d, kernels);
    }

    abstract GradientStorage storage();

    /** Bytes of the stored rows and the d-long scratch vectors. */
    abstract long bytes();

    /** Row r ← g (length d, from offset off). */
    abstract void setRow(int r, float[] g, int off);

    abstract void setRow(int r, double[] g, int off);

    /** Entry (i, k). */
    abstract double get(int i, int k);

    /** Loads x (length d) as the vector of the next {@link #rowDots}. */
    abstract void setVector(double[] x);

    /** Loads row r as the vector of the next {@link #rowDots}. */
    abstract void setVectorFromRow(int r);

    /** out[yOff + i] = Σ_{k ∈ [c0, c0+w)} G_ik x_k for the first {@code rows} rows. */
    abstract void rowDots(int rows, int c0, int w, double[] out, int outOff);

    /** acc[c0..c0+w) = Σ_i c_i G_i[c0..c0+w) over the first {@code rows} rows (acc is the internal d-long scratch). */
    abstract void rowCombination(int rows, double[] c, int cOff, int c0, int w);

    /** out = a·x + s·acc over all d entries. */
    abstract void finish(double a, double[] x, double s, double[] out);

    /** P = G_blk G_blkᵀ (m × m, both triangles) for the columns [c0, c0 + w), in double. */
    abstract void gram(int c0, int w, double[] p);

    /** G_blk ← B·G_blk in place (B m × m, row-major), in double. */
    abstract void transform(double[] b, int c0, int w);

    /** out[outOff + k] = Σ_i weight_i (B·G)_ik² for k in the block (B null: B = I); G is not modified. */
    abstract void weightedSquares(double[] b, double[] weight, int c0, int w, double[] out, int outOff);

    /**
     * out[outOff + k] ← λ⁻¹ − Σ_i (B·G)_ik² / den_i over the block [c0, c0 + w): diag F̂⁻¹ of one M-FAC block
     * (B null when the rows already are the v_i). {@code den} holds the block's m denominators from denOff.
     */
    void inverseDiagonal(double[] b, double[] den, int denOff, double lambda, int c0, int w, double[] out, int outOff) {
        double[] weight = new double[m];
        for (int i = 0; i < m; i++) {
            weight[i] = -1 / den[denOff + i];
        }
        java.util.Arrays.fill(out, outOff, outOff + w, 1 / lambda);
        weightedSquares(b, weight, c0, w, out, outOff);
    }

    /** Applies B (or I) to a chunk of converted rows: returns the rows of B·G_chunk (m × cw, row stride cw). */
    double[] applyToChunk(double[] b, double[] chunk, int cw, double[] product) {
        if (b == null) {
            return chunk;
        }
        kernels.gemm(Trans.N, Trans.N, m, cw, m, 1.0, b, 0, m, chunk, 0, cw, 0.0, product, 0, cw);
        return product;
    }

    void accumulateSquares(double[] rows, int cw, double[] weight, double[] out, int outOff) {
        for (int i = 0; i < m; i++) {
            double wi = weight == null ? 1.0 : weight[i];
            int base = i * cw;
            for (int k = 0; k < cw; k++) {
                double v = rows[base + k];
                out[outOff + k] += wi * v * v;
            }
        }
    }

    static final class FloatRows extends MfacRows {
        final float[] g;
        private final float[] x;
        private final float[] acc;
        private final float[] yf;
        private final float[] cf;
        private double[] chunk;
        private double[] product;

        FloatRows(float[] g, int m, int d, Kernels kernels) {
            super(m, d, kernels);
            this.g = g;
            this.x = new float[d];
            this.acc = new float[d];
            this.yf = new float[m];
            this.cf = new float[m];
        }

        @Override
        GradientStorage storage() {
            return GradientStorage.FLOAT;
        }

        @Override
        long bytes() {
            return 4L * g.length + 8L * d + 16L * m * CHUNK;
        }

        @Override
        void setRow(int r, float[] src, int off) {
            System.arraycopy(src, off, g, r * d, d);
        }

        @Override
        void setRow(int r, double[] src, int off) {
            for (int k = 0; k < d; k++) {
                g[r * d + k] = (float) src[off + k];
            }
        }

        @Override
        double get(int i, int k) {
            return g[i * d + k];
        }

        @Override
        void setVector(double[] v) {
            for (int k = 0; k < d; k++) {
                x[k] = (float) v[k];
            }
        }

        @Override
        void setVectorFromRow(int r) {
            System.arraycopy(g, r * d, x, 0, d);
        }

        @Override
        void rowDots(int rows, int c0, int w, double[] out, int outOff) {
            kernels.rowDots(rows, w, g, c0, d, x, c0, yf, 0);
            for (int i = 0; i < rows; i++) {
                out[outOff + i] = yf[i];
            }
        }

        @Override
        void rowCombination(int rows, double[] c, int cOff, int c0, int w) {
            for (int i = 0; i < rows; i++) {
                cf[i] = (float) c[cOff + i];
            }
            kernels.rowCombination(rows, w, cf, 0, g, c0, d, 0f, acc, c0);
        }

        @Override
        void finish(double a, double[] v, double s, double[] out) {
            for (int k = 0; k < d; k++) {
                out[k] = a * v[k] + s * acc[k];
            }
        }

        private int convert(int c0, int w, int at) {
            int cw = Math.min(CHUNK, c0 + w - at);
            if (chunk == null) {
                chunk = new double[m * CHUNK];
                product = new double[m * CHUNK];
            }
            for (int i = 0; i < m; i++) {
                int src = i * d + at;
                int dst = i * cw;
                for (int k = 0; k < cw; k++) {
                    chunk[dst + k] = g[src + k];
                }
            }
            return cw;
        }

        @Override
        void gram(int c0, int w, double[] p) {
            double beta = 0;
            for (int at = c0; at < c0 + w; at += CHUNK) {
                int cw = convert(c0, w, at);
                kernels.syrk(Uplo.LOWER, Trans.N, m, cw, 1.0, chunk, 0, cw, beta, p, 0, m);
                beta = 1;
            }
            kernels.symmetrize(Uplo.LOWER, m, p, 0, m);
        }

        @Override
        void transform(double[] b, int c0, int w) {
            for (int at = c0; at < c0 + w; at += CHUNK) {
                int cw = convert(c0, w, at);
                double[] r = applyToChunk(b, chunk, cw, product);
                for (int i = 0; i < m; i++) {
                    int dst = i * d + at;
                    int src = i * cw;
                    for (int k = 0; k < cw; k++) {
                        g[dst + k] = (float) r[src + k];
                    }
                }
            }
        }

        @Override
        void weightedSquares(double[] b, double[] weight, int c0, int w, double[] out, int outOff) {
            for (int at = c0; at < c0 + w; at += CHUNK) {
                int cw = convert(c0, w, at);
                accumulateSquares(applyToChunk(b, chunk, cw, product), cw, weight, out, outOff + at - c0);
            }
        }
    }

    static final class DoubleRows extends MfacRows {
        final double[] g;
        private final double[] x;
        private final double[] acc;
        private double[] chunk;
        private double[] product;

        DoubleRows(double[] g, int m, int d, Kernels kernels) {
            super(m, d, kernels);
            this.g = g;
            this.x = new double[d];
            this.acc = new double[d];
        }

        @Override
        GradientStorage storage() {
            return GradientStorage.DOUBLE;
        }

        @Override
        long bytes() {
            return 8L * g.length + 16L * d + 16L * m * CHUNK;
        }

        @Override
        void setRow(int r, float[] src, int off) {
            for (int k = 0; k < d; k++) {
                g[r * d + k] = src[off + k];
            }
        }

        @Override
        void setRow(int r, double[] src, int off) {
            System.arraycopy(src, off, g, r * d, d);
        }

        @Override
        double get(int i, int k) {
            return g[i * d + k];
        }

        @Override
        void setVector(double[] v) {
            System.arraycopy(v, 0, x, 0, d);
        }

        @Override
        void setVectorFromRow(int r) {
            System.arraycopy(g, r * d, x, 0, d);
        }

        @Override
        void rowDots(int rows, int c0, int w, double[] out, int outOff) {
            kernels.rowDots(rows, w, g, c0, d, x, c0, out, outOff);
        }

        @Override
        void rowCombination(int rows, double[] c, int cOff, int c0, int w) {
            kernels.rowCombination(rows, w, c, cOff, g, c0, d, 0.0, acc, c0);
        }

        @Override
        void finish(double a, double[] v, double s, double[] out) {
            for (int k = 0; k < d; k++) {
                out[k] = a * v[k] + s * acc[k];
            }
        }

        @Override
        void gram(int c0, int w, double[] p) {
            kernels.syrk(Uplo.LOWER, Trans.N, m, w, 1.0, g, c0, d, 0.0, p, 0, m);
            kernels.symmetrize(Uplo.LOWER, m, p, 0, m);
        }

        private int copy(int c0, int w, int at) {
            int cw = Math.min(CHUNK, c0 + w - at);
            if (chunk == null) {
                chunk = new double[m * CHUNK];
                product = new double[m * CHUNK];
            }
            for (int i = 0; i < m; i++) {
                System.arraycopy(g, i * d + at, chunk, i * cw, cw);
            }
            return cw;
        }

        @Override
        void transform(double[] b, int c0, int w) {
            for (int at = c0; at < c0 + w; at += CHUNK) {
                int cw = copy(c0, w, at);
                double[] r = applyToChunk(b, chunk, cw, product);
                for (int i = 0; i < m; i++) {
                    System.arraycopy(r, i * cw, g, i * d + at, cw);
                }
            }
        }

        @Override
        void weightedSquares(double[] b, double[] weight, int c0, int w, double[] out, int outOff) {
            for (int at = c0; at < c0 + w; at += CHUNK) {
                int cw = copy(c0, w, at);
                accumulateSquares(applyToChunk(b, chunk, cw, product), cw, weight, out, outOff + at - c0);
            }
        }
    }
}
