package dev.surgeon.kernels;

import static dev.surgeon.kernels.VectorOps.fma;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Level-1 BLAS over contiguous vectors with the Vector API, float and double. Reductions keep four
 * independent accumulators (one FMA chain cannot use both FMA ports: its latency is four cycles) and
 * reduce them once at the end; every loop is a {@code loopBound} main loop plus a scalar tail, never a
 * masked loop. Arguments are checked by the caller ({@link VectorKernels}).
 */
final class VectorBlas1 {
    private static final VectorSpecies<Float> FS = VectorOps.FLOATS;
    private static final VectorSpecies<Double> DS = VectorOps.DOUBLES;
    private static final int FL = FS.length();
    private static final int DL = DS.length();
    /** Short vectors and the tail after the last full vector follow the reference's loop exactly. */
    private static final Kernels REFERENCE = new ScalarKernels();

    private VectorBlas1() {
    }

    // ================================================================================================
    // float

    static float dot(int n, float[] x, int xOff, float[] y, int yOff) {
        int i = 0;
        float s = 0;
        if (n >= FL) {
            FloatVector a0 = FloatVector.zero(FS);
            FloatVector a1 = FloatVector.zero(FS);
            FloatVector a2 = FloatVector.zero(FS);
            FloatVector a3 = FloatVector.zero(FS);
            for (int bound = n - 4 * FL; i <= bound; i += 4 * FL) {
                a0 = fma(FloatVector.fromArray(FS, x, xOff + i), FloatVector.fromArray(FS, y, yOff + i), a0);
                a1 = fma(FloatVector.fromArray(FS, x, xOff + i + FL), FloatVector.fromArray(FS, y, yOff + i + FL), a1);
                a2 = fma(FloatVector.fromArray(FS, x, xOff + i + 2 * FL),
                        FloatVector.fromArray(FS, y, yOff + i + 2 * FL), a2);
                a3 = fma(FloatVector.fromArray(FS, x, xOff + i + 3 * FL),
                        FloatVector.fromArray(FS, y, yOff + i + 3 * FL), a3);
            }
            for (int bound = FS.loopBound(n); i < bound; i += FL) {
                a0 = fma(FloatVector.fromArray(FS, x, xOff + i), FloatVector.fromArray(FS, y, yOff + i), a0);
            }
            s = a0.add(a1).add(a2.add(a3)).reduceLanes(VectorOperators.ADD);
        }
        for (; i < n; i++) {
            s += x[xOff + i] * y[yOff + i];
        }
        return s;
    }

    static void axpy(int n, float alpha, float[] x, int xOff, float[] y, int yOff) {
        int i = 0;
        if (n >= FL) {
            FloatVector a = FloatVector.broadcast(FS, alpha);
            for (int bound = FS.loopBound(n); i < bound; i += FL) {
                fma(a, FloatVector.fromArray(FS, x, xOff + i), FloatVector.fromArray(FS, y, yOff + i))
                        .intoArray(y, yOff + i);
            }
        }
        for (; i < n; i++) {
            y[yOff + i] += alpha * x[xOff + i];
        }
    }

    static void scal(int n, float alpha, float[] x, int xOff) {
        int i = 0;
        if (n >= FL) {
            for (int bound = FS.loopBound(n); i < bound; i += FL) {
                FloatVector.fromArray(FS, x, xOff + i).mul(alpha).intoArray(x, xOff + i);
            }
        }
        for (; i < n; i++) {
            x[xOff + i] *= alpha;
        }
    }

    /** {@code y ← beta·y}, or {@code y ← 0} without reading y when beta is 0 (BLAS semantics). */
    static void scaleOrZero(int n, float beta, float[] y, int yOff) {
        if (beta == 0) {
            java.util.Arrays.fill(y, yOff, yOff + n, 0f);
        } else if (beta != 1) {
            scal(n, beta, y, yOff);
        }
    }

    static float asum(int n, float[] x, int xOff) {
        int i = 0;
        float s = 0;
        if (n >= 2 * FL) {
            FloatVector a0 = FloatVector.zero(FS);
            FloatVector a1 = FloatVector.zero(FS);
            for (int bound = n - 2 * FL; i <= bound; i += 2 * FL) {
                a0 = a0.add(FloatVector.fromArray(FS, x, xOff + i).abs());
                a1 = a1.add(FloatVector.fromArray(FS, x, xOff + i + FL).abs());
            }
            s = a0.add(a1).reduceLanes(VectorOperators.ADD);
        }
        for (; i < n; i++) {
            s += Math.abs(x[xOff + i]);
        }
        return s;
    }

