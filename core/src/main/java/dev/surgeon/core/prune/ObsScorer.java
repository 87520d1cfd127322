package dev.surgeon.core.prune;

import dev.surgeon.core.curvature.ParameterSubset;

/**
 * The OBS saliency ΔL_q = w_q² / (2[C⁻¹]_qq) (Hassibi and Stork 1993; METHODS 1.2) of a {@link QuadraticModel} built
 * fresh at the current weights: the predicted loss increase of removing q alone and re-optimizing the other weights.
 * With a diagonal model it is OBD's ½ C_qq w_q² (1.8); WoodFisher's reference score w²/[F⁻¹]_qq drops the ½, which
 * ranks the same. With the gradient term (WoodTaylor, METHODS 1.2) the saliency is (w_q − (C⁻¹g)_q)² / (2[C⁻¹]_qq),
 * g the model's mean gradient. Cost: the model's construction plus its inverse diagonal (and one inverse product).
 */
public final class ObsScorer implements Scorer {
    private final String name;
    private final QuadraticModelSource source;
    private final boolean gradientTerm;

    public ObsScorer(String name, QuadraticModelSource source) {
        this(name, source, false);
    }

    /** @param gradientTerm keep the first-order term (WoodTaylor); the model must provide its mean gradient */
    public ObsScorer(String name, QuadraticModelSource source, boolean gradientTerm) {
        this.name = name;
        this.source = source;
        this.gradientTerm = gradientTerm;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public Saliency score(PruningContext ctx) {
        QuadraticModel model = source.build(ctx);
        ParameterSubset s = model.subset();
        double[] w = new double[s.dim()];
        s.gather(ctx.network().parameters(), w);
        double[] local;
        if (gradientTerm) {
            double[] g = model.meanGradient();
            if (g == null) {
                throw new IllegalStateException(name + ": the saliency with the gradient term needs a model built from gradients; "
                        + model.name() + " has none");
            }
            double[] u = new double[g.length];
            model.inverseMultiply(g, u);
            double[] inv = model.inverseDiagonal();
            local = new double[w.length];
            for (int i = 0; i < w.length; i++) {
                double x = w[i] - u[i];
                local[i] = x * x / (2 * inv[i]);
            }
        } else {
            local = model.obsSaliencies(w);
        }
        double[] scores = new double[ctx.network().parameterCount()];
        for (int r = 0; r < s.rangeCount(); r++) {
            System.arraycopy(local, s.rangeLocal(r), scores, s.rangeFrom(r), s.rangeTo(r) - s.rangeFrom(r));
        }
        return new Saliency(scores, model);
    }
}
