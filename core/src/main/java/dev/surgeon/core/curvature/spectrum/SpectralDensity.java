package dev.surgeon.core.curvature.spectrum;

/**
 * A stochastic Lanczos quadrature of the spectrum of a d × d operator (METHODS A12): for each probe, Ritz
 * values θ_k (nodes) and weights τ_k (squared first components of T's eigenvectors, summing to 1). The
 * density is φ(t) = (1/n_v) Σ_probes Σ_k τ_k · exp(−(t − θ_k)²/(2σ²)) / sqrt(2πσ²), and the trace estimate
 * d · Σ_k τ_k θ_k averaged over the probes.
 */
public final class SpectralDensity {
    /** PyHessian's plotting variance σ² (recalled, METHODS A12). */
    public static final double DEFAULT_SIGMA_SQUARED = 1e-5;

    private final int dim;
    private final double[][] nodes;
    private final double[][] weights;

    SpectralDensity(int dim, double[][] nodes, double[][] weights) {
        this.dim = dim;
        this.nodes = nodes;
        this.weights = weights;
    }

    /** Number of probes n_v. */
    public int probes() {
        return nodes.length;
    }

    /** Ritz values of probe p (ascending; a copy). */
    public double[] nodes(int p) {
        return nodes[p].clone();
    }

    /** Quadrature weights of probe p (a copy). */
    public double[] weights(int p) {
        return weights[p].clone();
    }

    /** φ(t) on the grid with Gaussian kernels of variance σ². */
    public double[] evaluate(double[] grid, double sigmaSquared) {
        if (!(sigmaSquared > 0)) {
            throw new IllegalArgumentException("σ² must be > 0, got " + sigmaSquared);
        }
        double[] phi = new double[grid.length];
        double norm = 1 / Math.sqrt(2 * Math.PI * sigmaSquared) / nodes.length;
        for (int p = 0; p < nodes.length; p++) {
            for (int k = 0; k < nodes[p].length; k++) {
                double theta = nodes[p][k];
                double tau = weights[p][k];
                for (int g = 0; g < grid.length; g++) {
                    double x = grid[g] - theta;
                    phi[g] += tau * norm * Math.exp(-x * x / (2 * sigmaSquared));
                }
            }
        }
        return phi;
    }

    /** tr(C) ≈ d · Σ_k τ_k θ_k, averaged over the probes. */
    public double trace() {
        double t = 0;
        for (int p = 0; p < nodes.length; p++) {
            for (int k = 0; k < nodes[p].length; k++) {
                t += weights[p][k] * nodes[p][k];
            }
        }
        return dim * t / nodes.length;
    }

    /** Smallest and largest Ritz value over all probes. */
    public double[] range() {
        double lo = Double.POSITIVE_INFINITY;
        double hi = Double.NEGATIVE_INFINITY;
        for (double[] n : nodes) {
            lo = Math.min(lo, n[0]);
            hi = Math.max(hi, n[n.length - 1]);
        }
        return new double[] {lo, hi};
    }
}
