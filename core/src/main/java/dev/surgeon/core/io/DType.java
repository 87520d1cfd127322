package dev.surgeon.core.io;

/**
 * Element types of stored tensors, with the safetensors spelling as the constant name and the NumPy
 * little-endian descriptor. All are little-endian on disk. Floating types are read into {@code float[]}
 * ({@code double[]} for F64); integer types and BOOL keep their exact stored bytes.
 */
public enum DType {
    F64(8, true, "<f8"),
    F32(4, true, "<f4"),
    /** IEEE 754 binary16: 1 sign, 5 exponent, 10 fraction bits. */
    F16(2, true, "<f2"),
    /** bfloat16: the upper 16 bits of a binary32 (1 sign, 8 exponent, 7 fraction bits). No NumPy descriptor. */
    BF16(2, true, null),
    I64(8, false, "<i8"),
    I32(4, false, "<i4"),
    I16(2, false, "<i2"),
    I8(1, false, "|i1"),
    U8(1, false, "|u1"),
    /** One byte per element, 0 or 1. */
    BOOL(1, false, "|b1");

    private final int size;
    private final boolean floating;
    private final String npyDescr;

    DType(int size, boolean floating, String npyDescr) {
        this.size = size;
        this.floating = floating;
        this.npyDescr = npyDescr;
    }

    /** Bytes per element. */
    public int size() {
        return size;
    }

    /** Whether values are floating point (F64, F32, F16, BF16). */
    public boolean isFloating() {
        return floating;
    }

    /** The NumPy descriptor of this type ({@code "<f4"}, {@code "|u1"}, …), or null when NumPy has none (BF16). */
    public String npyDescr() {
        return npyDescr;
    }

    /** The dtype named {@code name} in a safetensors header, or null when it is not one Surgeon reads. */
    static DType ofSafeTensorsName(String name) {
        for (DType t : values()) {
            if (t.name().equals(name)) {
                return t;
            }
        }
        return null;
    }
}
