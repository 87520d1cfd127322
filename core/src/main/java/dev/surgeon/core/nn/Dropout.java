package dev.surgeon.core.nn;

import dev.surgeon.kernels.Kernels;
import java.util.SplittableRandom;

/**
 * Inverted dropout (Srivastava et al. 2014, "Dropout: a simple way to prevent neural networks from
 * overfitting"): in training mode each value is zeroed with probability p and the survivors are scaled by
 * 1/(1 − p); in evaluation mode, and in every curvature pass (which {@link Network} only allows after an
 * evaluation-mode forward), the layer is the identity. The mask stream is seeded per workspace
 * ({@link Workspace#seedDropout}) and layer, so a training run is reproducible.
 */
final class Dropout extends Layer {
    private final float rate;
    private final float keepScale;

    Dropout(int index, LayerSpec spec, Shape shape) {
        super(index, spec, shape, shape);
        this.rate = (float) spec.rate();
        this.keepScale = 1f / (1f - rate);
    }

    /** The last training mask (0 or 1/(1 − p)) and the random stream. */
    static final class State extends LayerState {
        final float[] mask;
        SplittableRandom random = new SplittableRandom(0);
        boolean masked;

        State(Kernels kernels, int capacity, int size) {
            super(kernels, capacity);
            this.mask = new float[Math.multiplyExact(capacity, size)];
        }
    }

    @Override
    LayerState newState(Kernels kernels, int capacity) {
        return new State(kernels, capacity, inputShape().size());
    }

    /** Whether a training-mode forward of this layer is random (p &gt; 0). */
    boolean isStochastic() {
        return rate > 0f;
    }

    void seed(LayerState s, long seed) {
        ((State) s).random = new SplittableRandom(seed);
    }

    @Override
    void forward(LayerState s, int batch, float[] w, boolean training) {
        State st = (State) s;
        int n = batch * inputShape().size();
        st.masked = training && rate > 0f;
        if (!st.masked) {
            System.arraycopy(s.in, 0, s.out, 0, n);
            return;
        }
        for (int i = 0; i < n; i++) {
            float m = st.random.nextFloat() < rate ? 0f : keepScale;
            st.mask[i] = m;
            s.out[i] = s.in[i] * m;
        }
    }

    @Override
    void backward(LayerState s, int batch, float[] w, float[] grad) {
        if (s.dIn == null) {
            return;
        }
        State st = (State) s;
        int n = batch * inputShape().size();
        if (!st.masked) {
            System.arraycopy(s.dOut, 0, s.dIn, 0, n);
            return;
        }
        for (int i = 0; i < n; i++) {
            s.dIn[i] = s.dOut[i] * st.mask[i];
        }
    }

    @Override
    void rForward(LayerState s, int batch, float[] w, float[] v) {
        System.arraycopy(s.rIn, 0, s.rOut, 0, batch * inputShape().size());
    }

    @Override
    void rBackward(LayerState s, int batch, float[] w, float[] v, float[] hv) {
        if (s.rdIn != null) {
            System.arraycopy(s.rdOut, 0, s.rdIn, 0, batch * inputShape().size());
        }
    }

    @Override
    void diagonalBackward(LayerState s, int batch, float[] w, boolean secondDerivativeTerms, float[] diag) {
        rBackward(s, batch, w, null, diag);
    }
}
