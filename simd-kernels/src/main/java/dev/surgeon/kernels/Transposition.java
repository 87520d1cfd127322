package dev.surgeon.kernels;

/** The scalar reference of {@link Kernels#transpose}: B ← Aᵀ one entry at a time. */
final class Transposition {
    private Transposition() {
    }

    /** Rows [from, to) of A into columns [from, to) of B; arguments are checked by the caller. */
    static void transpose(int from, int to, int cols, float[] a, int aOff, int lda, float[] b, int bOff, int ldb) {
        for (int i = from; i < to; i++) {
            int src = aOff + i * lda;
            for (int j = 0; j < cols; j++) {
                b[bOff + j * ldb + i] = a[src + j];
            }
        }
    }
}
