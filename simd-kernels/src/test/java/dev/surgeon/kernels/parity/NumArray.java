package dev.surgeon.kernels.parity;

import dev.surgeon.kernels.*;

import java.util.Arrays;

/**
 * A {@code float[]} or {@code double[]} read and written as doubles, so that every parity check is written
 * once and run in both precisions. Elements a kernel must neither read nor write are filled with a NaN
 * with a recognizable payload ({@link #POISON_FLOAT}, {@link #POISON_DOUBLE}): reading one turns a result
 * into NaN, and writing one changes its bits.
 */
public final class NumArray {
    static final float POISON_FLOAT = Float.intBitsToFloat(0x7fc0_5a5a);
    static final double POISON_DOUBLE = Double.longBitsToDouble(0x7ff8_0000_5a5a_5a5aL);

    private final Precision precision;
    private final float[] f;
    private final double[] d;

    private NumArray(Precision precision, float[] f, double[] d) {
        this.precision = precision;
        this.f = f;
        this.d = d;
    }

    /** A poisoned array of the given length. */
    public static NumArray poisoned(Precision precision, int length) {
        if (precision == Precision.FLOAT) {
            float[] a = new float[length];
            Arrays.fill(a, POISON_FLOAT);
            return new NumArray(precision, a, null);
        }
        double[] a = new double[length];
        Arrays.fill(a, POISON_DOUBLE);
        return new NumArray(precision, null, a);
    }

    /** A zero-filled array. */
    public static NumArray zeros(Precision precision, int length) {
        return precision == Precision.FLOAT
                ? new NumArray(precision, new float[length], null)
                : new NumArray(precision, null, new double[length]);
    }

    /** Stands for a {@code null} array argument (bad-input tests). */
    public static NumArray nullArray(Precision precision) {
        return new NumArray(precision, null, null);
    }

    public Precision precision() {
        return precision;
    }

    /** The backing {@code float[]} or {@code double[]} (null for {@link #nullArray}). */
    public Object raw() {
        return precision == Precision.FLOAT ? f : d;
    }

    public int length() {
        return precision == Precision.FLOAT ? f.length : d.length;
    }

    public double get(int i) {
        return precision == Precision.FLOAT ? f[i] : d[i];
    }

    /** Stores v rounded to this array's precision. */
    public void set(int i, double v) {
        if (precision == Precision.FLOAT) {
            f[i] = (float) v;
        } else {
            d[i] = v;
        }
    }

    /** Stores the poison at i. */
    public void poison(int i) {
        if (precision == Precision.FLOAT) {
            f[i] = POISON_FLOAT;
        } else {
            d[i] = POISON_DOUBLE;
        }
    }

    /** The raw bits of element i, for "untouched" checks that must see NaN payloads and signed zeros. */
    public long bits(int i) {
        return precision == Precision.FLOAT ? Float.floatToRawIntBits(f[i]) : Double.doubleToRawLongBits(d[i]);
    }

    /** Overwrites this array with the contents of {@code from} (same precision and length), bit for bit. */
    public void restoreFrom(NumArray from) {
        if (precision == Precision.FLOAT) {
            System.arraycopy(from.f, 0, f, 0, f.length);
        } else {
            System.arraycopy(from.d, 0, d, 0, d.length);
        }
    }

    public NumArray copy() {
        return new NumArray(precision, f == null ? null : f.clone(), d == null ? null : d.clone());
    }
}
