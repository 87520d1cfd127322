package dev.surgeon.core.curvature;

import dev.surgeon.kernels.Diag;
import dev.surgeon.kernels.Kernels;
import dev.surgeon.kernels.NotPositiveDefiniteException;
import dev.surgeon.kernels.Side;
import dev.surgeon.kernels.Trans;
import dev.surgeon.kernels.Uplo;

/**
 * The three ways of {@link DenseInverseMethod} to build C = λI + c·Σ_r x_r x_rᵀ over a source of rows, all in
 * double (float rows from the network are converted block by block; products of floats are exact in double).
 */
final class OuterProductMatrix {
    /** Rows x_r of length d, in blocks. */
    interface Source {
        long rows();

        int maxRowsPerCall();

        void forEach(DoubleRows consumer);
    }

    /** Receives {@code count} rows at {@code rows[off + r·d]} (the array is reused after the call). */
    interface DoubleRows {
        void accept(double[] rows, int off, int count);
    }

    private OuterProductMatrix() {
    }

    static Source of(GradientStream stream) {
        return new Source() {
            @Override
            public long rows() {
                return stream.rows();
            }

            @Override
            public int maxRowsPerCall() {
                return stream.maxRowsPerCall();
            }

            @Override
            public void forEach(DoubleRows consumer) {
                int d = stream.dim();
                double[] buffer = new double[Math.multiplyExact(stream.maxRowsPerCall(), d)];
                stream.run((rows, off, count) -> {
                    for (int i = 0; i < count * d; i++) {
                        buffer[i] = rows[off + i];
                    }
                    consumer.accept(buffer, 0, count);
                });
            }
        };
    }

    static Source of(double[] g, int m, int d) {
        if (m < 1 || d < 1 || g.length < (long) m * d) {
            throw new IllegalArgumentException("a " + m + " × " + d + " gradient matrix needs " + ((long) m * d)
                    + " entries, got " + g.length);
        }
        return new Source() {
            @Override
            public long rows() {
                return m;
            }

            @Override
            public int maxRowsPerCall() {
                return m;
            }

            @Override
            public void forEach(DoubleRows consumer) {
                consumer.accept(g, 0, m);
            }
        };
    }

    /** Bytes each method allocates for d coordinates and R rows streamed in blocks of b. */
    static long estimateBytes(DenseInverseMethod method, int d, long rows, int block) {
        long square = 8L * d * d;
        long buffers = 12L * block * d;
        return switch (method) {
            case RANK_ONE -> square + buffers + 8L * d;
            case CHOLESKY -> rows < d ? 2 * square + 16L * rows * d + 8L * rows * rows + buffers : 2 * square + buffers;
        };
    }

    static DenseOperator build(String name, Source src, int d, double coefficient, Damping damping,
                               DenseInverseMethod method, Kernels kernels) {
        return switch (method) {
            case RANK_ONE -> rankOne(name, src, d, coefficient, damping, kernels);
            case CHOLESKY -> src.rows() < d && (damping.absolute() > 0 || damping.relative() > 0)
                    ? woodbury(name, src, d, coefficient, damping, kernels)
                    : gram(name, src, d, coefficient, damping, kernels);
        };
    }

    /** C = c·XᵀX by syrk over the streamed rows; the damped inverse is computed lazily by the operator. */
    static DenseOperator gram(String name, Source src, int d, double coefficient, Damping damping, Kernels kernels) {
        double[] c = new double[d * d];
        src.forEach((rows, off, count) ->
                kernels.syrk(Uplo.LOWER, Trans.T, d, count, coefficient, rows, off, d, 1.0, c, 0, d));
        kernels.symmetrize(Uplo.LOWER, d, c, 0, d);
        return DenseOperator.of(name, c, d, damping, kernels);
    }

