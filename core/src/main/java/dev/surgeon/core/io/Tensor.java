package dev.surgeon.core.io;

import java.util.Arrays;

/**
 * A named, typed, row-major array as stored in a safetensors or npy file. The dtype is the type on disk;
 * the storage is chosen for exactness: F32, F16 and BF16 values live in a {@code float[]} (F16 and BF16
 * convert to float without loss), F64 in a {@code double[]}, and integer and BOOL tensors keep their
 * little-endian bytes (so every integer type, I64 included, round-trips bit for bit and a U8 mask costs one
 * byte per weight).
 *
 * <p>Elements live in Java arrays, so a tensor holds at most {@link #MAX_ELEMENTS} elements (its file may
 * still be larger than 2 GB: readers map files). Arrays returned by {@link #floats()} and
 * {@link #doubles()} for the tensor's own storage type are the internal arrays: do not modify them.
 */
public final class Tensor {
    /** Largest element count a tensor can hold (the usual JVM array limit). */
    public static final int MAX_ELEMENTS = Integer.MAX_VALUE - 8;

    private final String name;
    private final DType dtype;
    private final long[] shape;
    private final int size;
    private final float[] floats;
    private final double[] doubles;
    private final byte[] bytes;

    private Tensor(String name, DType dtype, long[] shape, float[] floats, double[] doubles, byte[] bytes) {
        if (name == null) {
            throw new IllegalArgumentException("tensor name must not be null");
        }
        this.name = name;
        this.dtype = dtype;
        this.shape = shape.clone();
        long n = elementCount(this.shape);
        if (n < 0) {
            throw new IllegalArgumentException(name + ": shape " + Arrays.toString(shape) + " has a negative dimension");
        }
        if (n > MAX_ELEMENTS) {
            throw new IllegalArgumentException(name + ": shape " + Arrays.toString(shape) + " has more than "
                    + MAX_ELEMENTS + " elements");
        }
        long stored = floats != null ? floats.length : doubles != null ? doubles.length : bytes.length / dtype.size();
        if (stored != n) {
            throw new IllegalArgumentException(name + ": shape " + Arrays.toString(shape) + " has " + n
                    + " elements but " + stored + " values were given");
        }
        this.size = (int) n;
        this.floats = floats;
        this.doubles = doubles;
        this.bytes = bytes;
    }

    /**
     * Product of the dimensions; -1 when one is negative; {@link Long#MAX_VALUE} when the product overflows
     * (a zero dimension wins: an empty tensor of any other shape is legal).
     */
    static long elementCount(long[] shape) {
        long n = 1;
        boolean overflow = false;
        for (long d : shape) {
            if (d < 0) {
                return -1;
            }
            if (d == 0) {
                return 0;
            }
            if (!overflow && Math.multiplyHigh(n, d) == 0 && n * d >= 0) {
                n *= d;
            } else {
                overflow = true;
            }
        }
        return overflow ? Long.MAX_VALUE : n;
    }

    /** An F32 tensor over {@code data} (not copied). */
    public static Tensor f32(String name, long[] shape, float[] data) {
        return new Tensor(name, DType.F32, shape, data, null, null);
    }

    /** An F64 tensor over {@code data} (not copied). */
    public static Tensor f64(String name, long[] shape, double[] data) {
        return new Tensor(name, DType.F64, shape, null, data, null);
    }

    /** A U8 tensor over {@code data} (not copied); values are {@code data[i] & 0xFF}. */
    public static Tensor u8(String name, long[] shape, byte[] data) {
        return new Tensor(name, DType.U8, shape, null, null, data);
    }

    /** A BOOL tensor (one byte per element, 0 or 1), e.g. a pruning mask {@code name.mask}. */
    public static Tensor bool(String name, long[] shape, boolean[] data) {
        byte[] b = new byte[data.length];
        for (int i = 0; i < data.length; i++) {
            b[i] = (byte) (data[i] ? 1 : 0);
        }
        return new Tensor(name, DType.BOOL, shape, null, null, b);
    }

