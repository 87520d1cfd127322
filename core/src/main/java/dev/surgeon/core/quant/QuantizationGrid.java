package dev.surgeon.core.quant;

import java.util.Arrays;
import java.util.Locale;

/**
 * A per-channel uniform quantization grid for a d_row × d_col weight matrix: one (scale, zero) pair per row
 * (output channel), codes 0..maxq with maxq = 2^bits − 1 (METHODS C1; the grids of Frantar, Singh and Alistarh
 * 2022, "Optimal brain compression", and of GPTQ, Frantar, Ashkboos, Hoefler and Alistarh 2023).
 *
 * <ol>
 *   <li>Range of a row: x_min = min(0, min_j w_j), x_max = max(0, max_j w_j); both 0 ⇒ −1 and +1.</li>
 *   <li>Asymmetric: scale = (x_max − x_min)/maxq, zero = round(−x_min/scale). Symmetric: x_max ← max(|x_min|,
 *       x_max), x_min ← −x_max, the same scale, zero = (maxq + 1)/2.</li>
 *   <li>code(x) = clamp(round(x/scale) + zero, 0, maxq) (round half to even); value(code) = scale·(code − zero).</li>
 *   <li>Optional error-minimizing range search ({@link Spec#withSearch}): for p = 1, 1 − 1/grid, … (⌊maxshrink·grid⌋
 *       candidates), shrink the range to (p·x_min, p·x_max), quantize the row and keep the range with the least
 *       Σ_j |w_j − value(code(w_j))|^norm. p = 1 is the first candidate, so the search is never worse than no
 *       search (strictly: the first minimum wins ties). The defaults grid = 100, maxshrink = 0.8, norm = 2.4 are
 *       labelled "recalled, verify" in METHODS C1.</li>
 * </ol>
 *
 * <p>Scale and zero are stored as float (as a model file stores them, docs/FORMATS.md "Sparse and quantized
 * weights"), and {@link #value} is computed in float arithmetic from the stored pair, so a dequantized weight is
 * bit-for-bit what a reader of the file reconstructs; OBQ and GPTQ use exactly these values as their targets.
 * The grid is fixed before any OBQ/GPTQ update (C1); later updates may push weights outside the range, where
 * {@link #code} clips them.
 *
 * <p>Cost: O(d_col) per row, O(grid·d_col) with the range search.
 */
public final class QuantizationGrid {
    /** The range-search defaults of METHODS C1 (recalled, verify). */
    public static final int DEFAULT_GRID = 100;
    public static final double DEFAULT_MAX_SHRINK = 0.8;
    public static final double DEFAULT_NORM = 2.4;

    /**
     * How a grid is fitted.
     *
     * @param bits      2..8
     * @param symmetric symmetric range with zero = (maxq + 1)/2, else asymmetric
     * @param search    whether to run the error-minimizing range search
     * @param grid      shrink steps per unit of p (search only, ≥ 1)
     * @param maxShrink the largest shrink 1 − p tried, in (0, 1) (search only)
     * @param norm      the exponent of the error |x − q|^norm (search only, &gt; 0)
     */
    public record Spec(int bits, boolean symmetric, boolean search, int grid, double maxShrink, double norm) {
        public Spec {
            if (bits < 2 || bits > 8) {
                throw new IllegalArgumentException("quantization bits must be in 2..8 (codes are stored as U8), got " + bits);
            }
            if (search) {
                if (grid < 1) {
                    throw new IllegalArgumentException("range search grid must be >= 1, got " + grid);
                }
                if (!(maxShrink > 0 && maxShrink < 1)) {
                    throw new IllegalArgumentException("range search maxshrink must be in (0, 1), got " + maxShrink);
                }
                if (!(norm > 0) || Double.isInfinite(norm)) {
                    throw new IllegalArgumentException("range search norm must be finite and > 0, got " + norm);
                }
            }
        }

        /** Asymmetric per-channel grid, no range search. */
        public static Spec asymmetric(int bits) {
            return new Spec(bits, false, false, DEFAULT_GRID, DEFAULT_MAX_SHRINK, DEFAULT_NORM);
        }

        /** Symmetric per-channel grid, no range search. */
        public static Spec symmetric(int bits) {
            return new Spec(bits, true, false, DEFAULT_GRID, DEFAULT_MAX_SHRINK, DEFAULT_NORM);
        }

        /** The same grid with the range search at the defaults (100, 0.8, 2.4). */
        public Spec withSearch() {
            return withSearch(DEFAULT_GRID, DEFAULT_MAX_SHRINK, DEFAULT_NORM);
        }

        /** The same grid with the range search at the given settings. */
        public Spec withSearch(int searchGrid, double shrink, double errorNorm) {
            return new Spec(bits, symmetric, true, searchGrid, shrink, errorNorm);
        }

        /** 2^bits − 1. */
        public int maxq() {
            return (1 << bits) - 1;
        }

        @Override
        public String toString() {
            return bits + "-bit " + (symmetric ? "symmetric" : "asymmetric")
                    + (search ? String.format(Locale.ROOT, " (range search %d/%.2f/%.1f)", grid, maxShrink, norm) : "");
        }
    }

    private final Spec spec;
    private final int rows;
    private final float[] scale;
    private final float[] zero;

    private QuantizationGrid(Spec spec, float[] scale, float[] zero) {
        this.spec = spec;
        this.rows = scale.length;
        this.scale = scale;
        this.zero = zero;
    }

