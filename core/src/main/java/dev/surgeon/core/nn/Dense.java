package dev.surgeon.core.nn;

import static dev.surgeon.kernels.Trans.N;
import static dev.surgeon.kernels.Trans.T;

import dev.surgeon.kernels.Kernels;

/**
 * Fully connected layer z = W h + b with W stored {@code [out, in]} row-major (PyTorch's Linear).
 * Over a batch H (B × in, one sample per row) every pass is one or two gemm calls:
 * forward Z = H Wᵀ; backward ∇W = Δᵀ H, ∇b = column sums of Δ, ∂/∂H = Δ W; the R-forward
 * R{Z} = R{H} Wᵀ + H Vᵀ + c and the R-backward (Hv)_W = R{Δ}ᵀ H + Δᵀ R{H}, R{∂/∂H} = R{Δ} W + Δ V
 * (Pearlmutter 1994, METHODS A2). The Becker–LeCun diagonal is (∂²/∂W²) = D₂ᵀ (H∘H) and
 * ∂²/∂H² ≈ D₂ (W∘W), and the sum of squared per-sample gradients Σ_n (δ_n h_nᵀ)∘² = (Δ∘Δ)ᵀ (H∘H),
 * again single gemms.
 */
final class Dense extends WeightedLayer {
    private final int in;
    private final int out;

    Dense(int index, LayerSpec spec, Shape inShape, Shape outShape, ParameterTensor weight, ParameterTensor bias) {
        super(index, spec, inShape, outShape, weight, bias);
        this.in = inShape.size();
        this.out = outShape.size();
    }

    /** Scratch of a dense layer: squared inputs and weights, squared seeds, augmented inputs. */
    static final class State extends LayerState {
        float[] inputSquares;
        float[] weightSquares;
        float[] seedSquares;
        float[] augmented;

        State(Kernels kernels, int capacity) {
            super(kernels, capacity);
        }
    }

    @Override
    LayerState newState(Kernels kernels, int capacity) {
        return new State(kernels, capacity);
    }

    @Override
    void forward(LayerState s, int batch, float[] w, boolean training) {
        s.kernels.gemm(N, T, batch, out, in, 1f, s.in, 0, in, w, wOff, in, 0f, s.out, 0, out);
        if (bias != null) {
            Ops.addRowVector(s.out, batch, out, w, bias.offset());
        }
    }

    @Override
    void backward(LayerState s, int batch, float[] w, float[] grad) {
        Kernels k = s.kernels;
        if (grad != null) {
            k.gemm(T, N, out, in, batch, 1f, s.dOut, 0, out, s.in, 0, in, 0f, grad, wOff, in);
            if (bias != null) {
                Ops.columnSums(s.dOut, batch, out, grad, bias.offset(), false);
            }
        }
        if (s.dIn != null) {
            k.gemm(N, N, batch, in, out, 1f, s.dOut, 0, out, w, wOff, in, 0f, s.dIn, 0, in);
        }
    }

    @Override
    void rForward(LayerState s, int batch, float[] w, float[] v) {
        Kernels k = s.kernels;
        k.gemm(N, T, batch, out, in, 1f, s.in, 0, in, v, wOff, in, 0f, s.rOut, 0, out);
        if (s.rIn != null) {
            k.gemm(N, T, batch, out, in, 1f, s.rIn, 0, in, w, wOff, in, 1f, s.rOut, 0, out);
        }
        if (bias != null) {
            Ops.addRowVector(s.rOut, batch, out, v, bias.offset());
        }
    }

    @Override
    void rBackward(LayerState s, int batch, float[] w, float[] v, float[] hv) {
        Kernels k = s.kernels;
        k.gemm(T, N, out, in, batch, 1f, s.rdOut, 0, out, s.in, 0, in, 0f, hv, wOff, in);
        if (s.rIn != null) {
            k.gemm(T, N, out, in, batch, 1f, s.dOut, 0, out, s.rIn, 0, in, 1f, hv, wOff, in);
        }
        if (bias != null) {
            Ops.columnSums(s.rdOut, batch, out, hv, bias.offset(), false);
        }
        if (s.rdIn != null) {
            k.gemm(N, N, batch, in, out, 1f, s.rdOut, 0, out, w, wOff, in, 0f, s.rdIn, 0, in);
            k.gemm(N, N, batch, in, out, 1f, s.dOut, 0, out, v, wOff, in, 1f, s.rdIn, 0, in);
        }
    }

