package dev.surgeon.core.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.surgeon.kernels.Kernels;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Max pooling's selection rule, checked against a definition written here: the window's largest element, the first
 * in row-major order on ties, −0 below +0, a NaN above +∞ when its sign bit is clear and below −∞ when it is set.
 * Inputs are drawn from a handful of values so that ties, signed zeros and both NaNs occur in most windows; the
 * 2×2 stride-2 pool has its own unrolled forward pass and, when its windows tile the input, its own backward pass.
 */
class MaxPoolTest {
    private static final float POSITIVE_NAN = Float.intBitsToFloat(0x7fc00000);
    private static final float NEGATIVE_NAN = Float.intBitsToFloat(0xffc00000);
    private static final float[] VALUES = {-1f, 0f, -0f, 1f, 1f, 2f, POSITIVE_NAN, NEGATIVE_NAN};

    /** Rank of a value under the rule above (a larger rank wins). */
    private static double rank(float v) {
        if (Float.isNaN(v)) {
            return Float.floatToRawIntBits(v) < 0 ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
        }
        if (v == 0f) {
            return Float.floatToRawIntBits(v) < 0 ? -Double.MIN_VALUE : Double.MIN_VALUE;
        }
        return v;
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"in(3,8,10) maxpool(2)", "in(2,7,9) maxpool(2)", "in(2,9,9) maxpool(3,stride=2)",
        "in(1,6,6) maxpool(2,stride=1)"})
    void selectsTheFirstLargestElementOfEveryWindow(String spec) {
        Network net = Network.create(ArchitectureSpec.parse(spec), 1, Kernels.scalar());
        int batch = 4;
        Workspace ws = net.workspace(batch);
        LayerState st = ws.states[0];
        Pool2d pool = (Pool2d) net.layers().get(0);
        SplittableRandom random = new SplittableRandom(3);
        int in = net.inputShape().size();
        for (int i = 0; i < batch * in; i++) {
            st.in[i] = VALUES[random.nextInt(VALUES.length)];
        }
        int outSize = pool.outputShape().size();
        for (int o = 0; o < batch * outSize; o++) {
            st.dOut[o] = (float) random.nextDouble();
        }
        pool.forward(st, batch, null, false);
        float[] dIn = new float[batch * in];
        st.dIn = dIn;
        pool.backward(st, batch, null, null);
        float[] expectedDIn = new float[batch * in];
        int o = 0;
        for (int bc = 0; bc < batch * pool.channels; bc++) {
            for (int oy = 0; oy < pool.outHeight; oy++) {
                for (int ox = 0; ox < pool.outWidth; ox++, o++) {
                    int best = -1;
                    for (int ky = 0; ky < pool.kernel; ky++) {
                        for (int kx = 0; kx < pool.kernel; kx++) {
                            int i = bc * pool.height * pool.width + (oy * pool.stride + ky) * pool.width
                                    + ox * pool.stride + kx;
                            if (best < 0 || rank(st.in[i]) > rank(st.in[best])) {
                                best = i;
                            }
                        }
                    }
                    assertEquals(Float.floatToRawIntBits(st.in[best]), Float.floatToRawIntBits(st.out[o]),
                            spec + ": output " + o);
                    expectedDIn[best] += st.dOut[o];
                }
            }
        }
        for (int i = 0; i < expectedDIn.length; i++) {
            assertEquals(expectedDIn[i], dIn[i], spec + ": input gradient " + i);
        }
    }
}
