package dev.surgeon.core.nn;

/**
 * The Becker–LeCun recursion (METHODS A4.3) written out per sample and per connection in float64, as the
 * definition the batched float implementation must follow: output ∂²ℓ/∂f² = diag(Λ); through an
 * activation ∂²/∂z² = φ'(z)² ∂²/∂h² (+ φ''(z) ∂ℓ/∂h); through every connection of weight w from input j to
 * output i, ∂²/∂h_j² += w² ∂²/∂z_i² and ∂²/∂w² += ∂²/∂z_i² h_j² (a shared convolution weight sums over its
 * connections); pooling connections have weight 1 (the selected input of a max) or 1/k² (average).
 */
final class BeckerLeCunDefinition {
    private BeckerLeCunDefinition() {
    }

    static double[] diagonal(Fixture fx, boolean secondDerivativeTerms) {
        ArchitectureSpec spec = fx.net.spec();
        double[] w = fx.w();
        int k = fx.net.outputSize();
        double scale = fx.loss.reduction() == Reduction.MEAN ? 1.0 / fx.batch : 1.0;
        double[] diag = new double[w.length];
        int layers = spec.layers().size();
        int[] offsets = new int[layers];
        int off = 0;
        for (int i = 0; i < layers; i++) {
            LayerSpec l = spec.layers().get(i);
            offsets[i] = off;
            if (l.kind() == LayerSpec.Kind.DENSE) {
                off += l.units() * spec.shapeBefore(i).size() + (l.bias() ? l.units() : 0);
            } else if (l.kind() == LayerSpec.Kind.CONV) {
                off += l.units() * spec.shapeBefore(i).channels() * l.kernel() * l.kernel() + (l.bias() ? l.units() : 0);
            }
        }
        int inSize = spec.inputShape().size();
        for (int n = 0; n < fx.batch; n++) {
            double[][] acts = new double[layers + 1][];
            acts[0] = java.util.Arrays.copyOfRange(fx.x, n * inSize, (n + 1) * inSize);
            for (int i = 0; i < layers; i++) {
                acts[i + 1] = layerForward(spec.layers().get(i), spec.shapeBefore(i), spec.shapeBefore(i + 1), w, offsets[i], acts[i]);
            }
            double[] f = acts[layers];
            double[][] lambda = DenseCurvature.outputHessian(fx.lossName, f, 0, k);
            double[] e = outputGradient(fx.lossName, f, java.util.Arrays.copyOfRange(fx.t, n * k, (n + 1) * k));
            double[] d2 = new double[k];
            for (int j = 0; j < k; j++) {
                e[j] *= scale;
                d2[j] = scale * lambda[j][j];
            }
            for (int i = layers - 1; i >= 0; i--) {
                LayerSpec l = spec.layers().get(i);
                double[] in = acts[i];
                double[] eIn = new double[in.length];
                double[] d2In = new double[in.length];
                Shape inShape = spec.shapeBefore(i);
                Shape outShape = spec.shapeBefore(i + 1);
                switch (l.kind()) {
                    case DENSE -> {
                        int cols = in.length;
                        int bOff = offsets[i] + l.units() * cols;
                        for (int r = 0; r < l.units(); r++) {
                            for (int c = 0; c < cols; c++) {
                                double wrc = w[offsets[i] + r * cols + c];
                                diag[offsets[i] + r * cols + c] += d2[r] * in[c] * in[c];
                                d2In[c] += wrc * wrc * d2[r];
                                eIn[c] += wrc * e[r];
                            }
                            if (l.bias()) {
                                diag[bOff + r] += d2[r];
                            }
                        }
                    }
                    case CONV -> convolution(l, inShape, outShape, w, offsets[i], in, e, d2, eIn, d2In, diag);
                    case MAXPOOL, AVGPOOL -> pooling(l, inShape, outShape, in, e, d2, eIn, d2In);
                    case FLATTEN, DROPOUT -> {
                        eIn = e;
                        d2In = d2;
                    }
                    default -> {
                        for (int j = 0; j < in.length; j++) {
                            double[] d = derivatives(l.kind(), in[j]);
                            d2In[j] = d[0] * d[0] * d2[j] + (secondDerivativeTerms ? d[1] * e[j] : 0);
                            eIn[j] = d[0] * e[j];
                        }
                    }
                }
                e = eIn;
                d2 = d2In;
            }
        }
        return diag;
    }