    static float sumOfSquares(int n, float[] x, int xOff) {
        int i = 0;
        float s = 0;
        if (n >= 4 * FL) {
            FloatVector a0 = FloatVector.zero(FS);
            FloatVector a1 = FloatVector.zero(FS);
            FloatVector a2 = FloatVector.zero(FS);
            FloatVector a3 = FloatVector.zero(FS);
            for (int bound = n - 4 * FL; i <= bound; i += 4 * FL) {
                FloatVector v0 = FloatVector.fromArray(FS, x, xOff + i);
                FloatVector v1 = FloatVector.fromArray(FS, x, xOff + i + FL);
                FloatVector v2 = FloatVector.fromArray(FS, x, xOff + i + 2 * FL);
                FloatVector v3 = FloatVector.fromArray(FS, x, xOff + i + 3 * FL);
                a0 = fma(v0, v0, a0);
                a1 = fma(v1, v1, a1);
                a2 = fma(v2, v2, a2);
                a3 = fma(v3, v3, a3);
            }
            s = a0.add(a1).add(a2.add(a3)).reduceLanes(VectorOperators.ADD);
        }
        for (; i < n; i++) {
            float v = x[xOff + i];
            s += v * v;
        }
        return s;
    }

    /**
     * Index of the first element of largest magnitude, or of the first NaN, or −1 for n = 0. Two passes:
     * the vector maximum of |x| (NaN propagates through max), then the first index holding it; if that
     * index is past the last full vector, the tail decides it.
     */
    static int iamax(int n, float[] x, int xOff) {
        if (n < 2 * FL) {
            return REFERENCE.iamax(n, x, xOff);
        }
        int bound = FS.loopBound(n);
        FloatVector m = FloatVector.fromArray(FS, x, xOff).abs();
        for (int i = FL; i < bound; i += FL) {
            m = m.max(FloatVector.fromArray(FS, x, xOff + i).abs());
        }
        float max = m.reduceLanes(VectorOperators.MAX);
        for (int i = bound; i < n; i++) {
            max = Math.max(max, Math.abs(x[xOff + i]));
        }
        boolean nan = Float.isNaN(max);
        for (int i = 0; i < bound; i += FL) {
            FloatVector v = FloatVector.fromArray(FS, x, xOff + i);
            VectorMask<Float> hit = nan ? v.test(VectorOperators.IS_NAN) : v.abs().eq(max);
            if (hit.anyTrue()) {
                return i + hit.firstTrue();
            }
        }
        return bound + REFERENCE.iamax(n - bound, x, xOff + bound);
    }


    static void mul(int n, float[] x, int xOff, float[] y, int yOff, float[] z, int zOff) {
        int i = 0;
        for (int bound = FS.loopBound(n); i < bound; i += FL) {
            FloatVector.fromArray(FS, x, xOff + i).mul(FloatVector.fromArray(FS, y, yOff + i)).intoArray(z, zOff + i);
        }
        for (; i < n; i++) {
            z[zOff + i] = x[xOff + i] * y[yOff + i];
        }
    }

    static void add(int n, float[] x, int xOff, float[] y, int yOff, float[] z, int zOff) {
        int i = 0;
        for (int bound = FS.loopBound(n); i < bound; i += FL) {
            FloatVector.fromArray(FS, x, xOff + i).add(FloatVector.fromArray(FS, y, yOff + i)).intoArray(z, zOff + i);
        }
        for (; i < n; i++) {
            z[zOff + i] = x[xOff + i] + y[yOff + i];
        }
    }

    // ================================================================================================
    // double

    static double dot(int n, double[] x, int xOff, double[] y, int yOff) {
        int i = 0;
        double s = 0;
        if (n >= DL) {
            DoubleVector a0 = DoubleVector.zero(DS);
            DoubleVector a1 = DoubleVector.zero(DS);
            DoubleVector a2 = DoubleVector.zero(DS);
            DoubleVector a3 = DoubleVector.zero(DS);
            for (int bound = n - 4 * DL; i <= bound; i += 4 * DL) {
                a0 = fma(DoubleVector.fromArray(DS, x, xOff + i), DoubleVector.fromArray(DS, y, yOff + i), a0);
                a1 = fma(DoubleVector.fromArray(DS, x, xOff + i + DL), DoubleVector.fromArray(DS, y, yOff + i + DL), a1);
                a2 = fma(DoubleVector.fromArray(DS, x, xOff + i + 2 * DL),
                        DoubleVector.fromArray(DS, y, yOff + i + 2 * DL), a2);
                a3 = fma(DoubleVector.fromArray(DS, x, xOff + i + 3 * DL),
                        DoubleVector.fromArray(DS, y, yOff + i + 3 * DL), a3);
            }
            for (int bound = DS.loopBound(n); i < bound; i += DL) {
                a0 = fma(DoubleVector.fromArray(DS, x, xOff + i), DoubleVector.fromArray(DS, y, yOff + i), a0);
            }
            s = a0.add(a1).add(a2.add(a3)).reduceLanes(VectorOperators.ADD);
        }
        for (; i < n; i++) {
            s += x[xOff + i] * y[yOff + i];
        }
        return s;
    }

    static void axpy(int n, double alpha, double[] x, int xOff, double[] y, int yOff) {
        int i = 0;
        if (n >= DL) {
            DoubleVector a = DoubleVector.broadcast(DS, alpha);
            for (int bound = DS.loopBound(n); i < bound; i += DL) {
                fma(a, DoubleVector.fromArray(DS, x, xOff + i), DoubleVector.fromArray(DS, y, yOff + i))
                        .intoArray(y, yOff + i);
            }
        }
        for (; i < n; i++) {
            y[yOff + i] += alpha * x[xOff + i];
        }
    }

