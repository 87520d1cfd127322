package dev.surgeon.kernels;

/**
 * Dense symmetric eigendecomposition in double: Householder reduction to tridiagonal form, then the
 * implicit QL algorithm with Wilkinson-style shifts (Golub &amp; Van Loan, "Matrix Computations", §8.3
 * and §8.3.5; the QL variant runs the same implicit shifted iteration from the bottom of T upwards).
 * Cost about (4/3)n³ for the reduction, (4/3)n³ to form Q and ~3n³ for the rotations. The rotations are
 * applied to the rows of Vᵀ so that every inner loop is contiguous in row-major storage.
 *
 * <p>As LAPACK's {@code dsyev} does, the matrix is first scaled by a power of two (exactly) so that its
 * largest entry is near 1: without it, squares of entries below ~1e-154 underflow and a Householder step
 * is silently skipped (wrong eigenvalues), and entries above ~1e154 overflow into a QL iteration on
 * infinities. A NaN or infinite entry yields NaN eigenvalues and vectors.
 */
final class SymmetricEigensolver {
    private static final int MAX_SWEEPS_PER_EIGENVALUE = 60;

    private SymmetricEigensolver() {
    }

    /**
     * The O(n) inner loops of the reduction and of the QL rotations, over contiguous rows. A provider may
     * pass vectorized versions; {@link #SCALAR} is the reference and fixes the order of operations.
     */
    interface RowKernels {
        /** {@code Σ x[i]·y[i]}, accumulated in index order by the reference. */
        double dot(int n, double[] x, int xOff, double[] y, int yOff);

        /** {@code y[i] += alpha·x[i]}. */
        void axpy(int n, double alpha, double[] x, int xOff, double[] y, int yOff);

        /** The symmetric rank-2 update of one row: {@code z[i] −= a·x[i] + b·y[i]}. */
        void rank2(int n, double a, double[] x, int xOff, double b, double[] y, int yOff, double[] z, int zOff);

        /** The plane rotation {@code (x, y) ← (c·x − s·y, s·x + c·y)}, elementwise. */
        void rotate(int n, double c, double s, double[] x, int xOff, double[] y, int yOff);
    }

    /** The plain loops: the reference arithmetic. */
    static final RowKernels SCALAR = new RowKernels() {
        @Override
        public double dot(int n, double[] x, int xOff, double[] y, int yOff) {
            double acc = 0;
            for (int i = 0; i < n; i++) {
                acc += x[xOff + i] * y[yOff + i];
            }
            return acc;
        }

        @Override
        public void axpy(int n, double alpha, double[] x, int xOff, double[] y, int yOff) {
            for (int i = 0; i < n; i++) {
                y[yOff + i] += alpha * x[xOff + i];
            }
        }

        @Override
        public void rank2(int n, double a, double[] x, int xOff, double b, double[] y, int yOff, double[] z, int zOff) {
            for (int i = 0; i < n; i++) {
                z[zOff + i] -= a * x[xOff + i] + b * y[yOff + i];
            }
        }

        @Override
        public void rotate(int n, double c, double s, double[] x, int xOff, double[] y, int yOff) {
            for (int k = 0; k < n; k++) {
                double vi = x[xOff + k];
                double vj = y[yOff + k];
                x[xOff + k] = c * vi - s * vj;
                y[yOff + k] = s * vi + c * vj;
            }
        }
    };

    /**
     * Decomposes the symmetric n×n matrix whose {@code uplo} triangle is stored at {@code a} and writes the
     * ascending eigenvalues to {@code w} and the eigenvectors as the columns of {@code a}.
     */
    static void decompose(Uplo uplo, int n, double[] a, int aOff, int lda, double[] w, int wOff) {
        decompose(uplo, n, a, aOff, lda, w, wOff, SCALAR);
    }

