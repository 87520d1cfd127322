package dev.surgeon.core.curvature;

import dev.surgeon.kernels.Kernels;
import dev.surgeon.kernels.NotPositiveDefiniteException;
import dev.surgeon.kernels.Uplo;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * A dense symmetric curvature matrix C + λI held in double (d × d row-major, both triangles), with its inverse
 * computed on first use by a damped Cholesky factorization ({@link DampedCholesky}: potrf + potri, retry with
 * more damping). The dense exact Hessian (METHODS A1), Gauss-Newton (A3), empirical and true Fisher (A5) and
 * OBS's outer-product Hessian are all of this type; OBS, L-OBS, CBS and MacKay's evidence read
 * {@link #inverse()} and {@link #eigenvalues()} from it.
 *
 * <p>Built from the matrix C, λ is requested from the {@link Damping} (absolute + relative·mean diag C) and
 * fixed by the first inversion: if the Cholesky retry had to raise it, the raised λ is used by every operation
 * from then on ({@link #dampingUsed()}). Built from the inverse, C is formed on first use: from the kept rows by
 * one syrk (the Woodbury path of {@link DenseInverseMethod#CHOLESKY}), or by inverting the inverse (potrf + potri,
 * O(d³); the rank-one recursion of METHODS 1.5).
 *
 * <p>Cost: products O(d²) (symv), diagonal O(d), inverse O(d³) once; memory 8d² bytes per matrix held (C and
 * the inverse: 16d² once both exist).
 */
public final class DenseOperator implements CurvatureOperator {
    private final String name;
    private final int n;
    private final Kernels kernels;
    private final Damping damping;
    private final double asymmetry;
    private java.util.function.Supplier<double[]> matrixSource;
    private double[] matrix;
    private double[] inverse;
    private double lambda;
    private DampingRecord record;

    private DenseOperator(String name, int n, Kernels kernels, double[] matrix, double[] inverse, Damping damping,
                          double lambda, DampingRecord record, double asymmetry) {
        this.name = name;
        this.n = n;
        this.kernels = kernels;
        this.matrix = matrix;
        this.inverse = inverse;
        this.damping = damping;
        this.lambda = lambda;
        this.record = record;
        this.asymmetry = asymmetry;
    }

    /**
     * Wraps a symmetric matrix (row-major n × n, both triangles; the array is taken over, not copied).
     *
     * @param damping λ added to it (the relative part is relative to its mean diagonal)
     */
    public static DenseOperator of(String name, double[] matrix, int n, Damping damping, Kernels kernels) {
        return withAsymmetry(name, matrix, n, damping, kernels, 0);
    }

    /**
     * C = λI + (1/count) GᵀG for an m × d gradient matrix G (row-major doubles), by either
     * {@link DenseInverseMethod}; count = m gives the mean outer product ("N in the denominator", METHODS 1.5).
     * Memory is checked against {@link MemoryBudget#defaultBudget()}.
     */
    public static DenseOperator fromGradients(String name, double[] g, int m, int d, double count, Damping damping,
                                              DenseInverseMethod method, Kernels kernels) {
        if (!(count > 0)) {
            throw new IllegalArgumentException(name + ": the denominator count must be > 0, got " + count);
        }
        MemoryBudget.defaultBudget().require(name, OuterProductMatrix.estimateBytes(method, d, m, m), (long) d * d,
                "a d × d double matrix", List.of());
        return OuterProductMatrix.build(name, OuterProductMatrix.of(g, m, d), d, 1 / count, damping, method, kernels);
    }

    static DenseOperator withAsymmetry(String name, double[] matrix, int n, Damping damping, Kernels kernels, double asymmetry) {
        if (n < 1 || matrix.length != (long) n * n) {
            throw new IllegalArgumentException(name + ": a " + n + " × " + n + " matrix needs " + ((long) n * n)
                    + " entries, got " + matrix.length);
        }
        double lambda = damping.lambda(Vectors.meanDiagonal(matrix, 0, n, n));
        return new DenseOperator(name, n, kernels, matrix, null, damping, lambda, null, asymmetry);
    }

    /** Wraps an inverse (C + λI)⁻¹ built with a known λ (the array is taken over). */
    static DenseOperator ofInverse(String name, double[] inverse, int n, double lambda, Kernels kernels) {
        DampingRecord r = new DampingRecord(name, lambda, lambda, 1);
        return new DenseOperator(name, n, kernels, null, inverse, Damping.absolute(lambda).withoutRetry(), lambda, r, 0);
    }

    /**
     * Wraps an inverse whose undamped matrix C is produced on first use by {@code matrix} (the Woodbury path keeps
     * the R × d rows, R &lt; d, instead of the d × d matrix).
     */
    static DenseOperator ofInverse(String name, double[] inverse, int n, double lambda, Kernels kernels,
                                   java.util.function.Supplier<double[]> matrix) {
        DenseOperator op = ofInverse(name, inverse, n, lambda, kernels);
        op.matrixSource = matrix;
        return op;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public int dim() {
        return n;
    }

    @Override
    public Set<Capability> capabilities() {
        return EnumSet.allOf(Capability.class);
    }

    @Override
    public void multiply(double[] v, double[] out) {
        Vectors.check(this, v, out);
        multiplyAt(v, 0, out, 0);
    }

    void multiplyAt(double[] v, int vOff, double[] out, int outOff) {
        ensureMatrix();
        kernels.symv(Uplo.LOWER, n, 1.0, matrix, 0, n, v, vOff, 0.0, out, outOff);
        kernels.axpy(n, lambda, v, vOff, out, outOff);
    }

    @Override
    public void inverseMultiply(double[] v, double[] out) {
        Vectors.check(this, v, out);
        inverseMultiplyAt(v, 0, out, 0);
    }

    void inverseMultiplyAt(double[] v, int vOff, double[] out, int outOff) {
        ensureInverse();
        kernels.symv(Uplo.LOWER, n, 1.0, inverse, 0, n, v, vOff, 0.0, out, outOff);
    }

    @Override
    public double[] diagonal() {
        double[] d = new double[n];
        diagonalAt(d, 0);
        return d;
    }

    void diagonalAt(double[] out, int off) {
        ensureMatrix();
        for (int i = 0; i < n; i++) {
            out[off + i] = matrix[i * n + i] + lambda;
        }
    }

    @Override
    public double[] inverseDiagonal() {
        double[] d = new double[n];
        inverseDiagonalAt(d, 0);
        return d;
    }

    void inverseDiagonalAt(double[] out, int off) {
        ensureInverse();
        for (int i = 0; i < n; i++) {
            out[off + i] = inverse[i * n + i];
        }
    }

    /** The damped matrix C + λI (a new array). */
    @Override
    public double[] toDense() {
        ensureMatrix();
        double[] m = matrix.clone();
        for (int i = 0; i < n; i++) {
            m[i * n + i] += lambda;
        }
        return m;
    }

    /** (C + λI)⁻¹, both triangles (a new array; OBS-style downdates work on this copy). */
    public double[] inverse() {
        ensureInverse();
        return inverse.clone();
    }

    /** Eigenvalues of C + λI in ascending order (MacKay's γ = Σ ν_i/(ν_i + α) needs them). */
    public double[] eigenvalues() {
        double[] a = toDense();
        double[] w = new double[n];
        kernels.syev(Uplo.LOWER, n, a, 0, n, w, 0);
        return w;
    }

    /** The λ currently represented (requested until the first inversion, then the one used). */
    public double lambda() {
        return lambda;
    }

    /**
     * For matrices assembled column by column from products (the dense exact Hessian): the largest
     * |C_ij − C_ji| before symmetrizing, a self-check of the products (METHODS A1 step 2); 0 otherwise.
     */
    public double asymmetry() {
        return asymmetry;
    }

    @Override
    public long memoryBytes() {
        long square = 8L * n * n;
        return (matrix != null ? square : 0) + (inverse != null ? square : 0);
    }

    @Override
    public List<DampingRecord> dampingUsed() {
        return List.of(record != null ? record : new DampingRecord(name, lambda, lambda, 0));
    }

    /** The live undamped matrix C (package use: no copy). */
    double[] matrixView() {
        ensureMatrix();
        return matrix;
    }

    /** The live inverse (package use: no copy). */
    double[] inverseView() {
        ensureInverse();
        return inverse;
    }

    /** Drops the matrix C once only the inverse is needed (OBS, WoodFisher), halving the memory. */
    public void releaseMatrix() {
        ensureInverse();
        matrix = null;
    }

    private void ensureInverse() {
        if (inverse != null) {
            return;
        }
        inverse = new double[n * n];
        record = DampedCholesky.invert(kernels, name, matrix, 0, n, n, damping, inverse, 0, n);
        lambda = record.used();
    }

    private void ensureMatrix() {
        if (matrix != null) {
            return;
        }
        if (matrixSource != null) {
            matrix = matrixSource.get();
            matrixSource = null;
            return;
        }
        double[] m = inverse.clone();
        try {
            kernels.potrf(Uplo.LOWER, n, m, 0, n);
        } catch (NotPositiveDefiniteException e) {
            throw new CurvatureNotPositiveDefiniteException(name + ": the stored inverse lost positive definiteness ("
                    + e.getMessage() + "); build it with a larger λ or with the Cholesky method", name, lambda);
        }
        kernels.potri(Uplo.LOWER, n, m, 0, n);
        kernels.symmetrize(Uplo.LOWER, n, m, 0, n);
        for (int i = 0; i < n; i++) {
            m[i * n + i] -= lambda;
        }
        matrix = m;
    }

    @Override
    public String toString() {
        return name + " (" + n + " × " + n + ", λ = " + lambda + ")";
    }
}
