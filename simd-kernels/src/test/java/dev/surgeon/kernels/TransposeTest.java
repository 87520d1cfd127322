package dev.surgeon.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * {@link Kernels#transpose}: every provider against the definition B[j][i] = A[i][j] (a copy, so exact) on row counts
 * below, at and past whole vectors, strided operands, arrays that end at the last entry, entries of B outside the
 * transpose left alone, and refusals.
 */
class TransposeTest {
    private static final int[] ROWS = {1, 5, 16, 17, 32, 33, 64, 100};
    private static final int[] COLS = {1, 3, 16, 64, 144};

    @Test
    void bIsATransposedOnEveryProvider() {
        for (Kernels k : TestArrays.providers()) {
            for (int rows : ROWS) {
                for (int cols : COLS) {
                    for (boolean tight : new boolean[] {false, true}) {
                        int lda = cols + (tight ? 0 : 7);
                        int ldb = rows + (tight ? 0 : 3);
                        int aOff = tight ? 0 : 2;
                        int bOff = tight ? 0 : 5;
                        float[] a = TestArrays.randomFloats(aOff + (rows - 1) * lda + cols, rows * 31L + cols);
                        float[] b = new float[bOff + (cols - 1) * ldb + rows];
                        java.util.Arrays.fill(b, 42f);
                        k.transpose(rows, cols, a, aOff, lda, b, bOff, ldb);
                        for (int j = 0; j < cols; j++) {
                            for (int i = 0; i < ldb && bOff + j * ldb + i < b.length; i++) {
                                float expected = i < rows ? a[aOff + i * lda + j] : 42f;
                                assertEquals(expected, b[bOff + j * ldb + i], k.description() + " " + rows + "×" + cols
                                        + " entry (" + j + ", " + i + ")");
                            }
                        }
                        for (int p = 0; p < bOff; p++) {
                            assertEquals(42f, b[p]);
                        }
                    }
                }
            }
        }
    }

    @Test
    void badArgumentsAreRefused() {
        for (Kernels k : TestArrays.providers()) {
            float[] a = new float[6];
            float[] b = new float[6];
            IllegalArgumentException shortB = assertThrows(IllegalArgumentException.class,
                    () -> k.transpose(2, 3, a, 0, 3, b, 1, 2));
            assertTrue(shortB.getMessage().contains("B is too short"), shortB.getMessage());
            assertThrows(IllegalArgumentException.class, () -> k.transpose(2, 3, a, 0, 2, b, 0, 2));
            assertThrows(IllegalArgumentException.class, () -> k.transpose(-1, 3, a, 0, 3, b, 0, 2));
            assertThrows(IllegalArgumentException.class, () -> k.transpose(2, 3, null, 0, 3, b, 0, 2));
        }
    }
}