    @Override
    void diagonalBackward(LayerState s, int batch, float[] w, boolean secondDerivativeTerms, float[] diag) {
        State st = (State) s;
        Kernels k = s.kernels;
        st.inputSquares = LayerState.ensure(st.inputSquares, s.capacity * in);
        Ops.square(s.in, 0, in, batch, in, st.inputSquares, 0, in);
        k.gemm(T, N, out, in, batch, 1f, s.rdOut, 0, out, st.inputSquares, 0, in, 0f, diag, wOff, in);
        if (bias != null) {
            Ops.columnSums(s.rdOut, batch, out, diag, bias.offset(), false);
        }
        if (s.rdIn != null) {
            st.weightSquares = LayerState.ensure(st.weightSquares, out * in);
            Ops.square(w, wOff, in, out, in, st.weightSquares, 0, in);
            k.gemm(N, N, batch, in, out, 1f, s.rdOut, 0, out, st.weightSquares, 0, in, 0f, s.rdIn, 0, in);
        }
    }

    @Override
    void sampleGradients(LayerState s, int batch, float[] g, int gOff, int ldg) {
        for (int n = 0; n < batch; n++) {
            int row = gOff + n * ldg;
            int x = n * in;
            for (int i = 0; i < out; i++) {
                float d = s.dOut[n * out + i];
                int dst = row + wOff + i * in;
                for (int j = 0; j < in; j++) {
                    g[dst + j] = d * s.in[x + j];
                }
            }
            if (bias != null) {
                System.arraycopy(s.dOut, n * out, g, row + bias.offset(), out);
            }
        }
    }

    @Override
    void accumulateSquaredSampleGradients(LayerState s, int batch, float[] acc) {
        State st = (State) s;
        st.inputSquares = LayerState.ensure(st.inputSquares, s.capacity * in);
        st.seedSquares = LayerState.ensure(st.seedSquares, s.capacity * out);
        Ops.square(s.in, 0, in, batch, in, st.inputSquares, 0, in);
        Ops.square(s.dOut, 0, out, batch, out, st.seedSquares, 0, out);
        s.kernels.gemm(T, N, out, in, batch, 1f, st.seedSquares, 0, out, st.inputSquares, 0, in, 1f, acc, wOff, in);
        if (bias != null) {
            Ops.columnSums(st.seedSquares, batch, out, acc, bias.offset(), true);
        }
    }

    @Override
    void statistics(LayerState s, int batch, boolean kronecker, LayerStatistics v) {
        v.rows = batch;
        v.rowsPerSample = 1;
        v.inputColumns = in;
        v.inputOffset = 0;
        v.outputColumns = out;
        if (kronecker && bias != null) {
            State st = (State) s;
            if (st.augmented == null) {
                st.augmented = new float[s.capacity * (in + 1)];
                for (int r = 0; r < s.capacity; r++) {
                    st.augmented[r * (in + 1) + in] = 1f;
                }
            }
            for (int r = 0; r < batch; r++) {
                System.arraycopy(s.in, r * in, st.augmented, r * (in + 1), in);
            }
            v.inputs = st.augmented;
            v.inputSampleStride = in + 1;
            v.biasColumn = true;
        } else {
            v.inputs = s.in;
            v.inputSampleStride = in;
            v.biasColumn = false;
        }
        v.inputFeatureStride = 1;
        if (kronecker) {
            v.outputGradients = s.dOut;
            v.gradientOffset = 0;
            v.gradientSampleStride = out;
            v.gradientFeatureStride = 1;
        } else {
            v.outputGradients = null;
        }
    }
}
