package dev.surgeon.kernels;

/**
 * What the recursive blocked algorithms ({@link BlockedTriangular}, {@link BlockedCholesky},
 * {@link BlockedLu}) need from one precision: the packed level-3 products (threaded), vectorized row
 * primitives for their small base cases, and scalar element access. Written once over this interface,
 * the algorithms serve float and double alike; every call here does a whole block or a whole row of work,
 * so the interface dispatch costs nothing measurable.
 *
 * <p>Scalar element values travel as {@code double}: one float operation computed in double and rounded
 * back to float gives the correctly rounded float result (the double format has more than 2·24 + 2
 * significand bits), so the base cases match float arithmetic step for step.
 *
 * @param <A> {@code float[]} or {@code double[]}
 */
interface PrecisionOps<A> {

    /** {@code C ← alpha·op(A)·op(B) + beta·C}, row-major, as {@link Kernels#gemm}, arguments already checked. */
    void gemm(boolean transA, boolean transB, int m, int n, int k, double alpha, A a, int aOff, int lda,
              A b, int bOff, int ldb, double beta, A c, int cOff, int ldc);

    /** The {@code uplo} triangle of {@code C ← alpha·A·Aᵀ + beta·C} (or {@code Aᵀ·A} when trans), as {@link Kernels#syrk}. */
    void syrk(Uplo uplo, boolean trans, int n, int k, double alpha, A a, int aOff, int lda,
              double beta, A c, int cOff, int ldc);

    /** {@code Σ x[i]·y[i]} over n contiguous elements. */
    double dot(int n, A x, int xOff, A y, int yOff);

    /** {@code y ← alpha·x + y} over n contiguous elements. */
    void axpy(int n, double alpha, A x, int xOff, A y, int yOff);

    /** {@code x ← alpha·x} (NaN and inf in x propagate, even for alpha = 0). */
    void scal(int n, double alpha, A x, int xOff);

    /** {@code x ← alpha·x}, or {@code x ← 0} without reading it when alpha is 0. */
    void scaleOrZero(int n, double alpha, A x, int xOff);

    /** {@code y[i] += alpha·(G_i · x)} for the m rows of the m×d G, one thread. */
    void addRowDots(int m, int d, double alpha, A g, int gOff, int ldg, A x, int xOff, A y, int yOff);

    /** {@code x += alpha·Σ_i c[i]·G_i} over the m rows of the m×d G, one thread. */
    void addRowCombination(int m, int d, double alpha, A c, int cOff, A g, int gOff, int ldg, A x, int xOff);

    double get(A a, int i);

    void set(A a, int i, double value);

    /**
     * Solves {@code x·M = b} in place for each of the m rows of B (stride ldb), for a small n×n triangle M
     * given in elimination form: row j of {@code e} (stride n) holds the entries of M's row j that x_j is
     * eliminated from once known — columns after j when M is upper (j ascending), before j when lower (j
     * descending) — and the reciprocals of M's diagonal are at {@code e[n·n + j]}. Uses the lease's
     * secondary arrays as scratch.
     */
    void solveRowsSmall(boolean upper, int m, int n, A e, A b, int bOff, int ldb, PackingBuffers.Lease lease);

    /** A reusable scratch array of at least {@code size} elements from the leased workspace. */
    A scratch(PackingBuffers.Lease lease, int size);
}
