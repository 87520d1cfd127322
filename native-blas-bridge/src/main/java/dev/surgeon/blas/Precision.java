package dev.surgeon.blas;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The element type of an operation, so that the float and double forms share one implementation over
 * {@link MemorySegment}s (heap segments of the caller's arrays, or off-heap copies). Values cross this
 * boundary as {@code double}, which represents every float exactly.
 */
enum Precision {
    FLOAT(ValueLayout.JAVA_FLOAT),
    DOUBLE(ValueLayout.JAVA_DOUBLE);

    final ValueLayout layout;
    final long bytes;

    Precision(ValueLayout layout) {
        this.layout = layout;
        this.bytes = layout.byteSize();
    }

    double get(MemorySegment s, long index) {
        return this == FLOAT
                ? s.getAtIndex(ValueLayout.JAVA_FLOAT, index)
                : s.getAtIndex(ValueLayout.JAVA_DOUBLE, index);
    }

    void set(MemorySegment s, long index, double value) {
        if (this == FLOAT) {
            s.setAtIndex(ValueLayout.JAVA_FLOAT, index, (float) value);
        } else {
            s.setAtIndex(ValueLayout.JAVA_DOUBLE, index, value);
        }
    }

    /** The segment from element {@code index} of {@code s} to its end. */
    MemorySegment from(MemorySegment s, long index) {
        return s.asSlice(index * bytes);
    }

    /** Rounds a value to this precision (the identity for double). */
    double round(double value) {
        return this == FLOAT ? (float) value : value;
    }

    boolean isNaN(MemorySegment s, long index) {
        return Double.isNaN(get(s, index));
    }
}
