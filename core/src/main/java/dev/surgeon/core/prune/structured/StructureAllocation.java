package dev.surgeon.core.prune.structured;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * Which structures to remove so that the network's multiply-adds fall to a target (METHODS G.1 "allocator" for
 * structures): the FLOPs-targeted allocation behind {@code --flops 0.25} (keep 25 % of the dense multiply-adds).
 * <ul>
 *   <li>{@link Mode#GLOBAL}: one ranking of all structures by saliency; remove the lowest until the multiply-adds
 *       ({@link Structures#macs}) reach the target.</li>
 *   <li>{@link Mode#UNIFORM}: the same fraction f of every layer's structures (its lowest scores), the smallest f that
 *       reaches the target (bisection on f) — Li et al.'s per-layer setting for norms that are not comparable across
 *       layers.</li>
 *   <li>{@link Mode#PER_FLOP}: one global ranking of saliency per multiply-add saved, score_s / c_l with c_l the
 *       multiply-adds one unit of s's layer costs at the widths of the round's start (its row in layer l and its
 *       columns in the next layer). Raw-saliency ranking ({@code GLOBAL}) does not see cost: on LeNet-5 a dense
 *       neuron saves 810 multiply-adds and a conv2 filter 40,000, so a FLOPs target reached by the cheapest-looking
 *       units first empties the dense layer to its floor before touching the convolutions (measured: fc1 500 → 50 at
 *       4× fewer FLOPs with SOSP-H). The same normalization as Molchanov et al. 2017's FLOPs regularization, as a
 *       ratio instead of a penalty (no ρ to tune); a deviation from the plain global ranking of METHODS D3.</li>
 * </ul>
 * Every layer keeps at least ⌈(1 − maxFraction)·n⌉ units, and at least one; a per-layer cap (from
 * {@link GradientRedundancy}) lowers its maximum further. If the caps cannot reach the target, {@code strictCaps}
 * decides: fail, or exceed the caps by global ranking (and say so in {@link Selection#note()}).
 *
 * @param mode        global or uniform
 * @param maxFraction largest fraction of any layer's units that may go, in (0, 1]
 */
public record StructureAllocation(Mode mode, double maxFraction) {

    /** Global ranking or the same fraction per layer. */
    public enum Mode {
        GLOBAL, UNIFORM, PER_FLOP;

        public static Mode parse(String text) {
            return switch (text.strip().toLowerCase(Locale.ROOT)) {
                case "global" -> GLOBAL;
                case "uniform", "layer" -> UNIFORM;
                case "per-flop", "per_flop" -> PER_FLOP;
                default -> throw new IllegalArgumentException("unknown allocation '" + text + "'; use global, uniform or per-flop");
            };
        }
    }

    public StructureAllocation {
        if (!(maxFraction > 0 && maxFraction <= 1)) {
            throw new IllegalArgumentException("the largest removed fraction of a layer must be in (0, 1], got " + maxFraction);
        }
    }

    /**
     * What to remove.
     *
     * @param removed the structures to remove now, in removal order
     * @param macs    multiply-adds afterwards
     * @param note    why caps were exceeded, or empty
     */
    public record Selection(List<Structure> removed, long macs, String note) {
    }

    /**
     * @param structures the candidates
     * @param scores     saliency per structure (lower goes first)
     * @param targetMacs multiply-adds to reach (at most)
     * @param caps       per-link largest removable fraction, or null
     * @param strictCaps fail instead of exceeding the caps
     * @throws IllegalArgumentException if the target cannot be reached within maxFraction (naming the reachable value)
     */
    public Selection select(Structures structures, double[] scores, long targetMacs, double[] caps, boolean strictCaps) {
        int links = structures.linkCount();
        int[] width = structures.widths();
        int[] floor = new int[links];
        int[] capped = new int[links];
        for (int j = 0; j < links; j++) {
            int n = structures.hidden().links().get(j).units();
            floor[j] = Math.max(1, (int) Math.ceil((1 - maxFraction) * n - 1e-9));
            capped[j] = caps == null ? floor[j] : Math.max(floor[j], (int) Math.ceil((1 - caps[j]) * n - 1e-9));
        }
        List<Structure> order = new ArrayList<>();
        for (Structure s : structures.all()) {
            if (!structures.isRemoved(s)) {
                order.add(s);
            }
        }
        double[] key = mode == Mode.PER_FLOP ? perFlop(structures, scores, width) : scores;
        order.sort(Comparator.<Structure>comparingDouble(s -> key[s.index()]).thenComparingInt(Structure::index));
        List<Structure> chosen = mode != Mode.UNIFORM ? global(structures, order, width, capped, targetMacs)
                : uniform(structures, order, width, capped, targetMacs);
        String note = "";
        if (structures.macs(width) > targetMacs && caps != null) {
            if (strictCaps) {
                throw new IllegalArgumentException(String.format(Locale.ROOT, "the per-layer bounds allow at most %.4f of the "
                        + "dense multiply-adds to go; the target keeps %.4f", 1 - (double) structures.macs(width)
                        / structures.macs(structures.fullWidths()), (double) targetMacs / structures.macs(structures.fullWidths())));
            }
            List<Structure> rest = new ArrayList<>(order);
            rest.removeAll(chosen);
            chosen.addAll(mode != Mode.UNIFORM ? global(structures, rest, width, floor, targetMacs)
                    : uniform(structures, rest, width, floor, targetMacs));
            note = "the per-layer redundancy bounds could not reach the FLOPs target; the rest was removed by global ranking "
                    + "beyond them";
        }
        long macs = structures.macs(width);
        if (macs > targetMacs) {
            throw new IllegalArgumentException(String.format(Locale.ROOT, "cannot reach %d multiply-adds: keeping at least %s "
                    + "units per layer (max fraction %.3g) leaves %d; lower the FLOPs reduction or raise max_fraction",
                    targetMacs, Arrays.toString(floor), maxFraction, macs));
        }
        return new Selection(chosen, macs, note);
    }

    /** score_s / (multiply-adds saved by removing one unit of s's layer at these widths). */
    static double[] perFlop(Structures st, double[] scores, int[] width) {
        long now = st.macs(width);
        double[] cost = new double[st.linkCount()];
        for (int j = 0; j < cost.length; j++) {
            int[] w = width.clone();
            w[j]--;
            cost[j] = Math.max(1, now - st.macs(w));
        }
        double[] key = new double[scores.length];
        for (Structure s : st.all()) {
            key[s.index()] = scores[s.index()] / cost[st.linkIndex(s)];
        }
        return key;
    }

    private static List<Structure> global(Structures st, List<Structure> order, int[] width, int[] keep, long target) {
        List<Structure> out = new ArrayList<>();
        for (Structure s : order) {
            if (st.macs(width) <= target) {
                break;
            }
            int j = st.linkIndex(s);
            if (width[j] > keep[j]) {
                width[j]--;
                out.add(s);
            }
        }
        return out;
    }

    private static List<Structure> uniform(Structures st, List<Structure> order, int[] width, int[] keep, long target) {
        int links = st.linkCount();
        int[] full = st.fullWidths();
        double lo = 0;
        double hi = 1;
        int[] best = null;
        for (int it = 0; it < 50; it++) {
            double f = it == 0 ? 1 : (lo + hi) / 2;
            int[] w = widthsAt(st, f, full, width, keep);
            if (st.macs(w) <= target) {
                best = w;
                hi = f;
            } else if (it == 0) {
                break;
            } else {
                lo = f;
            }
        }
        int[] goal = best != null ? best : widthsAt(st, 1, full, width, keep);
        List<Structure> out = new ArrayList<>();
        int[] cut = new int[links];
        for (int j = 0; j < links; j++) {
            cut[j] = width[j] - goal[j];
        }
        for (Structure s : order) {
            int j = st.linkIndex(s);
            if (cut[j] > 0) {
                cut[j]--;
                width[j]--;
                out.add(s);
            }
        }
        return out;
    }

    /** Widths after removing a fraction f of every layer that has structures (never below keep, never growing). */
    private static int[] widthsAt(Structures st, double f, int[] full, int[] width, int[] keep) {
        int[] w = width.clone();
        for (int j = 0; j < w.length; j++) {
            if (!st.ofLink(j).isEmpty()) {
                int target = Math.max(keep[j], full[j] - (int) Math.round(f * full[j]));
                w[j] = Math.min(width[j], target);
            }
        }
        return w;
    }
}
