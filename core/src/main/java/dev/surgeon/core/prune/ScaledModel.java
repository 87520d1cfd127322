package dev.surgeon.core.prune;

import dev.surgeon.core.curvature.DampingRecord;
import dev.surgeon.core.curvature.ParameterSubset;
import java.util.List;

/**
 * c·C for a model C: the curvature of a summed loss (Σ_n ℓ_n) turned into that of the mean per-sample loss with
 * c = 1/N, so that every predicted loss change is in the report's unit. Corrections are unchanged (they do not depend
 * on the scale of C); saliencies and predicted values scale by c. Damping records keep the inner model's scale.
 */
final class ScaledModel implements QuadraticModel {
    private final QuadraticModel inner;
    private final double c;

    ScaledModel(QuadraticModel inner, double c) {
        if (!(c > 0) || Double.isInfinite(c)) {
            throw new IllegalArgumentException("scale must be > 0, got " + c);
        }
        this.inner = inner;
        this.c = c;
    }

    @Override
    public String name() {
        return inner.name() + " × " + c;
    }

    @Override
    public ParameterSubset subset() {
        return inner.subset();
    }

    @Override
    public double[] inverseDiagonal() {
        double[] d = inner.inverseDiagonal();
        for (int i = 0; i < d.length; i++) {
            d[i] /= c;
        }
        return d;
    }

    @Override
    public void inverseMultiply(double[] v, double[] out) {
        inner.inverseMultiply(v, out);
        for (int i = 0; i < out.length; i++) {
            out[i] /= c;
        }
    }

    @Override
    public boolean supportsMultiply() {
        return inner.supportsMultiply();
    }

    @Override
    public void multiply(double[] v, double[] out) {
        inner.multiply(v, out);
        for (int i = 0; i < out.length; i++) {
            out[i] *= c;
        }
    }

    @Override
    public double[] obsSaliencies(double[] w) {
        double[] s = inner.obsSaliencies(w);
        for (int i = 0; i < s.length; i++) {
            s[i] *= c;
        }
        return s;
    }

    @Override
    public double constrainedCorrection(boolean[] pruned, double[] w, double[] delta) {
        return c * inner.constrainedCorrection(pruned, w, delta);
    }

    @Override
    public double[] meanGradient() {
        double[] g = inner.meanGradient();
        if (g != null) {
            for (int i = 0; i < g.length; i++) {
                g[i] *= c;
            }
        }
        return g;
    }

    @Override
    public List<DampingRecord> dampingUsed() {
        return inner.dampingUsed();
    }
}
