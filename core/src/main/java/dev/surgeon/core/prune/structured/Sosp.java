package dev.surgeon.core.prune.structured;

import dev.surgeon.core.nn.Loss;
import dev.surgeon.core.nn.Network;
import dev.surgeon.core.prune.PruningContext;
import dev.surgeon.kernels.Trans;

/**
 * SOSP (Nonnenmacher, Pfeil, Steinwart and Reeb 2022, "SOSP: Efficiently capturing global correlations by second-order
 * structured pruning"; METHODS D3, a reconstruction from the paper's stated objective — no public code). Removing a
 * set R of structures is the step δw = −Σ_{s∈R} θ_s (θ_s = the outgoing weights of s, see {@link Structure}), whose
 * second-order loss change with the Gauss-Newton matrix G (A3, positive semi-definite) is
 * ΔL(R) ≈ −Σ_{s∈R} θ_sᵀg + ½ Σ_{s,t∈R} θ_sᵀGθ_t. In gate coordinates this is the quadratic model of L(u) at u = 1 with
 * gradient γ = Θᵀg and curvature C = ΘᵀGΘ, because w(u) is linear in u.
 * <ul>
 *   <li>SOSP-I: C is formed explicitly, C = (1/N) Σ_n (J_nΘ)ᵀ Λ_n (J_nΘ), from gate derivatives of the columns of the
 *       loss-Hessian factor Λ_n = S_nS_nᵀ (K backward passes per batch instead of one JVP per structure), and the
 *       saliency is the independent upper bound ΔL_s = |γ_s| + ½ Σ_t |C_st| (every partner t counted at its worst).
 *       Memory S² doubles.</li>
 *   <li>SOSP-H: the sum over partners is one product with the whole weight vector, Σ_t θ_sᵀGθ_t ≈ θ_sᵀ(Gw), so
 *       ΔL_s = |θ_sᵀ(½Gw − g)| from one Gauss-Newton product per batch. The identity is exact when the θ_t sum to w;
 *       here they cover the hidden units' outgoing weights, and the product uses the full w, as the paper does.</li>
 * </ul>
 * All quantities are of the mean per-sample loss over the calibration samples; ranking is global over all layers.
 */
public final class Sosp implements StructureScorer {
    private final boolean interactions;
    private final int samples;
    private final int batch;

    /**
     * @param interactions true: SOSP-I (explicit C); false: SOSP-H
     * @param samples      calibration samples (0: all)
     * @param batch        samples per pass
     */
    public Sosp(boolean interactions, int samples, int batch) {
        this.interactions = interactions;
        this.samples = samples;
        this.batch = batch;
    }

    @Override
    public String name() {
        return interactions ? "sosp-i" : "sosp-h";
    }

    @Override
    public double[] score(PruningContext ctx, Structures structures) {
        Network net = ctx.network();
        int count = structures.size();
        double[] gamma = new double[count];
        double[] curvature = new double[count];
        double[] c = interactions ? new double[count * count] : null;
        float[] grad = new float[net.parameterCount()];
        float[] w = net.parameters().clone();
        float[] gw = new float[net.parameterCount()];
        GateDerivatives gates = interactions ? new GateDerivatives(structures) : null;
        long[] seen = {0};
        CalibrationPasses.run(ctx, name(), samples, batch, (ws, weight) -> {
            double unit = CalibrationPasses.perSample(ctx, ws) * weight;
            net.lossGradient(ws, ctx.loss(), grad);
            double[] g = structures.project(grad);
            seen[0] += ws.batch();
            for (int s = 0; s < count; s++) {
                gamma[s] += g[s] * unit;
            }
            if (interactions) {
                accumulateGaussNewton(ctx, ws, gates, count, c);
            } else {
                net.gaussNewtonVectorProduct(ws, ctx.loss(), w, gw);
                double[] h = structures.project(gw);
                for (int s = 0; s < count; s++) {
                    curvature[s] += h[s] * unit;
                }
            }
        });
        double[] out = new double[count];
        double n = seen[0];
        for (int s = 0; s < count; s++) {
            if (interactions) {
                double row = 0;
                for (int t = 0; t < count; t++) {
                    row += Math.abs(c[s * count + t]) / n;
                }
                out[s] = Math.abs(gamma[s]) + 0.5 * row;
            } else {
                out[s] = Math.abs(0.5 * curvature[s] - gamma[s]);
            }
        }
        return out;
    }

    /** C ← C + Σ_n Σ_c d_{n,c} d_{n,c}ᵀ with d_{n,c} the gate derivatives of column c of sample n's Hessian factor. */
    static void accumulateGaussNewton(PruningContext ctx, dev.surgeon.core.nn.Workspace ws, GateDerivatives gates, int count,
                                      double[] c) {
        Network net = ctx.network();
        Loss loss = ctx.loss();
        int b = ws.batch();
        int k = net.outputSize();
        int columns = loss.factorColumns(k);
        float[] factor = new float[columns * b * k];
        loss.hessianFactor(ws.outputs(), ws.targets(), b, k, 1f, factor, 0);
        double[] d = new double[b * count];
        for (int col = 0; col < columns; col++) {
            gates.compute(ws, factor, col * b * k, d);
            net.kernels().gemm(Trans.T, Trans.N, count, count, b, 1.0, d, 0, count, d, 0, count, 1.0, c, 0, count);
        }
    }
}