    /** The Woodbury form on the R × R side (R &lt; d, λ &gt; 0): see {@link DenseInverseMethod#CHOLESKY}. */
    static DenseOperator woodbury(String name, Source src, int d, double coefficient, Damping damping, Kernels kernels) {
        int r = Math.toIntExact(src.rows());
        double[] x = new double[Math.multiplyExact(r, d)];
        int[] filled = {0};
        src.forEach((rows, off, count) -> {
            System.arraycopy(rows, off, x, filled[0] * d, count * d);
            filled[0] += count;
        });
        double sumSquares = kernels.sumOfSquares(r * d, x, 0);
        double lambda = damping.lambda(coefficient * sumSquares / d);
        if (!(lambda > 0)) {
            return gram(name, src, d, coefficient, damping, kernels);
        }
        double[] k = new double[r * r];
        kernels.syrk(Uplo.LOWER, Trans.N, r, d, 1.0, x, 0, d, 0.0, k, 0, r);
        for (int i = 0; i < r; i++) {
            k[i * r + i] += lambda / coefficient;
        }
        try {
            kernels.potrf(Uplo.LOWER, r, k, 0, r);
        } catch (NotPositiveDefiniteException e) {
            throw new CurvatureNotPositiveDefiniteException(name + ": the Woodbury system (λ/c)I + XXᵀ is not positive "
                    + "definite (" + e.getMessage() + "); the gradients contain non-finite values", name, lambda);
        }
        // The d × d products are syrks of d × R matrices (Xᵀ and Yᵀ, rows contiguous): Yᵀ = Xᵀ L⁻ᵀ by a right-side
        // triangular solve, C⁻¹ = λ⁻¹(I − (Yᵀ)(Yᵀ)ᵀ). Xᵀ is kept: C = c·Xᵀ(Xᵀ)ᵀ is formed only when a product or
        // the diagonal asks for it.
        double[] xt = transpose(x, r, d);
        double[] yt = x;
        System.arraycopy(xt, 0, yt, 0, xt.length);
        kernels.trsm(Side.RIGHT, Uplo.LOWER, Trans.T, Diag.NON_UNIT, d, r, 1.0, k, 0, r, yt, 0, r);
        double[] inv = new double[d * d];
        kernels.syrk(Uplo.LOWER, Trans.N, d, r, -1.0 / lambda, yt, 0, r, 0.0, inv, 0, d);
        for (int i = 0; i < d; i++) {
            inv[i * d + i] += 1.0 / lambda;
        }
        kernels.symmetrize(Uplo.LOWER, d, inv, 0, d);
        java.util.function.Supplier<double[]> matrix = () -> {
            double[] c = new double[d * d];
            kernels.syrk(Uplo.LOWER, Trans.N, d, r, coefficient, xt, 0, r, 0.0, c, 0, d);
            kernels.symmetrize(Uplo.LOWER, d, c, 0, d);
            return c;
        };
        return DenseOperator.ofInverse(name, inv, d, lambda, kernels, matrix);
    }

    /** The n × m transpose of a row-major m × n matrix, in 64 × 64 tiles. */
    static double[] transpose(double[] a, int m, int n) {
        double[] t = new double[a.length];
        for (int i0 = 0; i0 < m; i0 += 64) {
            int i1 = Math.min(m, i0 + 64);
            for (int j0 = 0; j0 < n; j0 += 64) {
                int j1 = Math.min(n, j0 + 64);
                for (int i = i0; i < i1; i++) {
                    for (int j = j0; j < j1; j++) {
                        t[j * m + i] = a[i * n + j];
                    }
                }
            }
        }
        return t;
    }

    /** METHODS 1.5: C₀⁻¹ = λ⁻¹I, one Sherman–Morrison update with denominator 1/c + xᵀu per row. */
    static DenseOperator rankOne(String name, Source src, int d, double coefficient, Damping damping, Kernels kernels) {
        if (damping.relative() > 0 || !(damping.absolute() > 0)) {
            throw new IllegalArgumentException(name + ": the rank-one recursion starts from λ⁻¹I and needs an absolute "
                    + "damping λ > 0 (got " + damping + "); use Damping.absolute(λ) or DenseInverseMethod.CHOLESKY");
        }
        double lambda = damping.absolute();
        double[] inv = new double[d * d];
        for (int i = 0; i < d; i++) {
            inv[i * d + i] = 1.0 / lambda;
        }
        double[] work = new double[d];
        double denominator = 1.0 / coefficient;
        src.forEach((rows, off, count) -> {
            for (int i = 0; i < count; i++) {
                kernels.shermanMorrisonUpdate(d, denominator, rows, off + i * d, inv, 0, d, work, 0);
            }
        });
        return DenseOperator.ofInverse(name, inv, d, lambda, kernels);
    }
}
