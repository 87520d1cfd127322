package dev.surgeon.core.data;

import java.util.Arrays;

/**
 * One IDX array (LeCun's MNIST format): an element type, the dimensions, and the data in C order, kept as
 * the file's big-endian bytes so that no precision is lost and u8 images cost one byte per pixel until they
 * are converted. Conversions return new arrays.
 */
public final class IdxArray {
    /** IDX element types with their type codes (third magic byte) and sizes. */
    public enum Type {
        U8(0x08, 1), I8(0x09, 1), I16(0x0B, 2), I32(0x0C, 4), F32(0x0D, 4), F64(0x0E, 8);

        private final int code;
        private final int size;

        Type(int code, int size) {
            this.code = code;
            this.size = size;
        }

        /** The type code in the magic number. */
        public int code() {
            return code;
        }

        /** Bytes per element. */
        public int size() {
            return size;
        }

        public boolean isInteger() {
            return this != F32 && this != F64;
        }

        /** The type with this code, or null. */
        static Type ofCode(int code) {
            for (Type t : values()) {
                if (t.code == code) {
                    return t;
                }
            }
            return null;
        }
    }

    private final Type type;
    private final int[] dims;
    private final byte[] data;

    IdxArray(Type type, int[] dims, byte[] data) {
        this.type = type;
        this.dims = dims;
        this.data = data;
    }

    public Type type() {
        return type;
    }

    /** The dimensions (a copy); {@code dims()[0]} is the number of items. */
    public int[] dims() {
        return dims.clone();
    }

    /** Total number of elements. */
    public int length() {
        return data.length / type.size;
    }

    /** Element i as a double (exact for every IDX type). */
    public double valueAt(int i) {
        int o = i * type.size;
        return switch (type) {
            case U8 -> data[o] & 0xFF;
            case I8 -> data[o];
            case I16 -> (short) ((data[o] & 0xFF) << 8 | (data[o + 1] & 0xFF));
            case I32 -> bigEndianInt(o);
            case F32 -> Float.intBitsToFloat(bigEndianInt(o));
            case F64 -> Double.longBitsToDouble((long) bigEndianInt(o) << 32 | (bigEndianInt(o + 4) & 0xFFFFFFFFL));
        };
    }

    private int bigEndianInt(int o) {
        return (data[o] & 0xFF) << 24 | (data[o + 1] & 0xFF) << 16 | (data[o + 2] & 0xFF) << 8 | (data[o + 3] & 0xFF);
    }

    /** All elements of an integer-typed array as ints (labels). */
    public int[] toInts() {
        if (!type.isInteger()) {
            throw new IllegalStateException("an IDX array of type " + type + " has no integer values");
        }
        int[] out = new int[length()];
        for (int i = 0; i < out.length; i++) {
            out[i] = (int) valueAt(i);
        }
        return out;
    }

    /** All elements as floats (I32 beyond 2^24 and F64 are rounded to the nearest float). */
    public float[] toFloats() {
        float[] out = new float[length()];
        if (type == Type.U8) {
            for (int i = 0; i < out.length; i++) {
                out[i] = data[i] & 0xFF;
            }
        } else {
            for (int i = 0; i < out.length; i++) {
                out[i] = (float) valueAt(i);
            }
        }
        return out;
    }

    /** U8 pixels as intensities in [0, 1]: {@code pixel / 255}. */
    public float[] toUnitFloats() {
        if (type != Type.U8) {
            throw new IllegalStateException("only U8 IDX arrays hold 0..255 pixels; this one is " + type);
        }
        float[] out = new float[length()];
        for (int i = 0; i < out.length; i++) {
            out[i] = (data[i] & 0xFF) / 255f;
        }
        return out;
    }

    @Override
    public String toString() {
        return "IDX " + type + Arrays.toString(dims);
    }
}
