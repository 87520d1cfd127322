package dev.surgeon.core.nn;

import java.util.SplittableRandom;

/**
 * An independent float64 evaluator of an {@link ArchitectureSpec}, for tests: plain loops, direct
 * (non-im2col) convolution, its own parameter offsets (layer order, weight then bias) and its own loss
 * formulas. With it, derivatives are taken by finite differences in double precision, whose error
 * (~1e-9 for first, ~1e-7 for second derivatives at the step sizes used) is far below float32 rounding,
 * so it can judge the float network's analytic passes. Dropout is the identity (evaluation mode).
 */
public final class ReferenceNetwork {
    private final ArchitectureSpec spec;
    private final int parameterCount;

    public ReferenceNetwork(ArchitectureSpec spec) {
        this.spec = spec;
        int d = 0;
        for (int i = 0; i < spec.layers().size(); i++) {
            LayerSpec l = spec.layers().get(i);
            Shape in = spec.shapeBefore(i);
            if (l.kind() == LayerSpec.Kind.DENSE) {
                d += l.units() * in.size() + (l.bias() ? l.units() : 0);
            } else if (l.kind() == LayerSpec.Kind.CONV) {
                d += l.units() * in.channels() * l.kernel() * l.kernel() + (l.bias() ? l.units() : 0);
            }
        }
        this.parameterCount = d;
    }

    public int parameterCount() {
        return parameterCount;
    }

    public int outputSize() {
        return spec.outputShape().size();
    }

    /** Outputs (B × K) for inputs x (B × input size). */
    public double[] forward(double[] w, double[] x, int batch) {
        double[] out = new double[batch * outputSize()];
        int inSize = spec.inputShape().size();
        for (int n = 0; n < batch; n++) {
            double[] a = new double[inSize];
            System.arraycopy(x, n * inSize, a, 0, inSize);
            int off = 0;
            for (int i = 0; i < spec.layers().size(); i++) {
                LayerSpec l = spec.layers().get(i);
                Shape in = spec.shapeBefore(i);
                Shape o = spec.shapeBefore(i + 1);
                switch (l.kind()) {
                    case DENSE -> {
                        double[] z = new double[l.units()];
                        int wOff = off;
                        off += l.units() * in.size();
                        for (int r = 0; r < l.units(); r++) {
                            double s = l.bias() ? w[off + r] : 0;
                            for (int c = 0; c < in.size(); c++) {
                                s += w[wOff + r * in.size() + c] * a[c];
                            }
                            z[r] = s;
                        }
                        off += l.bias() ? l.units() : 0;
                        a = z;
                    }
                    case CONV -> {
                        a = convolve(l, in, o, w, off, a);
                        off += l.units() * in.channels() * l.kernel() * l.kernel() + (l.bias() ? l.units() : 0);
                    }
                    case MAXPOOL, AVGPOOL -> a = pool(l, in, o, a);
                    case RELU -> a = map(a, v -> Math.max(v, 0));
                    case TANH -> a = map(a, Math::tanh);
                    case SIGMOID -> a = map(a, v -> 1 / (1 + Math.exp(-v)));
                    case FLATTEN, DROPOUT -> { }
                }
            }
            System.arraycopy(a, 0, out, n * outputSize(), outputSize());
        }
        return out;
    }

