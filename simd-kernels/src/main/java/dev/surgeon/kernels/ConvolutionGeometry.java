package dev.surgeon.kernels;

/**
 * The shape of a 2-D convolution's input and window, for {@link Kernels#im2col} and {@link Kernels#col2im}: C
 * channels of H×W pixels (one sample, NCHW), square k×k windows, stride s and zero padding p. The output is
 * {@code outHeight × outWidth} positions with {@code out = floor((in + 2p − k) / s) + 1} (PyTorch's rule), and
 * the unfolded matrix X has {@link #patch()} = C·k·k rows in (channel, ky, kx) order and |T| = {@link #positions()}
 * columns per sample in (oy, ox) order.
 *
 * @param channels C, at least 1
 * @param height H, at least 1
 * @param width W, at least 1
 * @param kernel k, at least 1 and at most H + 2p and W + 2p
 * @param stride s, at least 1
 * @param padding p, at least 0
 */
public record ConvolutionGeometry(int channels, int height, int width, int kernel, int stride, int padding) {

    /**
     * @throws IllegalArgumentException naming the first size that is out of range, or when the window does not fit
     *         the padded image
     */
    public ConvolutionGeometry {
        positive("channels", channels);
        positive("height", height);
        positive("width", width);
        positive("kernel", kernel);
        positive("stride", stride);
        KernelArguments.size("padding", padding);
        if (kernel > height + 2 * padding || kernel > width + 2 * padding) {
            throw new IllegalArgumentException("a " + kernel + "×" + kernel + " window does not fit a " + height + "×"
                    + width + " image with padding " + padding);
        }
        long columns = (long) channels * kernel * kernel;
        if (columns > Integer.MAX_VALUE || (long) channels * height * width > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("convolution of " + channels + " channels of " + height + "×" + width
                    + " with k = " + kernel + " exceeds 2³¹ − 1 elements per sample");
        }
    }

    private static void positive(String name, int value) {
        if (value < 1) {
            throw new IllegalArgumentException(name + " must be >= 1 but is " + value);
        }
    }

    /** Output rows: {@code floor((H + 2p − k) / s) + 1}. */
    public int outHeight() {
        return (height + 2 * padding - kernel) / stride + 1;
    }

    /** Output columns: {@code floor((W + 2p − k) / s) + 1}. */
    public int outWidth() {
        return (width + 2 * padding - kernel) / stride + 1;
    }

    /** Output positions per sample, |T| = outHeight · outWidth. */
    public int positions() {
        return outHeight() * outWidth();
    }

    /** Rows of the unfolded matrix, C·k·k. */
    public int patch() {
        return channels * kernel * kernel;
    }

    /** Input elements per sample, C·H·W. */
    public int inputSize() {
        return channels * height * width;
    }

    /** Smallest output column ox whose input column ox·s + kx − p is ≥ 0. */
    int firstInside(int kx) {
        int need = padding - kx;
        return need <= 0 ? 0 : Math.min(outWidth(), (need + stride - 1) / stride);
    }

    /** One past the largest output column ox whose input column ox·s + kx − p is &lt; W (at least firstInside). */
    int endInside(int kx) {
        int limit = width - 1 + padding - kx;
        int end = limit < 0 ? 0 : Math.min(outWidth(), limit / stride + 1);
        return Math.max(end, firstInside(kx));
    }
}
