package dev.surgeon.kernels;

/**
 * Which triangle of a row-major symmetric or triangular matrix is referenced. {@link #LOWER} means the
 * entries {@code a[i*lda + j]} with {@code j <= i}; {@link #UPPER} those with {@code j >= i}.
 */
public enum Uplo {
    LOWER,
    UPPER
}
