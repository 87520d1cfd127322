package dev.surgeon.core.nn;

/**
 * Reinterprets a [C, H, W] sample as a flat vector of C·H·W values in the same (channel-major) order, as
 * PyTorch's Flatten does on NCHW. The workspace lets its output share the input's arrays, so every pass is
 * a no-op and nothing is copied.
 */
final class Flatten extends Layer {
    Flatten(int index, LayerSpec spec, Shape inShape, Shape outShape) {
        super(index, spec, inShape, outShape);
    }

    @Override
    boolean aliasesInput() {
        return true;
    }

    @Override
    void forward(LayerState s, int batch, float[] w, boolean training) {
    }

    @Override
    void backward(LayerState s, int batch, float[] w, float[] grad) {
    }

    @Override
    void rForward(LayerState s, int batch, float[] w, float[] v) {
    }

    @Override
    void rBackward(LayerState s, int batch, float[] w, float[] v, float[] hv) {
    }

    @Override
    void diagonalBackward(LayerState s, int batch, float[] w, boolean secondDerivativeTerms, float[] diag) {
    }
}
