package dev.surgeon.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link Kernels#tileTransform} with one vector per L consecutive lanes, in the order of {@link TileTransform} with the
 * same fused multiply-adds, so the results equal the reference bit for bit. For each output column j the q partial
 * sums t[a] of a chunk go through a small per-thread scratch (L1) rather than named vectors; lanes after the last
 * whole vector of a group run the reference, so no vector access is ever masked.
 *
 * <p>Why: Winograd convolution (Lavin &amp; Gray 2016) spends its non-product time in these transforms, applied to
 * every tile of every channel of every sample; one lane at a time they cost more than the products they save.
 */
final class VectorTileTransform {
    private static final VectorSpecies<Float> S = VectorOps.FLOATS;
    private static final int L = S.length();
    private static final ThreadLocal<float[]> PARTIALS =
            ThreadLocal.withInitial(() -> new float[TileTransform.MAX_SIDE * L]);
    private static final ThreadLocal<float[]> SUMS =
            ThreadLocal.withInitial(() -> new float[TileTransform.MAX_SIDE * L]);

    private VectorTileTransform() {
    }

    static void transform(int p, int q, float[] l, int lOff, boolean accumulate, int groups, int lanes, float[] x,
                          int xOff, int xRow, int xCol, int xGroup, float[] y, int yOff, int yRow, int yCol,
                          int yGroup) {
        int whole = lanes - lanes % L;
        float[] t = whole > 0 ? PARTIALS.get() : null;
        float[] sums = whole > 0 && accumulate ? SUMS.get() : null;
        for (int g = 0; g < groups; g++) {
            int xg = xOff + g * xGroup;
            int yg = yOff + g * yGroup;
            for (int lane = 0; lane < whole; lane += L) {
                for (int j = 0; j < p; j++) {
                    int to = yg + lane + j * yCol;
                    // When accumulating, column j lands in a scratch first and is then added: the vector methods have
                    // no branch, so none is compiled with a cold path whose vectors the JIT would then box.
                    float[] dst = accumulate ? sums : y;
                    int at = accumulate ? 0 : to;
                    int stride = accumulate ? L : yRow;
                    if (q == 8) {
                        partials8(l, lOff + j * 8, x, xg + lane, xRow, xCol, t);
                        column8(p, l, lOff, t, dst, at, stride);
                    } else if (q == 6) {
                        partials6(l, lOff + j * 6, x, xg + lane, xRow, xCol, t);
                        column6(p, l, lOff, t, dst, at, stride);
                    } else if (q == 4) {
                        partials4(l, lOff + j * 4, x, xg + lane, xRow, xCol, t);
                        column4(p, l, lOff, t, dst, at, stride);
                    } else {
                        partials(q, l, lOff + j * q, x, xg + lane, xRow, xCol, t);
                        column(p, q, l, lOff, t, dst, at, stride);
                    }
                    if (accumulate) {
                        addColumn(p, sums, y, to, yRow);
                    }
                }
            }
            if (whole < lanes) {
                TileTransform.transform(p, q, l, lOff, accumulate, whole, lanes, x, xg, xRow, xCol, y, yg, yRow,
                        yCol);
            }
        }
    }

    /** y[base + i·yRow + ·] += sums[i·L + ·] for i &lt; p: one column of Y added to what y holds. */
    private static void addColumn(int p, float[] sums, float[] y, int base, int yRow) {
        for (int i = 0; i < p; i++) {
            int o = base + i * yRow;
            FloatVector.fromArray(S, sums, i * L).add(FloatVector.fromArray(S, y, o)).intoArray(y, o);
        }
    }

    /** t[a] = Σ_b X[a][b]·L[j][b] for every a, for one chunk (X at x[base]); row j of L at l[coefficients]. */
    private static void partials(int q, float[] l, int coefficients, float[] x, int base, int xRow, int xCol,
                                 float[] t) {
        for (int a = 0; a < q; a++) {
            int row = base + a * xRow;
            FloatVector sum = FloatVector.zero(S);
            for (int b = 0; b < q; b++) {
                sum = FloatVector.fromArray(S, x, row + b * xCol).fma(FloatVector.broadcast(S, l[coefficients + b]),
                        sum);
            }
            sum.intoArray(t, a * L);
        }
    }

