package dev.surgeon.blas;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_DOUBLE;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;

/**
 * The downcalls into OpenBLAS. Each handle is created once, when its family's holder class initializes on
 * first use (which the provider only lets happen after {@link OpenBlasLibrary} has confirmed every
 * symbol), and held in a {@code static final} field so that C2 can inline the call stub.
 *
 * <p>Two flavours per routine. <em>Critical</em> handles ({@link Linker.Option#critical(boolean)
 * critical(true)}) accept heap segments of the caller's arrays and skip the thread-state transition
 * (~7 ns instead of ~12 ns), but while one runs the calling thread cannot reach a safepoint, so GC and
 * every other safepoint operation of the JVM wait for it: they are used only for calls bounded by
 * {@link CallPolicy}. <em>Plain</em> handles take off-heap segments only and let the JVM proceed; the
 * long level-3 and LAPACK calls use them on copies ({@link OffHeap}).
 *
 * <p>BLAS goes through CBLAS with row-major layout. LAPACK goes through the Fortran symbols (every
 * argument by reference, plus gfortran's hidden {@code size_t} lengths of the character arguments, which
 * the C-implemented routines simply ignore).
 */
final class NativeBlas {
    static final int ROW_MAJOR = 101;
    static final int NO_TRANS = 111;
    static final int TRANS = 112;
    static final int UPPER = 121;
    static final int LOWER = 122;
    static final int NON_UNIT = 131;
    static final int UNIT = 132;
    static final int LEFT = 141;
    static final int RIGHT = 142;

    private static final Linker LINKER = Linker.nativeLinker();
    private static final SymbolLookup LIB = library();

    // ------------------------------------------------------------------------------------------------
    // Downcall handles, one holder class per family: creating a handle costs milliseconds (0.8–1 s for all
    // 49 measured on a loaded machine), so a family is linked on its first use only.

    /** openblas_set_num_threads. */
    private static final class Threads {
        static final MethodHandle SET_NUM_THREADS = critical("openblas_set_num_threads", FunctionDescriptor.ofVoid(JAVA_INT));
    }

    /** Level 1 (always critical: long vectors are cut into bounded chunks by the callers). */
    private static final class Level1 {
        static final MethodHandle SDOT = critical("cblas_sdot", dot(JAVA_FLOAT));
        static final MethodHandle DDOT = critical("cblas_ddot", dot(JAVA_DOUBLE));
        static final MethodHandle SAXPY = critical("cblas_saxpy", axpy(JAVA_FLOAT));
        static final MethodHandle DAXPY = critical("cblas_daxpy", axpy(JAVA_DOUBLE));
        static final MethodHandle SSCAL = critical("cblas_sscal", FunctionDescriptor.ofVoid(JAVA_INT, JAVA_FLOAT, ADDRESS, JAVA_INT));
        static final MethodHandle DSCAL = critical("cblas_dscal", FunctionDescriptor.ofVoid(JAVA_INT, JAVA_DOUBLE, ADDRESS, JAVA_INT));
        static final MethodHandle SNRM2 = critical("cblas_snrm2", reduction(JAVA_FLOAT));
        static final MethodHandle DNRM2 = critical("cblas_dnrm2", reduction(JAVA_DOUBLE));
        static final MethodHandle SASUM = critical("cblas_sasum", reduction(JAVA_FLOAT));
        static final MethodHandle DASUM = critical("cblas_dasum", reduction(JAVA_DOUBLE));
        static final MethodHandle ISAMAX = critical("cblas_isamax", reduction(JAVA_LONG));
        static final MethodHandle IDAMAX = critical("cblas_idamax", reduction(JAVA_LONG));
    }

    /** Level 2, critical (gemv and ger are chunked by the callers; symv and syr are short here). */
    private static final class Level2 {
        static final MethodHandle SGEMV = critical("cblas_sgemv", gemv(JAVA_FLOAT));
        static final MethodHandle DGEMV = critical("cblas_dgemv", gemv(JAVA_DOUBLE));
        static final MethodHandle SGER = critical("cblas_sger", ger(JAVA_FLOAT));
        static final MethodHandle DGER = critical("cblas_dger", ger(JAVA_DOUBLE));
        static final MethodHandle SSYMV_C = critical("cblas_ssymv", symv(JAVA_FLOAT));
        static final MethodHandle DSYMV_C = critical("cblas_dsymv", symv(JAVA_DOUBLE));
        static final MethodHandle SSYR_C = critical("cblas_ssyr", syr(JAVA_FLOAT));
        static final MethodHandle DSYR_C = critical("cblas_dsyr", syr(JAVA_DOUBLE));
    }

