package dev.surgeon.core.prune;

import dev.surgeon.kernels.Kernels;
import dev.surgeon.kernels.Trans;
import java.util.Locale;

/**
 * L-OBS (Dong, Chen and Pan 2017, "Learning to prune deep neural networks via layer-wise optimal brain surgeon";
 * csyhhu/L-OBS; METHODS B4), as a {@link LayerPruner}: OBS on each layer's pre-activation reconstruction error
 * E = (1/(2n)) Σ_j ‖ŷ_j − y_j‖², whose Hessian for every output neuron's weights is H_l = (1/n) Σ_j h̄_j h̄_jᵀ over
 * the inputs with a 1 appended (the bias is the last column of W̄ = [W | b] and moves with the correction).
 * <ol>
 *   <li>H_l⁻¹ with λ = 1e-6 (the reference's 1e6·I start of the rank-one build-up).</li>
 *   <li>ΔL_ij = W_ij² / (2[H_l⁻¹]_jj) for every weight (output i, input j), from the weights before pruning.</li>
 *   <li>Sort once; prune the lowest until the layer target; for each pruned W_ij in that order apply the single-weight
 *       update to row i only, W̄_{i,:} ← W̄_{i,:} − (W_ij / [H_l⁻¹]_jj)[H_l⁻¹]_{j,:}, with the current W_ij.</li>
 *   <li>Set every pruned weight to 0 (H_l⁻¹ is never downdated, so later updates in a row move earlier-pruned
 *       weights; the reference zeroes them at the end, as here).</li>
 * </ol>
 * Deviations: H comes from the driver's H = (2/n)Σ h̄h̄ᵀ + λ'I, so the preset passes λ' = 2·1e-6 (the same matrix up to
 * the factor 2, which cancels in the update and does not change the ranking); the inverse is computed by Cholesky
 * rather than the rank-one recursion (the same matrix). The reported layer error is the exact quadratic
 * (1/N)‖(W̄ − Ŵ̄)X̄‖²_F at the calibration inputs (OBC's convention, twice L-OBS's E), not the sum of the step
 * predictions. Cost O(n d_col²) for H, O(d_col³) to invert, O(d_col) per pruned weight.
 */
public final class LayerwiseObs implements LayerPruner {
    /** The reference's damping, 1e-6 on (1/n) Σ h̄h̄ᵀ, i.e. 2e-6 on the driver's (2/n) Σ h̄h̄ᵀ. */
    public static final double DAMPING = 2e-6;

    @Override
    public String name() {
        return "L-OBS";
    }

    /** The {@code lobs} preset: this layer pruner driven by {@link LayerwisePruning}, per-layer allocation by default. */
    public static MethodDefinition method() {
        return new MethodDefinition("lobs", "L-OBS: layer-wise OBS on each layer's reconstruction error, static inverse, sort "
                + "once, row-only updates (METHODS B4)",
                new Presets.KnobList().set("scope", "layer")
                        .add("calibration", "1024", "calibration samples for the layer inputs")
                        .add("batch", "128", "samples per forward pass while collecting inputs")
                        .add("damping", Double.toString(DAMPING), "λ added to H = (2/n) Σ h̄h̄ᵀ (2e-6 = L-OBS's 1e-6 on (1/n) Σ h̄h̄ᵀ)")
                        .add("sequential", "false", "collect each layer's inputs after the layers in front were pruned").list(),
                s -> Presets.plan(s, (a, p) -> new LayerwisePruning(new LayerwiseObs(), a, p, s.integer("calibration", 1),
                        s.integer("batch", 1), dev.surgeon.core.curvature.Damping.absolute(s.nonNegative("damping")),
                        s.bool("sequential"), null)));
    }

    @Override
    public boolean appendsBiasInput() {
        return true;
    }

    @Override
    public LayerResult prune(LayerTask task) {
        Kernels kernels = task.kernels();
        int cols = task.columns();
        int c = task.hessian().columns();
        double[] inv = task.hessian().inverse();
        double[] w = task.weights().clone();
        double[] b = task.biasValues() == null ? null : task.biasValues().clone();
        boolean[] pruned = task.pruned().clone();
        double[] saliency = saliencies(task);
        int[] candidates = new int[w.length];
        int n = 0;
        for (int i = 0; i < w.length; i++) {
            if (!pruned[i]) {
                candidates[n++] = i;
            }
        }
        int k = task.targetPruned() - task.alreadyPruned();
        if (k > n) {
            throw new IllegalArgumentException(task.name() + ": cannot prune " + k + " more weights, only " + n + " remain");
        }
        double[] key = new double[n];
        for (int i = 0; i < n; i++) {
            key[i] = saliency[candidates[i]];
        }
        int[] order = IndexSort.ascending(key, n);
        for (int t = 0; t < k; t++) {
            int idx = candidates[order[t]];
            int i = idx / cols;
            int j = idx % cols;
            double f = w[idx] / inv[j * c + j];
            kernels.axpy(cols, -f, inv, j * c, w, i * cols);
            if (task.biasColumn() && b != null) {
                b[i] -= f * inv[j * c + cols];
            }
            pruned[idx] = true;
        }
        for (int i = 0; i < w.length; i++) {
            if (pruned[i]) {
                w[i] = 0;
            }
        }
        double error = reconstructionError(task, w, b);
        String line = String.format(Locale.ROOT, "%s: %s %d of %d weights pruned, reconstruction error (1/N)‖ΔW̄X̄‖² = %.6g",
                task.name(), name(), task.targetPruned(), w.length, error);
        return new LayerResult(w, b, pruned, Double.NaN, error, Double.NaN, line);
    }

    /** ½ Σ_rows δ_rᵀ H δ_r with δ = the change of W̄ (undamped H): (1/N)‖(W̄ − Ŵ̄)X̄‖²_F. */
    private double reconstructionError(LayerTask task, double[] w, double[] b) {
        int rows = task.rows();
        int cols = task.columns();
        int c = task.hessian().columns();
        double[] h = task.hessian().hessian();
        for (int j : task.hessian().deadColumns()) {
            // The dead-column fix put 1 on the diagonal; the input is 0, so removing its weight costs nothing.
            h[j * c + j] = 0;
        }
        double[] d = new double[rows * c];
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) {
                d[i * c + j] = w[i * cols + j] - task.weights()[i * cols + j];
            }
            if (c > cols) {
                d[i * c + cols] = b == null ? 0 : b[i] - task.biasValues()[i];
            }
        }
        double[] dh = new double[rows * c];
        Kernels kernels = task.kernels();
        kernels.gemm(Trans.N, Trans.N, rows, c, c, 1.0, d, 0, c, h, 0, c, 0.0, dh, 0, c);
        return 0.5 * kernels.dot(rows * c, d, 0, dh, 0);
    }
}
