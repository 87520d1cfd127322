package dev.surgeon.core.nn;

/** Hyperbolic tangent h = tanh(z); φ' = 1 − h², φ'' = −2h(1 − h²). */
final class Tanh extends Activation {
    Tanh(int index, LayerSpec spec, Shape shape) {
        super(index, spec, shape);
    }

    @Override
    void apply(float[] z, float[] h, int n) {
        for (int i = 0; i < n; i++) {
            h[i] = (float) Math.tanh(z[i]);
        }
    }

    @Override
    void backward(float[] h, float[] dh, float[] dz, int n) {
        for (int i = 0; i < n; i++) {
            dz[i] = (1f - h[i] * h[i]) * dh[i];
        }
    }

    @Override
    void derivatives(float[] h, float[] first, float[] second, int n) {
        for (int i = 0; i < n; i++) {
            float d = 1f - h[i] * h[i];
            first[i] = d;
            second[i] = -2f * h[i] * d;
        }
    }
}