    /** symv and syr on off-heap copies. */
    private static final class Level2Plain {
        static final MethodHandle SSYMV_P = plain("cblas_ssymv", symv(JAVA_FLOAT));
        static final MethodHandle DSYMV_P = plain("cblas_dsymv", symv(JAVA_DOUBLE));
        static final MethodHandle SSYR_P = plain("cblas_ssyr", syr(JAVA_FLOAT));
        static final MethodHandle DSYR_P = plain("cblas_dsyr", syr(JAVA_DOUBLE));
    }

    /** Level 3, critical. */
    private static final class Level3 {
        static final MethodHandle SGEMM_C = critical("cblas_sgemm", gemm(JAVA_FLOAT));
        static final MethodHandle DGEMM_C = critical("cblas_dgemm", gemm(JAVA_DOUBLE));
        static final MethodHandle SSYRK_C = critical("cblas_ssyrk", syrk(JAVA_FLOAT));
        static final MethodHandle DSYRK_C = critical("cblas_dsyrk", syrk(JAVA_DOUBLE));
        static final MethodHandle STRSM_C = critical("cblas_strsm", trsm(JAVA_FLOAT));
        static final MethodHandle DTRSM_C = critical("cblas_dtrsm", trsm(JAVA_DOUBLE));
    }

    /** Level 3 on off-heap copies. */
    private static final class Level3Plain {
        static final MethodHandle SGEMM_P = plain("cblas_sgemm", gemm(JAVA_FLOAT));
        static final MethodHandle DGEMM_P = plain("cblas_dgemm", gemm(JAVA_DOUBLE));
        static final MethodHandle SSYRK_P = plain("cblas_ssyrk", syrk(JAVA_FLOAT));
        static final MethodHandle DSYRK_P = plain("cblas_dsyrk", syrk(JAVA_DOUBLE));
        static final MethodHandle STRSM_P = plain("cblas_strsm", trsm(JAVA_FLOAT));
        static final MethodHandle DTRSM_P = plain("cblas_dtrsm", trsm(JAVA_DOUBLE));
    }

    /** LAPACK (Fortran interface, column-major), critical. */
    private static final class Lapack {
        static final MethodHandle SPOTRF_C = critical("spotrf_", CHOLESKY);
        static final MethodHandle DPOTRF_C = critical("dpotrf_", CHOLESKY);
        static final MethodHandle SPOTRI_C = critical("spotri_", CHOLESKY);
        static final MethodHandle DPOTRI_C = critical("dpotri_", CHOLESKY);
        static final MethodHandle SSYEVD_C = critical("ssyevd_", SYEVD);
        static final MethodHandle DSYEVD_C = critical("dsyevd_", SYEVD);
    }

    /** LAPACK on off-heap copies. */
    private static final class LapackPlain {
        static final MethodHandle SPOTRF_P = plain("spotrf_", CHOLESKY);
        static final MethodHandle DPOTRF_P = plain("dpotrf_", CHOLESKY);
        static final MethodHandle SPOTRI_P = plain("spotri_", CHOLESKY);
        static final MethodHandle DPOTRI_P = plain("dpotri_", CHOLESKY);
        static final MethodHandle SSYEVD_P = plain("ssyevd_", SYEVD);
        static final MethodHandle DSYEVD_P = plain("dsyevd_", SYEVD);
    }

    private static final FunctionDescriptor CHOLESKY = FunctionDescriptor.ofVoid(ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS, JAVA_LONG);
    private static final FunctionDescriptor SYEVD = FunctionDescriptor.ofVoid(ADDRESS, ADDRESS, ADDRESS, ADDRESS,
            ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS, JAVA_LONG, JAVA_LONG);

    private NativeBlas() {
    }

    // ------------------------------------------------------------------------------------------------
    // Threads

