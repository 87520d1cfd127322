package dev.surgeon.core.bayes;

/**
 * The evidence as a stopping rule for pruning (MacKay 1992; METHODS E1 step 5: "compare pruned variants; the
 * largest evidence wins"): after every pruning step the caller computes the evidence of the pruned model (e.g.
 * {@link EvidenceFramework} with the step's mask) and reports it here. Pruning should stop once the evidence has
 * not exceeded its best value by more than {@code tolerance} nats for {@code patience} consecutive steps; the
 * model to keep is the one at {@link #bestStep()}. Removing a weight the data do not determine raises the
 * evidence (a smaller Occam penalty at an unchanged fit); removing a determined one lowers it.
 * Notation: docs/NOTATION.md.
 */
public final class EvidenceStoppingRule {
    private final int patience;
    private final double tolerance;
    private double best = Double.NEGATIVE_INFINITY;
    private int bestStep = -1;
    private int steps;
    private int sinceBest;

    /**
     * @param patience  steps without improvement before stopping (≥ 1)
     * @param tolerance nats an evidence must exceed the best by to count as an improvement (≥ 0)
     */
    public EvidenceStoppingRule(int patience, double tolerance) {
        if (patience < 1 || !(tolerance >= 0)) {
            throw new IllegalArgumentException("patience must be >= 1 and tolerance >= 0, got " + patience + " and "
                    + tolerance);
        }
        this.patience = patience;
        this.tolerance = tolerance;
    }

    /**
     * Records the log evidence of the model after the next step (step 0 is the unpruned model).
     *
     * @return true to continue pruning, false to stop
     */
    public boolean record(double logEvidence) {
        if (Double.isNaN(logEvidence)) {
            throw new IllegalArgumentException("the log evidence of step " + steps + " is NaN");
        }
        if (bestStep < 0 || logEvidence > best + tolerance) {
            best = Math.max(best, logEvidence);
            bestStep = steps;
            sinceBest = 0;
        } else {
            sinceBest++;
        }
        steps++;
        return sinceBest < patience;
    }

    /** The step with the largest evidence so far (−1 before the first record). */
    public int bestStep() {
        return bestStep;
    }

    /** The largest log evidence recorded. */
    public double bestLogEvidence() {
        return best;
    }
}
