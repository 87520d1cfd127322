package dev.surgeon.kernels;

/**
 * One precision's SIMD kernels behind a common interface, so that everything built from them — the
 * argument handling and fused forms of {@link VectorKernels}, the thin products ({@link ThinProduct}) and
 * the recursive blocked algorithms ({@link BlockedTriangular}, {@link BlockedCholesky},
 * {@link BlockedLu}) — is written once for float and double. Every call does a whole block or a whole
 * row of work, so the interface dispatch costs nothing measurable; the typed vector loops live in the two
 * implementations ({@link FloatOps}, {@link DoubleOps}) and the classes they call.
 *
 * <p>Scalars travel as {@code double}. One float operation computed in double and rounded back to float
 * gives the correctly rounded float result (the double format has more than 2·24 + 2 significand bits),
 * so generic code that does single operations on values read with {@link #get} matches float arithmetic
 * step for step. Arguments are checked by the callers.
 *
 * @param <A> {@code float[]} or {@code double[]}
 */
interface PrecisionOps<A> {

    /** The most threads one call may use. */
    int threads();

    // ------------------------------------------------------------------------------------------------
    // Level 3

    /**
     * The packed product {@link PackedProduct#multiply} with this precision's micro-kernel and
     * {@link #threads()}: {@code C ← alpha·op(A)·op(B) + beta·C} on the {@code tri} triangle (null: all of
     * C), for m, n, k > 0 and alpha ≠ 0.
     */
    void packedProduct(Uplo tri, boolean transA, boolean transB, int m, int n, int k, double alpha,
                       A a, int aOff, int lda, A b, int bOff, int ldb, double beta, A c, int cOff, int ldc);

    /** {@code C ← alpha·op(A)·op(B) + beta·C}, row-major, with the BLAS corner cases of {@link Kernels#gemm}. */
    default void gemm(boolean transA, boolean transB, int m, int n, int k, double alpha, A a, int aOff, int lda,
                      A b, int bOff, int ldb, double beta, A c, int cOff, int ldc) {
        if (m == 0 || n == 0) {
            return;
        }
        if (alpha == 0 || k == 0) {
            // C ← beta·C without reading A and B (and without reading C when beta is 0).
            for (int i = 0; i < m; i++) {
                scaleOrZero(n, beta, c, cOff + i * ldc);
            }
        } else if (ThinProduct.applies(m, n, k)) {
            ThinProduct.multiply(this, transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
        } else {
            packedProduct(null, transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
        }
    }

    /**
     * The {@code uplo} triangle of {@code C ← alpha·A·Aᵀ + beta·C} (A n×k), or of {@code alpha·Aᵀ·A + beta·C}
     * (A k×n) when trans, with the BLAS corner cases of {@link Kernels#syrk}.
     */
    default void syrk(Uplo uplo, boolean trans, int n, int k, double alpha, A a, int aOff, int lda,
                      double beta, A c, int cOff, int ldc) {
        if (n == 0) {
            return;
        }
        if (alpha == 0 || k == 0) {
            for (int i = 0; i < n; i++) {
                int lo = uplo == Uplo.LOWER ? 0 : i;
                scaleOrZero(uplo == Uplo.LOWER ? i + 1 : n - i, beta, c, cOff + i * ldc + lo);
            }
        } else {
            // N: op(A) = A and op(B) = Aᵀ, both read from A; T: op(A) = Aᵀ and op(B) = A.
            packedProduct(uplo, trans, !trans, n, n, k, alpha, a, aOff, lda, a, aOff, lda, beta, c, cOff, ldc);
        }
    }

    // ------------------------------------------------------------------------------------------------
    // Levels 1 and 2, over contiguous rows

    /** {@code Σ x[i]·y[i]} over n elements. */
    double dot(int n, A x, int xOff, A y, int yOff);

    /** {@code y ← alpha·x + y}. */
    void axpy(int n, double alpha, A x, int xOff, A y, int yOff);

    /** {@code x ← alpha·x} (NaN and inf in x propagate, even for alpha = 0). */
    void scal(int n, double alpha, A x, int xOff);

    /** {@code x ← alpha·x}, or {@code x ← 0} without reading it when alpha is 0. */
    void scaleOrZero(int n, double alpha, A x, int xOff);

    double asum(int n, A x, int xOff);

    double sumOfSquares(int n, A x, int xOff);

    /** As {@link Kernels#iamax(int, float[], int)}. */
    int iamax(int n, A x, int xOff);

    /** {@code z[i] = x[i]·y[i]}. */
    void mul(int n, A x, int xOff, A y, int yOff, A z, int zOff);

    /** {@code z[i] = x[i] + y[i]}. */
    void add(int n, A x, int xOff, A y, int yOff, A z, int zOff);

    /** {@code y[i] += alpha·(G_i · x)} for the m rows of the m×d G, one thread. */
    void addRowDots(int m, int d, double alpha, A g, int gOff, int ldg, A x, int xOff, A y, int yOff);

    /** {@code x += alpha·Σ_i c[i]·G_i} over the m rows of the m×d G, one thread. */
    void addRowCombination(int m, int d, double alpha, A c, int cOff, A g, int gOff, int ldg, A x, int xOff);

    /** {@code y += alpha·A·x} for the symmetric A of which the {@code uplo} triangle is read. */
    void symv(Uplo uplo, int n, double alpha, A a, int aOff, int lda, A x, int xOff, A y, int yOff);

    /** {@code A ← A + alpha·x·xᵀ} on the {@code uplo} triangle. */
    void syr(Uplo uplo, int n, double alpha, A x, int xOff, A a, int aOff, int lda);

    // ------------------------------------------------------------------------------------------------
    // Base cases and element access

    /**
     * Solves {@code x·M = b} in place for each of the m rows of B (stride ldb), for a small n×n triangle M
     * given in elimination form: row j of {@code e} (stride n) holds the entries of M's row j that x_j is
     * eliminated from once known — columns after j when M is upper (j ascending), before j when lower (j
     * descending) — and the reciprocals of M's diagonal are at {@code e[n·n + j]}. Uses the lease's
     * secondary arrays as scratch.
     */
    void solveRowsSmall(boolean upper, int m, int n, A e, A b, int bOff, int ldb, PackingBuffers.Lease lease);

    /** {@code dst[dstOff..+n) = src[srcOff..+n)}. */
    default void copy(int n, A src, int srcOff, A dst, int dstOff) {
        System.arraycopy(src, srcOff, dst, dstOff, n);
    }

    /** {@code value} rounded to this precision. */
    double round(double value);

    double get(A a, int i);

    void set(A a, int i, double value);

    /** A reusable scratch array of at least {@code size} elements from the leased workspace. */
    A scratch(PackingBuffers.Lease lease, int size);
}