    /**
     * An integer (or BOOL) tensor of the given dtype; each value must fit the dtype, else
     * {@link IllegalArgumentException} naming the index.
     */
    public static Tensor integers(String name, DType dtype, long[] shape, long[] values) {
        if (dtype.isFloating()) {
            throw new IllegalArgumentException(name + ": " + dtype + " is not an integer dtype");
        }
        long min = switch (dtype) {
            case I64 -> Long.MIN_VALUE;
            case I32 -> Integer.MIN_VALUE;
            case I16 -> Short.MIN_VALUE;
            case I8 -> Byte.MIN_VALUE;
            default -> 0;
        };
        long max = switch (dtype) {
            case I64 -> Long.MAX_VALUE;
            case I32 -> Integer.MAX_VALUE;
            case I16 -> Short.MAX_VALUE;
            case I8 -> Byte.MAX_VALUE;
            case U8 -> 255;
            default -> 1;
        };
        int w = dtype.size();
        byte[] b = new byte[Math.multiplyExact(values.length, w)];
        for (int i = 0; i < values.length; i++) {
            long v = values[i];
            if (v < min || v > max) {
                throw new IllegalArgumentException(name + ": value " + v + " at index " + i + " does not fit " + dtype
                        + " [" + min + ", " + max + "]");
            }
            for (int k = 0; k < w; k++) {
                b[i * w + k] = (byte) (v >>> (8 * k));
            }
        }
        return new Tensor(name, dtype, shape, null, null, b);
    }

    /** Package-private: a tensor read from a file, storage already decoded (exactly one array non-null). */
    static Tensor decoded(String name, DType dtype, long[] shape, float[] floats, double[] doubles, byte[] bytes) {
        return new Tensor(name, dtype, shape, floats, doubles, bytes);
    }

    public String name() {
        return name;
    }

    /** The element type (as stored in the file it came from, or as it will be written). */
    public DType dtype() {
        return dtype;
    }

    /** The dimensions (a copy); empty for a 0-rank (scalar) tensor. */
    public long[] shape() {
        return shape.clone();
    }

    public int rank() {
        return shape.length;
    }

    /** Number of elements (1 for a 0-rank tensor, 0 when a dimension is 0). */
    public int size() {
        return size;
    }

    public boolean isFloating() {
        return dtype.isFloating();
    }

    /**
     * The values as floats. F32/F16/BF16: the internal array (do not modify). F64: a new array rounded to
     * float. Integer dtypes: {@link IllegalStateException} (use {@link #longs()}).
     */
    public float[] floats() {
        if (floats != null) {
            return floats;
        }
        if (doubles != null) {
            float[] f = new float[size];
            for (int i = 0; i < size; i++) {
                f[i] = (float) doubles[i];
            }
            return f;
        }
        throw new IllegalStateException(name + " is a " + dtype + " tensor; read it with longs() or booleans()");
    }

    /** The values as doubles: F64 the internal array (do not modify); other floating types a widened copy. */
    public double[] doubles() {
        if (doubles != null) {
            return doubles;
        }
        if (floats != null) {
            double[] d = new double[size];
            for (int i = 0; i < size; i++) {
                d[i] = floats[i];
            }
            return d;
        }
        throw new IllegalStateException(name + " is a " + dtype + " tensor; read it with longs() or booleans()");
    }

    /** Element i of an integer or BOOL tensor, sign- or zero-extended as its dtype says. */
    public long longAt(int i) {
        if (bytes == null) {
            throw new IllegalStateException(name + " is a " + dtype + " tensor; read it with floats() or doubles()");
        }
        int w = dtype.size();
        int o = i * w;
        return switch (dtype) {
            case U8, BOOL -> bytes[o] & 0xFFL;
            case I8 -> bytes[o];
            case I16 -> (short) ((bytes[o] & 0xFF) | bytes[o + 1] << 8);
            default -> {
                long v = 0;
                for (int k = w - 1; k >= 0; k--) {
                    v = v << 8 | (bytes[o + k] & 0xFF);
                }
                yield w == 4 ? (int) v : v;
            }
        };
    }

    /** All elements of an integer or BOOL tensor as longs (a new array). */
    public long[] longs() {
        long[] v = new long[size];
        for (int i = 0; i < size; i++) {
            v[i] = longAt(i);
        }
        return v;
    }

    /** Elements of an integer or BOOL tensor as booleans (non-zero is true), e.g. to apply a stored mask. */
    public boolean[] booleans() {
        boolean[] v = new boolean[size];
        for (int i = 0; i < size; i++) {
            v[i] = longAt(i) != 0;
        }
        return v;
    }

    /** The same data under another name (shares the storage). */
    public Tensor renamed(String newName) {
        return new Tensor(newName, dtype, shape, floats, doubles, bytes);
    }

    /** Package-private access for writers. */
    float[] floatStorage() {
        return floats;
    }

    double[] doubleStorage() {
        return doubles;
    }

    byte[] byteStorage() {
        return bytes;
    }

    @Override
    public String toString() {
        return name + " " + dtype + Arrays.toString(shape);
    }
}
