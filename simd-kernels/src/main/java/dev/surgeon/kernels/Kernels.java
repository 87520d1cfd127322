package dev.surgeon.kernels;

import java.util.List;

/**
 * The numerical kernels the rest of Surgeon spends its time in, over flat arrays with explicit offsets
 * and leading dimensions.
 *
 * <h2>Conventions</h2>
 * <ul>
 *   <li>Matrices are <b>row-major</b>: entry (i, j) of an m×n matrix stored at {@code a[aOff + i*lda + j]},
 *       with {@code lda >= n} (the row stride). Vectors are contiguous from their offset.</li>
 *   <li>Level-3 operations follow the BLAS definitions (gemm, syrk, trsm) restated for row-major storage.
 *       When {@code beta == 0} the output is overwritten without being read (NaN/garbage in it does not
 *       propagate), and when {@code alpha == 0} the input matrices are not read, as in BLAS.</li>
 *   <li>Symmetric and triangular operands reference only the triangle named by {@link Uplo}; the other
 *       triangle is neither read nor written unless the method says so.</li>
 *   <li>Every operation exists for {@code float}; level 1–3, the factorizations and the fused curvature
 *       forms also exist for {@code double} (curvature is accumulated and factorized in double).</li>
 *   <li>Bad arguments (negative sizes, arrays shorter than offset + extent, a leading dimension smaller
 *       than the row width, out-of-range indices) throw {@link IllegalArgumentException} naming the
 *       argument and the values. NaN inputs propagate as NaN through levels 1–3 and the fused forms (no
 *       exception, no hang); factorizations report a NaN pivot as a {@link FactorizationException}, as
 *       LAPACK does.</li>
 *   <li>Implementations are thread-safe and stateless from the caller's point of view. A provider may use
 *       up to {@link #threads()} threads internally; {@link #withThreads(int)} bounds that.</li>
 * </ul>
 *
 * <h2>Choosing a provider</h2>
 * {@link #get()} picks once per JVM from the system property {@code surgeon.kernels}
 * ({@code scalar}, {@code vector}, {@code openblas} or {@code auto}, the default: the fastest provider
 * that loads). Providers are found through {@link KernelProvider} with {@link java.util.ServiceLoader}.
 */
public interface Kernels {

    // ------------------------------------------------------------------------------------------------
    // Identity and threading

    /** Short provider name: {@code scalar}, {@code vector}, {@code openblas}, … */
    String name();

    /**
     * One line describing how this instance computes, for logs and {@code surgeon kernels}: e.g. the
     * vector width, whether FMA is used, the native library loaded.
     */
    default String description() {
        return name() + ", " + threads() + " thread(s)";
    }

    /** The largest number of threads this instance uses inside one call (1 = strictly sequential). */
    int threads();

    /** A view of this provider that uses at most {@code n} threads inside one call ({@code n >= 1}). */
    Kernels withThreads(int n);

    // ------------------------------------------------------------------------------------------------
    // Level 1 — float

    /** Returns {@code Σ_i x[i]·y[i]} over n elements. */
    float dot(int n, float[] x, int xOff, float[] y, int yOff);

    /** {@code y ← alpha·x + y}. */
    void axpy(int n, float alpha, float[] x, int xOff, float[] y, int yOff);

    /** {@code x ← alpha·x}. */
    void scal(int n, float alpha, float[] x, int xOff);

    /** Euclidean norm {@code sqrt(Σ x[i]²)}. */
    float nrm2(int n, float[] x, int xOff);

    /** {@code Σ |x[i]|}. */
    float asum(int n, float[] x, int xOff);

    /**
     * Index (0-based, relative to {@code xOff}) of the first element of largest absolute value; if any
     * element is NaN, the index of the first NaN; {@code -1} when {@code n == 0}.
     */
    int iamax(int n, float[] x, int xOff);

