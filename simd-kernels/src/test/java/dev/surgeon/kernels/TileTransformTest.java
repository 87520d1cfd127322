package dev.surgeon.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * {@link Kernels#tileTransform}: the scalar reference against the float64 definition Y = L·X·Lᵀ (groups, strides,
 * accumulation), every provider against the reference bit for bit (the same fused multiply-adds in the same order)
 * on the unrolled sides 4, 6 and 8 and generic ones, lane counts with partial vectors, arrays that end right after the
 * last lane, overlapping groups summed in order, and argument errors.
 */
class TileTransformTest {
    private static final Kernels SCALAR = Kernels.named("scalar");
    /** {p, q}: Winograd F(4, 5)'s data, output and gradient transforms (8×8, 4×8, 8×4), its filter transforms, and others. */
    private static final int[][] SIDES = {{8, 8}, {4, 8}, {8, 4}, {8, 5}, {5, 8}, {6, 6}, {2, 6}, {6, 2}, {3, 4},
        {1, 3}, {1, 1}};
    private static final int[] LANES = {1, 7, 16, 17, 33, 64, 97};

    /** Interleaved tiles: entry (a, b) of tile t of group g at off + g·group + a·row + b·col + t. */
    private record Layout(int off, int row, int col, int group) {
        static Layout of(int side, int lanes, int off, boolean rowMajor) {
            int gap = lanes + 3;
            return rowMajor ? new Layout(off, side * gap, gap, side * side * gap + 5)
                    : new Layout(off, gap, side * gap, side * side * gap + 2);
        }

        int length(int side, int groups, int lanes) {
            return off + (groups - 1) * group + (side - 1) * (row + col) + lanes;
        }

        int at(int g, int a, int b, int t) {
            return off + g * group + a * row + b * col + t;
        }
    }

