package dev.surgeon.core.optim;

import dev.surgeon.core.curvature.GradientStorage;
import dev.surgeon.core.curvature.MemoryBudget;
import dev.surgeon.core.curvature.MfacDynamic;
import dev.surgeon.kernels.Kernels;
import java.util.List;

/**
 * The M-FAC optimizer (Frantar, Kurtic and Alistarh 2021, "M-FAC: Efficient matrix-free approximations of
 * second-order information"; IST-DASLab/M-FAC; METHODS F item 15, 1.7, A8): a natural-gradient step with the
 * empirical Fisher of the last m mini-batch gradients, F̂ = λI + (1/m) Σ_{i≤m} g_i g_iᵀ, inverted matrix-free by the
 * dynamic sliding-window algorithm ({@link MfacDynamic}). Per step:
 * <pre>
 * g ← g + wd·w;  push g into the window;  u = F̂⁻¹ g;  v ← μv + (1 − μ)u if μ &gt; 0, else v = u;  w ← w − η v.
 * </pre>
 * Defaults (checked, the reference's): m = 1024, λ = 1e-5, η = 1e-3, μ = 0, wd = 0. The window starts as zeros with
 * the nominal m in the denominator (the reference's behaviour: the first m steps see a smaller curvature). With a
 * tiny λ the first steps are long (F̂⁻¹ ≈ λ⁻¹ on the directions no gradient has spanned yet): that is the
 * reference's scale, in which η = 1e-3 is meant.
 *
 * <p>Masks: pruned entries of g are zero (the trainer masks gradients) and pruned weights are set back to 0 after
 * every step with their v cleared; a changed mask empties the window, since the stored gradients predate it.
 * Cost per step: O(dm) for the window update and the inverse product (2 passes over the m × d window: the Gram row
 * of the new gradient doubles as the first product, {@link MfacDynamic#pushAndInverseMultiply}) plus O(m³) for the
 * m × m coefficients. Memory: m·d floats (m = 1024 and d = 266k: 1.1 GB; checked against the
 * {@link MemoryBudget} before allocating) plus 4d doubles. Notation: docs/NOTATION.md.
 */
public final class Mfac extends MaskedOptimizer {
    /** The reference defaults. */
    public static final int DEFAULT_WINDOW = 1024;
    public static final double DEFAULT_DAMPING = 1e-5;
    public static final double DEFAULT_LEARNING_RATE = 1e-3;

    private final int window;
    private final double damping;
    private final double momentum;
    private final double weightDecay;
    private final GradientStorage storage;
    private final Kernels kernels;
    private int d = -1;
    private MfacDynamic inverse;
    private double[] gradient;
    private double[] direction;
    private double[] velocity;

    /**
     * @param window      m, the number of gradients kept
     * @param damping     λ &gt; 0
     * @param momentum    μ in [0, 1)
     * @param weightDecay coupled wd ≥ 0
     */
    public Mfac(double learningRate, int window, double damping, double momentum, double weightDecay, GradientStorage storage,
                Kernels kernels) {
        super(learningRate);
        ElementwiseOptimizer.checkUnitInterval(momentum, "momentum");
        ElementwiseOptimizer.checkNonNegative(weightDecay, "weight decay");
        if (window < 1) {
            throw new IllegalArgumentException("the M-FAC window needs m >= 1 gradients, got " + window);
        }
        this.window = window;
        this.damping = positive(damping, "M-FAC damping λ");
        this.momentum = momentum;
        this.weightDecay = weightDecay;
        this.storage = storage;
        this.kernels = kernels;
    }

    /** The reference defaults: η = 1e-3, m = 1024, λ = 1e-5, μ = 0, no weight decay, float storage. */
    public static Mfac withDefaults(Kernels kernels) {
        return new Mfac(DEFAULT_LEARNING_RATE, DEFAULT_WINDOW, DEFAULT_DAMPING, 0, 0, GradientStorage.FLOAT, kernels);
    }

    private void allocate(int dimension) {
        long bytes = (long) storage.bytesPerValue() * window * dimension + 8L * window * window * 3 + 32L * dimension;
        MemoryBudget.defaultBudget().require("M-FAC optimizer window (m = " + window + ", d = " + dimension + ")", bytes,
                (long) window * dimension, "the m × d gradient window", List.of(
                        new MemoryBudget.Alternative("M-FAC with m = " + Math.max(1, window / 4) + " gradients",
                                (long) storage.bytesPerValue() * Math.max(1, window / 4) * dimension)));
        d = dimension;
        inverse = new MfacDynamic(window, d, damping, storage, kernels);
        gradient = new double[d];
        direction = new double[d];
        velocity = new double[d];
    }

    @Override
    public void step(float[] params, float[] grads) {
        if (params.length != grads.length) {
            throw new IllegalArgumentException(params.length + " parameters but " + grads.length + " gradient entries");
        }
        if (d != params.length) {
            if (d >= 0) {
                throw new IllegalArgumentException("this optimizer has state for " + d + " parameters but got "
                        + params.length + "; reset() or use a new optimizer");
            }
            allocate(params.length);
        }
        checkMask();
        t++;
        for (int q = 0; q < d; q++) {
            gradient[q] = grads[q] + weightDecay * params[q];
        }
        if (mask != null) {
            for (int q : mask.prunedIndices()) {
                gradient[q] = 0;
            }
        }
        inverse.pushAndInverseMultiply(gradient, direction);
        float eta = (float) learningRate();
        for (int q = 0; q < d; q++) {
            velocity[q] = momentum > 0 ? momentum * velocity[q] + (1 - momentum) * direction[q] : direction[q];
            params[q] -= eta * (float) velocity[q];
        }
        if (mask != null) {
            for (int q : mask.prunedIndices()) {
                params[q] = 0f;
                velocity[q] = 0;
            }
        }
    }

    /** A new empty window and zero momentum (nothing before the first step). */
    @Override
    void clearState() {
        if (d >= 0) {
            inverse = new MfacDynamic(window, d, damping, storage, kernels);
            java.util.Arrays.fill(velocity, 0);
        }
    }

    @Override
    public void reset() {
        t = 0;
        clearState();
    }

    /** m. */
    public int window() {
        return window;
    }

    /** λ. */
    public double damping() {
        return damping;
    }

    @Override
    public String toString() {
        return "M-FAC(lr=" + learningRate() + ", m=" + window + ", λ=" + damping + ", momentum=" + momentum + ", weight decay="
                + weightDecay + ", " + storage + " window)";
    }
}
