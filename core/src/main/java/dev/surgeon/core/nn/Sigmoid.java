package dev.surgeon.core.nn;

/** Logistic h = 1/(1 + e^{−z}); φ' = h(1 − h), φ'' = h(1 − h)(1 − 2h). */
final class Sigmoid extends Activation {
    Sigmoid(int index, LayerSpec spec, Shape shape) {
        super(index, spec, shape);
    }

    /** The logistic function without overflow for large |z|. */
    static double logistic(double z) {
        if (z >= 0) {
            return 1 / (1 + Math.exp(-z));
        }
        double e = Math.exp(z);
        return e / (1 + e);
    }

    @Override
    void apply(float[] z, float[] h, int n) {
        for (int i = 0; i < n; i++) {
            h[i] = (float) logistic(z[i]);
        }
    }

    @Override
    void backward(float[] h, float[] dh, float[] dz, int n) {
        for (int i = 0; i < n; i++) {
            dz[i] = h[i] * (1f - h[i]) * dh[i];
        }
    }

    @Override
    void derivatives(float[] h, float[] first, float[] second, int n) {
        for (int i = 0; i < n; i++) {
            float d = h[i] * (1f - h[i]);
            first[i] = d;
            second[i] = d * (1f - 2f * h[i]);
        }
    }
}
