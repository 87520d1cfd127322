package dev.surgeon.core.prune;

import dev.surgeon.core.curvature.Damping;
import dev.surgeon.core.progress.Progress;
import dev.surgeon.core.quant.QuantizationGrid;
import dev.surgeon.core.quant.QuantizedWeights;
import dev.surgeon.kernels.Kernels;
import dev.surgeon.kernels.NotPositiveDefiniteException;
import dev.surgeon.kernels.Trans;
import dev.surgeon.kernels.Uplo;
import java.util.Arrays;

/**
 * SparseGPT (Frantar and Alistarh 2023, "SparseGPT: Massive language models can be accurately pruned in
 * one-shot"; METHODS B10) and, with a quantization grid, GPTQ (Frantar, Ashkboos, Hoefler and Alistarh 2023,
 * "GPTQ: Accurate post-training quantization for generative pre-trained transformers"; METHODS C2): ExactOBS
 * approximated by eliminating the columns in one fixed order 0, 1, …, d − 1 shared by all rows, so that one
 * Cholesky factor serves every row (the Cholesky shortcut of METHODS 1.4).
 * <ol>
 *   <li>H = (2/N) X Xᵀ with dead columns fixed (A9), damped by λ = p·mean(diag H), p = 0.01 (the default damping).</li>
 *   <li>U = upper Cholesky factor of H⁻¹ (H⁻¹ = UᵀU); after eliminating columns 0..j−1 the reduced inverse's row j
 *       from column j on is U_jj·U_{j,j:}.</li>
 *   <li>For each block of B_s = 128 columns [j0, j1): choose the block's mask from the current weights, score
 *       W_ij²/U_jj², pruning the fraction s of smallest scores over the whole d_row × B_s block (N:M: in each row,
 *       the M − N smallest of every group of M columns, chosen when the sweep reaches the group); then for each
 *       column j: q = 0 if pruned, else quant(W_ij) (GPTQ) or W_ij; err = (W_{:,j} − q)/U_jj;
 *       W_{:,j:j1} −= err·U_{j,j:j1} (one ger); loss += err²/2.</li>
 *   <li>Lazy update: W_{:,j1:} −= Err_block·U_{j0:j1,j1:}, ONE gemm per block.</li>
 * </ol>
 * Column j's update freezes it: kept weights are "eliminated" at their current value, so for a fixed mask the
 * result is sequential OBS with downdates in column order and does not depend on B_s (METHODS R17, unit-tested),
 * and the recorded losses sum to ½ Σ eᵀ(H + λI)e. The network driver ({@link LayerReconstruction} with
 * {@code sequential(true)}) feeds each layer the inputs of the already-compressed layers (B10 step 4).
 *
 * <p>N:M uses {@code keep=N,group=M} (at most N non-zeros per M consecutive inputs). For a convolution the columns
 * are permuted to (ky, kx, channel) order for the sweep, so that groups of M input channels at one kernel position
 * are consecutive, and permuted back; this also changes the elimination order. A block size that is not a
 * multiple of M is rounded down to one (groups must not straddle a lazy update). Block patterns are not offered
 * (use {@link ExactObs}). Quantization grids are fitted per row to the weights before the sweep (C1).
 *
 * <p>Cost O(d_col³ + d_row·d_col²) per layer; memory d_col² for U plus d_row·B_s.
 */
public final class SparseGpt implements LayerReconstructionMethod {
    /** The reference block size. */
    public static final int DEFAULT_BLOCK = 128;
    /** The reference relative damping p_damp. */
    public static final double DEFAULT_RELATIVE_DAMPING = 0.01;

    private final Pattern pattern;
    private final double sparsity;
    private final int blockSize;
    private final QuantizationGrid.Spec quantization;

    private SparseGpt(Pattern pattern, double sparsity, int blockSize, QuantizationGrid.Spec quantization) {
        this.pattern = pattern;
        this.sparsity = sparsity;
        this.blockSize = blockSize;
        this.quantization = quantization;
    }