    /** {@code Σ x[i]²}. */
    float sumOfSquares(int n, float[] x, int xOff);

    /** Elementwise product {@code z[i] = x[i]·y[i]}; z may be the same region as x or y. */
    void mul(int n, float[] x, int xOff, float[] y, int yOff, float[] z, int zOff);

    /** Elementwise sum {@code z[i] = x[i] + y[i]}; z may be the same region as x or y. */
    void add(int n, float[] x, int xOff, float[] y, int yOff, float[] z, int zOff);

    // Level 1 — double

    double dot(int n, double[] x, int xOff, double[] y, int yOff);

    void axpy(int n, double alpha, double[] x, int xOff, double[] y, int yOff);

    void scal(int n, double alpha, double[] x, int xOff);

    double nrm2(int n, double[] x, int xOff);

    double asum(int n, double[] x, int xOff);

    int iamax(int n, double[] x, int xOff);

    double sumOfSquares(int n, double[] x, int xOff);

    void mul(int n, double[] x, int xOff, double[] y, int yOff, double[] z, int zOff);

    void add(int n, double[] x, int xOff, double[] y, int yOff, double[] z, int zOff);

    // ------------------------------------------------------------------------------------------------
    // Level 2 — float

    /**
     * Matrix-vector product with an m×n matrix A: {@code y ← alpha·A·x + beta·y} (x has n, y has m
     * elements) for {@link Trans#N}, or {@code y ← alpha·Aᵀ·x + beta·y} (x has m, y has n) for
     * {@link Trans#T}.
     */
    void gemv(Trans trans, int m, int n, float alpha, float[] a, int aOff, int lda,
              float[] x, int xOff, float beta, float[] y, int yOff);

    /** Rank-1 update of an m×n matrix: {@code A ← A + alpha·x·yᵀ} (x has m, y has n elements). */
    void ger(int m, int n, float alpha, float[] x, int xOff, float[] y, int yOff, float[] a, int aOff, int lda);

    /** Symmetric matrix-vector product {@code y ← alpha·A·x + beta·y}, reading only the {@code uplo} triangle of the n×n A. */
    void symv(Uplo uplo, int n, float alpha, float[] a, int aOff, int lda,
              float[] x, int xOff, float beta, float[] y, int yOff);

    /** Symmetric rank-1 update {@code A ← A + alpha·x·xᵀ} of the {@code uplo} triangle of the n×n A. */
    void syr(Uplo uplo, int n, float alpha, float[] x, int xOff, float[] a, int aOff, int lda);

    // Level 2 — double

    void gemv(Trans trans, int m, int n, double alpha, double[] a, int aOff, int lda,
              double[] x, int xOff, double beta, double[] y, int yOff);

    void ger(int m, int n, double alpha, double[] x, int xOff, double[] y, int yOff, double[] a, int aOff, int lda);

    void symv(Uplo uplo, int n, double alpha, double[] a, int aOff, int lda,
              double[] x, int xOff, double beta, double[] y, int yOff);

    void syr(Uplo uplo, int n, double alpha, double[] x, int xOff, double[] a, int aOff, int lda);

    // ------------------------------------------------------------------------------------------------
    // Level 3 — float

    /**
     * General matrix product {@code C ← alpha·op(A)·op(B) + beta·C} with op(A) m×k, op(B) k×n and C m×n.
     * A is stored m×k (lda ≥ k) when {@code transA == N} and k×m (lda ≥ m) when {@code transA == T};
     * likewise B is k×n (ldb ≥ n) or n×k (ldb ≥ k).
     */
    void gemm(Trans transA, Trans transB, int m, int n, int k, float alpha, float[] a, int aOff, int lda,
              float[] b, int bOff, int ldb, float beta, float[] c, int cOff, int ldc);