    /**
     * {@link #partials} for q = 6 (Winograd F(4×4, 3×3)'s input tiles), unrolled: the six chains of each row are
     * independent, which the generic loop hides from the compiler (it ran at about three cycles per multiply-add).
     */
    private static void partials6(float[] l, int coefficients, float[] x, int base, int xRow, int xCol, float[] t) {
        FloatVector c0 = FloatVector.broadcast(S, l[coefficients]);
        FloatVector c1 = FloatVector.broadcast(S, l[coefficients + 1]);
        FloatVector c2 = FloatVector.broadcast(S, l[coefficients + 2]);
        FloatVector c3 = FloatVector.broadcast(S, l[coefficients + 3]);
        FloatVector c4 = FloatVector.broadcast(S, l[coefficients + 4]);
        FloatVector c5 = FloatVector.broadcast(S, l[coefficients + 5]);
        FloatVector zero = FloatVector.zero(S);
        for (int a = 0; a < 6; a++) {
            int row = base + a * xRow;
            FloatVector sum = FloatVector.fromArray(S, x, row).fma(c0, zero);
            sum = FloatVector.fromArray(S, x, row + xCol).fma(c1, sum);
            sum = FloatVector.fromArray(S, x, row + 2 * xCol).fma(c2, sum);
            sum = FloatVector.fromArray(S, x, row + 3 * xCol).fma(c3, sum);
            sum = FloatVector.fromArray(S, x, row + 4 * xCol).fma(c4, sum);
            sum = FloatVector.fromArray(S, x, row + 5 * xCol).fma(c5, sum);
            sum.intoArray(t, a * L);
        }
    }

    /** {@link #column} for q = 6, unrolled. */
    private static void column6(int p, float[] l, int lOff, float[] t, float[] y, int base,
                                int yRow) {
        FloatVector t0 = FloatVector.fromArray(S, t, 0);
        FloatVector t1 = FloatVector.fromArray(S, t, L);
        FloatVector t2 = FloatVector.fromArray(S, t, 2 * L);
        FloatVector t3 = FloatVector.fromArray(S, t, 3 * L);
        FloatVector t4 = FloatVector.fromArray(S, t, 4 * L);
        FloatVector t5 = FloatVector.fromArray(S, t, 5 * L);
        FloatVector zero = FloatVector.zero(S);
        for (int i = 0; i < p; i++) {
            int c = lOff + i * 6;
            FloatVector sum = t0.fma(FloatVector.broadcast(S, l[c]), zero);
            sum = t1.fma(FloatVector.broadcast(S, l[c + 1]), sum);
            sum = t2.fma(FloatVector.broadcast(S, l[c + 2]), sum);
            sum = t3.fma(FloatVector.broadcast(S, l[c + 3]), sum);
            sum = t4.fma(FloatVector.broadcast(S, l[c + 4]), sum);
            sum = t5.fma(FloatVector.broadcast(S, l[c + 5]), sum);
            sum.intoArray(y, base + i * yRow);
        }
    }

    /** {@link #partials} for q = 4 (the output gradient's 4 × 4 tiles of F(4×4, r×r)), unrolled. */
    private static void partials4(float[] l, int coefficients, float[] x, int base, int xRow, int xCol, float[] t) {
        FloatVector c0 = FloatVector.broadcast(S, l[coefficients]);
        FloatVector c1 = FloatVector.broadcast(S, l[coefficients + 1]);
        FloatVector c2 = FloatVector.broadcast(S, l[coefficients + 2]);
        FloatVector c3 = FloatVector.broadcast(S, l[coefficients + 3]);
        FloatVector zero = FloatVector.zero(S);
        for (int a = 0; a < 4; a++) {
            int row = base + a * xRow;
            FloatVector sum = FloatVector.fromArray(S, x, row).fma(c0, zero);
            sum = FloatVector.fromArray(S, x, row + xCol).fma(c1, sum);
            sum = FloatVector.fromArray(S, x, row + 2 * xCol).fma(c2, sum);
            sum = FloatVector.fromArray(S, x, row + 3 * xCol).fma(c3, sum);
            sum.intoArray(t, a * L);
        }
    }

    /** {@link #column} for q = 4, unrolled. */
    private static void column4(int p, float[] l, int lOff, float[] t, float[] y, int base,
                                int yRow) {
        FloatVector t0 = FloatVector.fromArray(S, t, 0);
        FloatVector t1 = FloatVector.fromArray(S, t, L);
        FloatVector t2 = FloatVector.fromArray(S, t, 2 * L);
        FloatVector t3 = FloatVector.fromArray(S, t, 3 * L);
        FloatVector zero = FloatVector.zero(S);
        for (int i = 0; i < p; i++) {
            int c = lOff + i * 4;
            FloatVector sum = t0.fma(FloatVector.broadcast(S, l[c]), zero);
            sum = t1.fma(FloatVector.broadcast(S, l[c + 1]), sum);
            sum = t2.fma(FloatVector.broadcast(S, l[c + 2]), sum);
            sum = t3.fma(FloatVector.broadcast(S, l[c + 3]), sum);
            sum.intoArray(y, base + i * yRow);
        }
    }

