package dev.surgeon.blas;

import static dev.surgeon.blas.CallPolicy.OPENBLAS_SINGLE_THREADED_MAX;
import static dev.surgeon.blas.Precision.DOUBLE;
import static dev.surgeon.blas.Precision.FLOAT;
import static dev.surgeon.kernels.KernelArguments.len;

import dev.surgeon.blas.CallPolicy.Route;
import dev.surgeon.blas.CallPolicy.Work;
import dev.surgeon.kernels.ConvolutionGeometry;
import dev.surgeon.kernels.Diag;
import dev.surgeon.kernels.KernelArguments;
import dev.surgeon.kernels.Kernels;
import dev.surgeon.kernels.Side;
import dev.surgeon.kernels.Trans;
import dev.surgeon.kernels.Uplo;
import java.lang.foreign.MemorySegment;

/**
 * The kernel SPI on the system OpenBLAS (CBLAS for BLAS, the Fortran LAPACK for factorizations) through
 * {@code java.lang.foreign}, with the exact semantics of the scalar reference.
 *
 * <p><b>Where a call runs</b> ({@link CallPolicy}): tiny sizes on a fallback provider (the best other
 * available one, normally the Vector API kernels), short calls as critical downcalls directly on the
 * caller's arrays, long level-3 and LAPACK calls on off-heap copies so that the JVM can reach safepoints
 * meanwhile, long level-1/2 calls in bounded critical chunks.
 *
 * <p><b>Threads</b>: OpenBLAS uses at most {@link #threads()} threads per call; see {@link NativeThreads} for
 * how instances with different counts share OpenBLAS's single process-wide setting.
 *
 * <p><b>Semantic fix-ups</b>, where OpenBLAS 0.3.21 departs from the SPI (each checked by a test):
 * <ul>
 *   <li>{@code iamax}: cblas_i?amax ignores NaNs; the SPI returns the first NaN. Also -1 for n = 0.</li>
 *   <li>{@code axpy}, {@code ger}, {@code syr} with alpha = 0 return early in OpenBLAS, and {@code scal} with
 *       alpha = 0 writes zeros; the reference computes {@code 0·x}, which turns NaN and ±∞ into NaN. These
 *       rare calls go to the fallback.</li>
 *   <li>{@code gemm} with alpha = 0: OpenBLAS's small-matrix kernels still read A and B (a NaN there leaks
 *       into C). Empty products and alpha = 0 are handled in Java for all level-2/3 routines (C ← beta·C,
 *       not reading C when beta = 0), as is gemv with m or n = 0, where BLAS skips scaling y.</li>
 *   <li>{@code potrf}: OpenBLAS does not stop at a NaN pivot; the first NaN on the diagonal is reported.</li>
 *   <li>{@code potri} on a factor with a zero on the diagonal: LAPACK returns an error without computing;
 *       the reference divides by zero. Such calls go to the fallback.</li>
 *   <li>{@code syev}: eigenvectors transposed to columns; NaN input gives all-NaN output without calling
 *       LAPACK, an infinite entry an {@link ArithmeticException} (as the reference fails on it).</li>
 * </ul>
 * Operations BLAS does not have ({@code mul}, {@code add}, {@code symmetrize}, {@code im2col}, {@code col2im}, pooling)
 * always run on the fallback, and so do the implicit convolution products when the fallback is the Vector provider;
 * LU without pivoting, which LAPACK does not have either, is composed from trsm and gemm
 * ({@link Factorizations#getrfNoPivot}).
 */
public final class OpenBlasKernels implements Kernels {
    private final int threads;
    private final boolean delegation;
    private final Kernels fallback;
    private final String library;