    /**
     * Symmetric rank-k update of the {@code uplo} triangle of the n×n C: {@code C ← alpha·A·Aᵀ + beta·C}
     * with A stored n×k for {@link Trans#N}, or {@code C ← alpha·Aᵀ·A + beta·C} with A stored k×n for
     * {@link Trans#T}. The other triangle of C is not touched (see {@link #symmetrize}).
     */
    void syrk(Uplo uplo, Trans trans, int n, int k, float alpha, float[] a, int aOff, int lda,
              float beta, float[] c, int cOff, int ldc);

    /**
     * Triangular solve with several right-hand sides, overwriting the m×n B with X:
     * {@code op(A)·X = alpha·B} ({@link Side#LEFT}, A is m×m) or {@code X·op(A) = alpha·B}
     * ({@link Side#RIGHT}, A is n×n). Only the {@code uplo} triangle of A is read; with {@link Diag#UNIT}
     * its diagonal is taken as 1. A zero on a non-unit diagonal yields inf/NaN, as in BLAS.
     */
    void trsm(Side side, Uplo uplo, Trans transA, Diag diag, int m, int n, float alpha,
              float[] a, int aOff, int lda, float[] b, int bOff, int ldb);

    // Level 3 — double

    void gemm(Trans transA, Trans transB, int m, int n, int k, double alpha, double[] a, int aOff, int lda,
              double[] b, int bOff, int ldb, double beta, double[] c, int cOff, int ldc);

    void syrk(Uplo uplo, Trans trans, int n, int k, double alpha, double[] a, int aOff, int lda,
              double beta, double[] c, int cOff, int ldc);

    void trsm(Side side, Uplo uplo, Trans transA, Diag diag, int m, int n, double alpha,
              double[] a, int aOff, int lda, double[] b, int bOff, int ldb);

    // ------------------------------------------------------------------------------------------------
    // Symmetric storage helper

    /** Copies the {@code stored} triangle of the n×n A onto the other one, making A fully symmetric. */
    void symmetrize(Uplo stored, int n, float[] a, int aOff, int lda);

    void symmetrize(Uplo stored, int n, double[] a, int aOff, int lda);

    // ------------------------------------------------------------------------------------------------
    // Convolution layout

    /**
     * im2col (Chellapilla, Puri &amp; Simard 2006, "High performance convolutional neural networks for document
     * processing"): unfolds samples [from, to) of the NCHW batch x (sample n at {@code x[xOff + n·C·H·W]}) into the
     * rows of X, so that a convolution becomes one matrix product W·X. Row (c, ky, kx), column (n − from, oy, ox)
     * of X, at {@code cols[colsOff + ((c·k + ky)·k + kx)·ld + (n − from)·|T| + oy·outWidth + ox]}, is the input
     * pixel {@code x[n, c, oy·s + ky − p, ox·s + kx − p]}, or 0 where that lies in the padding.
     *
     * @throws IllegalArgumentException when a range lies outside its array
     */
    void im2col(ConvolutionGeometry g, float[] x, int xOff, int from, int to, float[] cols, int colsOff, int ld);

    /**
     * col2im, the adjoint of {@link #im2col}: overwrites samples [from, to) of the NCHW batch x with the sum, over
     * every entry of X (laid out as in im2col), of that entry added to the input pixel it was copied from. This is
     * the input gradient of a convolution given the gradient of its unfolded input.
     *
     * @throws IllegalArgumentException when a range lies outside its array
     */
    void col2im(ConvolutionGeometry g, float[] cols, int colsOff, int ld, int from, int to, float[] x, int xOff);

