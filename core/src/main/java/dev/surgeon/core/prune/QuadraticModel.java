package dev.surgeon.core.prune;

import dev.surgeon.core.curvature.CurvatureOperator;
import dev.surgeon.core.curvature.DampingRecord;
import dev.surgeon.core.curvature.ParameterSubset;
import dev.surgeon.kernels.Kernels;
import java.util.List;

/**
 * The local quadratic model a second-order pruner works with (METHODS 1.1): L(w + δw) − L(w) ≈ ½ δwᵀ C δw over the
 * coordinates of a {@link ParameterSubset} S (local order), C symmetric positive definite and already damped. The
 * OBS family needs three things from it:
 * <ul>
 *   <li>[C⁻¹]_qq for the saliency ΔL_q = w_q² / (2[C⁻¹]_qq) (1.2);</li>
 *   <li>C⁻¹ v for the single-weight corrections δw = −(w_q/[C⁻¹]_qq) C⁻¹e_q and their sum (WoodFisher, M-FAC);</li>
 *   <li>the exact joint correction for a set P (1.3), solved in the complement form: with R the free
 *       coordinates, δ_P = −w_P and C_RR δ_R = C_RP w_P, value ½ w_Pᵀ(C_PP − C_PR C_RR⁻¹ C_RP)w_P =
 *       ½ w_Pᵀ([C⁻¹]_PP)⁻¹ w_P (the Schur-complement identity). This form keeps already-pruned coordinates at zero
 *       and costs a solve of size |R| (or of the gradient count, by Woodbury) instead of |P|.</li>
 * </ul>
 * Build one from any {@link CurvatureOperator} ({@link #of}) or from stored gradients (see
 * {@link QuadraticModelSource}). Instances are not thread-safe.
 */
public interface QuadraticModel {

    /** Human-readable name, e.g. "empirical Fisher of 100 gradients (blocks: per layer)". */
    String name();

    /** The coordinates S the model is over; vectors are in its local order. */
    ParameterSubset subset();

    /** A new array holding diag(C⁻¹). */
    double[] inverseDiagonal();

    /** {@code out = C⁻¹ v}. */
    void inverseMultiply(double[] v, double[] out);

    /** Whether {@link #multiply} is available (for predicted loss changes ½ΔᵀCΔ). */
    default boolean supportsMultiply() {
        return false;
    }

    /** {@code out = C v}. */
    default void multiply(double[] v, double[] out) {
        throw new UnsupportedOperationException(name() + " does not support products with C");
    }

    /**
     * OBS saliencies w_q² / (2[C⁻¹]_qq) of every coordinate (local order): the predicted loss increase of removing
     * q alone and re-optimizing the others.
     */
    default double[] obsSaliencies(double[] w) {
        double[] inv = inverseDiagonal();
        double[] s = new double[inv.length];
        for (int i = 0; i < s.length; i++) {
            s[i] = w[i] * w[i] / (2 * inv[i]);
        }
        return s;
    }

    /**
     * The exact joint OBS correction (METHODS 1.3): minimizes ½δᵀCδ subject to δ_i = −w_i for every i with
     * {@code pruned[i]}; writes δ (all of S) into {@code delta}.
     *
     * @return the minimum ½δᵀCδ, the predicted loss increase
     * @throws UnsupportedOperationException if the model cannot solve restricted systems (name the alternative)
     */
    default double constrainedCorrection(boolean[] pruned, double[] w, double[] delta) {
        throw new UnsupportedOperationException(name() + " cannot compute the exact joint OBS correction (it needs the "
                + "entries of C); use the summed single-weight update, or a dense, block-diagonal or gradient-based model");
    }

    /**
     * The mean loss gradient the model was built from (local order), for saliencies that keep the gradient term
     * (WoodTaylor), or null when the model has none.
     */
    default double[] meanGradient() {
        return null;
    }

    /** The damping actually used, per block. */
    List<DampingRecord> dampingUsed();

    /**
     * A model over S from a curvature operator over the same coordinates (dim must equal |S|); the kernels solve the
     * joint correction's systems.
     */
    static QuadraticModel of(CurvatureOperator operator, ParameterSubset subset, Kernels kernels) {
        return new OperatorModel(operator, subset, kernels);
    }
}
