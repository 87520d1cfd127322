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
     * Decomposes the symmetric n×n matrix whose {@code uplo} triangle is stored at {@code a} and writes the
     * ascending eigenvalues to {@code w} and the eigenvectors as the columns of {@code a}.
     */
    static void decompose(Uplo uplo, int n, double[] a, int aOff, int lda, double[] w, int wOff) {
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
        tridiagonalize(n, s, d, e, vt);
        tridiagonalQl(n, d, e, vt);
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
    private static void tridiagonalize(int n, double[] s, double[] d, double[] e, double[] qt) {
        double[] tau = new double[n];
        double[] p = new double[n];
        for (int k = 0; k + 2 < n; k++) {
            int r = n - k - 1; // length of x = s[k+1.., k]
            double x0 = s[(k + 1) * n + k];
            double tail = 0;
            for (int i = k + 2; i < n; i++) {
                double v = s[i * n + k];
                tail += v * v;
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
            // p = t·B·v over the trailing block B = s[k+1.., k+1..] (full symmetric storage)
            for (int i = 0; i < r; i++) {
                int row = (k + 1 + i) * n + k + 1;
                double acc = 0;
                for (int j = 0; j < r; j++) {
                    acc += s[row + j] * s[(k + 1 + j) * n + k];
                }
                p[i] = t * acc;
            }
            double vp = 0;
            for (int i = 0; i < r; i++) {
                vp += s[(k + 1 + i) * n + k] * p[i];
            }
            double half = 0.5 * t * vp;
            for (int i = 0; i < r; i++) {
                p[i] -= half * s[(k + 1 + i) * n + k]; // q = p − (t/2)(vᵀp)·v
            }
            // B ← B − v·qᵀ − q·vᵀ
            for (int i = 0; i < r; i++) {
                int row = (k + 1 + i) * n + k + 1;
                double vi = s[(k + 1 + i) * n + k];
                double qi = p[i];
                for (int j = 0; j < r; j++) {
                    s[row + j] -= vi * p[j] + qi * s[(k + 1 + j) * n + k];
                }
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
            // Qᵀ_sub ← Qᵀ_sub·H_k, rows and columns k+1..n-1: row_j ← row_j − t (row_j·v) vᵀ
            for (int j = k + 1; j < n; j++) {
                int row = j * n + k + 1;
                double dotv = 0;
                for (int i = 0; i < r; i++) {
                    dotv += qt[row + i] * s[(k + 1 + i) * n + k];
                }
                double f = tau[k] * dotv;
                if (f != 0) {
                    for (int i = 0; i < r; i++) {
                        qt[row + i] -= f * s[(k + 1 + i) * n + k];
                    }
                }
            }
        }
    }

    /** Implicit-shift QL on the tridiagonal (d, e); rotations are applied to the rows of vt. */
    private static void tridiagonalQl(int n, double[] d, double[] e, double[] vt) {
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
                    rotateRows(n, vt, i, i + 1, cs, sn);
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

    /** Applies the plane rotation to rows i and j of vt: (row_i, row_j) ← (c·row_i − s·row_j, s·row_i + c·row_j). */
    private static void rotateRows(int n, double[] vt, int i, int j, double c, double s) {
        int ri = i * n;
        int rj = j * n;
        for (int k = 0; k < n; k++) {
            double vi = vt[ri + k];
            double vj = vt[rj + k];
            vt[ri + k] = c * vi - s * vj;
            vt[rj + k] = s * vi + c * vj;
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
