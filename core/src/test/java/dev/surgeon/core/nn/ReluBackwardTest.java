package dev.surgeon.core.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ReluBackwardTest {

    /**
     * The branch-free backward pass against its definition dz = (h &gt; 0 ? dh : +0), bit for bit, on the values where
     * a bit trick could go wrong: +0, −0, the smallest subnormal, the largest float, +∞, negative values (which a
     * ReLU never outputs, but the rule must still hold), and random ones.
     */
    @Test
    void branchFreeBackwardEqualsTheDefinitionBitForBit() {
        float[] special = {0f, -0f, Float.MIN_VALUE, -Float.MIN_VALUE, Float.MIN_NORMAL, 1f, -1f, Float.MAX_VALUE,
                Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 3.5e-30f};
        SplittableRandom r = new SplittableRandom(11);
        int n = special.length + 1000;
        float[] h = new float[n];
        float[] dh = new float[n];
        for (int i = 0; i < n; i++) {
            h[i] = i < special.length ? special[i] : (float) r.nextGaussian();
            dh[i] = i % 3 == 0 ? -0f : (float) r.nextGaussian() * (i % 7 == 0 ? 1e-40f : 1f);
        }
        float[] dz = new float[n];
        new ReLU(0, ArchitectureSpec.parse("in(1) relu").layers().get(0), Shape.of(1)).backward(h, dh, dz, n);
        for (int i = 0; i < n; i++) {
            float expected = h[i] > 0f ? dh[i] : 0f;
            assertEquals(Float.floatToRawIntBits(expected), Float.floatToRawIntBits(dz[i]), "h=" + h[i] + " dh=" + dh[i]);
        }
    }
}