    /**
     * A convolution's forward product {@code C ← alpha·A·X + beta·C} with X = im2col of samples [from, to) (d_col ×
     * cols, cols = (to − from)·|T|, laid out as in {@link #im2col}): A is m × d_col (row stride lda), C is m × cols
     * (row stride ldc). This default unfolds X into {@code scratch} (at least d_col·cols floats, row stride cols) and
     * calls {@link #gemm}; a provider may instead read X's entries from the image while it packs them (implicit
     * GEMM) and leave scratch alone.
     *
     * @throws IllegalArgumentException when a range lies outside its array
     */
    default void im2colProduct(ConvolutionGeometry g, float[] x, int xOff, int from, int to, int m, float alpha,
                               float[] a, int aOff, int lda, float beta, float[] c, int cOff, int ldc, float[] scratch) {
        int cols = (to - from) * g.positions();
        im2col(g, x, xOff, from, to, scratch, 0, cols);
        gemm(Trans.N, Trans.N, m, cols, g.patch(), alpha, a, aOff, lda, scratch, 0, cols, beta, c, cOff, ldc);
    }

    /**
     * A convolution's weight-gradient product {@code C ← alpha·A·X̄ᵀ + beta·C} with X̄ = X (d_col × cols, as in
     * {@link #im2colProduct}) or, when {@code ones}, X with a last row of ones (so that C's last column is the bias
     * gradient): A is m × cols (row stride lda), C is m × (d_col + 1 if ones, else d_col) (row stride ldc). This
     * default unfolds X̄ into {@code scratch} (at least (d_col + 1)·cols floats, row stride cols) and calls
     * {@link #gemm}; a provider may read the image directly instead.
     *
     * @throws IllegalArgumentException when a range lies outside its array
     */
    default void im2colTransposedProduct(ConvolutionGeometry g, float[] x, int xOff, int from, int to, boolean ones, int m,
                                         float alpha, float[] a, int aOff, int lda, float beta, float[] c, int cOff, int ldc,
                                         float[] scratch) {
        int cols = (to - from) * g.positions();
        int depth = g.patch() + (ones ? 1 : 0);
        im2col(g, x, xOff, from, to, scratch, 0, cols);
        if (ones) {
            java.util.Arrays.fill(scratch, g.patch() * cols, depth * cols, 1f);
        }
        gemm(Trans.N, Trans.T, m, depth, cols, alpha, a, aOff, lda, scratch, 0, cols, beta, c, cOff, ldc);
    }

    /**
     * A convolution's input gradient: overwrites samples [from, to) of the NCHW batch x with col2im of
     * {@code alpha·Aᵀ·B}, where A is the k × d_col weight matrix W (row stride lda) and B the k × cols output gradient
     * Δ of those samples (cols = (to − from)·|T|, row stride ldb). This default computes the d_col × cols product into
     * {@code scratch} (at least d_col·cols floats) with {@link #gemm} and folds it with {@link #col2im}; a provider may
     * fold each tile of the product into x as it is computed and leave scratch alone.
     *
     * @throws IllegalArgumentException when a range lies outside its array
     */
    default void col2imProduct(ConvolutionGeometry g, int from, int to, int k, float alpha, float[] a, int aOff,
                               int lda, float[] b, int bOff, int ldb, float[] x, int xOff, float[] scratch) {
        int cols = (to - from) * g.positions();
        gemm(Trans.T, Trans.N, g.patch(), cols, k, alpha, a, aOff, lda, b, bOff, ldb, 0f, scratch, 0, cols);
        col2im(g, scratch, 0, cols, from, to, x, xOff);
    }

    // ------------------------------------------------------------------------------------------------
    // Transposition

    /**
     * Out-of-place transpose {@code B ← Aᵀ} (BLAS-like omatcopy with trans = T and α = 1): A is rows × cols (row
     * stride lda), B is cols × rows (row stride ldb), and they must not overlap. Used to move a block of samples
     * between NCHW and a sample-innermost layout.
     *
     * @throws IllegalArgumentException when a size or offset is negative, a row stride is below its row width, or a
     *         range lies outside its array
     */
    default void transpose(int rows, int cols, float[] a, int aOff, int lda, float[] b, int bOff, int ldb) {
        KernelArguments.matrix("A", a, aOff, rows, cols, lda);
        KernelArguments.matrix("B", b, bOff, cols, rows, ldb);
        Transposition.transpose(0, rows, cols, a, aOff, lda, b, bOff, ldb);
    }

