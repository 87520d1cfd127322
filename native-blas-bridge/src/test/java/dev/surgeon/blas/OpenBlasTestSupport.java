package dev.surgeon.blas;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import dev.surgeon.kernels.Kernels;
import dev.surgeon.kernels.ScalarKernels;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Assumptions;

/**
 * Shared pieces of the bridge's tests: access to OpenBLAS (a missing library fails the build under
 * {@code CI=true}, where CI must have installed it, and skips with the reason elsewhere), seeded data laid
 * out with NaN padding, and error bounds.
 *
 * <p><b>NaN padding.</b> Every operand lives at an offset inside a larger array whose unused elements
 * (before the offset, between rows when ld exceeds the width, after the end, the unreferenced triangle of
 * symmetric operands, an output that must not be read) are NaN. Reading any of them leaks a NaN into the
 * result; writing any of them replaces a NaN by a number. Both fail {@link #assertWithin}.
 *
 * <p><b>Error bounds.</b> A sum of k products computed in any order, with or without FMA, is within
 * {@code γ_k·Σ|a_i||b_i|} of the exact value, {@code γ_k ≈ k·u} (Higham, Accuracy and Stability of
 * Numerical Algorithms, §3.1). Two implementations then differ by at most twice that; the scale
 * {@code Σ|a_i||b_i|} of each output is computed by running the scalar reference on absolute values.
 */
final class OpenBlasTestSupport {
    static final double FLOAT_U = 0x1p-24;
    static final double DOUBLE_U = 0x1p-53;

    static final ScalarKernels SCALAR = new ScalarKernels();

    private OpenBlasTestSupport() {
    }

    /** The provider's kernels without delegation (every operation BLAS has goes native), or skip/fail. */
    static OpenBlasKernels nativeKernels() {
        return defaultKernels().nativeOnly();
    }

    /** The provider's kernels as {@code Kernels.named("openblas")} would build them, or skip/fail. */
    static OpenBlasKernels defaultKernels() {
        OpenBlasProvider provider = new OpenBlasProvider();
        String reason = provider.unavailableReason();
        if (reason != null) {
            requireOpenBlas(reason);
        }
        return (OpenBlasKernels) provider.create(1);
    }

    /** Fails under CI=true, otherwise skips the test, naming why OpenBLAS is unavailable. */
    static void requireOpenBlas(String reason) {
        String message = "OpenBLAS unavailable: " + reason;
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
            fail(message + " (CI must install libopenblas0-pthread)");
        }
        System.out.println("SKIPPED: " + message);
        Assumptions.abort(message);
    }

    static Kernels scalar() {
        return SCALAR;
    }

    // ------------------------------------------------------------------------------------------------
    // Data

    /** An array of {@code length} NaNs. */
    static double[] nans(int length) {
        double[] a = new double[length];
        Arrays.fill(a, Double.NaN);
        return a;
    }

    /** Array length for a rows×cols matrix at {@code off} with row stride ld, plus 3 trailing pad elements. */
    static int length(int off, int rows, int cols, int ld) {
        return off + (rows == 0 ? 0 : (rows - 1) * ld + cols) + 3;
    }

    /** A NaN-padded array holding a random rows×cols matrix (entries in [-1, 1)) at {@code off}, stride ld. */
    static double[] matrix(SplittableRandom r, int off, int rows, int cols, int ld) {
        double[] a = nans(length(off, rows, cols, ld));
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) {
                a[off + i * ld + j] = r.nextDouble(-1, 1);
            }
        }
        return a;
    }

    /** Like {@link #matrix} but only the {@code lower} (or upper) triangle is set; the other stays NaN. */
    static double[] triangle(SplittableRandom r, boolean lower, int off, int n, int ld) {
        double[] a = nans(length(off, n, n, ld));
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                if (lower ? j <= i : j >= i) {
                    a[off + i * ld + j] = r.nextDouble(-1, 1);
                }
            }
        }
        return a;
    }

    /** A NaN-padded vector of n random entries at {@code off}. */
    static double[] vector(SplittableRandom r, int off, int n) {
        return matrix(r, off, 1, n, Math.max(1, n));
    }

    /**
     * A symmetric positive-definite n×n matrix {@code B·Bᵀ/n + I} (eigenvalues in [1, ~5], so well
     * conditioned) at {@code off} with stride ld, NaN-padded; only the {@code lower} (or upper) triangle
     * when {@code oneTriangle}.
     */
    static double[] spd(SplittableRandom r, int off, int n, int ld, boolean lower, boolean oneTriangle) {
        double[] b = new double[n * n];
        for (int i = 0; i < b.length; i++) {
            b[i] = r.nextDouble(-1, 1);
        }
        double[] a = nans(length(off, n, n, ld));
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                if (oneTriangle && (lower ? j > i : j < i)) {
                    continue;
                }
                double s = i == j ? 1 : 0;
                for (int p = 0; p < n; p++) {
                    s += b[i * n + p] * b[j * n + p] / n;
                }
                a[off + i * ld + j] = s;
            }
        }
        return a;
    }

    static float[] toFloat(double[] a) {
        float[] f = new float[a.length];
        for (int i = 0; i < a.length; i++) {
            f[i] = (float) a[i];
        }
        return f;
    }

    static double[] toDouble(float[] a) {
        double[] d = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            d[i] = a[i];
        }
        return d;
    }

    static double[] abs(double[] a) {
        double[] b = a.clone();
        for (int i = 0; i < b.length; i++) {
            b[i] = Math.abs(b[i]);
        }
        return b;
    }

    static float[] abs(float[] a) {
        float[] b = a.clone();
        for (int i = 0; i < b.length; i++) {
            b[i] = Math.abs(b[i]);
        }
        return b;
    }

    // ------------------------------------------------------------------------------------------------
    // Assertions

    /**
     * Elementwise {@code |expected − actual| <= factor·scale} (scale NaN, as at padding, demands an exact
     * match); two NaNs match. {@code factor} is typically {@code 2·(k+3)·u}.
     */
    static void assertWithin(String what, double[] expected, double[] actual, double[] scale, double factor) {
        assertEquals(expected.length, actual.length, what + ": length");
        for (int i = 0; i < expected.length; i++) {
            double e = expected[i];
            double a = actual[i];
            if (e == a) {
                continue; // includes equal infinities
            }
            if (Double.isNaN(e) || Double.isNaN(a)) {
                if (!(Double.isNaN(e) && Double.isNaN(a))) {
                    fail(what + ": element " + i + " expected " + e + " but was " + a);
                }
                continue;
            }
            double s = scale[i];
            double bound = Double.isNaN(s) ? 0 : factor * s + Double.MIN_NORMAL;
            if (!(Math.abs(e - a) <= bound)) {
                fail(what + ": element " + i + " expected " + e + " but was " + a + " (|diff| "
                        + Math.abs(e - a) + " > bound " + bound + ")");
            }
        }
    }

    static void assertWithin(String what, float[] expected, float[] actual, float[] scale, double factor) {
        assertWithin(what, toDouble(expected), toDouble(actual), toDouble(scale), factor);
    }

    /** Every element within {@code bound} absolutely (two NaNs match). */
    static void assertAllWithin(String what, double[] expected, double[] actual, double bound) {
        double[] scale = new double[expected.length];
        Arrays.fill(scale, 1);
        assertWithin(what, expected, actual, scale, bound);
    }
}
