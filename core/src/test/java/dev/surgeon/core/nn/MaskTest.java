package dev.surgeon.core.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class MaskTest {
    private final ParameterLayout layout = ParameterLayout.of(ArchitectureSpec.parse("in(3) dense(2) relu dense(1)"));

    @Test
    void pruningZeroesParametersAndGradientsAndCountsSparsity() {
        Mask mask = Mask.dense(layout);
        long v0 = mask.version();
        mask.prune(1);
        mask.prune(4);
        mask.prune(4);
        assertNotEquals(v0, mask.version());
        assertArrayEquals(new int[] {1, 4}, mask.prunedIndices());
        assertEquals(2.0 / layout.size(), mask.sparsity(), 1e-15);
        assertEquals(2.0 / 6, mask.sparsity(layout.tensor("fc1.weight")), 1e-15);
        float[] w = {-1, -2, 3, 4, -5, 6, 7, 8, 9, 10, 11, 12};
        w = java.util.Arrays.copyOf(w, layout.size());
        mask.apply(w);
        assertEquals(0, Float.floatToRawIntBits(w[1]), "positive zero, not −0");
        assertEquals(0, Float.floatToRawIntBits(w[4]));
        assertEquals(-1f, w[0]);
        float[] g = new float[layout.size()];
        java.util.Arrays.fill(g, 1f);
        mask.applyToGradient(g);
        assertEquals(0f, g[1]);
        assertEquals(1f, g[2]);
        mask.restore(1);
        assertArrayEquals(new int[] {4}, mask.prunedIndices());
        assertEquals(mask, Mask.ofZeros(layout, new float[] {1, 1, 1, 1, 0, 1, 1, 1, 1, 1, 1}));
        Mask copy = mask.copy();
        copy.prune(0);
        assertEquals(1, mask.prunedCount());
        assertThrows(IllegalArgumentException.class, () -> mask.prune(layout.size()));
        assertThrows(IllegalArgumentException.class, () -> mask.apply(new float[3]));
    }
}
