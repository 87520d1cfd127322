package dev.surgeon.core.data;

/**
 * One-hot encoding of categorical attributes: attribute j with {@code cardinalities[j]} values becomes that
 * many inputs, exactly one of them 1. The blocks follow the attribute order, so the encoding of the MONK's
 * attributes (3, 3, 2, 3, 4, 2 values) is 17 inputs wide.
 */
public final class OneHot {
    private OneHot() {
    }

    /** Number of inputs the encoding produces: the sum of the cardinalities. */
    public static int width(int[] cardinalities) {
        int w = 0;
        for (int c : cardinalities) {
            if (c < 1) {
                throw new IllegalArgumentException("an attribute needs at least one value, got " + c);
            }
            w = Math.addExact(w, c);
        }
        return w;
    }

    /**
     * Writes the encoding of {@code codes} (0-based: {@code 0 <= codes[j] < cardinalities[j]}) into
     * {@code dst[offset, offset + width)}, overwriting every position of the block.
     */
    public static void encode(int[] codes, int[] cardinalities, float[] dst, int offset) {
        if (codes.length != cardinalities.length) {
            throw new IllegalArgumentException(codes.length + " codes for " + cardinalities.length + " attributes");
        }
        int o = offset;
        for (int j = 0; j < codes.length; j++) {
            if (codes[j] < 0 || codes[j] >= cardinalities[j]) {
                throw new IllegalArgumentException("attribute " + j + " has code " + codes[j] + ", outside [0, "
                        + cardinalities[j] + ")");
            }
            for (int v = 0; v < cardinalities[j]; v++) {
                dst[o + v] = v == codes[j] ? 1f : 0f;
            }
            o += cardinalities[j];
        }
    }
}