    // ------------------------------------------------------------------------------------------------
    // Tile transforms

    /**
     * The two-sided transform {@code Y = L·X·Lᵀ} of many small tiles at once, the data, filter and output transforms of
     * Winograd convolution and their adjoints (Lavin &amp; Gray 2016, "Fast algorithms for convolutional neural
     * networks", eq. 8: Bᵀ d B, G g Gᵀ, Aᵀ m A). L is p × q, row-major at {@code l[lOff]}. There are
     * {@code groups × lanes} tiles: tile t &lt; lanes of group g has entry (a, b) of X, for a, b &lt; q, at
     * {@code x[xOff + g·xGroup + a·xRow + b·xCol + t]} and entry (i, j) of Y, for i, j &lt; p, at
     * {@code y[yOff + g·yGroup + i·yRow + j·yCol + t]}: the tiles of a group are interleaved lane by lane, so that a
     * transform is the same arithmetic on consecutive floats. With {@code accumulate} Y is added to what y holds. Y
     * must not overlap X, and within a group the p² runs of Y must not overlap each other; groups run in order, so
     * that overlapping groups sum when accumulating (the overlap-add of an input gradient).
     *
     * <p>Every provider computes, for each column j, {@code t[a] = Σ_b X[a][b]·L[j][b]}, then
     * {@code Y[i][j] = Σ_a L[i][a]·t[a]}, each sum a chain of fused multiply-adds from +0 in ascending order, the old
     * entry added last when accumulating; all providers therefore agree bit for bit. Zero coefficients are multiplied
     * like any other (an infinite entry gives NaN, as in the matrix product).
     *
     * @throws IllegalArgumentException when p or q lies outside [1, 8], a count or stride is negative, or a range lies
     *         outside its array
     */
    default void tileTransform(int p, int q, float[] l, int lOff, boolean accumulate, int groups, int lanes,
                               float[] x, int xOff, int xRow, int xCol, int xGroup,
                               float[] y, int yOff, int yRow, int yCol, int yGroup) {
        TileTransform.check(p, q, KernelArguments.len(l), lOff, groups, lanes, KernelArguments.len(x), xOff, xRow,
                xCol, xGroup, KernelArguments.len(y), yOff, yRow, yCol, yGroup);
        for (int g = 0; g < groups; g++) {
            TileTransform.transform(p, q, l, lOff, accumulate, 0, lanes, x, xOff + g * xGroup, xRow, xCol, y,
                    yOff + g * yGroup, yRow, yCol);
        }
    }

    // ------------------------------------------------------------------------------------------------
    // Max pooling

    /**
     * 2×2 max pooling with stride 2 (LeNet's pools) over {@code planes} consecutive height × width planes of x (at
     * {@code x[xOff]}); plane p's window (oy, ox), for oy &lt; height/2 and ox &lt; width/2, gives output
     * {@code o = (p·(height/2) + oy)·(width/2) + ox}: {@code out[outOff + o]} is the window's largest entry and
     * {@code argmax[argOff + o]} its index in x. The largest is the first in row-major order under the float order
     * with −0 &lt; +0 and a NaN above +∞ (sign bit clear) or below −∞ (sign bit set), so that the result is
     * deterministic for every input.
     *
     * @throws IllegalArgumentException when a range lies outside its array or a plane is smaller than 2 × 2
     */
    default void maxPool2x2(int planes, int height, int width, float[] x, int xOff, float[] out, int outOff,
                            int[] argmax, int argOff) {
        MaxPooling.checkPool(planes, height, width, x.length, xOff, out.length, outOff, argmax.length, argOff);
        MaxPooling.pool(0, planes, height, width, x, xOff, out, outOff, argmax, argOff);
    }

