package dev.surgeon.kernels;

/**
 * The scalar reference of {@link Kernels#convolve} and {@link Kernels#convolutionWeightGradient}, and the argument
 * checks every provider shares: the definitions written as loops, accumulating in float in the order (channel, ky,
 * kx) for outputs and (sample, oy, ox) for weight gradients.
 */
final class DirectConvolution {
    private DirectConvolution() {
    }

    static void checkConvolve(ConvolutionGeometry g, int filters, int wLen, int wOff, int bLen, int bOff, int xLen,
                              int xOff, int from, int to, int outLen, int outOff) {
        check(g, filters, from, to);
        KernelArguments.vector("w", wLen, wOff, filters * g.patch());
        if (bLen >= 0) {
            KernelArguments.vector("b", bLen, bOff, filters);
        }
        KernelArguments.vector("x", xLen, sampleOffset(xOff, from, g.inputSize()), (to - from) * g.inputSize());
        long outSize = (long) filters * g.positions();
        KernelArguments.vector("out", outLen, sampleOffset(outOff, from, outSize), (int) ((to - from) * outSize));
    }

    static void checkWeightGradient(ConvolutionGeometry g, int filters, int dLen, int dOff, int xLen, int xOff,
                                    int from, int to, int dwLen, int dwOff, int dbLen, int dbOff) {
        check(g, filters, from, to);
        long outSize = (long) filters * g.positions();
        KernelArguments.vector("dOut", dLen, sampleOffset(dOff, from, outSize), (int) ((to - from) * outSize));
        KernelArguments.vector("x", xLen, sampleOffset(xOff, from, g.inputSize()), (to - from) * g.inputSize());
        KernelArguments.vector("dw", dwLen, dwOff, filters * g.patch());
        if (dbLen >= 0) {
            KernelArguments.vector("db", dbLen, dbOff, filters);
        }
    }

    private static void check(ConvolutionGeometry g, int filters, int from, int to) {
        KernelArguments.notNull("geometry", g);
        if (filters < 1) {
            throw new IllegalArgumentException("filters must be >= 1 but is " + filters);
        }
        KernelArguments.size("from", from);
        if (to < from) {
            throw new IllegalArgumentException("sample range [" + from + ", " + to + ") is empty backwards");
        }
        long perSample = Math.max((long) filters * g.positions(), g.inputSize());
        if ((long) filters * g.patch() > Integer.MAX_VALUE || perSample * to > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(to + " samples of " + perSample + " elements exceed 2³¹ − 1");
        }
    }

    private static int sampleOffset(int off, int from, long size) {
        long o = off + from * size;
        if (off < 0 || o > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("offset " + off + " + sample " + from + " × " + size + " is out of range");
        }
        return (int) o;
    }

    static void convolve(ConvolutionGeometry g, int filters, float[] w, int wOff, float[] b, int bOff, float[] x,
                         int xOff, int from, int to, float[] out, int outOff) {
        int k = g.kernel();
        int outHeight = g.outHeight();
        int outWidth = g.outWidth();
        int patch = g.patch();
        for (int n = from; n < to; n++) {
            for (int f = 0; f < filters; f++) {
                int o = outOff + (n * filters + f) * outHeight * outWidth;
                float bias = b == null ? 0f : b[bOff + f];
                for (int oy = 0; oy < outHeight; oy++) {
                    for (int ox = 0; ox < outWidth; ox++) {
                        float sum = bias;
                        for (int c = 0; c < g.channels(); c++) {
                            for (int ky = 0; ky < k; ky++) {
                                int iy = oy * g.stride() + ky - g.padding();
                                if (iy < 0 || iy >= g.height()) {
                                    continue;
                                }
                                for (int kx = 0; kx < k; kx++) {
                                    int ix = ox * g.stride() + kx - g.padding();
                                    if (ix < 0 || ix >= g.width()) {
                                        continue;
                                    }
                                    sum += w[wOff + f * patch + (c * k + ky) * k + kx]
                                            * x[xOff + ((n * g.channels() + c) * g.height() + iy) * g.width() + ix];
                                }
                            }
                        }
                        out[o + oy * outWidth + ox] = sum;
                    }
                }
            }
        }
    }

    static void weightGradient(ConvolutionGeometry g, int filters, float[] dOut, int dOff, float[] x, int xOff,
                               int from, int to, float[] dw, int dwOff, float[] db, int dbOff) {
        int k = g.kernel();
        int outHeight = g.outHeight();
        int outWidth = g.outWidth();
        int positions = g.positions();
        int patch = g.patch();
        for (int f = 0; f < filters; f++) {
            for (int c = 0; c < g.channels(); c++) {
                for (int ky = 0; ky < k; ky++) {
                    for (int kx = 0; kx < k; kx++) {
                        float sum = 0f;
                        for (int n = from; n < to; n++) {
                            int d = dOff + (n * filters + f) * positions;
                            int xc = xOff + (n * g.channels() + c) * g.height() * g.width();
                            for (int oy = 0; oy < outHeight; oy++) {
                                int iy = oy * g.stride() + ky - g.padding();
                                if (iy < 0 || iy >= g.height()) {
                                    continue;
                                }
                                for (int ox = 0; ox < outWidth; ox++) {
                                    int ix = ox * g.stride() + kx - g.padding();
                                    if (ix >= 0 && ix < g.width()) {
                                        sum += dOut[d + oy * outWidth + ox] * x[xc + iy * g.width() + ix];
                                    }
                                }
                            }
                        }
                        dw[dwOff + f * patch + (c * k + ky) * k + kx] = sum;
                    }
                }
            }
            if (db != null) {
                float sum = 0f;
                for (int n = from; n < to; n++) {
                    int d = dOff + (n * filters + f) * positions;
                    for (int t = 0; t < positions; t++) {
                        sum += dOut[d + t];
                    }
                }
                db[dbOff + f] = sum;
            }
        }
    }
}
