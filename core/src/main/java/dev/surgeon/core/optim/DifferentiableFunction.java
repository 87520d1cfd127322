package dev.surgeon.core.optim;

/** A function of the flat parameter vector that returns its value and writes its gradient. */
@FunctionalInterface
public interface DifferentiableFunction {

    /**
     * @param x        the point (not modified)
     * @param gradient receives ∇f(x), same length as x
     * @return f(x)
     */
    double valueAndGradient(float[] x, float[] gradient);
}