    /**
     * The adjoint of {@link #maxPool2x2} for planes its windows tile (even height and width): overwrites the
     * {@code planes} planes of dx at {@code dx[dxOff]} with zeros, except {@code dx[dxOff + argmax[argOff + o] −
     * argBase] = grad[gradOff + o]} for every output o, where argmax holds the indices {@code maxPool2x2} recorded with
     * the planes of x at xOff = argBase. With argBase = dxOff, dx is laid out as x was; another argBase unpools into a
     * buffer of just these planes (a training step's block-sized scratch).
     *
     * @throws IllegalArgumentException when a range lies outside its array, a size is odd, or an argmax entry lies
     *         outside its own window (dx is then partly written)
     */
    default void maxUnpool2x2(int planes, int height, int width, float[] grad, int gradOff, int[] argmax, int argOff,
                              int argBase, float[] dx, int dxOff) {
        MaxPooling.checkUnpool(planes, height, width, grad.length, gradOff, argmax.length, argOff, dx.length, dxOff);
        MaxPooling.unpool(0, planes, height, width, grad, gradOff, argmax, argOff, dxOff - argBase, dx, dxOff);
    }

    // ------------------------------------------------------------------------------------------------
    // Factorizations — float

    /**
     * Cholesky factorization in place of the symmetric positive-definite n×n A, reading and writing only
     * the {@code uplo} triangle: {@code A = L·Lᵀ} with L lower ({@link Uplo#LOWER}) or {@code A = Uᵀ·U}
     * with U upper ({@link Uplo#UPPER}).
     *
     * @throws NotPositiveDefiniteException with the 0-based index of the first pivot that is not positive
     *         (or is NaN); the triangle is then partially overwritten, as in LAPACK.
     */
    void potrf(Uplo uplo, int n, float[] a, int aOff, int lda);

    /**
     * Inverse of a symmetric positive-definite matrix from its Cholesky factor (the output of
     * {@link #potrf} with the same {@code uplo}): the {@code uplo} triangle is overwritten with that
     * triangle of A⁻¹.
     */
    void potri(Uplo uplo, int n, float[] a, int aOff, int lda);

    /** Solves {@code A·X = B} in place of the n×nrhs B, given the Cholesky factor of A from {@link #potrf}. */
    void potrs(Uplo uplo, int n, int nrhs, float[] a, int aOff, int lda, float[] b, int bOff, int ldb);

    /**
     * Symmetric eigendecomposition {@code A = V·diag(w)·Vᵀ} of the n×n A, reading only the {@code uplo}
     * triangle. Eigenvalues are written to {@code w[wOff..wOff+n)} in ascending order; A is overwritten
     * entirely with V, eigenvector j being column j ({@code a[aOff + i*lda + j]} is its i-th component).
     * A NaN or infinite entry yields NaN eigenvalues and vectors, never a hang or an exception.
     */
    void syev(Uplo uplo, int n, float[] a, int aOff, int lda, float[] w, int wOff);

    /**
     * LU factorization without pivoting, in place: {@code A = L·U} with L unit lower triangular (stored
     * strictly below the diagonal) and U upper triangular (on and above it). Used for the small m×m systems
     * of M-FAC's dynamic algorithm, whose structure is what makes the no-pivot factors meaningful.
     *
     * @throws ZeroPivotException at the first zero or NaN pivot.
     */
    void getrfNoPivot(int n, float[] a, int aOff, int lda);

    // Factorizations — double

    void potrf(Uplo uplo, int n, double[] a, int aOff, int lda);

    void potri(Uplo uplo, int n, double[] a, int aOff, int lda);

    void potrs(Uplo uplo, int n, int nrhs, double[] a, int aOff, int lda, double[] b, int bOff, int ldb);

    void syev(Uplo uplo, int n, double[] a, int aOff, int lda, double[] w, int wOff);

    void getrfNoPivot(int n, double[] a, int aOff, int lda);

