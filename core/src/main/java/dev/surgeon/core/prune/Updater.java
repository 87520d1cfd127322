package dev.surgeon.core.prune;

/**
 * The correction applied to the remaining weights when a set of weights is removed (METHODS G.1):
 * <ul>
 *   <li>{@link #none()}: the removed weights are zeroed, nothing else moves (magnitude, OBD, SNIP, diagonal Fisher);</li>
 *   <li>{@link #summedObs(double)}: the sum of single-weight OBS corrections, δw = scale·C⁻¹t with t_q = −w_q/[C⁻¹]_qq on
 *       the removed set (WoodFisher B5 step 4, M-FAC B6 step 5, K-FAC-OBS); inexact when [C⁻¹]_QQ is not diagonal
 *       (1.3), which recomputation rounds compensate;</li>
 *   <li>{@link #jointObs()}: the exact multi-weight OBS correction for the removed set together with everything
 *       pruned before (1.3; CBS-U).</li>
 * </ul>
 * Every updater ends with the removed weights pruned in the mask and exactly 0, and every previously pruned weight
 * still exactly 0.
 */
public interface Updater {

    String name();

    /**
     * Applies the correction for {@code removed} (prunable, not yet pruned, ascending flat indices), then prunes them.
     *
     * @param saliency the scorer's output (its model is the curvature; required by the OBS updaters)
     * @return the predicted loss increase ½ΔᵀCΔ of the applied change Δ under the model, or NaN without a model
     */
    double apply(PruningContext ctx, Saliency saliency, int[] removed);

    /** Zero the removed weights only. */
    static Updater none() {
        return new NoUpdate();
    }

    /** Summed single-weight OBS corrections, scaled (1 = WoodFisher's default, 0 = no update). */
    static Updater summedObs(double scale) {
        return new SummedObsUpdate(scale);
    }

    /** The exact joint OBS correction. */
    static Updater jointObs() {
        return new JointObsUpdate(1);
    }

    /** The exact joint OBS correction with the free weights' correction scaled. */
    static Updater jointObs(double scale) {
        return new JointObsUpdate(scale);
    }

    /** Parses {@code none}, {@code summed}, {@code joint} (with the given scale). */
    static Updater parse(String name, double scale) {
        return switch (name) {
            case "none" -> none();
            case "summed" -> summedObs(scale);
            case "joint" -> jointObs(scale);
            default -> throw new IllegalArgumentException("unknown update '" + name + "'; use none, summed or joint");
        };
    }
}
