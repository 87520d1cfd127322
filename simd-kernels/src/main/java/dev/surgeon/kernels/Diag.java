package dev.surgeon.kernels;

/** Whether a triangular matrix has an implicit unit diagonal ({@link #UNIT}; the stored diagonal is not read). */
public enum Diag {
    UNIT,
    NON_UNIT
}
