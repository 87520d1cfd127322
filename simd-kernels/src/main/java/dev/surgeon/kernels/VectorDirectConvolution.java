package dev.surgeon.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link Kernels#convolve} and {@link Kernels#convolutionWeightGradient} with 8-lane vectors along the output row,
 * for stride 1 without padding (other geometries use the scalar reference, {@link DirectConvolution}).
 *
 * <p>Output: four filters at a time share every input load (one load, four broadcasts and four multiply-adds per
 * tap). Weight gradient: for one filter, channel and window row, up to four window columns at a time share every
 * output-gradient load; the lanes are summed at the end. Both read the NCHW arrays in place: a convolution with few
 * input channels (LeNet-5's first: one channel, 25 taps) is then one pass over its input and output instead of an
 * unfolded copy 25 times the input's size and a matrix product of depth 25.
 */
final class VectorDirectConvolution {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_256;
    private static final int L = S.length();

    private VectorDirectConvolution() {
    }

    /**
     * {@code a·b + c} on 8-lane vectors. Not {@link VectorOps#fma}: that helper sees the preferred species from the
     * gemm micro-kernel, and feeding it a second vector class as well made its call sites polymorphic, after which
     * C2 no longer intrinsified them and boxed every vector (a LeNet-5 step went from 42 ms to 730 ms).
     */
    private static FloatVector lanes(FloatVector a, FloatVector b, FloatVector c) {
        return VectorOps.FMA ? a.fma(b, c) : a.mul(b).add(c);
    }

    static void convolve(ConvolutionGeometry g, int filters, float[] w, int wOff, float[] b, int bOff, float[] x,
                         int xOff, int from, int to, float[] out, int outOff) {
        if (g.stride() != 1 || g.padding() != 0) {
            DirectConvolution.convolve(g, filters, w, wOff, b, bOff, x, xOff, from, to, out, outOff);
            return;
        }
        int k = g.kernel();
        int width = g.width();
        int plane = g.height() * width;
        int outHeight = g.outHeight();
        int outWidth = g.outWidth();
        int positions = g.positions();
        int patch = g.patch();
        int channels = g.channels();
        int bound = S.loopBound(outWidth);
        for (int n = from; n < to; n++) {
            int xn = xOff + n * channels * plane;
            int f = 0;
            for (; f + 4 <= filters; f += 4) {
                int w0 = wOff + f * patch;
                int o0 = outOff + (n * filters + f) * positions;
                float b0 = b == null ? 0f : b[bOff + f];
                float b1 = b == null ? 0f : b[bOff + f + 1];
                float b2 = b == null ? 0f : b[bOff + f + 2];
                float b3 = b == null ? 0f : b[bOff + f + 3];
                for (int oy = 0; oy < outHeight; oy++) {
                    int o = o0 + oy * outWidth;
                    int ox = 0;
                    // Three vectors of one output row × four filters: 12 accumulators, and per tap three input
                    // loads and four broadcasts for 12 multiply-adds.
                    for (; ox + 3 * L <= outWidth; ox += 3 * L) {
                        FloatVector a0 = FloatVector.broadcast(S, b0);
                        FloatVector a1 = FloatVector.broadcast(S, b1);
                        FloatVector a2 = FloatVector.broadcast(S, b2);
                        FloatVector a3 = FloatVector.broadcast(S, b3);
                        FloatVector c0 = a0;
                        FloatVector c1 = a1;
                        FloatVector c2 = a2;
                        FloatVector c3 = a3;
                        FloatVector e0 = a0;
                        FloatVector e1 = a1;
                        FloatVector e2 = a2;
                        FloatVector e3 = a3;
                        for (int c = 0; c < channels; c++) {
                            for (int ky = 0; ky < k; ky++) {
                                int row = xn + c * plane + (oy + ky) * width + ox;
                                int tap = w0 + (c * k + ky) * k;
                                for (int kx = 0; kx < k; kx++) {
                                    FloatVector u = FloatVector.fromArray(S, x, row + kx);
                                    FloatVector v = FloatVector.fromArray(S, x, row + kx + L);
                                    FloatVector z = FloatVector.fromArray(S, x, row + kx + 2 * L);
                                    FloatVector q0 = FloatVector.broadcast(S, w[tap + kx]);
                                    FloatVector q1 = FloatVector.broadcast(S, w[tap + patch + kx]);
                                    FloatVector q2 = FloatVector.broadcast(S, w[tap + 2 * patch + kx]);
                                    FloatVector q3 = FloatVector.broadcast(S, w[tap + 3 * patch + kx]);
                                    a0 = lanes(u, q0, a0);
                                    a1 = lanes(u, q1, a1);
                                    a2 = lanes(u, q2, a2);
                                    a3 = lanes(u, q3, a3);
                                    c0 = lanes(v, q0, c0);
                                    c1 = lanes(v, q1, c1);
                                    c2 = lanes(v, q2, c2);
                                    c3 = lanes(v, q3, c3);
                                    e0 = lanes(z, q0, e0);
                                    e1 = lanes(z, q1, e1);
                                    e2 = lanes(z, q2, e2);
                                    e3 = lanes(z, q3, e3);
                                }
                            }
                        }
                        a0.intoArray(out, o + ox);
                        a1.intoArray(out, o + positions + ox);
                        a2.intoArray(out, o + 2 * positions + ox);
                        a3.intoArray(out, o + 3 * positions + ox);
                        c0.intoArray(out, o + ox + L);
                        c1.intoArray(out, o + positions + ox + L);
                        c2.intoArray(out, o + 2 * positions + ox + L);
                        c3.intoArray(out, o + 3 * positions + ox + L);
                        e0.intoArray(out, o + ox + 2 * L);
                        e1.intoArray(out, o + positions + ox + 2 * L);
                        e2.intoArray(out, o + 2 * positions + ox + 2 * L);
                        e3.intoArray(out, o + 3 * positions + ox + 2 * L);
                    }
                    for (; ox < bound; ox += L) {
                        FloatVector a0 = FloatVector.broadcast(S, b0);
                        FloatVector a1 = FloatVector.broadcast(S, b1);
                        FloatVector a2 = FloatVector.broadcast(S, b2);
                        FloatVector a3 = FloatVector.broadcast(S, b3);
                        for (int c = 0; c < channels; c++) {
                            for (int ky = 0; ky < k; ky++) {
                                int row = xn + c * plane + (oy + ky) * width + ox;
                                int tap = w0 + (c * k + ky) * k;
                                for (int kx = 0; kx < k; kx++) {
                                    FloatVector v = FloatVector.fromArray(S, x, row + kx);
                                    a0 = lanes(v, FloatVector.broadcast(S, w[tap + kx]), a0);
                                    a1 = lanes(v, FloatVector.broadcast(S, w[tap + patch + kx]), a1);
                                    a2 = lanes(v, FloatVector.broadcast(S, w[tap + 2 * patch + kx]), a2);
                                    a3 = lanes(v, FloatVector.broadcast(S, w[tap + 3 * patch + kx]), a3);
                                }
                            }
                        }
                        a0.intoArray(out, o + ox);
                        a1.intoArray(out, o + positions + ox);
                        a2.intoArray(out, o + 2 * positions + ox);
                        a3.intoArray(out, o + 3 * positions + ox);
                    }
                    for (; ox < outWidth; ox++) {
                        for (int j = 0; j < 4; j++) {
                            out[o + j * positions + ox] = point(g, w, w0 + j * patch, b == null ? 0f : b[bOff + f + j],
                                    x, xn, oy, ox);
                        }
                    }
                }
            }
            for (; f < filters; f++) {
                int w0 = wOff + f * patch;
                int o0 = outOff + (n * filters + f) * positions;
                float b0 = b == null ? 0f : b[bOff + f];
                for (int oy = 0; oy < outHeight; oy++) {
                    int o = o0 + oy * outWidth;
                    int ox = 0;
                    for (; ox < bound; ox += L) {
                        FloatVector a0 = FloatVector.broadcast(S, b0);
                        for (int c = 0; c < channels; c++) {
                            for (int ky = 0; ky < k; ky++) {
                                int row = xn + c * plane + (oy + ky) * width + ox;
                                int tap = w0 + (c * k + ky) * k;
                                for (int kx = 0; kx < k; kx++) {
                                    a0 = lanes(FloatVector.fromArray(S, x, row + kx), FloatVector.broadcast(S, w[tap + kx]),
                                            a0);
                                }
                            }
                        }
                        a0.intoArray(out, o + ox);
                    }
                    for (; ox < outWidth; ox++) {
                        out[o + ox] = point(g, w, w0, b0, x, xn, oy, ox);
                    }
                }
            }
        }
    }

    /** One output of one filter (weights at w0) by the scalar definition: the row tail past the last full vector. */
    private static float point(ConvolutionGeometry g, float[] w, int w0, float bias, float[] x, int xn, int oy, int ox) {
        int k = g.kernel();
        int plane = g.height() * g.width();
        float sum = bias;
        for (int c = 0; c < g.channels(); c++) {
            for (int ky = 0; ky < k; ky++) {
                int row = xn + c * plane + (oy + ky) * g.width() + ox;
                int tap = w0 + (c * k + ky) * k;
                for (int kx = 0; kx < k; kx++) {
                    sum = VectorOps.fma(w[tap + kx], x[row + kx], sum);
                }
            }
        }
        return sum;
    }

    /** Per-thread lane accumulators of the weight gradient (filters · C·k² · 8 floats), reused across calls. */
    private static final ThreadLocal<float[][]> ACCUMULATORS = ThreadLocal.withInitial(() -> new float[2][]);

    static void weightGradient(ConvolutionGeometry g, int filters, float[] dOut, int dOff, float[] x, int xOff,
                               int from, int to, float[] dw, int dwOff, float[] db, int dbOff) {
        if (g.stride() != 1 || g.padding() != 0) {
            DirectConvolution.weightGradient(g, filters, dOut, dOff, x, xOff, from, to, dw, dwOff, db, dbOff);
            return;
        }
        int k = g.kernel();
        int positions = g.positions();
        int patch = g.patch();
        int channels = g.channels();
        // Sample by sample, so that one sample's gradient rows for four filters and its input plane (12 KB for
        // LeNet-5's first convolution) stay in L1 while all taps use them; each tap keeps 8 lane sums in memory
        // (acc) and a scalar sum for the row tails past the last full vector (tail). Four filters × four taps
        // share every load: 8 loads feed 16 multiply-adds.
        float[][] buffers = ACCUMULATORS.get();
        int entries = filters * patch;
        if (buffers[0] == null || buffers[0].length < entries * L) {
            buffers[0] = new float[entries * L];
            buffers[1] = new float[entries];
        }
        float[] acc = buffers[0];
        float[] tail = buffers[1];
        java.util.Arrays.fill(acc, 0, entries * L, 0f);
        java.util.Arrays.fill(tail, 0, entries, 0f);
        for (int n = from; n < to; n++) {
            int f = 0;
            for (; f + 4 <= filters; f += 4) {
                for (int c = 0; c < channels; c++) {
                    for (int ky = 0; ky < k; ky++) {
                        int tap = (c * k + ky) * k;
                        int kx = 0;
                        for (; kx + 4 <= k; kx += 4) {
                            fourByFour(g, filters, n, f, c, ky, kx, dOut, dOff, x, xOff, acc, tail, f * patch + tap + kx,
                                    patch);
                        }
                        for (; kx < k; kx++) {
                            fourByOne(g, filters, n, f, c, ky, kx, dOut, dOff, x, xOff, acc, tail, f * patch + tap + kx,
                                    patch);
                        }
                    }
                }
            }
            for (; f < filters; f++) {
                for (int c = 0; c < channels; c++) {
                    for (int ky = 0; ky < k; ky++) {
                        for (int kx = 0; kx < k; kx++) {
                            oneByOne(g, filters, n, f, c, ky, kx, dOut, dOff, x, xOff, acc, tail,
                                    f * patch + (c * k + ky) * k + kx);
                        }
                    }
                }
            }
        }
        for (int e = 0; e < entries; e++) {
            dw[dwOff + e] = FloatVector.fromArray(S, acc, e * L).reduceLanes(VectorOperators.ADD) + tail[e];
        }
        if (db != null) {
            for (int f = 0; f < filters; f++) {
                FloatVector a = FloatVector.zero(S);
                float sum = 0f;
                int pb = S.loopBound(positions);
                for (int n = from; n < to; n++) {
                    int d = dOff + (n * filters + f) * positions;
                    int t = 0;
                    for (; t < pb; t += L) {
                        a = a.add(FloatVector.fromArray(S, dOut, d + t));
                    }
                    for (; t < positions; t++) {
                        sum += dOut[d + t];
                    }
                }
                db[dbOff + f] = a.reduceLanes(VectorOperators.ADD) + sum;
            }
        }
    }

    /** Adds a lane accumulator into entry e of acc. */
    private static void store(float[] acc, int e, FloatVector v) {
        FloatVector.fromArray(S, acc, e * L).add(v).intoArray(acc, e * L);
    }

    /** Sample n, filters f0..f0+3 × window columns kx0..kx0+3 of one (channel, window row); entry e of (f0, kx0). */
    private static void fourByFour(ConvolutionGeometry g, int filters, int n, int f0, int c, int ky, int kx0,
                                   float[] dOut, int dOff, float[] x, int xOff, float[] acc, float[] tail, int e,
                                   int patch) {
        int width = g.width();
        int outHeight = g.outHeight();
        int outWidth = g.outWidth();
        int positions = g.positions();
        int bound = S.loopBound(outWidth);
        FloatVector a00 = FloatVector.zero(S), a01 = a00, a02 = a00, a03 = a00;
        FloatVector a10 = a00, a11 = a00, a12 = a00, a13 = a00;
        FloatVector a20 = a00, a21 = a00, a22 = a00, a23 = a00;
        FloatVector a30 = a00, a31 = a00, a32 = a00, a33 = a00;
        int d = dOff + (n * filters + f0) * positions;
        int xr = xOff + ((n * g.channels() + c) * g.height() + ky) * width + kx0;
        for (int oy = 0; oy < outHeight; oy++, d += outWidth, xr += width) {
            int ox = 0;
            for (; ox < bound; ox += L) {
                FloatVector d0 = FloatVector.fromArray(S, dOut, d + ox);
                FloatVector d1 = FloatVector.fromArray(S, dOut, d + positions + ox);
                FloatVector d2 = FloatVector.fromArray(S, dOut, d + 2 * positions + ox);
                FloatVector d3 = FloatVector.fromArray(S, dOut, d + 3 * positions + ox);
                FloatVector u = FloatVector.fromArray(S, x, xr + ox);
                a00 = lanes(d0, u, a00);
                a10 = lanes(d1, u, a10);
                a20 = lanes(d2, u, a20);
                a30 = lanes(d3, u, a30);
                u = FloatVector.fromArray(S, x, xr + ox + 1);
                a01 = lanes(d0, u, a01);
                a11 = lanes(d1, u, a11);
                a21 = lanes(d2, u, a21);
                a31 = lanes(d3, u, a31);
                u = FloatVector.fromArray(S, x, xr + ox + 2);
                a02 = lanes(d0, u, a02);
                a12 = lanes(d1, u, a12);
                a22 = lanes(d2, u, a22);
                a32 = lanes(d3, u, a32);
                u = FloatVector.fromArray(S, x, xr + ox + 3);
                a03 = lanes(d0, u, a03);
                a13 = lanes(d1, u, a13);
                a23 = lanes(d2, u, a23);
                a33 = lanes(d3, u, a33);
            }
            for (; ox < outWidth; ox++) {
                for (int j = 0; j < 4; j++) {
                    float v = dOut[d + j * positions + ox];
                    for (int i = 0; i < 4; i++) {
                        tail[e + j * patch + i] = VectorOps.fma(v, x[xr + ox + i], tail[e + j * patch + i]);
                    }
                }
            }
        }
        store(acc, e, a00);
        store(acc, e + 1, a01);
        store(acc, e + 2, a02);
        store(acc, e + 3, a03);
        store(acc, e + patch, a10);
        store(acc, e + patch + 1, a11);
        store(acc, e + patch + 2, a12);
        store(acc, e + patch + 3, a13);
        store(acc, e + 2 * patch, a20);
        store(acc, e + 2 * patch + 1, a21);
        store(acc, e + 2 * patch + 2, a22);
        store(acc, e + 2 * patch + 3, a23);
        store(acc, e + 3 * patch, a30);
        store(acc, e + 3 * patch + 1, a31);
        store(acc, e + 3 * patch + 2, a32);
        store(acc, e + 3 * patch + 3, a33);
    }

    /** Sample n, filters f0..f0+3 at one tap (channel, window row, window column kx); entry e of f0. */
    private static void fourByOne(ConvolutionGeometry g, int filters, int n, int f0, int c, int ky, int kx,
                                  float[] dOut, int dOff, float[] x, int xOff, float[] acc, float[] tail, int e,
                                  int patch) {
        int width = g.width();
        int outHeight = g.outHeight();
        int outWidth = g.outWidth();
        int positions = g.positions();
        int bound = S.loopBound(outWidth);
        FloatVector a0 = FloatVector.zero(S), a1 = a0, a2 = a0, a3 = a0;
        int d = dOff + (n * filters + f0) * positions;
        int xr = xOff + ((n * g.channels() + c) * g.height() + ky) * width + kx;
        for (int oy = 0; oy < outHeight; oy++, d += outWidth, xr += width) {
            int ox = 0;
            for (; ox < bound; ox += L) {
                FloatVector u = FloatVector.fromArray(S, x, xr + ox);
                a0 = lanes(FloatVector.fromArray(S, dOut, d + ox), u, a0);
                a1 = lanes(FloatVector.fromArray(S, dOut, d + positions + ox), u, a1);
                a2 = lanes(FloatVector.fromArray(S, dOut, d + 2 * positions + ox), u, a2);
                a3 = lanes(FloatVector.fromArray(S, dOut, d + 3 * positions + ox), u, a3);
            }
            for (; ox < outWidth; ox++) {
                float u = x[xr + ox];
                for (int j = 0; j < 4; j++) {
                    tail[e + j * patch] = VectorOps.fma(dOut[d + j * positions + ox], u, tail[e + j * patch]);
                }
            }
        }
        store(acc, e, a0);
        store(acc, e + patch, a1);
        store(acc, e + 2 * patch, a2);
        store(acc, e + 3 * patch, a3);
    }

    /** Sample n, one filter at one tap; entry e. */
    private static void oneByOne(ConvolutionGeometry g, int filters, int n, int f, int c, int ky, int kx,
                                 float[] dOut, int dOff, float[] x, int xOff, float[] acc, float[] tail, int e) {
        int width = g.width();
        int outHeight = g.outHeight();
        int outWidth = g.outWidth();
        int bound = S.loopBound(outWidth);
        FloatVector a = FloatVector.zero(S);
        int d = dOff + (n * filters + f) * g.positions();
        int xr = xOff + ((n * g.channels() + c) * g.height() + ky) * width + kx;
        for (int oy = 0; oy < outHeight; oy++, d += outWidth, xr += width) {
            int ox = 0;
            for (; ox < bound; ox += L) {
                a = lanes(FloatVector.fromArray(S, dOut, d + ox), FloatVector.fromArray(S, x, xr + ox), a);
            }
            for (; ox < outWidth; ox++) {
                tail[e] = VectorOps.fma(dOut[d + ox], x[xr + ox], tail[e]);
            }
        }
        store(acc, e, a);
    }
}
