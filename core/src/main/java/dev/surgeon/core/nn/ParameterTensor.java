package dev.surgeon.core.nn;

import java.util.Arrays;

/**
 * One named parameter tensor: a slice {@code [offset, offset + length)} of the network's flat parameter
 * vector. Names follow PyTorch: {@code fc1.weight} with shape {@code [out, in]}, {@code fc1.bias}
 * {@code [out]}, {@code conv1.weight} {@code [out, in, kh, kw]}. Storage inside the slice is row-major in
 * that shape, so a weight is also a {@link #rows()} × {@link #columns()} matrix (rows = output units or
 * channels, columns = inputs or unfolded kernel positions in (channel, ky, kx) order).
 */
public final class ParameterTensor {
    /** Whether a tensor holds weights or biases. */
    public enum Role { WEIGHT, BIAS }

    private final String name;
    private final int[] shape;
    private final int offset;
    private final int length;
    private final Role role;
    private final int layerIndex;

    ParameterTensor(String name, int[] shape, int offset, Role role, int layerIndex) {
        this.name = name;
        this.shape = shape.clone();
        int n = 1;
        for (int s : shape) {
            n = Math.multiplyExact(n, s);
        }
        this.length = n;
        this.offset = offset;
        this.role = role;
        this.layerIndex = layerIndex;
    }

    public String name() {
        return name;
    }

    /** The PyTorch shape (a copy). */
    public int[] shape() {
        return shape.clone();
    }

    /** First index in the flat vector. */
    public int offset() {
        return offset;
    }

    /** Number of values. */
    public int length() {
        return length;
    }

    /** One past the last index in the flat vector. */
    public int end() {
        return offset + length;
    }

    public Role role() {
        return role;
    }

    /** Index of the owning layer in {@link Network#layers()}. */
    public int layerIndex() {
        return layerIndex;
    }

    /** First dimension (output units or channels). */
    public int rows() {
        return shape[0];
    }

    /** {@code length / rows}: inputs per output (1 for a bias). */
    public int columns() {
        return length / shape[0];
    }

    /** Whether the flat index q lies in this tensor. */
    public boolean contains(int q) {
        return q >= offset && q < offset + length;
    }

    /** The multi-index of flat index q inside this tensor, e.g. {@code fc1.weight[3, 17]}. */
    public String describe(int q) {
        if (!contains(q)) {
            throw new IllegalArgumentException("index " + q + " is not in " + this);
        }
        int r = q - offset;
        int[] idx = new int[shape.length];
        for (int i = shape.length - 1; i >= 0; i--) {
            idx[i] = r % shape[i];
            r /= shape[i];
        }
        return name + Arrays.toString(idx);
    }

    @Override
    public String toString() {
        return name + Arrays.toString(shape) + " @" + offset;
    }
}