    static void setNumThreads(int n) {
        try {
            Threads.SET_NUM_THREADS.invokeExact(n);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    // ------------------------------------------------------------------------------------------------
    // Level 1 (unit strides; critical)

    static float sdot(int n, MemorySegment x, MemorySegment y) {
        try {
            return (float) Level1.SDOT.invokeExact(n, x, 1, y, 1);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static double ddot(int n, MemorySegment x, MemorySegment y) {
        try {
            return (double) Level1.DDOT.invokeExact(n, x, 1, y, 1);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static void saxpy(int n, float alpha, MemorySegment x, MemorySegment y) {
        try {
            Level1.SAXPY.invokeExact(n, alpha, x, 1, y, 1);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static void daxpy(int n, double alpha, MemorySegment x, MemorySegment y) {
        try {
            Level1.DAXPY.invokeExact(n, alpha, x, 1, y, 1);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static void sscal(int n, float alpha, MemorySegment x) {
        try {
            Level1.SSCAL.invokeExact(n, alpha, x, 1);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static void dscal(int n, double alpha, MemorySegment x) {
        try {
            Level1.DSCAL.invokeExact(n, alpha, x, 1);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static float snrm2(int n, MemorySegment x) {
        try {
            return (float) Level1.SNRM2.invokeExact(n, x, 1);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static double dnrm2(int n, MemorySegment x) {
        try {
            return (double) Level1.DNRM2.invokeExact(n, x, 1);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static float sasum(int n, MemorySegment x) {
        try {
            return (float) Level1.SASUM.invokeExact(n, x, 1);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static double dasum(int n, MemorySegment x) {
        try {
            return (double) Level1.DASUM.invokeExact(n, x, 1);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** cblas_i?amax: 0-based index of the first largest |x[i]|; NaNs are skipped unless x[0] is NaN. */
    static long iamax(Precision p, int n, MemorySegment x) {
        try {
            return p == Precision.FLOAT ? (long) Level1.ISAMAX.invokeExact(n, x, 1) : (long) Level1.IDAMAX.invokeExact(n, x, 1);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    // Precision-generic level 1, for the chunked long-vector paths (a switch per chunk is free there).

    static double dot(Precision p, int n, MemorySegment x, MemorySegment y) {
        return p == Precision.FLOAT ? sdot(n, x, y) : ddot(n, x, y);
    }

    static void axpy(Precision p, int n, double alpha, MemorySegment x, MemorySegment y) {
        if (p == Precision.FLOAT) {
            saxpy(n, (float) alpha, x, y);
        } else {
            daxpy(n, alpha, x, y);
        }
    }

    static void scal(Precision p, int n, double alpha, MemorySegment x) {
        if (p == Precision.FLOAT) {
            sscal(n, (float) alpha, x);
        } else {
            dscal(n, alpha, x);
        }
    }

    static double nrm2(Precision p, int n, MemorySegment x) {
        return p == Precision.FLOAT ? snrm2(n, x) : dnrm2(n, x);
    }

    static double asum(Precision p, int n, MemorySegment x) {
        return p == Precision.FLOAT ? sasum(n, x) : dasum(n, x);
    }

    // ------------------------------------------------------------------------------------------------
    // Level 2 (row-major CBLAS, unit vector strides)

    static void gemv(Precision p, int trans, int m, int n, double alpha, MemorySegment a, int lda,
                     MemorySegment x, double beta, MemorySegment y) {
        try {
            if (p == Precision.FLOAT) {
                Level2.SGEMV.invokeExact(ROW_MAJOR, trans, m, n, (float) alpha, a, lda, x, 1, (float) beta, y, 1);
            } else {
                Level2.DGEMV.invokeExact(ROW_MAJOR, trans, m, n, alpha, a, lda, x, 1, beta, y, 1);
            }
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static void ger(Precision p, int m, int n, double alpha, MemorySegment x, MemorySegment y,
                    MemorySegment a, int lda) {
        try {
            if (p == Precision.FLOAT) {
                Level2.SGER.invokeExact(ROW_MAJOR, m, n, (float) alpha, x, 1, y, 1, a, lda);
            } else {
                Level2.DGER.invokeExact(ROW_MAJOR, m, n, alpha, x, 1, y, 1, a, lda);
            }
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static void symv(Precision p, boolean critical, int uplo, int n, double alpha, MemorySegment a, int lda,
                     MemorySegment x, double beta, MemorySegment y) {
        try {
            if (p == Precision.FLOAT) {
                (critical ? Level2.SSYMV_C : Level2Plain.SSYMV_P).invokeExact(ROW_MAJOR, uplo, n, (float) alpha, a, lda, x, 1, (float) beta, y, 1);
            } else {
                (critical ? Level2.DSYMV_C : Level2Plain.DSYMV_P).invokeExact(ROW_MAJOR, uplo, n, alpha, a, lda, x, 1, beta, y, 1);
            }
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static void syr(Precision p, boolean critical, int uplo, int n, double alpha, MemorySegment x,
                    MemorySegment a, int lda) {
        try {
            if (p == Precision.FLOAT) {
                (critical ? Level2.SSYR_C : Level2Plain.SSYR_P).invokeExact(ROW_MAJOR, uplo, n, (float) alpha, x, 1, a, lda);
            } else {
                (critical ? Level2.DSYR_C : Level2Plain.DSYR_P).invokeExact(ROW_MAJOR, uplo, n, alpha, x, 1, a, lda);
            }
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    // ------------------------------------------------------------------------------------------------
    // Level 3 (row-major CBLAS)

    static void gemm(Precision p, boolean critical, int transA, int transB, int m, int n, int k, double alpha,
                     MemorySegment a, int lda, MemorySegment b, int ldb, double beta, MemorySegment c, int ldc) {
        try {
            if (p == Precision.FLOAT) {
                (critical ? Level3.SGEMM_C : Level3Plain.SGEMM_P).invokeExact(ROW_MAJOR, transA, transB, m, n, k, (float) alpha,
                        a, lda, b, ldb, (float) beta, c, ldc);
            } else {
                (critical ? Level3.DGEMM_C : Level3Plain.DGEMM_P).invokeExact(ROW_MAJOR, transA, transB, m, n, k, alpha,
                        a, lda, b, ldb, beta, c, ldc);
            }
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static void syrk(Precision p, boolean critical, int uplo, int trans, int n, int k, double alpha,
                     MemorySegment a, int lda, double beta, MemorySegment c, int ldc) {
        try {
            if (p == Precision.FLOAT) {
                (critical ? Level3.SSYRK_C : Level3Plain.SSYRK_P).invokeExact(ROW_MAJOR, uplo, trans, n, k, (float) alpha, a, lda,
                        (float) beta, c, ldc);
            } else {
                (critical ? Level3.DSYRK_C : Level3Plain.DSYRK_P).invokeExact(ROW_MAJOR, uplo, trans, n, k, alpha, a, lda, beta, c, ldc);
            }
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static void trsm(Precision p, boolean critical, int side, int uplo, int transA, int diag, int m, int n,
                     double alpha, MemorySegment a, int lda, MemorySegment b, int ldb) {
        try {
            if (p == Precision.FLOAT) {
                (critical ? Level3.STRSM_C : Level3Plain.STRSM_P).invokeExact(ROW_MAJOR, side, uplo, transA, diag, m, n, (float) alpha,
                        a, lda, b, ldb);
            } else {
                (critical ? Level3.DTRSM_C : Level3Plain.DTRSM_P).invokeExact(ROW_MAJOR, side, uplo, transA, diag, m, n, alpha,
                        a, lda, b, ldb);
            }
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    // ------------------------------------------------------------------------------------------------
    // LAPACK (Fortran, column-major; scalars by reference in the off-heap argument block)

    /**
     * {@code ?potrf_} (Cholesky of the column-major {@code uplo} triangle) or, with {@code inverse},
     * {@code ?potri_} (the inverse from that factor). Returns LAPACK's info.
     */
    static int cholesky(Precision p, boolean critical, boolean inverse, LapackArgs args, char uplo, int n,
                        MemorySegment a, int lda) {
        args.set(uplo, n, lda);
        MethodHandle h = p == Precision.FLOAT
                ? inverse ? (critical ? Lapack.SPOTRI_C : LapackPlain.SPOTRI_P) : (critical ? Lapack.SPOTRF_C : LapackPlain.SPOTRF_P)
                : inverse ? (critical ? Lapack.DPOTRI_C : LapackPlain.DPOTRI_P) : (critical ? Lapack.DPOTRF_C : LapackPlain.DPOTRF_P);
        try {
            h.invokeExact(args.uplo(), args.n(), a, args.lda(), args.info(), 1L);
        } catch (Throwable t) {
            throw rethrow(t);
        }
        return args.infoValue();
    }

    /**
     * {@code ?syevd_} with {@code jobz = 'V'}: eigenvalues ascending in w, eigenvectors in the columns of the
     * column-major a. The work arrays must hold at least {@link LapackArgs#syevdWork} and
     * {@link LapackArgs#syevdIwork} elements. Returns LAPACK's info.
     */
    static int syevd(Precision p, boolean critical, LapackArgs args, char uplo, int n, MemorySegment a, int lda,
                     MemorySegment w, MemorySegment work, MemorySegment iwork) {
        args.set(uplo, n, lda);
        args.setWork(LapackArgs.syevdWork(n), LapackArgs.syevdIwork(n));
        try {
            if (p == Precision.FLOAT) {
                (critical ? Lapack.SSYEVD_C : LapackPlain.SSYEVD_P).invokeExact(args.jobzVectors(), args.uplo(), args.n(), a, args.lda(),
                        w, work, args.lwork(), iwork, args.liwork(), args.info(), 1L, 1L);
            } else {
                (critical ? Lapack.DSYEVD_C : LapackPlain.DSYEVD_P).invokeExact(args.jobzVectors(), args.uplo(), args.n(), a, args.lda(),
                        w, work, args.lwork(), iwork, args.liwork(), args.info(), 1L, 1L);
            }
        } catch (Throwable t) {
            throw rethrow(t);
        }
        return args.infoValue();
    }

    // ------------------------------------------------------------------------------------------------

    private static SymbolLookup library() {
        OpenBlasLibrary.Probe probe = OpenBlasLibrary.configured();
        if (probe.loaded() == null) {
            throw new IllegalStateException("OpenBLAS is unavailable: " + probe.reason());
        }
        return probe.loaded().lookup();
    }

    private static MethodHandle critical(String symbol, FunctionDescriptor fd) {
        return LINKER.downcallHandle(LIB.findOrThrow(symbol), fd, Linker.Option.critical(true));
    }

    private static MethodHandle plain(String symbol, FunctionDescriptor fd) {
        return LINKER.downcallHandle(LIB.findOrThrow(symbol), fd);
    }

    private static FunctionDescriptor dot(MemoryLayout r) {
        return FunctionDescriptor.of(r, JAVA_INT, ADDRESS, JAVA_INT, ADDRESS, JAVA_INT);
    }

    private static FunctionDescriptor axpy(MemoryLayout r) {
        return FunctionDescriptor.ofVoid(JAVA_INT, r, ADDRESS, JAVA_INT, ADDRESS, JAVA_INT);
    }

    private static FunctionDescriptor reduction(MemoryLayout r) {
        return FunctionDescriptor.of(r, JAVA_INT, ADDRESS, JAVA_INT);
    }

    private static FunctionDescriptor gemv(MemoryLayout r) {
        return FunctionDescriptor.ofVoid(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, r, ADDRESS, JAVA_INT, ADDRESS, JAVA_INT,
                r, ADDRESS, JAVA_INT);
    }

    private static FunctionDescriptor ger(MemoryLayout r) {
        return FunctionDescriptor.ofVoid(JAVA_INT, JAVA_INT, JAVA_INT, r, ADDRESS, JAVA_INT, ADDRESS, JAVA_INT,
                ADDRESS, JAVA_INT);
    }

    private static FunctionDescriptor symv(MemoryLayout r) {
        return FunctionDescriptor.ofVoid(JAVA_INT, JAVA_INT, JAVA_INT, r, ADDRESS, JAVA_INT, ADDRESS, JAVA_INT,
                r, ADDRESS, JAVA_INT);
    }

    private static FunctionDescriptor syr(MemoryLayout r) {
        return FunctionDescriptor.ofVoid(JAVA_INT, JAVA_INT, JAVA_INT, r, ADDRESS, JAVA_INT, ADDRESS, JAVA_INT);
    }

    private static FunctionDescriptor gemm(MemoryLayout r) {
        return FunctionDescriptor.ofVoid(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, r,
                ADDRESS, JAVA_INT, ADDRESS, JAVA_INT, r, ADDRESS, JAVA_INT);
    }

    private static FunctionDescriptor syrk(MemoryLayout r) {
        return FunctionDescriptor.ofVoid(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, r, ADDRESS, JAVA_INT,
                r, ADDRESS, JAVA_INT);
    }

    private static FunctionDescriptor trsm(MemoryLayout r) {
        return FunctionDescriptor.ofVoid(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, r,
                ADDRESS, JAVA_INT, ADDRESS, JAVA_INT);
    }

    /** Downcalls only throw unchecked exceptions (e.g. a heap segment given to a plain handle: a bug). */
    private static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException r) {
            throw r;
        }
        if (t instanceof Error e) {
            throw e;
        }
        throw new IllegalStateException("OpenBLAS downcall failed", t);
    }
}
