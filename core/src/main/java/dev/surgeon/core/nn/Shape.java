package dev.surgeon.core.nn;

import java.util.Arrays;

/**
 * The shape of one sample's activation: either flat ({@code [n]}, rank 1) or an image ({@code [C, H, W]},
 * rank 3, stored channel-major: value (c, y, x) at {@code c·H·W + y·W + x}). A batch of B samples is
 * stored as B consecutive samples (NCHW for images).
 */
public final class Shape {
    private final int[] dims;

    private Shape(int[] dims) {
        this.dims = dims;
    }

    /** A flat shape {@code [n]} or an image shape {@code [c, h, w]}; every dimension must be positive. */
    public static Shape of(int... dims) {
        if (dims.length != 1 && dims.length != 3) {
            throw new IllegalArgumentException("a shape has 1 dimension (features) or 3 (channels, height, width), got "
                    + Arrays.toString(dims));
        }
        long size = 1;
        for (int d : dims) {
            if (d <= 0) {
                throw new IllegalArgumentException("shape " + Arrays.toString(dims) + " has a non-positive dimension");
            }
            size *= d;
        }
        if (size > Integer.MAX_VALUE / 64) {
            throw new IllegalArgumentException("shape " + Arrays.toString(dims) + " holds " + size
                    + " values per sample, too many for one Java array per batch");
        }
        return new Shape(dims.clone());
    }

    public int rank() {
        return dims.length;
    }

    public boolean isFlat() {
        return dims.length == 1;
    }

    /** Number of values per sample. */
    public int size() {
        int s = 1;
        for (int d : dims) {
            s *= d;
        }
        return s;
    }

    public int dim(int i) {
        return dims[i];
    }

    /** Channels of an image shape. */
    public int channels() {
        requireImage();
        return dims[0];
    }

    public int height() {
        requireImage();
        return dims[1];
    }

    public int width() {
        requireImage();
        return dims[2];
    }

    /** The dimensions (a copy). */
    public int[] dims() {
        return dims.clone();
    }

    private void requireImage() {
        if (dims.length != 3) {
            throw new IllegalStateException("shape " + this + " is flat, not [channels, height, width]");
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Shape s && Arrays.equals(dims, s.dims);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(dims);
    }

    @Override
    public String toString() {
        return Arrays.toString(dims);
    }
}