    // ------------------------------------------------------------------------------------------------
    // Fused curvature forms — float

    /**
     * Sherman–Morrison update of a full (both triangles stored) symmetric inverse: given {@code hInv = H⁻¹}
     * (n×n), replaces it by {@code (H + x·xᵀ/c)⁻¹ = H⁻¹ − u·uᵀ/(c + xᵀu)} with {@code u = H⁻¹x}.
     * With c = N this is one step of the rank-one inverse build-up of {@code λI + (1/N)Σ x xᵀ}
     * (Hassibi &amp; Stork 1993, eq. 8; METHODS.md §1.5).
     *
     * @param work at least n scratch elements from {@code workOff} (receives u)
     * @return the denominator {@code c + xᵀu}
     */
    float shermanMorrisonUpdate(int n, float c, float[] x, int xOff, float[] hInv, int hOff, int ldh,
                                float[] work, int workOff);

    /**
     * Eliminates coordinate p from a full symmetric inverse (Gaussian elimination; OBC's Lemma 1,
     * METHODS.md §1.4): {@code hInv ← hInv − hInv[:,p]·hInv[p,:]/hInv[p,p]}. Afterwards row and column p
     * are exactly zero and the rest is the inverse of H with row and column p removed.
     *
     * @param work at least n scratch elements from {@code workOff}
     * @return the pivot {@code hInv[p,p]} before elimination
     */
    float eliminateCoordinate(int n, int p, float[] hInv, int hOff, int ldh, float[] work, int workOff);

    /**
     * {@code y[i] = G_i · x} for the m rows of the m×d row-major G (M-FAC's {@code G·x}). Semantically
     * {@code gemv(N, m, d, 1, G, …, x, 0, y)}; implementations stream G once, several rows per pass,
     * because d is huge and m small.
     */
    void rowDots(int m, int d, float[] g, int gOff, int ldg, float[] x, int xOff, float[] y, int yOff);

    /**
     * {@code x ← beta·x + Σ_i c[i]·G_i} over the m rows of the m×d row-major G (M-FAC's {@code Gᵀ·c}).
     * With {@code beta == 0} x is not read.
     */
    void rowCombination(int m, int d, float[] c, int cOff, float[] g, int gOff, int ldg,
                        float beta, float[] x, int xOff);

    // Fused curvature forms — double

    double shermanMorrisonUpdate(int n, double c, double[] x, int xOff, double[] hInv, int hOff, int ldh,
                                 double[] work, int workOff);

    double eliminateCoordinate(int n, int p, double[] hInv, int hOff, int ldh, double[] work, int workOff);

    void rowDots(int m, int d, double[] g, int gOff, int ldg, double[] x, int xOff, double[] y, int yOff);

    void rowCombination(int m, int d, double[] c, int cOff, double[] g, int gOff, int ldg,
                        double beta, double[] x, int xOff);

    // ------------------------------------------------------------------------------------------------
    // Selection

    /**
     * The provider chosen for this JVM, selected once: {@code -Dsurgeon.kernels=scalar|vector|openblas|auto}
     * (default {@code auto}: the highest-priority provider that is available). Forcing a provider that is
     * unavailable throws {@link IllegalStateException} with its reason. The thread bound comes from
     * {@code -Dsurgeon.threads} (default: available processors).
     */
    static Kernels get() {
        return KernelSelection.selected();
    }

    /** The scalar reference provider (always available, single-threaded). */
    static Kernels scalar() {
        return KernelSelection.byName("scalar");
    }

    /**
     * The provider with the given name, bound to the default thread count.
     *
     * @throws IllegalStateException if it is unknown or unavailable, with the reason
     */
    static Kernels named(String name) {
        return KernelSelection.byName(name);
    }

    /** Every provider found on this JVM, with its availability and, if unavailable, the reason. */
    static List<ProviderStatus> providers() {
        return KernelSelection.statuses();
    }
}
