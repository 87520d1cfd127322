package dev.surgeon.core.bayes;

/**
 * The regularization-constant schedule of Weigend, Rumelhart and Huberman (1991, "Generalization by weight-elimination
 * with application to forecasting"), which Flat Minimum Search uses for its λ (Hochreiter and Schmidhuber 1997;
 * METHODS E3 step 2). After every epoch n with training error E_n, tolerable error E_tol and the running average
 * A_n = γ A_{n−1} + (1 − γ) E_n (A_1 = E_1):
 * <ul>
 *   <li>E_n &lt; E_tol, or E_n &lt; E_{n−1} (the error falls): λ ← λ + Δλ;</li>
 *   <li>otherwise (the error rose and is above the tolerance), if E_n &lt; A_n (still below its average): λ ← λ − Δλ
 *       (not below 0);</li>
 *   <li>otherwise: λ ← κ λ, a cut.</li>
 * </ul>
 * Constants (the papers set Δλ per experiment; METHODS E3 "recalled"): γ = 0.9 and κ = 0.9 as in Weigend et al.;
 * λ starts at 0 (FMS's step 1); Δλ has no scale-free default because it multiplies B, whose size grows with the
 * number of weights — choose it so that λ·B per pattern is a fraction of the error per pattern after some tens
 * of epochs.
 * Notation: docs/NOTATION.md.
 */
public final class WeigendSchedule {
    private final double tolerableError;
    private final double step;
    private final double averaging;
    private final double cut;
    private double lambda;
    private double previous = Double.NaN;
    private double average = Double.NaN;

    /**
     * @param tolerableError E_tol (&gt; 0), in the units of the training error the caller reports
     * @param step           Δλ ≥ 0
     * @param averaging      γ in [0, 1)
     * @param cut            κ in [0, 1)
     * @param initial        λ at the start (≥ 0)
     */
    public WeigendSchedule(double tolerableError, double step, double averaging, double cut, double initial) {
        if (!(tolerableError > 0) || !(step >= 0) || !(averaging >= 0 && averaging < 1) || !(cut >= 0 && cut < 1)
                || !(initial >= 0)) {
            throw new IllegalArgumentException("Weigend schedule needs E_tol > 0, Δλ >= 0, γ and κ in [0, 1), λ₀ >= 0; got "
                    + tolerableError + ", " + step + ", " + averaging + ", " + cut + ", " + initial);
        }
        this.tolerableError = tolerableError;
        this.step = step;
        this.averaging = averaging;
        this.cut = cut;
        this.lambda = initial;
    }

    /** E_tol and Δλ with γ = κ = 0.9 and λ₀ = 0. */
    public static WeigendSchedule of(double tolerableError, double step) {
        return new WeigendSchedule(tolerableError, step, 0.9, 0.9, 0);
    }

    /** Reports the training error of the epoch just finished; returns the λ for the next epoch. */
    public double update(double error) {
        if (!Double.isFinite(error)) {
            throw new IllegalArgumentException("training error is " + error + "; the training diverged");
        }
        average = Double.isNaN(average) ? error : averaging * average + (1 - averaging) * error;
        if (error < tolerableError || (!Double.isNaN(previous) && error < previous)) {
            lambda += step;
        } else if (error < average) {
            lambda = Math.max(0, lambda - step);
        } else {
            lambda *= cut;
        }
        previous = error;
        return lambda;
    }

    public double lambda() {
        return lambda;
    }

    public double tolerableError() {
        return tolerableError;
    }
}