    /** As {@link #decompose(Uplo, int, double[], int, int, double[], int)}, with the given inner loops. */
    static void decompose(Uplo uplo, int n, double[] a, int aOff, int lda, double[] w, int wOff, RowKernels rows) {
        if (n == 0) {
            return;
        }
        // Full symmetric working copy (row-major, stride n), built from the referenced triangle only.
        double[] s = new double[n * n];
        double largest = 0;
        boolean finite = true;
        for (int i = 0; i < n; i++) {
            for (int j = 0; j <= i; j++) {
                double v = uplo == Uplo.LOWER ? a[aOff + i * lda + j] : a[aOff + j * lda + i];
                finite &= Double.isFinite(v);
                largest = Math.max(largest, Math.abs(v));
                s[i * n + j] = v;
                s[j * n + i] = v;
            }
        }
        if (!finite) {
            for (int i = 0; i < n; i++) {
                w[wOff + i] = Double.NaN;
                java.util.Arrays.fill(a, aOff + i * lda, aOff + i * lda + n, Double.NaN);
            }
            return;
        }
        // Power-of-two scaling is exact (also for subnormal entries scaled up), and so is undoing it.
        int exponent = largest == 0 ? 0 : Math.getExponent(largest);
        if (exponent != 0) {
            for (int i = 0; i < s.length; i++) {
                s[i] = Math.scalb(s[i], -exponent);
            }
        }
        double[] d = new double[n];
        double[] e = new double[n];
        double[] vt = new double[n * n]; // Vᵀ: row j is eigenvector j
        tridiagonalize(n, s, d, e, vt, rows);
        tridiagonalQl(n, d, e, vt, rows);
        sortAscending(n, d, vt);
        for (int i = 0; i < n; i++) {
            w[wOff + i] = Math.scalb(d[i], exponent);
            for (int j = 0; j < n; j++) {
                a[aOff + i * lda + j] = vt[j * n + i];
            }
        }
    }

    /**
     * Householder reduction A = Q·T·Qᵀ. On return d and e hold T's diagonal and sub-diagonal
     * (e[i] couples i and i+1, e[n-1] = 0) and qt holds Qᵀ. The Householder vectors are kept in the
     * strictly lower part of s, column k, with their scale factors in tau.
     */
    private static void tridiagonalize(int n, double[] s, double[] d, double[] e, double[] qt, RowKernels rows) {
        double[] tau = new double[n];
        double[] p = new double[n];
        double[] v = new double[n]; // contiguous copy of the current Householder vector
        for (int k = 0; k + 2 < n; k++) {
            int r = n - k - 1; // length of x = s[k+1.., k]
            double x0 = s[(k + 1) * n + k];
            double tail = 0;
            for (int i = k + 2; i < n; i++) {
                double vi = s[i * n + k];
                tail += vi * vi;
            }
            if (tail == 0) {
                tau[k] = 0;
                e[k] = x0;
                continue;
            }
            double norm = Math.sqrt(x0 * x0 + tail);
            double alpha = x0 >= 0 ? -norm : norm;
            double v0 = x0 - alpha;
            s[(k + 1) * n + k] = v0; // v = x − alpha·e1, stored in place of x
            double vtv = v0 * v0 + tail;
            double t = 2.0 / vtv;
            tau[k] = t;
            e[k] = alpha;
            copyColumn(s, n, k, v);
            // p = t·B·v over the trailing block B = s[k+1.., k+1..] (full symmetric storage)
            for (int i = 0; i < r; i++) {
                p[i] = t * rows.dot(r, s, (k + 1 + i) * n + k + 1, v, 0);
            }
            double vp = rows.dot(r, v, 0, p, 0);
            rows.axpy(r, -(0.5 * t * vp), v, 0, p, 0); // q = p − (t/2)(vᵀp)·v
            // B ← B − v·qᵀ − q·vᵀ
            for (int i = 0; i < r; i++) {
                rows.rank2(r, v[i], p, 0, p[i], v, 0, s, (k + 1 + i) * n + k + 1);
            }
        }
        if (n >= 2) {
            e[n - 2] = s[(n - 1) * n + n - 2];
        }
        e[n - 1] = 0;
        for (int i = 0; i < n; i++) {
            d[i] = s[i * n + i];
        }
        // Q = H_0·H_1·…·H_{n-3}, accumulated from the right end; we store Qᵀ, so apply Hᵀ = H on the right.
        for (int i = 0; i < n; i++) {
            qt[i * n + i] = 1;
        }
        for (int k = n - 3; k >= 0; k--) {
            if (tau[k] == 0) {
                continue;
            }
            int r = n - k - 1;
            copyColumn(s, n, k, v);
            // Qᵀ_sub ← Qᵀ_sub·H_k, rows and columns k+1..n-1: row_j ← row_j − t (row_j·v) vᵀ
            for (int j = k + 1; j < n; j++) {
                int row = j * n + k + 1;
                double f = tau[k] * rows.dot(r, qt, row, v, 0);
                if (f != 0) {
                    rows.axpy(r, -f, v, 0, qt, row);
                }
            }
        }
    }

