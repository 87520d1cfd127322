package dev.surgeon.kernels.parity;

import dev.surgeon.kernels.*;

import static org.junit.jupiter.api.Assertions.fail;

import java.util.SplittableRandom;

/**
 * A row-major rows×cols matrix (or a vector: one row) inside a {@link NumArray}, at an offset and with a
 * leading dimension, as the {@link Kernels} SPI addresses its operands. Everything in the array outside
 * the block starts poisoned ({@link NumArray}), so that a kernel which reads past a row, before the offset
 * or after the end produces NaN, and one which writes there is caught by {@link #assertUntouchedOutside}.
 */
public final class Operand {

    /** How an operand sits in its array. */
    public enum Layout {
        /** Offset 0, leading dimension = width, array ends at the last element: out-of-range reads throw. */
        TIGHT,
        /** Odd offset, leading dimension = width + 3, poisoned tail: out-of-range reads show up as NaN. */
        PADDED;

        int offset() {
            return this == TIGHT ? 0 : 5;
        }

        int leadingDimension(int cols) {
            return this == TIGHT ? Math.max(1, cols) : cols + 3;
        }

        int tail() {
            return this == TIGHT ? 0 : 7;
        }
    }

    /** A set of cells (i, j) of the block, e.g. the triangle a symmetric operation may touch. */
    @FunctionalInterface
    public interface Cells {
        Cells ALL = (i, j) -> true;
        Cells LOWER = (i, j) -> j <= i;
        Cells UPPER = (i, j) -> j >= i;
        Cells NONE = (i, j) -> false;

        boolean contains(int i, int j);

        static Cells triangle(Uplo uplo) {
            return uplo == Uplo.LOWER ? LOWER : UPPER;
        }
    }

    /** Produces the value of cell (i, j). */
    @FunctionalInterface
    public interface CellValues {
        double at(int i, int j);
    }

    public final NumArray data;
    public final int off;
    public final int rows;
    public final int cols;
    public final int ld;

    public Operand(NumArray data, int off, int rows, int cols, int ld) {
        this.data = data;
        this.off = off;
        this.rows = rows;
        this.cols = cols;
        this.ld = ld;
    }

    /** A fully poisoned rows×cols matrix in the given layout. */
    public static Operand matrix(Precision p, int rows, int cols, Layout layout) {
        int off = layout.offset();
        int ld = layout.leadingDimension(cols);
        int extent = rows == 0 || cols == 0 ? 0 : (rows - 1) * ld + cols;
        return new Operand(NumArray.poisoned(p, off + extent + layout.tail()), off, rows, cols, ld);
    }

    /** A fully poisoned vector of n elements in the given layout. */
    public static Operand vector(Precision p, int n, Layout layout) {
        return matrix(p, 1, n, layout);
    }

    public Precision precision() {
        return data.precision();
    }

    public int index(int i, int j) {
        return off + i * ld + j;
    }

    public double get(int i, int j) {
        return data.get(index(i, j));
    }

    public void set(int i, int j, double v) {
        data.set(index(i, j), v);
    }

    /** Element i of a vector operand. */
    public double get(int i) {
        return get(0, i);
    }

    /** Sets element i of a vector operand. */
    public void set(int i, double v) {
        set(0, i, v);
    }

    /** Number of elements of a vector operand. */
    public int length() {
        return cols;
    }

    /** Sets every cell of the block in {@code cells} from {@code values} (rounded to the precision). */
    public Operand fill(Cells cells, CellValues values) {
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) {
                if (cells.contains(i, j)) {
                    set(i, j, values.at(i, j));
                }
            }
        }
        return this;
    }

    /** Fills the whole block with independent uniform values in [-1, 1). */
    public Operand fillRandom(SplittableRandom rnd) {
        return fill(Cells.ALL, (i, j) -> rnd.nextDouble(-1, 1));
    }

    /** Poisons the cells of the block in {@code cells} (the rest keeps its values). */
    public Operand poison(Cells cells) {
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) {
                if (cells.contains(i, j)) {
                    data.poison(index(i, j));
                }
            }
        }
        return this;
    }

    public Operand copy() {
        return new Operand(data.copy(), off, rows, cols, ld);
    }

    /**
     * op(block) as a dense row-major double array: rows×cols for {@link Trans#N}, cols×rows for
     * {@link Trans#T}. The float64 reference loops run over these instead of the strided, poisoned array.
     */
    public double[] toDense(Trans t) {
        double[] out = new double[rows * cols];
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) {
                out[t == Trans.N ? i * cols + j : j * rows + i] = get(i, j);
            }
        }
        return out;
    }

    /** The full symmetric n×n matrix whose {@code uplo} triangle this square block stores, dense. */
    public double[] toDenseSymmetric(Uplo uplo) {
        double[] out = new double[rows * rows];
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < rows; j++) {
                out[i * rows + j] = Parity.sym(this, uplo, i, j);
            }
        }
        return out;
    }

    /** The largest |value| over the cells of the block (NaN-free cells only). */
    public double maxAbs(Cells cells) {
        double m = 0;
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) {
                if (cells.contains(i, j)) {
                    double v = Math.abs(get(i, j));
                    if (v > m) {
                        m = v;
                    }
                }
            }
        }
        return m;
    }

    /** Whether the block cell (i, j) holds NaN. */
    public boolean isNaN(int i, int j) {
        return Double.isNaN(get(i, j));
    }

    /** Asserts that the whole array is bit-for-bit what {@code before} was (an input must not change). */
    public void assertUntouched(Operand before, String what) {
        assertUntouchedOutside(before, Cells.NONE, what);
    }

    /**
     * Asserts that every array element except the block cells in {@code writable} is bit-for-bit what
     * {@code before} held: padding between rows, before the offset, after the end and the cells the
     * operation promises not to touch (the other triangle, for instance).
     */
    public void assertUntouchedOutside(Operand before, Cells writable, String what) {
        int changed = 0;
        int first = -1;
        for (int idx = 0; idx < data.length(); idx++) {
            if (data.bits(idx) != before.data.bits(idx) && !isWritable(idx, writable)) {
                if (changed++ == 0) {
                    first = idx;
                }
            }
        }
        if (changed > 0) {
            fail(what + ": " + changed + " element(s) outside the writable region changed; first at array index "
                    + first + " (" + describe(first) + "): " + before.data.get(first) + " -> " + data.get(first));
        }
    }

    private boolean isWritable(int idx, Cells writable) {
        int rel = idx - off;
        if (rel < 0 || rows == 0) {
            return false;
        }
        int i = rel / ld;
        int j = rel % ld;
        return i < rows && j < cols && writable.contains(i, j);
    }

    private String describe(int idx) {
        int rel = idx - off;
        if (rel < 0) {
            return "before the offset " + off;
        }
        int i = rel / ld;
        int j = rel % ld;
        if (i >= rows) {
            return "after the " + rows + "×" + cols + " block";
        }
        return j < cols ? "cell (" + i + ", " + j + ")" : "padding of row " + i;
    }

    @Override
    public String toString() {
        return rows + "×" + cols + " (off " + off + ", ld " + ld + ", " + precision() + ")";
    }
}