    /** {@link #partials} for q = 8 (Winograd F(4×4, 5×5)'s input tiles), unrolled. */
    private static void partials8(float[] l, int coefficients, float[] x, int base, int xRow, int xCol, float[] t) {
        FloatVector c0 = FloatVector.broadcast(S, l[coefficients]);
        FloatVector c1 = FloatVector.broadcast(S, l[coefficients + 1]);
        FloatVector c2 = FloatVector.broadcast(S, l[coefficients + 2]);
        FloatVector c3 = FloatVector.broadcast(S, l[coefficients + 3]);
        FloatVector c4 = FloatVector.broadcast(S, l[coefficients + 4]);
        FloatVector c5 = FloatVector.broadcast(S, l[coefficients + 5]);
        FloatVector c6 = FloatVector.broadcast(S, l[coefficients + 6]);
        FloatVector c7 = FloatVector.broadcast(S, l[coefficients + 7]);
        FloatVector zero = FloatVector.zero(S);
        for (int a = 0; a < 8; a++) {
            int row = base + a * xRow;
            FloatVector sum = FloatVector.fromArray(S, x, row).fma(c0, zero);
            sum = FloatVector.fromArray(S, x, row + xCol).fma(c1, sum);
            sum = FloatVector.fromArray(S, x, row + 2 * xCol).fma(c2, sum);
            sum = FloatVector.fromArray(S, x, row + 3 * xCol).fma(c3, sum);
            sum = FloatVector.fromArray(S, x, row + 4 * xCol).fma(c4, sum);
            sum = FloatVector.fromArray(S, x, row + 5 * xCol).fma(c5, sum);
            sum = FloatVector.fromArray(S, x, row + 6 * xCol).fma(c6, sum);
            sum = FloatVector.fromArray(S, x, row + 7 * xCol).fma(c7, sum);
            sum.intoArray(t, a * L);
        }
    }

    /** {@link #column} for q = 8, unrolled. */
    private static void column8(int p, float[] l, int lOff, float[] t, float[] y, int base,
                                int yRow) {
        FloatVector t0 = FloatVector.fromArray(S, t, 0);
        FloatVector t1 = FloatVector.fromArray(S, t, L);
        FloatVector t2 = FloatVector.fromArray(S, t, 2 * L);
        FloatVector t3 = FloatVector.fromArray(S, t, 3 * L);
        FloatVector t4 = FloatVector.fromArray(S, t, 4 * L);
        FloatVector t5 = FloatVector.fromArray(S, t, 5 * L);
        FloatVector t6 = FloatVector.fromArray(S, t, 6 * L);
        FloatVector t7 = FloatVector.fromArray(S, t, 7 * L);
        FloatVector zero = FloatVector.zero(S);
        for (int i = 0; i < p; i++) {
            int c = lOff + i * 8;
            FloatVector sum = t0.fma(FloatVector.broadcast(S, l[c]), zero);
            sum = t1.fma(FloatVector.broadcast(S, l[c + 1]), sum);
            sum = t2.fma(FloatVector.broadcast(S, l[c + 2]), sum);
            sum = t3.fma(FloatVector.broadcast(S, l[c + 3]), sum);
            sum = t4.fma(FloatVector.broadcast(S, l[c + 4]), sum);
            sum = t5.fma(FloatVector.broadcast(S, l[c + 5]), sum);
            sum = t6.fma(FloatVector.broadcast(S, l[c + 6]), sum);
            sum = t7.fma(FloatVector.broadcast(S, l[c + 7]), sum);
            sum.intoArray(y, base + i * yRow);
        }
    }

    /** Y[i][j] = Σ_a L[i][a]·t[a] for every i, for one chunk (Y[i][j] at y[base + i·yRow]). */
    private static void column(int p, int q, float[] l, int lOff, float[] t, float[] y, int base,
                               int yRow) {
        for (int i = 0; i < p; i++) {
            int coefficients = lOff + i * q;
            FloatVector sum = FloatVector.zero(S);
            for (int a = 0; a < q; a++) {
                sum = FloatVector.fromArray(S, t, a * L).fma(FloatVector.broadcast(S, l[coefficients + a]), sum);
            }
            sum.intoArray(y, base + i * yRow);
        }
    }
}
