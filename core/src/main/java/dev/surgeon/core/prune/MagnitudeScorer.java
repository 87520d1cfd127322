package dev.surgeon.core.prune;

import dev.surgeon.core.nn.ParameterTensor;

/**
 * Magnitude saliency |w_q| (METHODS B1), optionally divided by the standard deviation of the surviving weights of q's
 * tensor: Han, Pool, Tran and Dally (2015, "Learning both weights and connections for efficient neural networks")
 * prune every weight below quality × std(layer); ranking |w|/σ_layer globally removes exactly the weights below one
 * common quality parameter, chosen so that the target is met (the published per-layer qualities are not known; a single
 * one is what their threshold rule gives with one knob). With {@link Allocation#perLayer()} the scaling changes
 * nothing. Cost O(d).
 */
public final class MagnitudeScorer implements Scorer {
    private final boolean stdScaled;

    /** @param stdScaled divide by the tensor's standard deviation (Han et al.) */
    public MagnitudeScorer(boolean stdScaled) {
        this.stdScaled = stdScaled;
    }

    @Override
    public String name() {
        return stdScaled ? "std-scaled magnitude" : "magnitude";
    }

    @Override
    public Saliency score(PruningContext ctx) {
        float[] w = ctx.network().parameters();
        double[] s = new double[w.length];
        for (ParameterTensor t : ctx.prunableTensors()) {
            double scale = 1;
            if (stdScaled) {
                double sum = 0;
                double sq = 0;
                int n = 0;
                for (int q = t.offset(); q < t.end(); q++) {
                    if (!ctx.mask().isPruned(q)) {
                        sum += w[q];
                        sq += (double) w[q] * w[q];
                        n++;
                    }
                }
                double var = n > 1 ? (sq - sum * sum / n) / (n - 1) : 0;
                scale = var > 0 ? 1 / Math.sqrt(var) : 1;
            }
            for (int q = t.offset(); q < t.end(); q++) {
                s[q] = Math.abs(w[q]) * scale;
            }
        }
        return new Saliency(s, null);
    }
}