    private static double[] map(double[] a, java.util.function.DoubleUnaryOperator f) {
        double[] b = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            b[i] = f.applyAsDouble(a[i]);
        }
        return b;
    }

    /** Direct cross-correlation: y[f,oy,ox] = b_f + Σ_{c,ky,kx} W[f,c,ky,kx] x[c, oy·s+ky−p, ox·s+kx−p]. */
    static double[] convolve(LayerSpec l, Shape in, Shape o, double[] w, int off, double[] x) {
        int c = in.channels();
        int h = in.height();
        int wd = in.width();
        int k = l.kernel();
        double[] y = new double[o.size()];
        int bOff = off + l.units() * c * k * k;
        for (int f = 0; f < l.units(); f++) {
            for (int oy = 0; oy < o.height(); oy++) {
                for (int ox = 0; ox < o.width(); ox++) {
                    double s = l.bias() ? w[bOff + f] : 0;
                    for (int ch = 0; ch < c; ch++) {
                        for (int ky = 0; ky < k; ky++) {
                            for (int kx = 0; kx < k; kx++) {
                                int iy = oy * l.stride() + ky - l.padding();
                                int ix = ox * l.stride() + kx - l.padding();
                                if (iy >= 0 && iy < h && ix >= 0 && ix < wd) {
                                    s += w[off + ((f * c + ch) * k + ky) * k + kx] * x[(ch * h + iy) * wd + ix];
                                }
                            }
                        }
                    }
                    y[(f * o.height() + oy) * o.width() + ox] = s;
                }
            }
        }
        return y;
    }

    static double[] pool(LayerSpec l, Shape in, Shape o, double[] x) {
        double[] y = new double[o.size()];
        int k = l.kernel();
        for (int c = 0; c < in.channels(); c++) {
            for (int oy = 0; oy < o.height(); oy++) {
                for (int ox = 0; ox < o.width(); ox++) {
                    double max = Double.NEGATIVE_INFINITY;
                    double sum = 0;
                    for (int ky = 0; ky < k; ky++) {
                        for (int kx = 0; kx < k; kx++) {
                            double v = x[(c * in.height() + oy * l.stride() + ky) * in.width() + ox * l.stride() + kx];
                            max = Math.max(max, v);
                            sum += v;
                        }
                    }
                    y[(c * o.height() + oy) * o.width() + ox] = l.kind() == LayerSpec.Kind.MAXPOOL ? max : sum / (k * k);
                }
            }
        }
        return y;
    }

    /** The batch loss of the named loss ({@link Loss#named}) in double, written from the definitions. */
    public static double loss(String name, double[] f, double[] t, int batch, int k) {
        double sum = 0;
        for (int n = 0; n < batch; n++) {
            for (int j = 0; j < k; j++) {
                double fj = f[n * k + j];
                double tj = t[n * k + j];
                if (name.startsWith("mse")) {
                    sum += 0.5 * (fj - tj) * (fj - tj);
                } else if (name.startsWith("bce")) {
                    double p = 1 / (1 + Math.exp(-fj));
                    sum += -(tj * Math.log(p) + (1 - tj) * Math.log(1 - p));
                }
            }
            if (name.startsWith("cross-entropy")) {
                double z = 0;
                for (int j = 0; j < k; j++) {
                    z += Math.exp(f[n * k + j]);
                }
                for (int j = 0; j < k; j++) {
                    sum -= t[n * k + j] * Math.log(Math.exp(f[n * k + j]) / z);
                }
            }
        }
        return name.endsWith("mean") ? sum / batch : sum;
    }

    public double loss(String lossName, double[] w, double[] x, double[] t, int batch) {
        return loss(lossName, forward(w, x, batch), t, batch, outputSize());
    }

    /** Central differences of the loss, step 1e-6 (truncation ~1e-13, rounding ~1e-10 for O(1) losses). */
    public double[] gradient(String lossName, double[] w, double[] x, double[] t, int batch) {
        double eps = 1e-6;
        double[] g = new double[w.length];
        double[] p = w.clone();
        for (int q = 0; q < w.length; q++) {
            p[q] = w[q] + eps;
            double up = loss(lossName, p, x, t, batch);
            p[q] = w[q] - eps;
            double down = loss(lossName, p, x, t, batch);
            p[q] = w[q];
            g[q] = (up - down) / (2 * eps);
        }
        return g;
    }

    /**
     * Dense Hessian by second differences, step 1e-4: truncation O(ε²) ≈ 1e-8 and rounding ≈ 1e-16/ε² ≈ 1e-8
     * relative to the loss, so entries are good to ~1e-7.
     */
    public double[][] hessian(String lossName, double[] w, double[] x, double[] t, int batch) {
        double eps = 1e-4;
        int d = w.length;
        double[][] h = new double[d][d];
        double[] p = w.clone();
        for (int i = 0; i < d; i++) {
            for (int j = i; j < d; j++) {
                double s = 0;
                for (int si = -1; si <= 1; si += 2) {
                    for (int sj = -1; sj <= 1; sj += 2) {
                        p[i] += si * eps;
                        p[j] += sj * eps;
                        s += si * sj * loss(lossName, p, x, t, batch);
                        p[i] = w[i];
                        p[j] = w[j];
                    }
                }
                h[i][j] = s / (4 * eps * eps);
                h[j][i] = h[i][j];
            }
        }
        return h;
    }

    /** Output Jacobian by central differences (step 1e-6): row n·K + k, column q is ∂f_{n,k}/∂w_q. */
    public double[][] jacobian(double[] w, double[] x, int batch) {
        double eps = 1e-6;
        int rows = batch * outputSize();
        double[][] j = new double[rows][w.length];
        double[] p = w.clone();
        for (int q = 0; q < w.length; q++) {
            p[q] = w[q] + eps;
            double[] up = forward(p, x, batch);
            p[q] = w[q] - eps;
            double[] down = forward(p, x, batch);
            p[q] = w[q];
            for (int r = 0; r < rows; r++) {
                j[r][q] = (up[r] - down[r]) / (2 * eps);
            }
        }
        return j;
    }

    // ------------------------------------------------------------------------------------------------
    // Small helpers shared by the tests

    public static double[] toDouble(float[] a) {
        double[] d = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            d[i] = a[i];
        }
        return d;
    }

    public static double[] toDouble(float[] a, int n) {
        double[] d = new double[n];
        for (int i = 0; i < n; i++) {
            d[i] = a[i];
        }
        return d;
    }

    public static float[] randomFloats(int n, long seed, double scale) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) (scale * (2 * r.nextDouble() - 1));
        }
        return a;
    }

    public static double maxAbs(double[] a) {
        double m = 0;
        for (double v : a) {
            m = Math.max(m, Math.abs(v));
        }
        return m;
    }
}
