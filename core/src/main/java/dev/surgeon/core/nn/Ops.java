package dev.surgeon.core.nn;

/**
 * The small memory-bound loops between the gemm calls of the layers: bias broadcasts, column sums, the
 * NCHW ↔ channels-last reorders of convolutions and elementwise squares. They are O(size of an
 * activation), against O(size × fan-in) for the gemm next to them, and written so C2 vectorizes them.
 */
final class Ops {
    private Ops() {
    }

    /** {@code a[r, :] += v} for the rows×cols row-major a. */
    static void addRowVector(float[] a, int rows, int cols, float[] v, int vOff) {
        for (int r = 0; r < rows; r++) {
            int base = r * cols;
            for (int j = 0; j < cols; j++) {
                a[base + j] += v[vOff + j];
            }
        }
    }

    /** {@code dst[j] (=|+=) Σ_r a[r, j]} over the rows×cols row-major a. */
    static void columnSums(float[] a, int rows, int cols, float[] dst, int dOff, boolean accumulate) {
        if (!accumulate) {
            java.util.Arrays.fill(dst, dOff, dOff + cols, 0f);
        }
        for (int r = 0; r < rows; r++) {
            int base = r * cols;
            for (int j = 0; j < cols; j++) {
                dst[dOff + j] += a[base + j];
            }
        }
    }

    /** {@code dst[c] (=|+=) Σ_{b,t} x[b, c, t]} for an NCHW batch with {@code plane} = H·W. */
    static void channelSums(float[] x, int batch, int channels, int plane, float[] dst, int dOff, boolean accumulate) {
        if (!accumulate) {
            java.util.Arrays.fill(dst, dOff, dOff + channels, 0f);
        }
        for (int b = 0; b < batch; b++) {
            for (int c = 0; c < channels; c++) {
                dst[dOff + c] += sum(x, (b * channels + c) * plane, plane);
            }
        }
    }

    static float sum(float[] x, int off, int n) {
        float s = 0;
        for (int i = 0; i < n; i++) {
            s += x[off + i];
        }
        return s;
    }

    /** NCHW → channels-last rows: {@code rows[(b·plane + t)·C + c] = x[(b·C + c)·plane + t]}. */
    static void toChannelsLast(float[] x, int batch, int channels, int plane, float[] rows) {
        for (int b = 0; b < batch; b++) {
            int src = b * channels * plane;
            int dst = b * plane * channels;
            for (int c = 0; c < channels; c++) {
                int s = src + c * plane;
                for (int t = 0; t < plane; t++) {
                    rows[dst + t * channels + c] = x[s + t];
                }
            }
        }
    }

    /** Channels-last rows → NCHW, adding {@code bias[c]} when {@code bias != null}. */
    static void toChannelsFirst(float[] rows, int batch, int channels, int plane, float[] bias, int bOff, float[] x) {
        for (int b = 0; b < batch; b++) {
            int src = b * plane * channels;
            int dst = b * channels * plane;
            for (int c = 0; c < channels; c++) {
                float add = bias == null ? 0f : bias[bOff + c];
                int d = dst + c * plane;
                for (int t = 0; t < plane; t++) {
                    x[d + t] = rows[src + t * channels + c] + add;
                }
            }
        }
    }

    /** {@code dst[r·ldd + j] = src[r·lds + j]²} for a rows×cols block. */
    static void square(float[] src, int sOff, int lds, int rows, int cols, float[] dst, int dOff, int ldd) {
        for (int r = 0; r < rows; r++) {
            int s = sOff + r * lds;
            int d = dOff + r * ldd;
            for (int j = 0; j < cols; j++) {
                float v = src[s + j];
                dst[d + j] = v * v;
            }
        }
    }

    /** {@code acc[i] += src[i]²} for n entries. */
    static void accumulateSquares(float[] src, int sOff, int n, float[] acc, int aOff) {
        for (int i = 0; i < n; i++) {
            float v = src[sOff + i];
            acc[aOff + i] += v * v;
        }
    }
}