    /** Unstructured SparseGPT at the given sparsity. */
    public static SparseGpt unstructured(double sparsity) {
        return of(Pattern.UNSTRUCTURED, sparsity);
    }

    /** N:M SparseGPT: at most {@code keep} non-zeros in every {@code group} consecutive inputs. */
    public static SparseGpt nOfM(int keep, int group) {
        Pattern.NOfM p = new Pattern.NOfM(keep, group);
        return new SparseGpt(p, p.sparsity(), DEFAULT_BLOCK, null);
    }

    /**
     * SparseGPT for an unstructured or N:M pattern (for N:M the sparsity must be 1 − N/M or NaN).
     *
     * @throws IllegalArgumentException for a block pattern, a sparsity outside [0, 1), or one contradicting N:M
     */
    public static SparseGpt of(Pattern pattern, double sparsity) {
        return switch (pattern) {
            case Pattern.NOfM nm -> new SparseGpt(nm, ExactObs.requireNOfMSparsity(nm, sparsity), DEFAULT_BLOCK, null);
            case Pattern.Unstructured u -> new SparseGpt(u, ExactObs.requireSparsity(sparsity), DEFAULT_BLOCK, null);
            case Pattern.Blocks b -> throw new IllegalArgumentException("SparseGPT has no block pattern (" + b
                    + "); use ExactObs for blocks");
        };
    }

    /** GPTQ: the same sweep with quantization and no pruning. */
    public static SparseGpt gptq(QuantizationGrid.Spec spec) {
        return new SparseGpt(Pattern.UNSTRUCTURED, 0, DEFAULT_BLOCK, spec);
    }

    /** The same method with B_s columns per lazy block (≥ 1). */
    public SparseGpt withBlockSize(int columns) {
        if (columns < 1) {
            throw new IllegalArgumentException("SparseGPT block size must be >= 1, got " + columns);
        }
        return new SparseGpt(pattern, sparsity, columns, quantization);
    }

    /** The same pruning, with the kept weights quantized in the sweep (joint SparseGPT + GPTQ). */
    public SparseGpt withQuantization(QuantizationGrid.Spec spec) {
        return new SparseGpt(pattern, sparsity, blockSize, spec);
    }

    public Pattern pattern() {
        return pattern;
    }

    public double sparsity() {
        return sparsity;
    }

    public int blockSize() {
        return blockSize;
    }

    /** The quantization grid spec, or null. */
    public QuantizationGrid.Spec quantization() {
        return quantization;
    }

    @Override
    public String name() {
        String prune = pattern instanceof Pattern.NOfM ? pattern.toString() : pattern + " " + ExactObs.percent(sparsity);
        String base = quantization == null ? "SparseGPT " + prune
                : sparsity == 0 ? "GPTQ " + quantization : "SparseGPT " + prune + " + GPTQ " + quantization;
        return base + " (block " + blockSize + ")";
    }

    /** SparseGPT's p_damp = 0.01 relative damping. */
    @Override
    public Damping defaultDamping() {
        return Damping.relative(DEFAULT_RELATIVE_DAMPING);
    }

    @Override
    public void check(String layer, int rows, int cols, int kernelPositions) {
        ExactObs.checkPattern(pattern, layer, cols, kernelPositions);
    }

    @Override
    public LayerReconstructionResult compress(LayerReconstructionProblem problem, Kernels kernels, Progress progress) {
        return sweep(problem, null, kernels, progress);
    }

    /**
     * The sweep with a fixed mask (no mask selection): pruned entries go to 0 (kept ones are quantized if a grid is
     * set), each column's error propagated to the later columns. For R17: the result is independent of the block
     * size and equals sequential OBS with explicit downdates in column order.
     */
    public LayerReconstructionResult compressWithMask(LayerReconstructionProblem problem, boolean[] pruned, Kernels kernels) {
        if (pruned.length != problem.rows() * problem.cols()) {
            throw new IllegalArgumentException(problem.layer() + ": the mask has " + pruned.length + " entries, the layer "
                    + problem.rows() * problem.cols());
        }
        return sweep(problem, pruned, kernels, Progress.NONE);
    }

