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

    @Override
    void backward(float[] h, float[] dh, float[] dz, int n) {
        for (int i = 0; i < n; i++) {
            dz[i] = h[i] > 0f ? dh[i] : 0f;
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
