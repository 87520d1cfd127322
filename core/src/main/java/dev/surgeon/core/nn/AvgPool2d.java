package dev.surgeon.core.nn;

import java.util.Arrays;

/**
 * Average pooling over k×k windows with stride s, no padding (NCHW): a fixed linear map with weights
 * 1/k², so backward and R-backward spread with weight 1/k², the R-forward averages, and the Becker–LeCun
 * pass spreads second derivatives with the squared weight 1/k⁴.
 */
final class AvgPool2d extends Pool2d {
    private final float weight;

    AvgPool2d(int index, LayerSpec spec, Shape inShape, Shape outShape) {
        super(index, spec, inShape, outShape);
        this.weight = 1f / (kernel * kernel);
    }

    private void average(int batch, float[] x, float[] y) {
        int o = 0;
        for (int bc = 0; bc < batch * channels; bc++) {
            for (int oy = 0; oy < outHeight; oy++) {
                for (int ox = 0; ox < outWidth; ox++, o++) {
                    int first = windowStart(bc, oy, ox);
                    float sum = 0;
                    for (int ky = 0; ky < kernel; ky++) {
                        sum += Ops.sum(x, first + ky * width, kernel);
                    }
                    y[o] = sum * weight;
                }
            }
        }
    }

    /** dst = 0, then every input of window o receives {@code scale·src[o]}. */
    private void spread(int batch, float[] src, float scale, float[] dst) {
        Arrays.fill(dst, 0, batch * channels * height * width, 0f);
        int o = 0;
        for (int bc = 0; bc < batch * channels; bc++) {
            for (int oy = 0; oy < outHeight; oy++) {
                for (int ox = 0; ox < outWidth; ox++, o++) {
                    int first = windowStart(bc, oy, ox);
                    float g = src[o] * scale;
                    for (int ky = 0; ky < kernel; ky++) {
                        int row = first + ky * width;
                        for (int kx = 0; kx < kernel; kx++) {
                            dst[row + kx] += g;
                        }
                    }
                }
            }
        }
    }

    @Override
    void forward(LayerState s, int batch, float[] w, boolean training) {
        average(batch, s.in, s.out);
    }

    @Override
    void backward(LayerState s, int batch, float[] w, float[] grad) {
        if (s.dIn != null) {
            spread(batch, s.dOut, weight, s.dIn);
        }
    }

    @Override
    void rForward(LayerState s, int batch, float[] w, float[] v) {
        average(batch, s.rIn, s.rOut);
    }

    @Override
    void rBackward(LayerState s, int batch, float[] w, float[] v, float[] hv) {
        if (s.rdIn != null) {
            spread(batch, s.rdOut, weight, s.rdIn);
        }
    }

    @Override
    void diagonalBackward(LayerState s, int batch, float[] w, boolean secondDerivativeTerms, float[] diag) {
        if (s.rdIn != null) {
            spread(batch, s.rdOut, weight * weight, s.rdIn);
        }
    }
}