    /** v[0..n-k-1) = s[k+1.., k]: the Householder vector of step k, stored below the diagonal of column k. */
    private static void copyColumn(double[] s, int n, int k, double[] v) {
        for (int i = k + 1; i < n; i++) {
            v[i - k - 1] = s[i * n + k];
        }
    }

    /** Implicit-shift QL on the tridiagonal (d, e); rotations are applied to the rows of vt. */
    private static void tridiagonalQl(int n, double[] d, double[] e, double[] vt, RowKernels rows) {
        final double eps = Math.ulp(1.0);
        for (int l = 0; l < n; l++) {
            int iterations = 0;
            while (true) {
                int m = l;
                while (m < n - 1) {
                    double dd = Math.abs(d[m]) + Math.abs(d[m + 1]);
                    if (Math.abs(e[m]) <= eps * dd) {
                        break;
                    }
                    m++;
                }
                if (m == l) {
                    break;
                }
                if (++iterations > MAX_SWEEPS_PER_EIGENVALUE) {
                    throw new ArithmeticException("symmetric eigensolver did not converge for eigenvalue " + l
                            + " after " + MAX_SWEEPS_PER_EIGENVALUE + " QL sweeps");
                }
                double g = (d[l + 1] - d[l]) / (2.0 * e[l]);
                double r = Math.hypot(g, 1.0);
                g = d[m] - d[l] + e[l] / (g + (g >= 0 ? Math.abs(r) : -Math.abs(r)));
                double sn = 1;
                double cs = 1;
                double p = 0;
                boolean deflatedEarly = false;
                for (int i = m - 1; i >= l; i--) {
                    double f = sn * e[i];
                    double b = cs * e[i];
                    r = Math.hypot(f, g);
                    e[i + 1] = r;
                    if (r == 0) {
                        d[i + 1] -= p;
                        e[m] = 0;
                        deflatedEarly = true;
                        break;
                    }
                    sn = f / r;
                    cs = g / r;
                    g = d[i + 1] - p;
                    r = (d[i] - g) * sn + 2.0 * cs * b;
                    p = sn * r;
                    d[i + 1] = g + p;
                    g = cs * r - b;
                    rows.rotate(n, cs, sn, vt, i * n, vt, (i + 1) * n);
                }
                if (deflatedEarly) {
                    continue;
                }
                d[l] -= p;
                e[l] = g;
                e[m] = 0;
            }
        }
    }

    private static void sortAscending(int n, double[] d, double[] vt) {
        for (int i = 0; i < n - 1; i++) {
            int min = i;
            for (int j = i + 1; j < n; j++) {
                if (d[j] < d[min]) {
                    min = j;
                }
            }
            if (min != i) {
                double t = d[i];
                d[i] = d[min];
                d[min] = t;
                for (int k = 0; k < n; k++) {
                    double v = vt[i * n + k];
                    vt[i * n + k] = vt[min * n + k];
                    vt[min * n + k] = v;
                }
            }
        }
    }
}
