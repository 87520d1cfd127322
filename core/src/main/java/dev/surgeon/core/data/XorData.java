package dev.surgeon.core.data;

/**
 * The four XOR patterns: inputs {0, 1}², label {@code x1 XOR x2}, as used in the XOR pruning experiment of
 * Hassibi and Stork (1993), "Second order derivatives for network pruning: Optimal Brain Surgeon" (a 2-2-1
 * sigmoid network with biases; see docs METHODS.md, XOR protocol).
 */
public final class XorData {
    private XorData() {
    }

    /** The patterns (0,0)→0, (0,1)→1, (1,0)→1, (1,1)→0 in that order; input shape [2], 2 classes. */
    public static Dataset dataset() {
        float[] x = {0, 0, 0, 1, 1, 0, 1, 1};
        int[] y = {0, 1, 1, 0};
        return Dataset.classification("xor", new int[]{2}, x, y, 2);
    }
}
