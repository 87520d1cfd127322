package dev.surgeon.blas;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.MemorySegment;

/**
 * The by-reference scalar arguments of one Fortran LAPACK call, in a small off-heap block: Fortran takes
 * {@code uplo}, {@code n}, {@code lda}, {@code info}, … as pointers.
 */
final class LapackArgs {
    /** Bytes to reserve for one argument block. */
    static final long BYTES = 32;

    private static final long UPLO = 0;
    private static final long JOBZ = 1;
    private static final long N = 4;
    private static final long LDA = 8;
    private static final long INFO = 12;
    private static final long LWORK = 16;
    private static final long LIWORK = 20;

    private final MemorySegment block;

    LapackArgs(MemorySegment block) {
        this.block = block;
        block.set(JAVA_BYTE, JOBZ, (byte) 'V');
    }

    void set(char uplo, int n, int lda) {
        block.set(JAVA_BYTE, UPLO, (byte) uplo);
        block.set(JAVA_INT, N, n);
        block.set(JAVA_INT, LDA, lda);
        block.set(JAVA_INT, INFO, 0);
    }

    void setWork(long lwork, long liwork) {
        block.set(JAVA_INT, LWORK, Math.toIntExact(lwork));
        block.set(JAVA_INT, LIWORK, Math.toIntExact(liwork));
    }

    MemorySegment uplo() {
        return block.asSlice(UPLO, 1);
    }

    MemorySegment jobzVectors() {
        return block.asSlice(JOBZ, 1);
    }

    MemorySegment n() {
        return block.asSlice(N, 4);
    }

    MemorySegment lda() {
        return block.asSlice(LDA, 4);
    }

    MemorySegment info() {
        return block.asSlice(INFO, 4);
    }

    MemorySegment lwork() {
        return block.asSlice(LWORK, 4);
    }

    MemorySegment liwork() {
        return block.asSlice(LIWORK, 4);
    }

    int infoValue() {
        return block.get(JAVA_INT, INFO);
    }

    /**
     * Workspace elements for {@code ?syevd} with eigenvectors: LAPACK's minimum {@code 1 + 6n + 2n²}, or
     * {@code 2n + 64n} when larger, which covers the blocked tridiagonal reduction's optimum for block
     * sizes up to 64 (the optimum only exceeds the minimum for small n).
     */
    static long syevdWork(int n) {
        long nn = n;
        return Math.max(1 + 6 * nn + 2 * nn * nn, 66 * nn);
    }

    /** Integer workspace for {@code ?syevd} with eigenvectors: {@code 3 + 5n}. */
    static long syevdIwork(int n) {
        return 3 + 5L * n;
    }
}