    static void scal(int n, double alpha, double[] x, int xOff) {
        int i = 0;
        if (n >= DL) {
            for (int bound = DS.loopBound(n); i < bound; i += DL) {
                DoubleVector.fromArray(DS, x, xOff + i).mul(alpha).intoArray(x, xOff + i);
            }
        }
        for (; i < n; i++) {
            x[xOff + i] *= alpha;
        }
    }

    /** {@code y ← beta·y}, or {@code y ← 0} without reading y when beta is 0 (BLAS semantics). */
    static void scaleOrZero(int n, double beta, double[] y, int yOff) {
        if (beta == 0) {
            java.util.Arrays.fill(y, yOff, yOff + n, 0.0);
        } else if (beta != 1) {
            scal(n, beta, y, yOff);
        }
    }

    static double asum(int n, double[] x, int xOff) {
        int i = 0;
        double s = 0;
        if (n >= 2 * DL) {
            DoubleVector a0 = DoubleVector.zero(DS);
            DoubleVector a1 = DoubleVector.zero(DS);
            for (int bound = n - 2 * DL; i <= bound; i += 2 * DL) {
                a0 = a0.add(DoubleVector.fromArray(DS, x, xOff + i).abs());
                a1 = a1.add(DoubleVector.fromArray(DS, x, xOff + i + DL).abs());
            }
            s = a0.add(a1).reduceLanes(VectorOperators.ADD);
        }
        for (; i < n; i++) {
            s += Math.abs(x[xOff + i]);
        }
        return s;
    }

    static double sumOfSquares(int n, double[] x, int xOff) {
        int i = 0;
        double s = 0;
        if (n >= 4 * DL) {
            DoubleVector a0 = DoubleVector.zero(DS);
            DoubleVector a1 = DoubleVector.zero(DS);
            DoubleVector a2 = DoubleVector.zero(DS);
            DoubleVector a3 = DoubleVector.zero(DS);
            for (int bound = n - 4 * DL; i <= bound; i += 4 * DL) {
                DoubleVector v0 = DoubleVector.fromArray(DS, x, xOff + i);
                DoubleVector v1 = DoubleVector.fromArray(DS, x, xOff + i + DL);
                DoubleVector v2 = DoubleVector.fromArray(DS, x, xOff + i + 2 * DL);
                DoubleVector v3 = DoubleVector.fromArray(DS, x, xOff + i + 3 * DL);
                a0 = fma(v0, v0, a0);
                a1 = fma(v1, v1, a1);
                a2 = fma(v2, v2, a2);
                a3 = fma(v3, v3, a3);
            }
            s = a0.add(a1).add(a2.add(a3)).reduceLanes(VectorOperators.ADD);
        }
        for (; i < n; i++) {
            double v = x[xOff + i];
            s += v * v;
        }
        return s;
    }

    /** As {@link #iamax(int, float[], int)}. */
    static int iamax(int n, double[] x, int xOff) {
        if (n < 2 * DL) {
            return REFERENCE.iamax(n, x, xOff);
        }
        int bound = DS.loopBound(n);
        DoubleVector m = DoubleVector.fromArray(DS, x, xOff).abs();
        for (int i = DL; i < bound; i += DL) {
            m = m.max(DoubleVector.fromArray(DS, x, xOff + i).abs());
        }
        double max = m.reduceLanes(VectorOperators.MAX);
        for (int i = bound; i < n; i++) {
            max = Math.max(max, Math.abs(x[xOff + i]));
        }
        boolean nan = Double.isNaN(max);
        for (int i = 0; i < bound; i += DL) {
            DoubleVector v = DoubleVector.fromArray(DS, x, xOff + i);
            VectorMask<Double> hit = nan ? v.test(VectorOperators.IS_NAN) : v.abs().eq(max);
            if (hit.anyTrue()) {
                return i + hit.firstTrue();
            }
        }
        return bound + REFERENCE.iamax(n - bound, x, xOff + bound);
    }


    static void mul(int n, double[] x, int xOff, double[] y, int yOff, double[] z, int zOff) {
        int i = 0;
        for (int bound = DS.loopBound(n); i < bound; i += DL) {
            DoubleVector.fromArray(DS, x, xOff + i).mul(DoubleVector.fromArray(DS, y, yOff + i)).intoArray(z, zOff + i);
        }
        for (; i < n; i++) {
            z[zOff + i] = x[xOff + i] * y[yOff + i];
        }
    }

    static void add(int n, double[] x, int xOff, double[] y, int yOff, double[] z, int zOff) {
        int i = 0;
        for (int bound = DS.loopBound(n); i < bound; i += DL) {
            DoubleVector.fromArray(DS, x, xOff + i).add(DoubleVector.fromArray(DS, y, yOff + i)).intoArray(z, zOff + i);
        }
        for (; i < n; i++) {
            z[zOff + i] = x[xOff + i] + y[yOff + i];
        }
    }
}