    private LayerReconstructionResult sweep(LayerReconstructionProblem problem, boolean[] fixedMask, Kernels kernels,
                                            Progress progress) {
        check(problem.layer(), problem.rows(), problem.cols(), problem.kernelPositions());
        long start = System.nanoTime();
        int rows = problem.rows();
        int d = problem.cols();
        double[] w0 = problem.startingWeights();
        QuantizationGrid grid = quantization == null ? null : QuantizationGrid.fit(quantization, w0, 0, rows, d);
        double[] u = problem.hessian().inverse();
        int[] perm = pattern instanceof Pattern.NOfM && problem.kernelPositions() > 1
                ? positionMajor(problem.inputChannels(), problem.kernelPositions()) : null;
        double[] w = w0.clone();
        boolean[] mask = fixedMask == null ? new boolean[rows * d] : fixedMask.clone();
        if (perm != null) {
            w = permuteColumns(w, d, perm);
            mask = permuteColumns(mask, d, perm);
            u = permuteSymmetric(u, d, perm);
        }
        try {
            kernels.potrf(Uplo.UPPER, d, u, 0, d);
        } catch (NotPositiveDefiniteException e) {
            throw new ExactObsBreakdownException(problem.layer() + ": the inverse Hessian is not positive definite in "
                    + "floating point (Cholesky pivot " + e.pivot() + "); use more damping (SparseGPT's default is "
                    + "Damping.relative(0.01)) or more calibration samples");
        }
        int b = blockSize;
        int groupSize = 1;
        int prunePerGroup = 0;
        if (pattern instanceof Pattern.NOfM nm) {
            groupSize = nm.group();
            prunePerGroup = nm.group() - nm.keep();
            b = Math.max(groupSize, b - b % groupSize);
        }
        byte[] codes = grid == null ? null : new byte[rows * d];
        double[] err = new double[rows * b];
        double[] errColumn = new double[rows];
        double[] scores = new double[rows * b];
        double loss = 0;
        int blocks = (d + b - 1) / b;
        progress.start("SparseGPT blocks " + problem.layer(), blocks);
        for (int j0 = 0; j0 < d; j0 += b) {
            int j1 = Math.min(d, j0 + b);
            int nb = j1 - j0;
            if (fixedMask == null && pattern instanceof Pattern.Unstructured && sparsity > 0) {
                selectBlockMask(w, u, mask, rows, d, j0, nb, scores);
            }
            for (int j = j0; j < j1; j++) {
                if (fixedMask == null && groupSize > 1 && j % groupSize == 0) {
                    selectGroupMask(w, u, mask, rows, d, j, groupSize, prunePerGroup);
                }
                double ujj = u[j * d + j];
                for (int i = 0; i < rows; i++) {
                    double wij = w[i * d + j];
                    double q;
                    if (mask[i * d + j]) {
                        q = 0;
                        if (codes != null) {
                            codes[i * d + j] = (byte) grid.code(i, 0);
                        }
                    } else if (grid != null) {
                        int code = grid.code(i, wij);
                        codes[i * d + j] = (byte) code;
                        q = grid.value(i, code);
                    } else {
                        q = wij;
                    }
                    double e = (wij - q) / ujj;
                    loss += 0.5 * e * e;
                    w[i * d + j] = q;
                    errColumn[i] = e;
                    err[i * b + (j - j0)] = e;
                }
                if (j + 1 < j1) {
                    kernels.ger(rows, j1 - j - 1, -1.0, errColumn, 0, u, j * d + j + 1, w, j + 1, d);
                }
            }
            if (j1 < d) {
                kernels.gemm(Trans.N, Trans.N, rows, d - j1, nb, -1.0, err, 0, b, u, j0 * d + j1, d, 1.0, w, j1, d);
            }
            progress.advance(1);
        }
        progress.finish();
        if (perm != null) {
            int[] inverse = new int[d];
            for (int a = 0; a < d; a++) {
                inverse[perm[a]] = a;
            }
            w = permuteColumns(w, d, inverse);
            mask = permuteColumns(mask, d, inverse);
            if (codes != null) {
                byte[] c = new byte[codes.length];
                for (int q = 0; q < c.length; q++) {
                    c[q] = codes[q - q % d + inverse[q % d]];
                }
                codes = c;
            }
        }
        QuantizedWeights q = codes == null ? null : new QuantizedWeights(problem.layer(), rows, d, codes, grid);
        String method = fixedMask == null ? name() : "SparseGPT sweep with a fixed mask (block " + blockSize + ")";
        return LayerReconstructionResult.of(problem, method, w, mask, q, loss, kernels, start);
    }

