package dev.surgeon.core.prune.structured;

import dev.surgeon.core.prune.PruningContext;
import dev.surgeon.kernels.Trans;
import dev.surgeon.kernels.Uplo;
import java.util.ArrayList;
import java.util.List;

/**
 * Gradient-matrix redundancy (Zhou, Lian, Yin and Wang 2022, "Neural network compression via effective filter analysis
 * and hierarchical pruning"; METHODS D5, a reconstruction from the paper's stated objective). Duplicate units, units that
 * are linear combinations of others and units whose output is never used make the columns of a layer's per-sample
 * gradient matrix linearly dependent, so its rank counts the effective units.
 * <ol>
 *   <li>For layer l with n_l units, G_l ∈ R^{N×n_l} with G_l[n, f] = ∂ℓ_n/∂u_f = Σ_positions a_f ∂ℓ_n/∂a_f, the
 *       per-unit Taylor term of D1 (the gate derivative, {@link GateDerivatives}), on a fixed, recorded calibration
 *       subset.</li>
 *   <li>Singular values σ of G_l (square roots of the eigenvalues of the smaller of G_lᵀG_l and G_lG_lᵀ, float64);
 *       effective rank r_l = the number
 *       of σ_i &gt; τ·σ_1; redundancy ρ_l = 1 − r_l/n_l. Maximum network compression (METHODS formula) =
 *       1 − Σ_l r_l·p_l / Σ_l n_l·p_l with p_l the parameters per unit (row + bias + outgoing columns).</li>
 *   <li>ρ_l is an upper bound on the fraction of layer l pruned ({@link StructureAllocation} caps).</li>
 * </ol>
 * The threshold τ decides everything (METHODS D5 pitfall) and is reported with every estimate.
 */
public final class GradientRedundancy {
    private final int samples;
    private final int batch;
    private final double tau;

    /**
     * One layer's estimate.
     *
     * @param layer          layer name
     * @param units          n_l
     * @param rank           r_l
     * @param redundancy     ρ_l = 1 − r_l/n_l
     * @param singularValues σ in decreasing order
     */
    public record LayerEstimate(String layer, int units, int rank, double redundancy, double[] singularValues) {
    }

    /**
     * The network's estimate.
     *
     * @param tau                the rank threshold
     * @param samples            rows of every G_l
     * @param layers             per layer (only layers whose units are of the structure kind)
     * @param caps               per link, ρ_l (1 for layers without structures, which are never pruned anyway)
     * @param maximumCompression 1 − Σ r_l p_l / Σ n_l p_l
     */
    public record Estimate(double tau, int samples, List<LayerEstimate> layers, double[] caps, double maximumCompression) {
    }

    /**
     * @param samples calibration samples (rows of G_l; 0: all)
     * @param batch   samples per pass
     * @param tau     relative singular-value threshold τ in (0, 1)
     */
    public GradientRedundancy(int samples, int batch, double tau) {
        if (!(tau > 0 && tau < 1)) {
            throw new IllegalArgumentException("the rank threshold tau must be in (0, 1), got " + tau);
        }
        this.samples = samples;
        this.batch = batch;
        this.tau = tau;
    }

    public double tau() {
        return tau;
    }

    /** The estimate at the current weights. */
    public Estimate estimate(PruningContext ctx, Structures structures) {
        int count = structures.size();
        GateDerivatives gates = new GateDerivatives(structures);
        List<double[]> batches = new ArrayList<>();
        int[] rows = {0};
        CalibrationPasses.run(ctx, "gradient redundancy", samples, batch, (ws, weight) -> {
            int b = ws.batch();
            float[] seeds = new float[b * ctx.network().outputSize()];
            double[] d = new double[b * count];
            ctx.network().lossSeeds(ws, ctx.loss(), null, seeds, 0);
            gates.compute(ws, seeds, 0, d);
            batches.add(d);
            rows[0] += b;
        });
        int m = rows[0];
        double[] g = new double[m * count];
        int at = 0;
        for (double[] d : batches) {
            System.arraycopy(d, 0, g, at, d.length);
            at += d.length;
        }
        List<LayerEstimate> layers = new ArrayList<>();
        double[] caps = new double[structures.linkCount()];
        double kept = 0;
        double total = 0;
        for (int j = 0; j < structures.linkCount(); j++) {
            List<Structure> group = structures.ofLink(j);
            caps[j] = 1;
            if (group.isEmpty()) {
                continue;
            }
            int n = group.size();
            double[] sigma = singularValues(ctx, g, m, count, group.get(0).index(), n);
            int rank = rank(sigma, tau);
            double rho = 1 - (double) rank / n;
            caps[j] = rho;
            layers.add(new LayerEstimate(structures.layerName(j), n, rank, rho, sigma));
            double per = group.get(0).incoming().length + group.get(0).outgoing().length;
            kept += rank * per;
            total += n * per;
        }
        return new Estimate(tau, m, layers, caps, total == 0 ? 0 : 1 - kept / total);
    }

    /**
     * The n singular values (decreasing, zeros included) of the m × n block of G starting at column {@code first}, from
     * the eigenvalues of the smaller Gram matrix (G_lᵀG_l or G_lG_lᵀ, which share their non-zero eigenvalues σ²).
     */
    private static double[] singularValues(PruningContext ctx, double[] g, int m, int ld, int first, int n) {
        int k = Math.min(m, n);
        double[] gram = new double[k * k];
        if (n <= m) {
            ctx.network().kernels().gemm(Trans.T, Trans.N, n, n, m, 1.0, g, first, ld, g, first, ld, 0.0, gram, 0, n);
        } else {
            ctx.network().kernels().gemm(Trans.N, Trans.T, m, m, n, 1.0, g, first, ld, g, first, ld, 0.0, gram, 0, m);
        }
        // Scaled to a unit largest diagonal entry: gate derivatives of near-dead units reach the denormal range, which
        // the eigensolver's QL iterations do not survive; the rank is scale-invariant.
        double scale = 0;
        for (int a = 0; a < k; a++) {
            scale = Math.max(scale, gram[a * k + a]);
        }
        double[] values = new double[k];
        if (scale > 0) {
            for (int a = 0; a < k * k; a++) {
                double v = gram[a] / scale;
                gram[a] = Math.abs(v) < 1e-200 ? 0 : v;
            }
            ctx.network().kernels().syev(Uplo.LOWER, k, gram, 0, k, values, 0);
        }
        double[] sigma = new double[n];
        for (int i = 0; i < k; i++) {
            sigma[i] = -Math.sqrt(Math.max(0, values[i]) * scale);
        }
        java.util.Arrays.sort(sigma);
        for (int i = 0; i < n; i++) {
            sigma[i] = -sigma[i] + 0.0;
        }
        return sigma;
    }

    /** Number of σ_i &gt; τ·σ_1 (σ sorted decreasing; 0 when σ_1 = 0). */
    static int rank(double[] sigma, double tau) {
        int r = 0;
        for (double s : sigma) {
            if (sigma[0] > 0 && s > tau * sigma[0]) {
                r++;
            }
        }
        return r;
    }
}