    @Test
    void theReferenceIsLTimesXTimesLTransposed() {
        int groups = 3;
        for (int[] s : SIDES) {
            int p = s[0];
            int q = s[1];
            for (int lanes : LANES) {
                for (boolean accumulate : new boolean[] {false, true}) {
                    float[] l = TestArrays.randomFloats(p * q, 31L * p + q);
                    Layout xl = Layout.of(q, lanes, 5, true);
                    Layout yl = Layout.of(p, lanes, 2, false);
                    float[] x = TestArrays.randomFloats(xl.length(q, groups, lanes), 7L * lanes + p);
                    float[] y = TestArrays.randomFloats(yl.length(p, groups, lanes), 3L * lanes + q);
                    float[] before = y.clone();
                    SCALAR.tileTransform(p, q, l, 0, accumulate, groups, lanes, x, xl.off, xl.row, xl.col, xl.group,
                            y, yl.off, yl.row, yl.col, yl.group);
                    for (int g = 0; g < groups; g++) {
                        for (int t = 0; t < lanes; t++) {
                            for (int i = 0; i < p; i++) {
                                for (int j = 0; j < p; j++) {
                                    int o = yl.at(g, i, j, t);
                                    double exact = accumulate ? before[o] : 0;
                                    double magnitude = Math.abs(exact);
                                    for (int a = 0; a < q; a++) {
                                        for (int b = 0; b < q; b++) {
                                            double term = (double) l[i * q + a] * x[xl.at(g, a, b, t)] * l[j * q + b];
                                            exact += term;
                                            magnitude += Math.abs(term);
                                        }
                                    }
                                    // Two chains of q fused multiply-adds and the accumulation: each step rounds once,
                                    // so the error is below (2q + 1) units of 2⁻²⁴ of the terms' magnitudes.
                                    double tolerance = (2 * q + 1) * 0x1p-24 * magnitude;
                                    assertEquals(exact, y[o], tolerance, p + "×" + q + " lanes " + lanes + " group " + g
                                            + " lane " + t + " (" + i + ", " + j + ")");
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    @Test
    void everyProviderEqualsTheReferenceBitForBit() {
        for (Kernels k : TestArrays.providers()) {
            for (int[] s : SIDES) {
                int p = s[0];
                int q = s[1];
                for (int lanes : LANES) {
                    for (boolean tight : new boolean[] {false, true}) {
                        int groups = 2;
                        float[] l = TestArrays.randomFloats(p * q, 17L * p + q);
                        Layout xl = Layout.of(q, lanes, 1, false);
                        Layout yl = Layout.of(p, lanes, 3, true);
                        // tight: both arrays end right after their last lane (the last whole vector touches the end).
                        float[] x = TestArrays.randomFloats(xl.length(q, groups, lanes) + (tight ? 0 : 40),
                                lanes + 13L * q);
                        float[] expected = TestArrays.randomFloats(yl.length(p, groups, lanes) + (tight ? 0 : 40), 9);
                        float[] got = expected.clone();
                        boolean accumulate = tight;
                        SCALAR.tileTransform(p, q, l, 0, accumulate, groups, lanes, x, xl.off, xl.row, xl.col,
                                xl.group, expected, yl.off, yl.row, yl.col, yl.group);
                        k.tileTransform(p, q, l, 0, accumulate, groups, lanes, x, xl.off, xl.row, xl.col, xl.group,
                                got, yl.off, yl.row, yl.col, yl.group);
                        for (int i = 0; i < got.length; i++) {
                            assertEquals(Float.floatToRawIntBits(expected[i]), Float.floatToRawIntBits(got[i]),
                                    k.description() + " " + p + "×" + q + " lanes " + lanes + " index " + i);
                        }
                    }
                }
            }
        }
    }

    /**
     * Overlapping groups with accumulation sum in order: 1-D 4-tiles at stride 2 over one row (an input gradient's
     * overlap-add), against the sum of the groups computed one by one.
     */
    @Test
    void overlappingGroupsAreAddedInOrder() {
        int p = 4;
        int q = 4;
        int lanes = 21;
        int groups = 5;
        float[] l = TestArrays.randomFloats(p * q, 41);
        float[] x = TestArrays.randomFloats(groups * q * q * lanes, 43);
        // Y of group g starts 2·lanes after group g − 1's: columns 2 and 3 of one tile are columns 0 and 1 of the next.
        int yRow = (2 * groups + 2) * lanes;
        float[] together = new float[p * yRow];
        float[] oneByOne = new float[p * yRow];
        for (Kernels k : TestArrays.providers()) {
            java.util.Arrays.fill(together, 0f);
            java.util.Arrays.fill(oneByOne, 0f);
            k.tileTransform(p, q, l, 0, true, groups, lanes, x, 0, q * lanes, lanes, q * q * lanes, together, 0, yRow,
                    lanes, 2 * lanes);
            for (int g = 0; g < groups; g++) {
                k.tileTransform(p, q, l, 0, true, 1, lanes, x, g * q * q * lanes, q * lanes, lanes, 0, oneByOne,
                        g * 2 * lanes, yRow, lanes, 0);
            }
            for (int i = 0; i < together.length; i++) {
                assertEquals(Float.floatToRawIntBits(oneByOne[i]), Float.floatToRawIntBits(together[i]),
                        k.description() + " index " + i);
            }
            assertTrue(together[2 * lanes + 3] != 0f);
        }
    }

    @Test
    void badArgumentsAreRefusedBeforeAnythingIsWritten() {
        for (Kernels k : TestArrays.providers()) {
            float[] l = new float[36];
            float[] x = new float[36 * 4];
            float[] y = new float[36 * 4];
            IllegalArgumentException side = assertThrows(IllegalArgumentException.class,
                    () -> k.tileTransform(9, 6, new float[54], 0, false, 1, 4, x, 0, 24, 4, 0, y, 0, 24, 4, 0));
            assertTrue(side.getMessage().contains("p = 9"), side.getMessage());
            assertThrows(IllegalArgumentException.class,
                    () -> k.tileTransform(6, 6, l, 0, false, 1, 4, x, 0, -24, 4, 0, y, 0, 24, 4, 0));
            assertThrows(IllegalArgumentException.class,
                    () -> k.tileTransform(6, 6, l, 0, false, -1, 4, x, 0, 24, 4, 0, y, 0, 24, 4, 0));
            IllegalArgumentException shortX = assertThrows(IllegalArgumentException.class,
                    () -> k.tileTransform(6, 6, l, 0, false, 1, 4, x, 1, 24, 4, 0, y, 0, 24, 4, 0));
            assertTrue(shortX.getMessage().contains("x needs 144 floats from offset 1"), shortX.getMessage());
            IllegalArgumentException twoGroups = assertThrows(IllegalArgumentException.class,
                    () -> k.tileTransform(6, 6, l, 0, false, 2, 4, x, 0, 24, 4, 1, y, 0, 24, 4, 0));
            assertTrue(twoGroups.getMessage().contains("x needs 145"), twoGroups.getMessage());
            assertThrows(IllegalArgumentException.class,
                    () -> k.tileTransform(6, 6, l, 1, false, 1, 4, x, 0, 24, 4, 0, y, 0, 24, 4, 0));
            assertThrows(IllegalArgumentException.class,
                    () -> k.tileTransform(6, 6, l, 0, false, 1, 4, x, 0, 24, 4, 0, null, 0, 24, 4, 0));
            for (float v : y) {
                assertEquals(0f, v);
            }
        }
    }
}
