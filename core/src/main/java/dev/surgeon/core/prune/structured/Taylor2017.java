package dev.surgeon.core.prune.structured;

import dev.surgeon.core.prune.PruningContext;

/**
 * The Taylor criterion of Molchanov, Tyree, Karras, Aila and Kautz (2017, "Pruning convolutional neural networks for
 * resource efficient inference"; METHODS D1): for the feature map k as the next layer reads it (M positions),
 * Θ(k) = mean over examples of |(1/M) Σ_m a_m ∂ℓ_n/∂a_m| — absolute value per example, then the mean (the pitfall the
 * METHODS names: averaging before the absolute value lets signed terms cancel) — normalized per layer,
 * Θ̂(k) = Θ(k)/‖Θ(layer)‖₂, minus an optional FLOPs penalty ρ·(multiply-adds of the map / multiply-adds of the network).
 * Σ_m a_m ∂ℓ_n/∂a_m is the per-sample gate derivative θ_kᵀ∇ℓ_n ({@link GateDerivatives}). Deviation: the paper's penalty
 * uses raw FLOPs with ρ = 1e-3 (recalled); here FLOPs are a fraction of the network's so ρ does not depend on the scale.
 */
public final class Taylor2017 implements StructureScorer {
    private final int samples;
    private final int batch;
    private final double flopsPenalty;

    /**
     * @param samples      calibration samples (0: all)
     * @param batch        samples per pass
     * @param flopsPenalty ρ (0: none)
     */
    public Taylor2017(int samples, int batch, double flopsPenalty) {
        this.samples = samples;
        this.batch = batch;
        this.flopsPenalty = flopsPenalty;
    }

    @Override
    public String name() {
        return "taylor";
    }

    @Override
    public double[] score(PruningContext ctx, Structures structures) {
        int count = structures.size();
        double[] theta = new double[count];
        GateDerivatives gates = new GateDerivatives(structures);
        CalibrationPasses.run(ctx, "taylor", samples, batch, (ws, weight) -> {
            int b = ws.batch();
            float[] seeds = new float[b * ctx.network().outputSize()];
            double[] d = new double[b * count];
            ctx.network().lossSeeds(ws, ctx.loss(), null, seeds, 0);
            gates.compute(ws, seeds, 0, d);
            for (int n = 0; n < b; n++) {
                for (int s = 0; s < count; s++) {
                    theta[s] += Math.abs(d[n * count + s]) / b * weight;
                }
            }
        });
        for (Structure s : structures.all()) {
            theta[s.index()] /= s.positions();
        }
        normalizePerLayer(structures, theta);
        if (flopsPenalty != 0) {
            int[] full = structures.fullWidths();
            long total = structures.macs(full);
            for (Structure s : structures.all()) {
                int[] w = full.clone();
                w[structures.linkIndex(s)]--;
                theta[s.index()] -= flopsPenalty * (double) (total - structures.macs(w)) / total;
            }
        }
        return theta;
    }

    /** Divides every layer's scores by their ℓ2 norm over the layer's structures (the layer-wise normalization of D1). */
    static void normalizePerLayer(Structures structures, double[] scores) {
        for (int j = 0; j < structures.linkCount(); j++) {
            double ss = 0;
            for (Structure s : structures.ofLink(j)) {
                ss += scores[s.index()] * scores[s.index()];
            }
            double norm = Math.sqrt(ss);
            if (norm > 0) {
                for (Structure s : structures.ofLink(j)) {
                    scores[s.index()] /= norm;
                }
            }
        }
    }
}
