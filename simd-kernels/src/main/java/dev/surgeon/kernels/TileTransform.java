package dev.surgeon.kernels;

/**
 * The scalar reference of {@link Kernels#tileTransform} and the argument checks every provider runs first.
 *
 * <p>Each lane is computed in the order every provider keeps, so that results agree bit for bit: for each output
 * column j, {@code t[a] = Σ_b X[a][b]·L[j][b]} for every a, then for each output row i {@code Y[i][j] = Σ_a L[i][a]·t[a]},
 * each sum a chain of fused multiply-adds from +0 in ascending order; when accumulating, the old entry is added last.
 */
final class TileTransform {
    /** The largest tile side p or q. */
    static final int MAX_SIDE = 8;

    private TileTransform() {
    }

    /** Checks the arguments of {@link Kernels#tileTransform}. */
    static void check(int p, int q, int lLength, int lOff, int groups, int lanes, int xLength, int xOff, int xRow,
                      int xCol, int xGroup, int yLength, int yOff, int yRow, int yCol, int yGroup) {
        if (p < 1 || q < 1 || p > MAX_SIDE || q > MAX_SIDE) {
            throw new IllegalArgumentException("tileTransform needs 1 ≤ p, q ≤ " + MAX_SIDE + ", got p = " + p
                    + ", q = " + q);
        }
        KernelArguments.size("groups", groups);
        KernelArguments.size("lanes", lanes);
        if (xRow < 0 || xCol < 0 || xGroup < 0 || yRow < 0 || yCol < 0 || yGroup < 0) {
            throw new IllegalArgumentException("tileTransform strides must be non-negative, got xRow = " + xRow
                    + ", xCol = " + xCol + ", xGroup = " + xGroup + ", yRow = " + yRow + ", yCol = " + yCol
                    + ", yGroup = " + yGroup);
        }
        range("L", lLength, lOff, (long) p * q);
        if (groups == 0 || lanes == 0) {
            return;
        }
        range("x", xLength, xOff, (long) (groups - 1) * xGroup + (long) (q - 1) * xRow + (long) (q - 1) * xCol
                + lanes);
        range("y", yLength, yOff, (long) (groups - 1) * yGroup + (long) (p - 1) * yRow + (long) (p - 1) * yCol
                + lanes);
    }

    private static void range(String name, int length, int off, long extent) {
        if (length < 0) {
            throw new IllegalArgumentException(name + " is null");
        }
        if (off < 0 || off + extent > length) {
            throw new IllegalArgumentException("tileTransform: " + name + " needs " + extent + " floats from offset "
                    + off + " but has " + length);
        }
    }

    /**
     * Lanes [from, to) of one group of {@link Kernels#tileTransform} (x and y offsets at the group's start), one lane
     * at a time; t[a] is recomputed for every i (the reference trades time for having no scratch), with the same
     * operations in the same order.
     */
    static void transform(int p, int q, float[] l, int lOff, boolean accumulate, int from, int to, float[] x,
                          int xOff, int xRow, int xCol, float[] y, int yOff, int yRow, int yCol) {
        for (int lane = from; lane < to; lane++) {
            for (int j = 0; j < p; j++) {
                for (int i = 0; i < p; i++) {
                    float sum = 0f;
                    for (int a = 0; a < q; a++) {
                        float t = 0f;
                        for (int b = 0; b < q; b++) {
                            t = Math.fma(x[xOff + a * xRow + b * xCol + lane], l[lOff + j * q + b], t);
                        }
                        sum = Math.fma(t, l[lOff + i * q + a], sum);
                    }
                    int o = yOff + i * yRow + j * yCol + lane;
                    y[o] = accumulate ? sum + y[o] : sum;
                }
            }
        }
    }
}
