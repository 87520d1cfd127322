package dev.surgeon.kernels.parity;

import dev.surgeon.kernels.*;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * The exact (float64) value of each cell of a result together with an error bound for it, and the
 * assertions that compare a computed {@link Operand} against them. NaN is a value like any other here: a
 * cell expected NaN must be NaN (propagation), a cell expected finite must not be NaN.
 */
public final class Expected {
    public final int rows;
    public final int cols;
    private final double[] value;
    private final double[] bound;
    private final boolean[] checked;

    public Expected(int rows, int cols) {
        this.rows = rows;
        this.cols = cols;
        this.value = new double[rows * cols];
        this.bound = new double[rows * cols];
        this.checked = new boolean[rows * cols];
    }

    /** Cell (i, j) must equal {@code value} within {@code bound} (times the factor given when asserting). */
    public void set(int i, int j, double value, double bound) {
        int k = i * cols + j;
        this.value[k] = value;
        this.bound[k] = bound;
        this.checked[k] = true;
    }

    public double value(int i, int j) {
        return value[i * cols + j];
    }

    public double bound(int i, int j) {
        return bound[i * cols + j];
    }

    public boolean isChecked(int i, int j) {
        return checked[i * cols + j];
    }

    /** Asserts |actual − value| ≤ factor·bound on every checked cell. */
    public void assertMatches(String what, Operand actual, double factor) {
        compare(what, actual, null, factor);
    }

    /**
     * Asserts that two computed results agree on every checked cell: |actual − other| ≤ factor·bound.
     * When both are within one bound of the exact value, factor 2 is what the triangle inequality allows.
     */
    public void assertAgree(String what, Operand actual, Operand other, double factor) {
        compare(what, actual, other, factor);
    }

    private void compare(String what, Operand actual, Operand other, double factor) {
        int bad = 0;
        double worst = -1;
        String worstText = "";
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) {
                if (!isChecked(i, j)) {
                    continue;
                }
                double a = actual.get(i, j);
                double e = other == null ? value(i, j) : other.get(i, j);
                double tol = factor * bound(i, j);
                double ratio;
                if (Double.isNaN(e) || Double.isNaN(a)) {
                    ratio = Double.isNaN(e) == Double.isNaN(a) ? 0 : Double.POSITIVE_INFINITY;
                } else if (a == e) {
                    ratio = 0; // also covers equal infinities
                } else {
                    ratio = Math.abs(a - e) / tol; // tol = 0 makes any difference infinitely bad
                }
                if (!(ratio <= 1)) {
                    bad++;
                }
                if (!(ratio <= worst)) {
                    worst = ratio;
                    worstText = "(" + i + ", " + j + "): got " + a + ", " + (other == null ? "exact " : "reference ")
                            + e + ", tolerance " + tol;
                }
            }
        }
        if (bad > 0) {
            fail(what + ": " + bad + " of " + rows + "×" + cols + " cells out of tolerance; worst at " + worstText);
        }
    }

    /** Asserts a single computed value: NaN iff expected NaN, else |actual − expected| ≤ tolerance. */
    public static void assertScalar(String what, double expected, double actual, double tolerance) {
        if (Double.isNaN(expected) || Double.isNaN(actual)) {
            if (Double.isNaN(expected) != Double.isNaN(actual)) {
                fail(what + ": expected " + expected + " but got " + actual);
            }
            return;
        }
        if (actual != expected && !(Math.abs(actual - expected) <= tolerance)) {
            fail(what + ": expected " + expected + " ± " + tolerance + " but got " + actual
                    + " (error " + Math.abs(actual - expected) + ")");
        }
    }
}
