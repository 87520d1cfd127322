package dev.surgeon.core.curvature;

/**
 * Precision of a stored m × d gradient matrix (M-FAC). {@link #FLOAT} halves the memory (m = 1024 and d = 4.4M
 * already need 18 GB in float, METHODS A8); the m × m algebra (Gram matrix, LU, coefficients) and the
 * transformation into the v_i rows are done in double either way, but the d-long products of every inverse
 * product (G·x, Gᵀ·c) and the dynamic Gram updates then run in the float kernels. {@link #DOUBLE} keeps
 * everything in double: results equal the dense inverse to rounding (METHODS R16, 1e-10 relative).
 */
public enum GradientStorage {
    FLOAT(4), DOUBLE(8);

    private final int bytes;

    GradientStorage(int bytes) {
        this.bytes = bytes;
    }

    /** Bytes per stored value. */
    public int bytesPerValue() {
        return bytes;
    }
}