    private static double[] layerForward(LayerSpec l, Shape inShape, Shape outShape, double[] w, int off, double[] a) {
        int inSize = inShape.size();
        double[] out;
        switch (l.kind()) {
            case CONV -> {
                return ReferenceNetwork.convolve(l, inShape, outShape, w, off, a);
            }
            case MAXPOOL, AVGPOOL -> {
                return ReferenceNetwork.pool(l, inShape, outShape, a);
            }
            case FLATTEN, DROPOUT -> {
                return a;
            }
            default -> { }
        }
        if (l.kind() == LayerSpec.Kind.DENSE) {
            out = new double[l.units()];
            for (int r = 0; r < l.units(); r++) {
                double s = l.bias() ? w[off + l.units() * inSize + r] : 0;
                for (int c = 0; c < inSize; c++) {
                    s += w[off + r * inSize + c] * a[c];
                }
                out[r] = s;
            }
            return out;
        }
        out = new double[a.length];
        for (int j = 0; j < a.length; j++) {
            out[j] = switch (l.kind()) {
                case TANH -> Math.tanh(a[j]);
                case SIGMOID -> 1 / (1 + Math.exp(-a[j]));
                case RELU -> Math.max(a[j], 0);
                default -> throw new IllegalArgumentException("the definition covers dense and activations only");
            };
        }
        return out;
    }

    private static void convolution(LayerSpec l, Shape in, Shape out, double[] w, int off, double[] x, double[] e,
                                    double[] d2, double[] eIn, double[] d2In, double[] diag) {
        int c = in.channels();
        int k = l.kernel();
        for (int f = 0; f < l.units(); f++) {
            for (int oy = 0; oy < out.height(); oy++) {
                for (int ox = 0; ox < out.width(); ox++) {
                    int o = (f * out.height() + oy) * out.width() + ox;
                    if (l.bias()) {
                        diag[off + l.units() * c * k * k + f] += d2[o];
                    }
                    for (int ch = 0; ch < c; ch++) {
                        for (int ky = 0; ky < k; ky++) {
                            for (int kx = 0; kx < k; kx++) {
                                int iy = oy * l.stride() + ky - l.padding();
                                int ix = ox * l.stride() + kx - l.padding();
                                if (iy < 0 || iy >= in.height() || ix < 0 || ix >= in.width()) {
                                    continue;
                                }
                                int q = off + ((f * c + ch) * k + ky) * k + kx;
                                int j = (ch * in.height() + iy) * in.width() + ix;
                                diag[q] += d2[o] * x[j] * x[j];
                                d2In[j] += w[q] * w[q] * d2[o];
                                eIn[j] += w[q] * e[o];
                            }
                        }
                    }
                }
            }
        }
    }

    private static void pooling(LayerSpec l, Shape in, Shape out, double[] x, double[] e, double[] d2,
                                double[] eIn, double[] d2In) {
        int k = l.kernel();
        for (int ch = 0; ch < in.channels(); ch++) {
            for (int oy = 0; oy < out.height(); oy++) {
                for (int ox = 0; ox < out.width(); ox++) {
                    int o = (ch * out.height() + oy) * out.width() + ox;
                    int best = -1;
                    for (int ky = 0; ky < k; ky++) {
                        for (int kx = 0; kx < k; kx++) {
                            int j = (ch * in.height() + oy * l.stride() + ky) * in.width() + ox * l.stride() + kx;
                            if (l.kind() == LayerSpec.Kind.AVGPOOL) {
                                double a = 1.0 / (k * k);
                                eIn[j] += a * e[o];
                                d2In[j] += a * a * d2[o];
                            } else if (best < 0 || x[j] > x[best]) {
                                best = j;
                            }
                        }
                    }
                    if (best >= 0) {
                        eIn[best] += e[o];
                        d2In[best] += d2[o];
                    }
                }
            }
        }
    }

    /** {φ'(z), φ''(z)}. */
    private static double[] derivatives(LayerSpec.Kind kind, double z) {
        return switch (kind) {
            case TANH -> {
                double t = Math.tanh(z);
                yield new double[] {1 - t * t, -2 * t * (1 - t * t)};
            }
            case SIGMOID -> {
                double s = 1 / (1 + Math.exp(-z));
                yield new double[] {s * (1 - s), s * (1 - s) * (1 - 2 * s)};
            }
            case RELU -> new double[] {z > 0 ? 1 : 0, 0};
            default -> throw new IllegalArgumentException(kind.toString());
        };
    }

    private static double[] outputGradient(String lossName, double[] f, double[] t) {
        double[] g = new double[f.length];
        if (lossName.startsWith("cross-entropy")) {
            double z = 0;
            for (double v : f) {
                z += Math.exp(v);
            }
            for (int j = 0; j < f.length; j++) {
                g[j] = Math.exp(f[j]) / z - t[j];
            }
        } else if (lossName.startsWith("bce")) {
            for (int j = 0; j < f.length; j++) {
                g[j] = 1 / (1 + Math.exp(-f[j])) - t[j];
            }
        } else {
            for (int j = 0; j < f.length; j++) {
                g[j] = f[j] - t[j];
            }
        }
        return g;
    }
}