    /**
     * Fits one grid per row of the rows × cols row-major matrix {@code w} (from {@code off}).
     *
     * @throws IllegalArgumentException if a weight is NaN or infinite
     */
    public static QuantizationGrid fit(Spec spec, double[] w, int off, int rows, int cols) {
        if (rows < 1 || cols < 1 || off < 0 || w.length - off < (long) rows * cols) {
            throw new IllegalArgumentException("a " + rows + " × " + cols + " matrix needs " + ((long) rows * cols)
                    + " weights from offset " + off + ", the array has " + w.length);
        }
        float[] s = new float[rows];
        float[] z = new float[rows];
        float[] pair = new float[2];
        for (int i = 0; i < rows; i++) {
            fitRow(spec, w, off + i * cols, cols, i, pair);
            s[i] = pair[0];
            z[i] = pair[1];
        }
        return new QuantizationGrid(spec, s, z);
    }

    /** A grid from stored scales and zeros (e.g. read from a model file). */
    public static QuantizationGrid of(Spec spec, float[] scale, float[] zero) {
        if (scale.length != zero.length || scale.length == 0) {
            throw new IllegalArgumentException("scale and zero need one entry per row, got " + scale.length + " and " + zero.length);
        }
        for (int i = 0; i < scale.length; i++) {
            if (!(scale[i] > 0) || !Float.isFinite(scale[i]) || !(zero[i] >= 0 && zero[i] <= spec.maxq())
                    || zero[i] != Math.rint(zero[i])) {
                throw new IllegalArgumentException("row " + i + ": scale " + scale[i] + " must be finite and > 0 and zero "
                        + zero[i] + " an integer in [0, " + spec.maxq() + "]");
            }
        }
        return new QuantizationGrid(spec, scale.clone(), zero.clone());
    }

    private static void fitRow(Spec spec, double[] w, int off, int cols, int row, float[] out) {
        double lo = 0;
        double hi = 0;
        for (int j = 0; j < cols; j++) {
            double x = w[off + j];
            if (!Double.isFinite(x)) {
                throw new IllegalArgumentException("cannot quantize row " + row + ": weight " + j + " is " + x);
            }
            lo = Math.min(lo, x);
            hi = Math.max(hi, x);
        }
        if (spec.symmetric()) {
            hi = Math.max(-lo, hi);
            lo = -hi;
        }
        if (lo == 0 && hi == 0) {
            lo = -1;
            hi = 1;
        }
        pairFor(spec, lo, hi, out);
        if (!spec.search()) {
            return;
        }
        float bestScale = out[0];
        float bestZero = out[1];
        double best = Double.POSITIVE_INFINITY;
        int candidates = (int) (spec.maxShrink() * spec.grid());
        for (int c = 0; c < Math.max(1, candidates); c++) {
            double p = 1 - (double) c / spec.grid();
            pairFor(spec, p * lo, p * hi, out);
            double err = 0;
            for (int j = 0; j < cols; j++) {
                double x = w[off + j];
                err += Math.pow(Math.abs(x - value(out[0], out[1], code(out[0], out[1], spec.maxq(), x))), spec.norm());
            }
            if (err < best) {
                best = err;
                bestScale = out[0];
                bestZero = out[1];
            }
        }
        out[0] = bestScale;
        out[1] = bestZero;
    }

    private static void pairFor(Spec spec, double lo, double hi, float[] out) {
        int maxq = spec.maxq();
        float s = (float) ((hi - lo) / maxq);
        if (!(s > 0)) {
            // The range is so small that it underflows float: quantize everything to 0 with the tiniest scale.
            s = Float.MIN_NORMAL;
        }
        out[0] = s;
        // The zero point is rounded from a float quotient, as the float32 reference computes it (a double quotient
        // can fall just below a .5 tie that float rounds onto).
        out[1] = spec.symmetric() ? (maxq + 1) / 2 : (float) Math.min(maxq, Math.max(0, Math.rint((float) -lo / s)));
    }

    private static int code(float scale, float zero, int maxq, double x) {
        double c = Math.rint(x / scale) + zero;
        return (int) Math.min(maxq, Math.max(0, c));
    }

    private static double value(float scale, float zero, int code) {
        return scale * (code - zero);
    }

    public Spec spec() {
        return spec;
    }

    public int bits() {
        return spec.bits();
    }

    public int maxq() {
        return spec.maxq();
    }

    public int rows() {
        return rows;
    }

    public float scale(int row) {
        return scale[row];
    }

    public float zero(int row) {
        return zero[row];
    }

    /** The per-row scales (a copy). */
    public float[] scales() {
        return scale.clone();
    }

    /** The per-row zero points (a copy). */
    public float[] zeros() {
        return zero.clone();
    }

    /** The code of x on row i's grid: clamp(round(x/scale) + zero, 0, maxq). */
    public int code(int row, double x) {
        return code(scale[row], zero[row], spec.maxq(), x);
    }

    /** The dequantized value scale·(code − zero) of a code, computed in float (exactly what a file reader gets). */
    public double value(int row, int code) {
        return value(scale[row], zero[row], code);
    }

    /** value(code(x)): the nearest grid point of row i, after clipping. */
    public double quantize(int row, double x) {
        return value(row, code(row, x));
    }

    /** Half a grid step squared, (scale/2)²: errors above it mean a clipped weight (OBQ's outlier rule). */
    public double outlierThreshold(int row) {
        return 0.25 * (double) scale[row] * scale[row];
    }

    @Override
    public String toString() {
        return spec + " grid over " + rows + " rows (scales " + Arrays.toString(Arrays.copyOf(scale, Math.min(3, rows)))
                + (rows > 3 ? " …)" : ")");
    }
}
