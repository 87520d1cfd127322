package dev.surgeon.core.prune;

import java.util.SplittableRandom;

/** Uniform random saliencies from a derived seed: the random-pruning baseline (same seed, same mask). */
public final class RandomScorer implements Scorer {
    @Override
    public String name() {
        return "random";
    }

    @Override
    public Saliency score(PruningContext ctx) {
        SplittableRandom r = ctx.random("random scores");
        double[] s = new double[ctx.network().parameterCount()];
        for (int q = 0; q < s.length; q++) {
            s[q] = r.nextDouble();
        }
        return new Saliency(s, null);
    }
}
