package dev.surgeon.core.prune;

/**
 * When a {@link Pruner} is called and what happens in between (METHODS G.1). Every step starts a new
 * {@link PruningContext#round()}, so curvature, gradients and random draws are fresh at every step.
 * <ul>
 *   <li>{@link OneShot}: one step to the target, no fine-tuning.</li>
 *   <li>{@link Rounds}: R steps with geometric density steps (the M-FAC pruner's recomputation schedule, B6 step 6):
 *       fac = ((1 − s₁)/(1 − s₀))^{1/R}, s_j = 1 − (1 − s₀)·fac^j, j = 1..R; optional fine-tuning after every step but
 *       the last (iterative pruning with retraining: OBD B2, Han et al. B1).</li>
 *   <li>{@link Cubic}: gradual pruning (Zhu and Gupta 2018, "To prune, or not to prune: exploring the efficacy of pruning
 *       for model compression"): s_t = s₁ + (s₀ − s₁)(1 − t/n)³ for t = 1..n, fine-tuning after every step but the
 *       last.</li>
 *   <li>{@link Auto}: the OBS stopping rule for {@link Target.Auto}: steps of {@code weightsPerStep} weights until the
 *       training accuracy drops below its value before pruning minus the tolerance (or, optionally, the training loss
 *       grows too much); the failing step is undone.</li>
 *   <li>{@link FromInitialization}: SNIP (B11): the network is re-initialized, scored and pruned at initialization, then
 *       re-initialized again (the mask transfers, the scoring weights do not; biases start at 0) and trained.</li>
 * </ul>
 * A final retraining after the schedule (prune-then-retrain) is part of the {@link PruningPlan}.
 */
public sealed interface Schedule {

    /** One step. */
    record OneShot() implements Schedule {
        @Override
        public String toString() {
            return "one-shot";
        }
    }

    /**
     * Recomputation rounds with geometric density steps.
     *
     * @param rounds  R ≥ 1
     * @param between fine-tuning after each round but the last
     */
    record Rounds(int rounds, Retraining between) implements Schedule {
        public Rounds {
            if (rounds < 1) {
                throw new IllegalArgumentException("recomputation rounds must be >= 1, got " + rounds);
            }
        }

        @Override
        public String toString() {
            return rounds + " rounds (geometric density)" + (between.epochs() > 0 ? ", fine-tuning " + between + " between" : "");
        }
    }

    /**
     * Gradual cubic pruning.
     *
     * @param steps   n ≥ 1
     * @param between fine-tuning after each step but the last
     */
    record Cubic(int steps, Retraining between) implements Schedule {
        public Cubic {
            if (steps < 1) {
                throw new IllegalArgumentException("gradual pruning needs >= 1 step, got " + steps);
            }
        }

        @Override
        public String toString() {
            return "gradual cubic, " + steps + " steps" + (between.epochs() > 0 ? ", fine-tuning " + between + " between" : "");
        }
    }

    /**
     * The stopping rule on the training accuracy, optionally also on the training loss (Hassibi and Stork's "ΔL small
     * compared with the current error", B3 step 4, checked on the measured loss).
     *
     * @param weightsPerStep weights removed per step (1: the paper's loop)
     * @param lossTolerance  also stop when the training loss would exceed (1 + lossTolerance) × its value before pruning;
     *                       0 = no loss rule
     */
    record Auto(int weightsPerStep, double lossTolerance) implements Schedule {
        public Auto {
            if (weightsPerStep < 1) {
                throw new IllegalArgumentException("auto pruning removes >= 1 weight per step, got " + weightsPerStep);
            }
            if (!(lossTolerance >= 0) || Double.isInfinite(lossTolerance)) {
                throw new IllegalArgumentException("the loss tolerance must be finite and >= 0, got " + lossTolerance);
            }
        }

        @Override
        public String toString() {
            return "until the training accuracy drops" + (lossTolerance > 0 ? " or the training loss grows by more than "
                    + lossTolerance + "×" : "") + ", " + weightsPerStep + " weight(s) per step";
        }
    }

    /**
     * Prune at initialization, then train from a fresh initialization.
     *
     * @param training the training of the sparse network
     */
    record FromInitialization(Retraining training) implements Schedule {
        @Override
        public String toString() {
            return "at initialization, then " + training;
        }
    }

    /** Sparsities after each of R rounds from s₀ to s₁ with geometric density steps; the last is exactly s₁. */
    static double[] geometric(double s0, double s1, int rounds) {
        double fac = Math.pow((1 - s1) / (1 - s0), 1.0 / rounds);
        double[] s = new double[rounds];
        for (int j = 1; j <= rounds; j++) {
            s[j - 1] = j == rounds ? s1 : 1 - (1 - s0) * Math.pow(fac, j);
        }
        return s;
    }

    /** Sparsities after each of n cubic steps from s₀ to s₁; the last is exactly s₁. */
    static double[] cubic(double s0, double s1, int steps) {
        double[] s = new double[steps];
        for (int t = 1; t <= steps; t++) {
            double r = 1 - (double) t / steps;
            s[t - 1] = t == steps ? s1 : s1 + (s0 - s1) * r * r * r;
        }
        return s;
    }
}
