package dev.surgeon.core.curvature;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.surgeon.core.nn.ArchitectureSpec;
import dev.surgeon.core.nn.ParameterLayout;
import org.junit.jupiter.api.Test;

/** Local and global coordinates of parameter subsets, and their validation. */
class ParameterSubsetTest {
    // fc1.weight [4,3] @0, fc1.bias @12, fc2.weight [2,4] @16, fc2.bias @24; d = 26.
    private final ParameterLayout layout = ParameterLayout.of(ArchitectureSpec.parse("in(3) dense(4) tanh dense(2)"));

    @Test
    void localIndicesFollowAscendingFlatOrder() {
        ParameterSubset s = ParameterSubset.ranges(layout, new int[] {20, 26}, new int[] {2, 5});
        assertEquals(9, s.dim());
        assertEquals(2, s.global(0));
        assertEquals(4, s.global(2));
        assertEquals(20, s.global(3));
        assertEquals(25, s.global(8));
        assertEquals(3, s.local(20));
        assertEquals(-1, s.local(5));
        assertEquals(-1, s.local(0));
        float[] full = new float[26];
        for (int q = 0; q < 26; q++) {
            full[q] = q;
        }
        double[] sub = new double[9];
        s.gather(full, sub);
        assertArrayEquals(new double[] {2, 3, 4, 20, 21, 22, 23, 24, 25}, sub);
        float[] back = new float[26];
        s.scatter(sub, back);
        assertEquals(20f, back[20]);
        assertEquals(0f, back[10]);
        float[] packed = new float[9];
        s.packRows(full, 0, 26, 0, 1, packed, 0);
        assertArrayEquals(new float[] {2, 3, 4, 20, 21, 22, 23, 24, 25}, packed);
    }

    @Test
    void namedSelectionsCoverWholeTensors() {
        ParameterSubset fc2 = ParameterSubset.layers(layout, "fc2");
        assertEquals(10, fc2.dim());
        assertTrue(fc2.containsTensor(layout.tensor("fc2.bias")));
        assertFalse(fc2.intersectsTensor(layout.tensor("fc1.bias")));
        assertEquals(20, ParameterSubset.weights(layout).dim());
        assertEquals(12, ParameterSubset.tensors(layout, "fc1.weight").dim());
        assertTrue(ParameterSubset.all(layout).isAll());
        assertEquals("fc2.weight, fc2.bias (10 parameters)", fc2.describe());
    }

    @Test
    void badSelectionsAreRejectedWithTheReason() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ParameterSubset.layers(layout, "fc9"));
        assertTrue(e.getMessage().contains("fc1") && e.getMessage().contains("fc2"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> ParameterSubset.ranges(layout, new int[] {0, 5}, new int[] {4, 8}));
        assertThrows(IllegalArgumentException.class, () -> ParameterSubset.ranges(layout, new int[] {5, 5}));
        assertThrows(IllegalArgumentException.class, () -> ParameterSubset.ranges(layout, new int[] {20, 27}));
        assertThrows(IllegalArgumentException.class, () -> ParameterSubset.tensors(layout, "fc1.weight", "fc1.weight"));
    }
}
