package dev.surgeon.kernels;

import java.util.Arrays;

/**
 * The scalar reference of {@link Kernels#im2col} and {@link Kernels#col2im}, and the argument checks every
 * provider shares. Loop order: (channel, ky, kx) outermost so that each row of X is written (or read) as one
 * sequential stream, then sample, output row, output column.
 */
final class ConvolutionLayout {
    private ConvolutionLayout() {
    }

    /** The arguments of {@link Kernels#im2col} and {@link Kernels#col2im}, which describe the same two regions. */
    static void check(ConvolutionGeometry g, int xLen, int xOff, int from, int to, int colsLen, int colsOff, int ld) {
        checkColumns(g, from, to, colsLen, colsOff, ld);
        KernelArguments.vector("x", xLen, offset(xOff, from, g.inputSize()), (to - from) * g.inputSize());
    }

    /** The image and sample range of an implicit product ({@link Kernels#im2colProduct}). */
    static void checkImage(ConvolutionGeometry g, int xLen, int xOff, int from, int to) {
        checkColumns(g, from, to, Integer.MAX_VALUE, 0, Math.max(1, (to - from) * g.positions()));
        KernelArguments.vector("x", xLen, offset(xOff, from, g.inputSize()), (to - from) * g.inputSize());
    }

    private static void checkColumns(ConvolutionGeometry g, int from, int to, int colsLen, int colsOff, int ld) {
        KernelArguments.notNull("geometry", g);
        KernelArguments.size("from", from);
        if (to < from) {
            throw new IllegalArgumentException("sample range [" + from + ", " + to + ") is empty backwards");
        }
        long width = (long) (to - from) * g.positions();
        if (width > Integer.MAX_VALUE) {
            throw new IllegalArgumentException((to - from) + " samples of " + g.positions()
                    + " positions exceed 2³¹ − 1 columns");
        }
        KernelArguments.matrix("cols", colsLen, colsOff, to == from ? 0 : g.patch(), (int) width, ld);
    }

    private static int offset(int xOff, int from, int size) {
        long off = xOff + (long) from * size;
        if (xOff < 0 || off > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("x offset " + xOff + " + sample " + from + " × " + size
                    + " is out of range");
        }
        return (int) off;
    }

    static void im2col(ConvolutionGeometry g, float[] x, int xOff, int from, int to, float[] cols, int colsOff, int ld) {
        int k = g.kernel();
        int stride = g.stride();
        int outHeight = g.outHeight();
        int outWidth = g.outWidth();
        int positions = g.positions();
        int plane = g.height() * g.width();
        for (int c = 0; c < g.channels(); c++) {
            for (int ky = 0; ky < k; ky++) {
                for (int kx = 0; kx < k; kx++) {
                    int row = colsOff + ((c * k + ky) * k + kx) * ld;
                    int lo = g.firstInside(kx);
                    int hi = g.endInside(kx);
                    for (int n = from; n < to; n++) {
                        int xc = xOff + (n * g.channels() + c) * plane;
                        for (int oy = 0; oy < outHeight; oy++) {
                            int dst = row + (n - from) * positions + oy * outWidth;
                            int iy = oy * stride + ky - g.padding();
                            if (iy < 0 || iy >= g.height()) {
                                Arrays.fill(cols, dst, dst + outWidth, 0f);
                                continue;
                            }
                            Arrays.fill(cols, dst, dst + lo, 0f);
                            int src = xc + iy * g.width() + kx - g.padding();
                            if (stride == 1) {
                                System.arraycopy(x, src + lo, cols, dst + lo, hi - lo);
                            } else {
                                for (int ox = lo; ox < hi; ox++) {
                                    cols[dst + ox] = x[src + ox * stride];
                                }
                            }
                            Arrays.fill(cols, dst + hi, dst + outWidth, 0f);
                        }
                    }
                }
            }
        }
    }

    static void col2im(ConvolutionGeometry g, float[] cols, int colsOff, int ld, int from, int to, float[] x, int xOff) {
        int k = g.kernel();
        int stride = g.stride();
        int outHeight = g.outHeight();
        int outWidth = g.outWidth();
        int positions = g.positions();
        int plane = g.height() * g.width();
        Arrays.fill(x, xOff + from * g.inputSize(), xOff + to * g.inputSize(), 0f);
        for (int c = 0; c < g.channels(); c++) {
            for (int ky = 0; ky < k; ky++) {
                for (int kx = 0; kx < k; kx++) {
                    int row = colsOff + ((c * k + ky) * k + kx) * ld;
                    int lo = g.firstInside(kx);
                    int hi = g.endInside(kx);
                    for (int n = from; n < to; n++) {
                        int xc = xOff + (n * g.channels() + c) * plane;
                        for (int oy = 0; oy < outHeight; oy++) {
                            int iy = oy * stride + ky - g.padding();
                            if (iy < 0 || iy >= g.height()) {
                                continue;
                            }
                            int src = row + (n - from) * positions + oy * outWidth;
                            int dst = xc + iy * g.width() + kx - g.padding();
                            for (int ox = lo; ox < hi; ox++) {
                                x[dst + ox * stride] += cols[src + ox];
                            }
                        }
                    }
                }
            }
        }
    }
}
