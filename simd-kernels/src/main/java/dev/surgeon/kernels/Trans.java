package dev.surgeon.kernels;

/** Whether a matrix operand is used as stored ({@link #N}) or transposed ({@link #T}), as in BLAS. */
public enum Trans {
    /** op(A) = A. */
    N,
    /** op(A) = Aᵀ. */
    T
}
