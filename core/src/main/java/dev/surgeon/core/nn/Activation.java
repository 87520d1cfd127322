package dev.surgeon.core.nn;

import dev.surgeon.kernels.Kernels;

/**
 * An elementwise nonlinearity h = φ(z). Its derivatives are computed from the stored output h (all three
 * activations here allow it), so nothing besides the output needs to be kept.
 * <ul>
 *   <li>backward: ∂/∂z = φ'(z) ⊙ ∂/∂h;</li>
 *   <li>R-forward: R{h} = φ'(z) ⊙ R{z};</li>
 *   <li>R-backward: R{∂/∂z} = φ''(z) ⊙ R{z} ⊙ ∂/∂h + φ'(z) ⊙ R{∂/∂h} (METHODS A2, step 2);</li>
 *   <li>Becker–LeCun: ∂²/∂z² = φ'(z)² ⊙ ∂²/∂h², plus φ''(z) ⊙ ∂/∂h when second-derivative terms are kept
 *       (METHODS A4.3).</li>
 * </ul>
 * Subclasses implement the three bulk loops; the second-order passes work on arrays of φ' and φ''.
 */
abstract class Activation extends Layer {

    Activation(int index, LayerSpec spec, Shape shape) {
        super(index, spec, shape, shape);
    }

    /** h = φ(z) for n values. */
    abstract void apply(float[] z, float[] h, int n);

    /** dz = φ'(z) ⊙ dh for n values, φ' taken from the outputs h. */
    abstract void backward(float[] h, float[] dh, float[] dz, int n);

    /** φ'(z) and φ''(z) from the outputs h. */
    abstract void derivatives(float[] h, float[] first, float[] second, int n);

    /** Arrays of φ' and φ'' for the second-order passes. */
    static final class State extends LayerState {
        float[] first;
        float[] second;

        State(Kernels kernels, int capacity) {
            super(kernels, capacity);
        }
    }

    @Override
    LayerState newState(Kernels kernels, int capacity) {
        return new State(kernels, capacity);
    }

    private State derivatives(LayerState s, int n) {
        State st = (State) s;
        st.first = LayerState.ensure(st.first, st.capacity * inputShape().size());
        st.second = LayerState.ensure(st.second, st.capacity * inputShape().size());
        derivatives(s.out, st.first, st.second, n);
        return st;
    }

    @Override
    void forward(LayerState s, int batch, float[] w, boolean training) {
        apply(s.in, s.out, batch * inputShape().size());
    }

    @Override
    void backward(LayerState s, int batch, float[] w, float[] grad) {
        if (s.dIn != null) {
            backward(s.out, s.dOut, s.dIn, batch * inputShape().size());
        }
    }

    @Override
    void rForward(LayerState s, int batch, float[] w, float[] v) {
        int n = batch * inputShape().size();
        float[] d1 = derivatives(s, n).first;
        for (int i = 0; i < n; i++) {
            s.rOut[i] = d1[i] * s.rIn[i];
        }
    }

    @Override
    void rBackward(LayerState s, int batch, float[] w, float[] v, float[] hv) {
        if (s.rdIn == null) {
            return;
        }
        int n = batch * inputShape().size();
        State st = derivatives(s, n);
        for (int i = 0; i < n; i++) {
            s.rdIn[i] = st.second[i] * s.rIn[i] * s.dOut[i] + st.first[i] * s.rdOut[i];
        }
    }

    @Override
    void diagonalBackward(LayerState s, int batch, float[] w, boolean secondDerivativeTerms, float[] diag) {
        if (s.rdIn == null) {
            return;
        }
        int n = batch * inputShape().size();
        State st = derivatives(s, n);
        for (int i = 0; i < n; i++) {
            float d = st.first[i];
            s.rdIn[i] = d * d * s.rdOut[i] + (secondDerivativeTerms ? st.second[i] * s.dOut[i] : 0f);
        }
    }
}