    OpenBlasKernels(int threads, boolean delegation, Kernels fallback, String library) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be >= 1 but is " + threads);
        }
        this.threads = threads;
        this.delegation = delegation;
        this.fallback = fallback;
        this.library = library;
    }

    @Override
    public String name() {
        return OpenBlasProvider.NAME;
    }

    @Override
    public String description() {
        return name() + " (" + library + "), " + threads + " thread(s), "
                + (delegation ? "tiny sizes on " + fallback.name() : "no delegation of tiny sizes");
    }

    @Override
    public int threads() {
        return threads;
    }

    @Override
    public Kernels withThreads(int n) {
        if (n < 1) {
            throw new IllegalArgumentException("threads must be >= 1 but is " + n);
        }
        return n == threads ? this : new OpenBlasKernels(n, delegation, fallback.withThreads(n), library);
    }

    /**
     * This provider without delegation of tiny sizes to the fallback: every operation BLAS/LAPACK has goes
     * to OpenBLAS (for measuring the bridge itself; the semantic fix-ups above still apply).
     */
    public OpenBlasKernels nativeOnly() {
        return delegation ? new OpenBlasKernels(threads, false, fallback, library) : this;
    }

    /** The provider tiny and non-BLAS operations are delegated to. */
    Kernels fallback() {
        return fallback;
    }

    private Route route(Work w, double work) {
        return CallPolicy.route(w, work, delegation);
    }

    private static MemorySegment heap(float[] a) {
        return MemorySegment.ofArray(a);
    }

    private static MemorySegment heap(double[] a) {
        return MemorySegment.ofArray(a);
    }

    private static MemorySegment at(float[] a, int off) {
        return MemorySegment.ofArray(a).asSlice(off * 4L);
    }

    private static MemorySegment at(double[] a, int off) {
        return MemorySegment.ofArray(a).asSlice(off * 8L);
    }

    // ================================================================================================
    // Level 1 — float

    @Override
    public float dot(int n, float[] x, int xOff, float[] y, int yOff) {
        KernelArguments.vector("x", x, xOff, n);
        KernelArguments.vector("y", y, yOff, n);
        if (route(Work.VECTOR, n) == Route.DELEGATE) {
            return fallback.dot(n, x, xOff, y, yOff);
        }
        if (n <= OPENBLAS_SINGLE_THREADED_MAX) {
            return NativeBlas.sdot(n, at(x, xOff), at(y, yOff));
        }
        return (float) Vectors.dot(FLOAT, threads, n, heap(x), xOff, heap(y), yOff);
    }

    @Override
    public void axpy(int n, float alpha, float[] x, int xOff, float[] y, int yOff) {
        KernelArguments.vector("x", x, xOff, n);
        KernelArguments.vector("y", y, yOff, n);
        if (alpha == 0 || route(Work.VECTOR, n) == Route.DELEGATE) {
            fallback.axpy(n, alpha, x, xOff, y, yOff);
        } else if (n <= OPENBLAS_SINGLE_THREADED_MAX) {
            NativeBlas.saxpy(n, alpha, at(x, xOff), at(y, yOff));
        } else {
            Vectors.axpy(FLOAT, threads, n, alpha, heap(x), xOff, heap(y), yOff);
        }
    }

    @Override
    public void scal(int n, float alpha, float[] x, int xOff) {
        KernelArguments.vector("x", x, xOff, n);
        if (alpha == 0 || route(Work.VECTOR, n) == Route.DELEGATE) {
            fallback.scal(n, alpha, x, xOff);
        } else if (n <= OPENBLAS_SINGLE_THREADED_MAX) {
            NativeBlas.sscal(n, alpha, at(x, xOff));
        } else {
            Vectors.scal(FLOAT, threads, n, alpha, heap(x), xOff);
        }
    }

    @Override
    public float nrm2(int n, float[] x, int xOff) {
        KernelArguments.vector("x", x, xOff, n);
        if (route(Work.VECTOR, n) == Route.DELEGATE) {
            return fallback.nrm2(n, x, xOff);
        }
        if (n <= OPENBLAS_SINGLE_THREADED_MAX) {
            return NativeBlas.snrm2(n, at(x, xOff));
        }
        return (float) Vectors.nrm2(FLOAT, threads, n, heap(x), xOff);
    }

    @Override
    public float asum(int n, float[] x, int xOff) {
        KernelArguments.vector("x", x, xOff, n);
        if (route(Work.VECTOR, n) == Route.DELEGATE) {
            return fallback.asum(n, x, xOff);
        }
        if (n <= OPENBLAS_SINGLE_THREADED_MAX) {
            return NativeBlas.sasum(n, at(x, xOff));
        }
        return (float) Vectors.asum(FLOAT, threads, n, heap(x), xOff);
    }

    @Override
    public int iamax(int n, float[] x, int xOff) {
        KernelArguments.vector("x", x, xOff, n);
        if (n == 0) {
            return -1;
        }
        if (route(Work.VECTOR, n) == Route.DELEGATE) {
            return fallback.iamax(n, x, xOff);
        }
        return Vectors.iamax(FLOAT, threads, n, heap(x), xOff);
    }

    @Override
    public float sumOfSquares(int n, float[] x, int xOff) {
        KernelArguments.vector("x", x, xOff, n);
        if (route(Work.VECTOR, n) == Route.DELEGATE) {
            return fallback.sumOfSquares(n, x, xOff);
        }
        if (n <= OPENBLAS_SINGLE_THREADED_MAX) {
            MemorySegment s = at(x, xOff);
            return NativeBlas.sdot(n, s, s);
        }
        return (float) Vectors.dot(FLOAT, threads, n, heap(x), xOff, heap(x), xOff);
    }

    @Override
    public void mul(int n, float[] x, int xOff, float[] y, int yOff, float[] z, int zOff) {
        fallback.mul(n, x, xOff, y, yOff, z, zOff);
    }

    @Override
    public void add(int n, float[] x, int xOff, float[] y, int yOff, float[] z, int zOff) {
        fallback.add(n, x, xOff, y, yOff, z, zOff);
    }

    // ================================================================================================
    // Level 1 — double

    @Override
    public double dot(int n, double[] x, int xOff, double[] y, int yOff) {
        KernelArguments.vector("x", x, xOff, n);
        KernelArguments.vector("y", y, yOff, n);
        if (route(Work.VECTOR, n) == Route.DELEGATE) {
            return fallback.dot(n, x, xOff, y, yOff);
        }
        if (n <= OPENBLAS_SINGLE_THREADED_MAX) {
            return NativeBlas.ddot(n, at(x, xOff), at(y, yOff));
        }
        return Vectors.dot(DOUBLE, threads, n, heap(x), xOff, heap(y), yOff);
    }

    @Override
    public void axpy(int n, double alpha, double[] x, int xOff, double[] y, int yOff) {
        KernelArguments.vector("x", x, xOff, n);
        KernelArguments.vector("y", y, yOff, n);
        if (alpha == 0 || route(Work.VECTOR, n) == Route.DELEGATE) {
            fallback.axpy(n, alpha, x, xOff, y, yOff);
        } else if (n <= OPENBLAS_SINGLE_THREADED_MAX) {
            NativeBlas.daxpy(n, alpha, at(x, xOff), at(y, yOff));
        } else {
            Vectors.axpy(DOUBLE, threads, n, alpha, heap(x), xOff, heap(y), yOff);
        }
    }

    @Override
    public void scal(int n, double alpha, double[] x, int xOff) {
        KernelArguments.vector("x", x, xOff, n);
        if (alpha == 0 || route(Work.VECTOR, n) == Route.DELEGATE) {
            fallback.scal(n, alpha, x, xOff);
        } else if (n <= OPENBLAS_SINGLE_THREADED_MAX) {
            NativeBlas.dscal(n, alpha, at(x, xOff));
        } else {
            Vectors.scal(DOUBLE, threads, n, alpha, heap(x), xOff);
        }
    }

    @Override
    public double nrm2(int n, double[] x, int xOff) {
        KernelArguments.vector("x", x, xOff, n);
        if (route(Work.VECTOR, n) == Route.DELEGATE) {
            return fallback.nrm2(n, x, xOff);
        }
        if (n <= OPENBLAS_SINGLE_THREADED_MAX) {
            return NativeBlas.dnrm2(n, at(x, xOff));
        }
        return Vectors.nrm2(DOUBLE, threads, n, heap(x), xOff);
    }

    @Override
    public double asum(int n, double[] x, int xOff) {
        KernelArguments.vector("x", x, xOff, n);
        if (route(Work.VECTOR, n) == Route.DELEGATE) {
            return fallback.asum(n, x, xOff);
        }
        if (n <= OPENBLAS_SINGLE_THREADED_MAX) {
            return NativeBlas.dasum(n, at(x, xOff));
        }
        return Vectors.asum(DOUBLE, threads, n, heap(x), xOff);
    }

    @Override
    public int iamax(int n, double[] x, int xOff) {
        KernelArguments.vector("x", x, xOff, n);
        if (n == 0) {
            return -1;
        }
        if (route(Work.VECTOR, n) == Route.DELEGATE) {
            return fallback.iamax(n, x, xOff);
        }
        return Vectors.iamax(DOUBLE, threads, n, heap(x), xOff);
    }

    @Override
    public double sumOfSquares(int n, double[] x, int xOff) {
        KernelArguments.vector("x", x, xOff, n);
        if (route(Work.VECTOR, n) == Route.DELEGATE) {
            return fallback.sumOfSquares(n, x, xOff);
        }
        if (n <= OPENBLAS_SINGLE_THREADED_MAX) {
            MemorySegment s = at(x, xOff);
            return NativeBlas.ddot(n, s, s);
        }
        return Vectors.dot(DOUBLE, threads, n, heap(x), xOff, heap(x), xOff);
    }

    @Override
    public void mul(int n, double[] x, int xOff, double[] y, int yOff, double[] z, int zOff) {
        fallback.mul(n, x, xOff, y, yOff, z, zOff);
    }

    @Override
    public void add(int n, double[] x, int xOff, double[] y, int yOff, double[] z, int zOff) {
        fallback.add(n, x, xOff, y, yOff, z, zOff);
    }

    // ================================================================================================
    // Level 2 — float

    @Override
    public void gemv(Trans trans, int m, int n, float alpha, float[] a, int aOff, int lda,
                     float[] x, int xOff, float beta, float[] y, int yOff) {
        KernelArguments.gemv(trans, m, n, len(a), aOff, lda, len(x), xOff, len(y), yOff);
        if (m == 0 || n == 0 || alpha == 0) {
            SegmentOps.scaleOrZero(FLOAT, trans == Trans.N ? m : n, beta, heap(y), yOff);
        } else if (route(Work.MATRIX_VECTOR, (double) m * n) == Route.DELEGATE) {
            fallback.gemv(trans, m, n, alpha, a, aOff, lda, x, xOff, beta, y, yOff);
        } else {
            MatrixVector.gemv(FLOAT, threads, trans, m, n, alpha, heap(a), aOff, lda, heap(x), xOff, beta, heap(y), yOff);
        }
    }

    @Override
    public void ger(int m, int n, float alpha, float[] x, int xOff, float[] y, int yOff, float[] a, int aOff, int lda) {
        KernelArguments.ger(m, n, len(x), xOff, len(y), yOff, len(a), aOff, lda);
        if (m == 0 || n == 0) {
            return;
        }
        if (alpha == 0 || route(Work.MATRIX_VECTOR, (double) m * n) == Route.DELEGATE) {
            fallback.ger(m, n, alpha, x, xOff, y, yOff, a, aOff, lda);
        } else {
            MatrixVector.ger(FLOAT, threads, m, n, alpha, heap(x), xOff, heap(y), yOff, heap(a), aOff, lda);
        }
    }

    @Override
    public void symv(Uplo uplo, int n, float alpha, float[] a, int aOff, int lda,
                     float[] x, int xOff, float beta, float[] y, int yOff) {
        KernelArguments.symmetric2(uplo, n, len(a), aOff, lda, len(x), xOff, len(y), yOff);
        if (n == 0 || alpha == 0) {
            SegmentOps.scaleOrZero(FLOAT, n, beta, heap(y), yOff);
            return;
        }
        Route r = route(Work.SYMMETRIC_MATRIX_VECTOR, (double) n * n);
        if (r == Route.DELEGATE) {
            fallback.symv(uplo, n, alpha, a, aOff, lda, x, xOff, beta, y, yOff);
        } else {
            MatrixVector.symv(FLOAT, threads, r, uplo, n, alpha, heap(a), aOff, lda, heap(x), xOff, beta, heap(y), yOff);
        }
    }

    @Override
    public void syr(Uplo uplo, int n, float alpha, float[] x, int xOff, float[] a, int aOff, int lda) {
        KernelArguments.symmetric2(uplo, n, len(a), aOff, lda, len(x), xOff, Integer.MIN_VALUE, 0);
        if (n == 0) {
            return;
        }
        Route r = route(Work.SYMMETRIC_MATRIX_VECTOR, (double) n * n);
        if (alpha == 0 || r == Route.DELEGATE) {
            fallback.syr(uplo, n, alpha, x, xOff, a, aOff, lda);
        } else {
            MatrixVector.syr(FLOAT, threads, r, uplo, n, alpha, heap(x), xOff, heap(a), aOff, lda);
        }
    }

    // ================================================================================================
    // Level 2 — double

    @Override
    public void gemv(Trans trans, int m, int n, double alpha, double[] a, int aOff, int lda,
                     double[] x, int xOff, double beta, double[] y, int yOff) {
        KernelArguments.gemv(trans, m, n, len(a), aOff, lda, len(x), xOff, len(y), yOff);
        if (m == 0 || n == 0 || alpha == 0) {
            SegmentOps.scaleOrZero(DOUBLE, trans == Trans.N ? m : n, beta, heap(y), yOff);
        } else if (route(Work.MATRIX_VECTOR, (double) m * n) == Route.DELEGATE) {
            fallback.gemv(trans, m, n, alpha, a, aOff, lda, x, xOff, beta, y, yOff);
        } else {
            MatrixVector.gemv(DOUBLE, threads, trans, m, n, alpha, heap(a), aOff, lda, heap(x), xOff, beta, heap(y), yOff);
        }
    }

    @Override
    public void ger(int m, int n, double alpha, double[] x, int xOff, double[] y, int yOff, double[] a, int aOff, int lda) {
        KernelArguments.ger(m, n, len(x), xOff, len(y), yOff, len(a), aOff, lda);
        if (m == 0 || n == 0) {
            return;
        }
        if (alpha == 0 || route(Work.MATRIX_VECTOR, (double) m * n) == Route.DELEGATE) {
            fallback.ger(m, n, alpha, x, xOff, y, yOff, a, aOff, lda);
        } else {
            MatrixVector.ger(DOUBLE, threads, m, n, alpha, heap(x), xOff, heap(y), yOff, heap(a), aOff, lda);
        }
    }

    @Override
    public void symv(Uplo uplo, int n, double alpha, double[] a, int aOff, int lda,
                     double[] x, int xOff, double beta, double[] y, int yOff) {
        KernelArguments.symmetric2(uplo, n, len(a), aOff, lda, len(x), xOff, len(y), yOff);
        if (n == 0 || alpha == 0) {
            SegmentOps.scaleOrZero(DOUBLE, n, beta, heap(y), yOff);
            return;
        }
        Route r = route(Work.SYMMETRIC_MATRIX_VECTOR, (double) n * n);
        if (r == Route.DELEGATE) {
            fallback.symv(uplo, n, alpha, a, aOff, lda, x, xOff, beta, y, yOff);
        } else {
            MatrixVector.symv(DOUBLE, threads, r, uplo, n, alpha, heap(a), aOff, lda, heap(x), xOff, beta, heap(y), yOff);
        }
    }

    @Override
    public void syr(Uplo uplo, int n, double alpha, double[] x, int xOff, double[] a, int aOff, int lda) {
        KernelArguments.symmetric2(uplo, n, len(a), aOff, lda, len(x), xOff, Integer.MIN_VALUE, 0);
        if (n == 0) {
            return;
        }
        Route r = route(Work.SYMMETRIC_MATRIX_VECTOR, (double) n * n);
        if (alpha == 0 || r == Route.DELEGATE) {
            fallback.syr(uplo, n, alpha, x, xOff, a, aOff, lda);
        } else {
            MatrixVector.syr(DOUBLE, threads, r, uplo, n, alpha, heap(x), xOff, heap(a), aOff, lda);
        }
    }

    // ================================================================================================
    // Level 3 — float

    @Override
    public void gemm(Trans transA, Trans transB, int m, int n, int k, float alpha, float[] a, int aOff, int lda,
                     float[] b, int bOff, int ldb, float beta, float[] c, int cOff, int ldc) {
        KernelArguments.gemm(transA, transB, m, n, k, len(a), aOff, lda, len(b), bOff, ldb, len(c), cOff, ldc);
        if (m == 0 || n == 0) {
            return;
        }
        if (alpha == 0 || k == 0) {
            SegmentOps.scaleRows(FLOAT, m, n, beta, heap(c), cOff, ldc);
            return;
        }
        Route r = route(Work.MATRIX_MATRIX, 2.0 * m * n * k);
        if (r == Route.DELEGATE) {
            fallback.gemm(transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
        } else {
            MatrixMatrix.gemm(FLOAT, threads, r, transA, transB, m, n, k, alpha, heap(a), aOff, lda,
                    heap(b), bOff, ldb, beta, heap(c), cOff, ldc);
        }
    }

    @Override
    public void syrk(Uplo uplo, Trans trans, int n, int k, float alpha, float[] a, int aOff, int lda,
                     float beta, float[] c, int cOff, int ldc) {
        KernelArguments.syrk(uplo, trans, n, k, len(a), aOff, lda, len(c), cOff, ldc);
        if (n == 0) {
            return;
        }
        if (alpha == 0 || k == 0) {
            SegmentOps.scaleTriangle(FLOAT, uplo, n, beta, heap(c), cOff, ldc);
            return;
        }
        Route r = route(Work.MATRIX_MATRIX, (double) n * (n + 1) * k);
        if (r == Route.DELEGATE) {
            fallback.syrk(uplo, trans, n, k, alpha, a, aOff, lda, beta, c, cOff, ldc);
        } else {
            MatrixMatrix.syrk(FLOAT, threads, r, uplo, trans, n, k, alpha, heap(a), aOff, lda, beta, heap(c), cOff, ldc);
        }
    }

    @Override
    public void trsm(Side side, Uplo uplo, Trans transA, Diag diag, int m, int n, float alpha,
                     float[] a, int aOff, int lda, float[] b, int bOff, int ldb) {
        KernelArguments.trsm(side, uplo, transA, diag, m, n, len(a), aOff, lda, len(b), bOff, ldb);
        if (m == 0 || n == 0) {
            return;
        }
        if (alpha == 0) {
            SegmentOps.scaleRows(FLOAT, m, n, 0, heap(b), bOff, ldb);
            return;
        }
        Route r = route(Work.MATRIX_MATRIX, trsmFlops(side, m, n));
        if (r == Route.DELEGATE) {
            fallback.trsm(side, uplo, transA, diag, m, n, alpha, a, aOff, lda, b, bOff, ldb);
        } else {
            MatrixMatrix.trsm(FLOAT, threads, r, side, uplo, transA, diag, m, n, alpha, heap(a), aOff, lda,
                    heap(b), bOff, ldb);
        }
    }

    // ================================================================================================
    // Level 3 — double

    @Override
    public void gemm(Trans transA, Trans transB, int m, int n, int k, double alpha, double[] a, int aOff, int lda,
                     double[] b, int bOff, int ldb, double beta, double[] c, int cOff, int ldc) {
        KernelArguments.gemm(transA, transB, m, n, k, len(a), aOff, lda, len(b), bOff, ldb, len(c), cOff, ldc);
        if (m == 0 || n == 0) {
            return;
        }
        if (alpha == 0 || k == 0) {
            SegmentOps.scaleRows(DOUBLE, m, n, beta, heap(c), cOff, ldc);
            return;
        }
        Route r = route(Work.MATRIX_MATRIX, 2.0 * m * n * k);
        if (r == Route.DELEGATE) {
            fallback.gemm(transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
        } else {
            MatrixMatrix.gemm(DOUBLE, threads, r, transA, transB, m, n, k, alpha, heap(a), aOff, lda,
                    heap(b), bOff, ldb, beta, heap(c), cOff, ldc);
        }
    }

    @Override
    public void syrk(Uplo uplo, Trans trans, int n, int k, double alpha, double[] a, int aOff, int lda,
                     double beta, double[] c, int cOff, int ldc) {
        KernelArguments.syrk(uplo, trans, n, k, len(a), aOff, lda, len(c), cOff, ldc);
        if (n == 0) {
            return;
        }
        if (alpha == 0 || k == 0) {
            SegmentOps.scaleTriangle(DOUBLE, uplo, n, beta, heap(c), cOff, ldc);
            return;
        }
        Route r = route(Work.MATRIX_MATRIX, (double) n * (n + 1) * k);
        if (r == Route.DELEGATE) {
            fallback.syrk(uplo, trans, n, k, alpha, a, aOff, lda, beta, c, cOff, ldc);
        } else {
            MatrixMatrix.syrk(DOUBLE, threads, r, uplo, trans, n, k, alpha, heap(a), aOff, lda, beta, heap(c), cOff, ldc);
        }
    }

    @Override
    public void trsm(Side side, Uplo uplo, Trans transA, Diag diag, int m, int n, double alpha,
                     double[] a, int aOff, int lda, double[] b, int bOff, int ldb) {
        KernelArguments.trsm(side, uplo, transA, diag, m, n, len(a), aOff, lda, len(b), bOff, ldb);
        if (m == 0 || n == 0) {
            return;
        }
        if (alpha == 0) {
            SegmentOps.scaleRows(DOUBLE, m, n, 0, heap(b), bOff, ldb);
            return;
        }
        Route r = route(Work.MATRIX_MATRIX, trsmFlops(side, m, n));
        if (r == Route.DELEGATE) {
            fallback.trsm(side, uplo, transA, diag, m, n, alpha, a, aOff, lda, b, bOff, ldb);
        } else {
            MatrixMatrix.trsm(DOUBLE, threads, r, side, uplo, transA, diag, m, n, alpha, heap(a), aOff, lda,
                    heap(b), bOff, ldb);
        }
    }

    private static double trsmFlops(Side side, int m, int n) {
        return side == Side.LEFT ? (double) m * m * n : (double) n * n * m;
    }

    // ================================================================================================
    // Symmetric storage helper

    @Override
    public void symmetrize(Uplo stored, int n, float[] a, int aOff, int lda) {
        fallback.symmetrize(stored, n, a, aOff, lda);
    }

    @Override
    public void symmetrize(Uplo stored, int n, double[] a, int aOff, int lda) {
        fallback.symmetrize(stored, n, a, aOff, lda);
    }

    // ================================================================================================
    // Factorizations — float

    @Override
    public void potrf(Uplo uplo, int n, float[] a, int aOff, int lda) {
        KernelArguments.square(uplo, n, len(a), aOff, lda);
        if (n == 0) {
            return;
        }
        Route r = route(Work.CHOLESKY, n * (double) n * n / 3);
        if (r == Route.DELEGATE) {
            fallback.potrf(uplo, n, a, aOff, lda);
        } else {
            Factorizations.potrf(FLOAT, threads, r, uplo, n, heap(a), aOff, lda);
        }
    }

    @Override
    public void potri(Uplo uplo, int n, float[] a, int aOff, int lda) {
        KernelArguments.square(uplo, n, len(a), aOff, lda);
        if (n == 0) {
            return;
        }
        Route r = route(Work.CHOLESKY, 2 * n * (double) n * n / 3);
        if (r == Route.DELEGATE || SegmentOps.hasZeroOnDiagonal(FLOAT, n, heap(a), aOff, lda)) {
            fallback.potri(uplo, n, a, aOff, lda);
        } else {
            Factorizations.potri(FLOAT, threads, r, uplo, n, heap(a), aOff, lda);
        }
    }

    @Override
    public void potrs(Uplo uplo, int n, int nrhs, float[] a, int aOff, int lda, float[] b, int bOff, int ldb) {
        KernelArguments.potrs(uplo, n, nrhs, len(a), aOff, lda, len(b), bOff, ldb);
        if (n == 0 || nrhs == 0) {
            return;
        }
        Route r = route(Work.MATRIX_MATRIX, 2 * n * (double) n * nrhs);
        if (r == Route.DELEGATE) {
            fallback.potrs(uplo, n, nrhs, a, aOff, lda, b, bOff, ldb);
        } else {
            Factorizations.potrs(FLOAT, threads, r, uplo, n, nrhs, heap(a), aOff, lda, heap(b), bOff, ldb);
        }
    }

    @Override
    public void syev(Uplo uplo, int n, float[] a, int aOff, int lda, float[] w, int wOff) {
        KernelArguments.square(uplo, n, len(a), aOff, lda);
        KernelArguments.vector("w", w, wOff, n);
        if (n == 0) {
            return;
        }
        Route r = route(Work.EIGEN, n * (double) n * n);
        if (r == Route.DELEGATE) {
            fallback.syev(uplo, n, a, aOff, lda, w, wOff);
        } else {
            Factorizations.syev(FLOAT, threads, r, uplo, n, heap(a), aOff, lda, heap(w), wOff);
        }
    }

    @Override
    public void getrfNoPivot(int n, float[] a, int aOff, int lda) {
        KernelArguments.size("n", n);
        KernelArguments.matrix("A", a, aOff, n, n, lda);
        if (n == 0) {
            return;
        }
        Route r = route(Work.LU, 2 * n * (double) n * n / 3);
        if (r == Route.DELEGATE) {
            fallback.getrfNoPivot(n, a, aOff, lda);
        } else {
            Factorizations.getrfNoPivot(FLOAT, threads, r, n, heap(a), aOff, lda);
        }
    }

    // ================================================================================================
    // Factorizations — double

    @Override
    public void potrf(Uplo uplo, int n, double[] a, int aOff, int lda) {
        KernelArguments.square(uplo, n, len(a), aOff, lda);
        if (n == 0) {
            return;
        }
        Route r = route(Work.CHOLESKY, n * (double) n * n / 3);
        if (r == Route.DELEGATE) {
            fallback.potrf(uplo, n, a, aOff, lda);
        } else {
            Factorizations.potrf(DOUBLE, threads, r, uplo, n, heap(a), aOff, lda);
        }
    }

    @Override
    public void potri(Uplo uplo, int n, double[] a, int aOff, int lda) {
        KernelArguments.square(uplo, n, len(a), aOff, lda);
        if (n == 0) {
            return;
        }
        Route r = route(Work.CHOLESKY, 2 * n * (double) n * n / 3);
        if (r == Route.DELEGATE || SegmentOps.hasZeroOnDiagonal(DOUBLE, n, heap(a), aOff, lda)) {
            fallback.potri(uplo, n, a, aOff, lda);
        } else {
            Factorizations.potri(DOUBLE, threads, r, uplo, n, heap(a), aOff, lda);
        }
    }

    @Override
    public void potrs(Uplo uplo, int n, int nrhs, double[] a, int aOff, int lda, double[] b, int bOff, int ldb) {
        KernelArguments.potrs(uplo, n, nrhs, len(a), aOff, lda, len(b), bOff, ldb);
        if (n == 0 || nrhs == 0) {
            return;
        }
        Route r = route(Work.MATRIX_MATRIX, 2 * n * (double) n * nrhs);
        if (r == Route.DELEGATE) {
            fallback.potrs(uplo, n, nrhs, a, aOff, lda, b, bOff, ldb);
        } else {
            Factorizations.potrs(DOUBLE, threads, r, uplo, n, nrhs, heap(a), aOff, lda, heap(b), bOff, ldb);
        }
    }

    @Override
    public void syev(Uplo uplo, int n, double[] a, int aOff, int lda, double[] w, int wOff) {
        KernelArguments.square(uplo, n, len(a), aOff, lda);
        KernelArguments.vector("w", w, wOff, n);
        if (n == 0) {
            return;
        }
        Route r = route(Work.EIGEN, n * (double) n * n);
        if (r == Route.DELEGATE) {
            fallback.syev(uplo, n, a, aOff, lda, w, wOff);
        } else {
            Factorizations.syev(DOUBLE, threads, r, uplo, n, heap(a), aOff, lda, heap(w), wOff);
        }
    }

    @Override
    public void getrfNoPivot(int n, double[] a, int aOff, int lda) {
        KernelArguments.size("n", n);
        KernelArguments.matrix("A", a, aOff, n, n, lda);
        if (n == 0) {
            return;
        }
        Route r = route(Work.LU, 2 * n * (double) n * n / 3);
        if (r == Route.DELEGATE) {
            fallback.getrfNoPivot(n, a, aOff, lda);
        } else {
            Factorizations.getrfNoPivot(DOUBLE, threads, r, n, heap(a), aOff, lda);
        }
    }

    // ================================================================================================
    // Fused curvature forms — float

    @Override
    public float shermanMorrisonUpdate(int n, float c, float[] x, int xOff, float[] hInv, int hOff, int ldh,
                                       float[] work, int workOff) {
        KernelArguments.inverseUpdate(n, len(hInv), hOff, ldh, len(work), workOff);
        KernelArguments.vector("x", x, xOff, n);
        if (n == 0 || route(Work.MATRIX_VECTOR, (double) n * n) == Route.DELEGATE) {
            return fallback.shermanMorrisonUpdate(n, c, x, xOff, hInv, hOff, ldh, work, workOff);
        }
        return (float) FusedForms.shermanMorrisonUpdate(FLOAT, threads, n, c, heap(x), xOff, heap(hInv), hOff, ldh,
                heap(work), workOff);
    }

    @Override
    public float eliminateCoordinate(int n, int p, float[] hInv, int hOff, int ldh, float[] work, int workOff) {
        KernelArguments.inverseUpdate(n, len(hInv), hOff, ldh, len(work), workOff);
        KernelArguments.index("p", p, n);
        if (route(Work.MATRIX_VECTOR, (double) n * n) == Route.DELEGATE) {
            return fallback.eliminateCoordinate(n, p, hInv, hOff, ldh, work, workOff);
        }
        return (float) FusedForms.eliminateCoordinate(FLOAT, threads, n, p, heap(hInv), hOff, ldh, heap(work), workOff);
    }

    @Override
    public void rowDots(int m, int d, float[] g, int gOff, int ldg, float[] x, int xOff, float[] y, int yOff) {
        KernelArguments.rows(m, d, len(g), gOff, ldg, "x", len(x), xOff, "y", len(y), yOff);
        if (m == 0 || d == 0) {
            SegmentOps.scaleOrZero(FLOAT, m, 0, heap(y), yOff);
        } else if (route(Work.MATRIX_VECTOR, (double) m * d) == Route.DELEGATE) {
            fallback.rowDots(m, d, g, gOff, ldg, x, xOff, y, yOff);
        } else {
            MatrixVector.gemv(FLOAT, threads, Trans.N, m, d, 1, heap(g), gOff, ldg, heap(x), xOff, 0, heap(y), yOff);
        }
    }

    @Override
    public void rowCombination(int m, int d, float[] c, int cOff, float[] g, int gOff, int ldg,
                               float beta, float[] x, int xOff) {
        KernelArguments.rows(m, d, len(g), gOff, ldg, "x", len(x), xOff, "c", len(c), cOff);
        if (m == 0 || d == 0) {
            SegmentOps.scaleOrZero(FLOAT, d, beta, heap(x), xOff);
        } else if (route(Work.MATRIX_VECTOR, (double) m * d) == Route.DELEGATE) {
            fallback.rowCombination(m, d, c, cOff, g, gOff, ldg, beta, x, xOff);
        } else {
            MatrixVector.gemv(FLOAT, threads, Trans.T, m, d, 1, heap(g), gOff, ldg, heap(c), cOff, beta, heap(x), xOff);
        }
    }

    // ================================================================================================
    // Fused curvature forms — double

    @Override
    public double shermanMorrisonUpdate(int n, double c, double[] x, int xOff, double[] hInv, int hOff, int ldh,
                                        double[] work, int workOff) {
        KernelArguments.inverseUpdate(n, len(hInv), hOff, ldh, len(work), workOff);
        KernelArguments.vector("x", x, xOff, n);
        if (n == 0 || route(Work.MATRIX_VECTOR, (double) n * n) == Route.DELEGATE) {
            return fallback.shermanMorrisonUpdate(n, c, x, xOff, hInv, hOff, ldh, work, workOff);
        }
        return FusedForms.shermanMorrisonUpdate(DOUBLE, threads, n, c, heap(x), xOff, heap(hInv), hOff, ldh,
                heap(work), workOff);
    }

    @Override
    public double eliminateCoordinate(int n, int p, double[] hInv, int hOff, int ldh, double[] work, int workOff) {
        KernelArguments.inverseUpdate(n, len(hInv), hOff, ldh, len(work), workOff);
        KernelArguments.index("p", p, n);
        if (route(Work.MATRIX_VECTOR, (double) n * n) == Route.DELEGATE) {
            return fallback.eliminateCoordinate(n, p, hInv, hOff, ldh, work, workOff);
        }
        return FusedForms.eliminateCoordinate(DOUBLE, threads, n, p, heap(hInv), hOff, ldh, heap(work), workOff);
    }

    @Override
    public void rowDots(int m, int d, double[] g, int gOff, int ldg, double[] x, int xOff, double[] y, int yOff) {
        KernelArguments.rows(m, d, len(g), gOff, ldg, "x", len(x), xOff, "y", len(y), yOff);
        if (m == 0 || d == 0) {
            SegmentOps.scaleOrZero(DOUBLE, m, 0, heap(y), yOff);
        } else if (route(Work.MATRIX_VECTOR, (double) m * d) == Route.DELEGATE) {
            fallback.rowDots(m, d, g, gOff, ldg, x, xOff, y, yOff);
        } else {
            MatrixVector.gemv(DOUBLE, threads, Trans.N, m, d, 1, heap(g), gOff, ldg, heap(x), xOff, 0, heap(y), yOff);
        }
    }

    @Override
    public void rowCombination(int m, int d, double[] c, int cOff, double[] g, int gOff, int ldg,
                               double beta, double[] x, int xOff) {
        KernelArguments.rows(m, d, len(g), gOff, ldg, "x", len(x), xOff, "c", len(c), cOff);
        if (m == 0 || d == 0) {
            SegmentOps.scaleOrZero(DOUBLE, d, beta, heap(x), xOff);
        } else if (route(Work.MATRIX_VECTOR, (double) m * d) == Route.DELEGATE) {
            fallback.rowCombination(m, d, c, cOff, g, gOff, ldg, beta, x, xOff);
        } else {
            MatrixVector.gemv(DOUBLE, threads, Trans.T, m, d, 1, heap(g), gOff, ldg, heap(c), cOff, beta, heap(x), xOff);
        }
    }

    @Override
    public void im2col(ConvolutionGeometry g, float[] x, int xOff, int from, int to, float[] cols, int colsOff,
                       int ld) {
        fallback.im2col(g, x, xOff, from, to, cols, colsOff, ld);
    }

    @Override
    public void col2im(ConvolutionGeometry g, float[] cols, int colsOff, int ld, int from, int to, float[] x,
                       int xOff) {
        fallback.col2im(g, cols, colsOff, ld, from, to, x, xOff);
    }

    /** Routed as {@link #im2colProduct}: the Vector fallback folds the product's tiles straight into the image. */
    @Override
    public void col2imProduct(ConvolutionGeometry g, int from, int to, int k, float alpha, float[] a, int aOff,
                              int lda, float[] b, int bOff, int ldb, float[] x, int xOff, float[] scratch) {
        if (implicitOnFallback()) {
            fallback.col2imProduct(g, from, to, k, alpha, a, aOff, lda, b, bOff, ldb, x, xOff, scratch);
        } else {
            Kernels.super.col2imProduct(g, from, to, k, alpha, a, aOff, lda, b, bOff, ldb, x, xOff, scratch);
        }
    }

    /** On the fallback: OpenBLAS's omatcopy would copy through the bridge for the small blocks this serves. */
    @Override
    public void transpose(int rows, int cols, float[] a, int aOff, int lda, float[] b, int bOff, int ldb) {
        fallback.transpose(rows, cols, a, aOff, lda, b, bOff, ldb);
    }

    /** BLAS has no tile transforms: always on the fallback. */
    @Override
    public void tileTransform(int p, int q, float[] l, int lOff, boolean accumulate, int groups, int lanes,
                              float[] x, int xOff, int xRow, int xCol, int xGroup,
                              float[] y, int yOff, int yRow, int yCol, int yGroup) {
        fallback.tileTransform(p, q, l, lOff, accumulate, groups, lanes, x, xOff, xRow, xCol, xGroup, y, yOff, yRow,
                yCol, yGroup);
    }

    /** BLAS has no pooling: always on the fallback. */
    @Override
    public void maxPool2x2(int planes, int height, int width, float[] x, int xOff, float[] out, int outOff,
                           int[] argmax, int argOff) {
        fallback.maxPool2x2(planes, height, width, x, xOff, out, outOff, argmax, argOff);
    }

    /** BLAS has no pooling: always on the fallback. */
    @Override
    public void maxUnpool2x2(int planes, int height, int width, float[] grad, int gradOff, int[] argmax, int argOff,
                             int argBase, float[] dx, int dxOff) {
        fallback.maxUnpool2x2(planes, height, width, grad, gradOff, argmax, argOff, argBase, dx, dxOff);
    }

    /**
     * On the fallback when delegation is on and the fallback is the Vector provider, whose implicit GEMM gathers X
     * from the image (a LeNet-5 training step: 24–25 ms on one thread against 27.6–32.5 ms with im2col + OpenBLAS
     * sgemm, docs/BENCHMARKS.md); otherwise the SPI default: im2col on the fallback, sgemm here.
     */
    @Override
    public void im2colProduct(ConvolutionGeometry g, float[] x, int xOff, int from, int to, int m, float alpha,
                              float[] a, int aOff, int lda, float beta, float[] c, int cOff, int ldc, float[] scratch) {
        if (implicitOnFallback()) {
            fallback.im2colProduct(g, x, xOff, from, to, m, alpha, a, aOff, lda, beta, c, cOff, ldc, scratch);
        } else {
            Kernels.super.im2colProduct(g, x, xOff, from, to, m, alpha, a, aOff, lda, beta, c, cOff, ldc, scratch);
        }
    }

    /** Routed as {@link #im2colProduct}. */
    @Override
    public void im2colTransposedProduct(ConvolutionGeometry g, float[] x, int xOff, int from, int to, boolean ones, int m,
                                        float alpha, float[] a, int aOff, int lda, float beta, float[] c, int cOff, int ldc,
                                        float[] scratch) {
        if (implicitOnFallback()) {
            fallback.im2colTransposedProduct(g, x, xOff, from, to, ones, m, alpha, a, aOff, lda, beta, c, cOff, ldc,
                    scratch);
        } else {
            Kernels.super.im2colTransposedProduct(g, x, xOff, from, to, ones, m, alpha, a, aOff, lda, beta, c, cOff, ldc,
                    scratch);
        }
    }

    /** Whether implicit convolution products go to the fallback (see {@link #im2colProduct}). */
    boolean implicitOnFallback() {
        return delegation && fallback.name().equals("vector");
    }
}
