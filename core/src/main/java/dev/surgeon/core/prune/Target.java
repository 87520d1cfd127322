package dev.surgeon.core.prune;

import java.util.Locale;

/**
 * How much a pruning run removes, counted over the prunable parameters only (weights, plus biases when the run
 * prunes them; METHODS B "common rules").
 *
 * <ul>
 *   <li>{@link Sparsity}: the fraction s ∈ [0, 1) of prunable parameters that are zero afterwards (already pruned
 *       ones included), rounded to the nearest whole count.</li>
 *   <li>{@link Count}: the number of prunable parameters that are zero afterwards.</li>
 *   <li>{@link Auto}: the stopping rule of Hassibi and Stork (1993): remove weights one at a time until the next
 *       removal would lower the training accuracy by more than {@code tolerance} (0: any drop) below its value
 *       before pruning; that removal is undone.</li>
 * </ul>
 * Text form (CLI, recipes, reports): {@code 0.9}, {@code count:14}, {@code auto}, {@code auto:0.01}.
 */
public sealed interface Target {

    /**
     * A fraction of the prunable parameters.
     *
     * @param fraction s, 0 ≤ s &lt; 1
     */
    record Sparsity(double fraction) implements Target {
        public Sparsity {
            if (!(fraction >= 0) || !(fraction < 1)) {
                throw new IllegalArgumentException("sparsity must be in [0, 1), got " + fraction
                        + (fraction >= 1 ? " (sparsity 1 would remove every weight; use e.g. 0.99)" : ""));
            }
        }

        @Override
        public int prunedCount(int prunable) {
            return (int) Math.round(fraction * prunable);
        }

        @Override
        public String toString() {
            return Double.toString(fraction);
        }
    }

    /**
     * A number of prunable parameters.
     *
     * @param weights ≥ 0
     */
    record Count(int weights) implements Target {
        public Count {
            if (weights < 0) {
                throw new IllegalArgumentException("the number of weights to prune must be >= 0, got " + weights);
            }
        }

        @Override
        public int prunedCount(int prunable) {
            if (weights > prunable) {
                throw new IllegalArgumentException("cannot prune " + weights + " weights: the network has only "
                        + prunable + " prunable parameters");
            }
            return weights;
        }

        @Override
        public String toString() {
            return "count:" + weights;
        }
    }

    /**
     * Prune until the training accuracy would drop.
     *
     * @param tolerance accuracy drop allowed (a fraction in [0, 1)), 0 = none
     */
    record Auto(double tolerance) implements Target {
        public Auto {
            if (!(tolerance >= 0) || !(tolerance < 1)) {
                throw new IllegalArgumentException("auto tolerance must be an accuracy fraction in [0, 1), got " + tolerance);
            }
        }

        /** Auto has no fixed count; the schedule decides as it goes. */
        @Override
        public int prunedCount(int prunable) {
            throw new UnsupportedOperationException("sparsity auto has no fixed count; it is resolved by Schedule.Auto");
        }

        @Override
        public String toString() {
            return tolerance == 0 ? "auto" : "auto:" + tolerance;
        }
    }

    /**
     * The number of prunable parameters that are zero after pruning to this target.
     *
     * @param prunable number of prunable parameters
     * @throws IllegalArgumentException if the target asks for more weights than exist
     */
    int prunedCount(int prunable);

    static Target sparsity(double fraction) {
        return new Sparsity(fraction);
    }

    static Target count(int weights) {
        return new Count(weights);
    }

    static Target auto() {
        return new Auto(0);
    }

    /**
     * Parses the text form.
     *
     * @throws IllegalArgumentException naming the accepted forms, or the range violated
     */
    static Target parse(String text) {
        String t = text.strip().toLowerCase(Locale.ROOT);
        try {
            if (t.equals("auto")) {
                return auto();
            }
            if (t.startsWith("auto:")) {
                return new Auto(Double.parseDouble(t.substring(5)));
            }
            if (t.startsWith("count:")) {
                return count(Integer.parseInt(t.substring(6).strip()));
            }
            if (t.endsWith("%")) {
                return sparsity(Double.parseDouble(t.substring(0, t.length() - 1)) / 100);
            }
            return sparsity(Double.parseDouble(t));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("unknown sparsity target '" + text
                    + "'; use a fraction in [0, 1) (0.9), a percentage (90%), count:N or auto[:tolerance]");
        }
    }
}
