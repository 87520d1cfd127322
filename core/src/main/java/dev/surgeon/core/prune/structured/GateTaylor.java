package dev.surgeon.core.prune.structured;

import dev.surgeon.core.nn.Network;
import dev.surgeon.core.prune.PruningContext;

/**
 * The gate Taylor criterion of Molchanov, Mallya, Tyree, Frosio and Kautz (2019, "Importance estimation for neural
 * network pruning"; METHODS D2). A gate u_s = 1 multiplies each structure's output as the next layer reads it; it is
 * not a parameter and does not change the function ({@link Structure}), and ∂L/∂u_s = θ_sᵀ∇L.
 * <ul>
 *   <li>First order: per mini-batch b, I_s = (∂L_b/∂u_s)² = (Σ_{q∈S} g_q w_q)² with the mini-batch mean gradient,
 *       squared once per mini-batch (not per example).</li>
 *   <li>Second order: I_s = (Σ_{q∈S} g_q w_q − ½ w_q (Hw)_q)² = (θ_sᵀ(g − ½ H w))², the grouped form of the paper's
 *       per-parameter (g_q w_q − ½ w_q (Hw)_q)², with the exact Hessian-vector product Hw of the mini-batch
 *       (Pearlmutter's R-operator, METHODS A2).</li>
 * </ul>
 * The per-mini-batch importances are blended with momentum μ (0.9): m ← μ·m + (1 − μ)·I_b, starting from the first
 * mini-batch's value; the estimate restarts at every scoring call (METHODS D2 pitfall: reset after each pruning
 * step). No per-layer normalization (the paper's ResNet setting). The sum over S runs over θ_s, the outgoing weights;
 * for a ReLU unit the sum over its incoming row and bias gives the same gate derivative (tested).
 */
public final class GateTaylor implements StructureScorer {
    private final boolean secondOrder;
    private final int samples;
    private final int batch;
    private final double momentum;

    /**
     * @param secondOrder add the −½θᵀHw term
     * @param samples     calibration samples (0: all)
     * @param batch       mini-batch size (one importance per mini-batch)
     * @param momentum    μ in [0, 1)
     */
    public GateTaylor(boolean secondOrder, int samples, int batch, double momentum) {
        if (!(momentum >= 0 && momentum < 1)) {
            throw new IllegalArgumentException("the Taylor momentum must be in [0, 1), got " + momentum);
        }
        this.secondOrder = secondOrder;
        this.samples = samples;
        this.batch = batch;
        this.momentum = momentum;
    }

    @Override
    public String name() {
        return secondOrder ? "taylor-so" : "taylor-fo";
    }

    @Override
    public double[] score(PruningContext ctx, Structures structures) {
        Network net = ctx.network();
        double[] running = new double[structures.size()];
        float[] grad = new float[net.parameterCount()];
        float[] w = net.parameters().clone();
        float[] hw = secondOrder ? new float[net.parameterCount()] : null;
        boolean[] first = {true};
        CalibrationPasses.run(ctx, name(), samples, batch, (ws, weight) -> {
            double unit = CalibrationPasses.perSample(ctx, ws);
            net.lossGradient(ws, ctx.loss(), grad);
            double[] g = structures.project(grad);
            if (secondOrder) {
                net.hessianVectorProduct(ws, ctx.loss(), w, hw);
                double[] h = structures.project(hw);
                for (int s = 0; s < g.length; s++) {
                    g[s] -= 0.5 * h[s];
                }
            }
            for (int s = 0; s < g.length; s++) {
                double importance = g[s] * unit * g[s] * unit;
                running[s] = first[0] ? importance : momentum * running[s] + (1 - momentum) * importance;
            }
            first[0] = false;
        });
        return running;
    }
}