    /** Prunes the round(s·rows·nb) smallest W²/U_jj² of the block (ties: lower row-major index first). */
    private void selectBlockMask(double[] w, double[] u, boolean[] mask, int rows, int d, int j0, int nb, double[] scores) {
        int n = rows * nb;
        int k = (int) Math.round(sparsity * n);
        if (k == 0) {
            return;
        }
        for (int i = 0; i < rows; i++) {
            for (int t = 0; t < nb; t++) {
                double ujj = u[(j0 + t) * d + j0 + t];
                double x = w[i * d + j0 + t];
                scores[i * nb + t] = x * x / (ujj * ujj);
            }
        }
        double[] sorted = Arrays.copyOf(scores, n);
        Arrays.sort(sorted);
        double threshold = sorted[k - 1];
        int below = 0;
        for (int q = 0; q < n; q++) {
            if (scores[q] < threshold) {
                below++;
            }
        }
        int ties = k - below;
        for (int q = 0; q < n; q++) {
            boolean prune = scores[q] < threshold || scores[q] == threshold && ties-- > 0;
            mask[(q / nb) * d + j0 + q % nb] = prune;
        }
    }

    /** In each row, prunes the {@code prune} smallest W²/U_jj² of columns [j, j + m) (ties: lower column first). */
    private static void selectGroupMask(double[] w, double[] u, boolean[] mask, int rows, int d, int j, int m, int prune) {
        double[] s = new double[m];
        for (int i = 0; i < rows; i++) {
            for (int t = 0; t < m; t++) {
                double ujj = u[(j + t) * d + j + t];
                double x = w[i * d + j + t];
                s[t] = x * x / (ujj * ujj);
                mask[i * d + j + t] = false;
            }
            for (int c = 0; c < prune; c++) {
                int best = -1;
                for (int t = 0; t < m; t++) {
                    if (!mask[i * d + j + t] && (best < 0 || s[t] < s[best])) {
                        best = t;
                    }
                }
                mask[i * d + j + best] = true;
            }
        }
    }

    /** perm[new] = old for columns reordered from (channel, position) to (position, channel). */
    static int[] positionMajor(int channels, int positions) {
        int[] perm = new int[channels * positions];
        for (int pos = 0; pos < positions; pos++) {
            for (int c = 0; c < channels; c++) {
                perm[pos * channels + c] = c * positions + pos;
            }
        }
        return perm;
    }

    /** out[i, c] = a[i, perm[c]] for every row i (columns gathered by perm). */
    private static double[] permuteColumns(double[] a, int d, int[] perm) {
        double[] out = new double[a.length];
        for (int q = 0; q < a.length; q++) {
            out[q] = a[q - q % d + perm[q % d]];
        }
        return out;
    }

    private static boolean[] permuteColumns(boolean[] a, int d, int[] perm) {
        boolean[] out = new boolean[a.length];
        for (int q = 0; q < a.length; q++) {
            out[q] = a[q - q % d + perm[q % d]];
        }
        return out;
    }

    private static double[] permuteSymmetric(double[] a, int d, int[] perm) {
        double[] out = new double[a.length];
        for (int r = 0; r < d; r++) {
            for (int c = 0; c < d; c++) {
                out[r * d + c] = a[perm[r] * d + perm[c]];
            }
        }
        return out;
    }

    @Override
    public String toString() {
        return name();
    }
}
