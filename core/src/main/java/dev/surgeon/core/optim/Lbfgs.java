package dev.surgeon.core.optim;

import dev.surgeon.core.nn.Mask;

/**
 * Limited-memory BFGS (Liu &amp; Nocedal 1989, "On the limited memory BFGS method for large scale
 * optimization"; METHODS F item 12) for full-batch (deterministic) objectives, with a line search that
 * satisfies the strong Wolfe conditions f(x + αd) ≤ f(x) + c1 α gᵀd and |∇f(x + αd)ᵀd| ≤ c2 |gᵀd|
 * (Nocedal &amp; Wright 2006, "Numerical Optimization", Algorithms 3.5 and 3.6: bracketing, then zoom with
 * safeguarded cubic interpolation), c1 = 1e-4, c2 = 0.9.
 *
 * <p>Direction by the two-loop recursion over the last m pairs s_i = x_{i+1} − x_i, y_i = g_{i+1} − g_i,
 * ρ_i = 1/(y_iᵀ s_i), initial scaling γ = sᵀy/yᵀy of the newest pair; a pair with yᵀs ≤ 1e-10 is not stored.
 * The first step of a run (no pairs yet) tries α = min(1, 1/‖g‖₁)·η as PyTorch does, later steps α = η.
 * Defaults (PyTorch): η = 1, 20 iterations per {@link #minimize} call, history m = 100, gradient tolerance
 * 1e-7 (max |g_q|), change tolerance 1e-9 (on the loss and on max |s_q|). The history persists across calls
 * (like PyTorch's step), and is discarded when the mask changes or on {@link #reset()}.
 *
 * <p>Masks: pruned coordinates of x are set to 0 and of every gradient to 0, so s, y and all directions are
 * 0 there and pruned weights never move. Scalars and dot products are in double; vectors in float.
 * Cost per iteration: one or a few function evaluations plus O(m·d). Memory 2·m·d floats.
 */
public final class Lbfgs {
    /** Why a call to {@link #minimize} returned. */
    public enum Stop {
        /** max |g_q| ≤ gradient tolerance. */
        GRADIENT_TOLERANCE,
        /** The loss or the step changed by less than the change tolerance. */
        CHANGE_TOLERANCE,
        /** The iteration budget of one call was used. */
        MAX_ITERATIONS,
        /** No point satisfying the Wolfe conditions was found within 25 evaluations; x is the best point seen. */
        LINE_SEARCH_FAILED
    }

    /** The outcome of one {@link #minimize} call. */
    public record Result(double value, double gradientMaxNorm, int iterations, int evaluations, Stop stop) { }

    private static final double C1 = 1e-4;
    private static final double C2 = 0.9;
    private static final int MAX_LINE_SEARCH_EVALUATIONS = 25;

    private double learningRate = 1;
    private int maxIterations = 20;
    private int history = 100;
    private double gradientTolerance = 1e-7;
    private double changeTolerance = 1e-9;
    private Mask mask;
    private long maskVersion;

    private int dimension = -1;
    private float[][] s;
    private float[][] y;
    private double[] rho;
    private double[] alpha;
    private int pairs;
    private int newest = -1;
    private float[] gradient;
    private float[] direction;
    private float[] trial;
    private float[] trialGradient;
    private float[] bestX;
    private float[] bestGradient;
    private float[] sCandidate;
    private float[] yCandidate;
    private int evaluations;
    private int lineSearchStart;
    private double lineBestValue;

    public Lbfgs learningRate(double eta) {
        ElementwiseOptimizer.checkNonNegative(eta, "learning rate");
        this.learningRate = eta;
        return this;
    }

    public Lbfgs maxIterations(int n) {
        if (n < 1) {
            throw new IllegalArgumentException("iterations per call must be >= 1, got " + n);
        }
        this.maxIterations = n;
        return this;
    }

    public Lbfgs history(int m) {
        if (m < 1) {
            throw new IllegalArgumentException("history must be >= 1, got " + m);
        }
        this.history = m;
        dimension = -1;
        return this;
    }

    public Lbfgs gradientTolerance(double tol) {
        ElementwiseOptimizer.checkNonNegative(tol, "gradient tolerance");
        this.gradientTolerance = tol;
        return this;
    }

    public Lbfgs changeTolerance(double tol) {
        ElementwiseOptimizer.checkNonNegative(tol, "change tolerance");
        this.changeTolerance = tol;
        return this;
    }

    /** Attaches a mask (null detaches); a changed mask discards the history. */
    public Lbfgs mask(Mask mask) {
        this.mask = mask;
        this.maskVersion = mask == null ? 0 : mask.version();
        pairs = 0;
        return this;
    }

    /** Discards the stored pairs. */
    public void reset() {
        pairs = 0;
        newest = -1;
    }

    private void allocate(int d) {
        dimension = d;
        s = new float[history][];
        y = new float[history][];
        rho = new double[history];
        alpha = new double[history];
        gradient = new float[d];
        direction = new float[d];
        trial = new float[d];
        trialGradient = new float[d];
        bestX = new float[d];
        bestGradient = new float[d];
        sCandidate = new float[d];
        yCandidate = new float[d];
        reset();
    }

    /**
     * Runs up to {@code maxIterations} L-BFGS iterations on f from x, updating x in place.
     */
    public Result minimize(DifferentiableFunction f, float[] x) {
        if (dimension != x.length) {
            allocate(x.length);
        }
        if (mask != null && mask.version() != maskVersion) {
            maskVersion = mask.version();
            reset();
        }
        evaluations = 0;
        applyMask(x);
        double value = evaluate(f, x, gradient);
        double gMax = maxAbs(gradient);
        if (gMax <= gradientTolerance) {
            return new Result(value, gMax, 0, evaluations, Stop.GRADIENT_TOLERANCE);
        }
        for (int iteration = 1; iteration <= maxIterations; iteration++) {
            double gtd = computeDirection();
            if (gtd > -1e-30) {
                // Not a descent direction (stale curvature pairs): restart from steepest descent.
                reset();
                gtd = computeDirection();
            }
            double alpha0 = pairs == 0 && iteration == 1 ? Math.min(1, 1 / sumAbs(gradient)) * learningRate : learningRate;
            double before = value;
            double step = lineSearch(f, x, value, gtd, alpha0);
            if (step <= 0) {
                System.arraycopy(bestX, 0, x, 0, x.length);
                return new Result(lineBestValue, maxAbs(bestGradient), iteration, evaluations, Stop.LINE_SEARCH_FAILED);
            }
            // Accept x + step·d (held in bestX / bestGradient); store the pair if it carries curvature.
            double ys = 0;
            double stepMax = 0;
            for (int i = 0; i < x.length; i++) {
                sCandidate[i] = bestX[i] - x[i];
                yCandidate[i] = bestGradient[i] - gradient[i];
                ys += (double) sCandidate[i] * yCandidate[i];
                stepMax = Math.max(stepMax, Math.abs(sCandidate[i]));
            }
            if (ys > 1e-10) {
                storePair(1 / ys);
            }
            System.arraycopy(bestX, 0, x, 0, x.length);
            System.arraycopy(bestGradient, 0, gradient, 0, x.length);
            value = lineBestValue;
            gMax = maxAbs(gradient);
            if (gMax <= gradientTolerance) {
                return new Result(value, gMax, iteration, evaluations, Stop.GRADIENT_TOLERANCE);
            }
            if (Math.abs(value - before) < changeTolerance || stepMax <= changeTolerance) {
                return new Result(value, gMax, iteration, evaluations, Stop.CHANGE_TOLERANCE);
            }
        }
        return new Result(value, gMax, maxIterations, evaluations, Stop.MAX_ITERATIONS);
    }

    /** Moves the candidate pair into the ring, replacing the oldest pair once the history is full. */
    private void storePair(double rhoNew) {
        newest = (newest + 1) % history;
        float[] oldS = s[newest];
        float[] oldY = y[newest];
        s[newest] = sCandidate;
        y[newest] = yCandidate;
        rho[newest] = rhoNew;
        sCandidate = oldS != null ? oldS : new float[dimension];
        yCandidate = oldY != null ? oldY : new float[dimension];
        pairs = Math.min(pairs + 1, history);
    }

    /** Two-loop recursion: direction = −H·g. Returns gᵀd. */
    private double computeDirection() {
        int d = dimension;
        for (int i = 0; i < d; i++) {
            direction[i] = -gradient[i];
        }
        if (pairs > 0) {
            // q = −g is kept in `direction`; the recursion is linear, so it runs on −g and yields −H g.
            for (int k = 0; k < pairs; k++) {
                int i = Math.floorMod(newest - k, history);
                alpha[i] = rho[i] * dot(s[i], direction);
                axpy(-alpha[i], y[i], direction);
            }
            double gamma = dot(s[newest], y[newest]) / dot(y[newest], y[newest]);
            for (int j = 0; j < d; j++) {
                direction[j] *= (float) gamma;
            }
            for (int k = pairs - 1; k >= 0; k--) {
                int i = Math.floorMod(newest - k, history);
                double beta = rho[i] * dot(y[i], direction);
                axpy(alpha[i] - beta, s[i], direction);
            }
        }
        applyMask(direction);
        return dot(gradient, direction);
    }

    /**
     * Strong-Wolfe line search along {@code direction} from x (value f0, slope gtd0 &lt; 0). On success returns
     * the step and leaves the accepted point, its value and gradient in bestX, lineBestValue, bestGradient; on
     * failure returns 0 with bestX the best point seen (x itself if nothing was lower).
     */
    private double lineSearch(DifferentiableFunction f, float[] x, double f0, double gtd0, double alpha0) {
        System.arraycopy(x, 0, bestX, 0, x.length);
        System.arraycopy(gradient, 0, bestGradient, 0, x.length);
        lineBestValue = f0;
        double prevAlpha = 0;
        double prevValue = f0;
        double prevSlope = gtd0;
        double a = alpha0;
        lineSearchStart = evaluations;
        for (int i = 1; evaluations - lineSearchStart < MAX_LINE_SEARCH_EVALUATIONS; i++) {
            double value = evaluateAt(f, x, a);
            double slope = dot(trialGradient, direction);
            if (value > f0 + C1 * a * gtd0 || (i > 1 && value >= prevValue)) {
                return zoom(f, x, f0, gtd0, prevAlpha, prevValue, prevSlope, a, value, slope);
            }
            if (Math.abs(slope) <= -C2 * gtd0) {
                accept(value);
                return a;
            }
            if (slope >= 0) {
                return zoom(f, x, f0, gtd0, a, value, slope, prevAlpha, prevValue, prevSlope);
            }
            keepIfBetter(value);
            // Extrapolate: the cubic's minimizer, kept within [a + 0.01(a − a_prev), 10a] (as PyTorch).
            double next = cubicMinimum(prevAlpha, prevValue, prevSlope, a, value, slope, a + 0.01 * (a - prevAlpha), 10 * a);
            prevAlpha = a;
            prevValue = value;
            prevSlope = slope;
            a = next;
        }
        return 0;
    }

    private double zoom(DifferentiableFunction f, float[] x, double f0, double gtd0,
                        double lo, double fLo, double gLo, double hi, double fHi, double gHi) {
        while (evaluations - lineSearchStart < MAX_LINE_SEARCH_EVALUATIONS) {
            double left = Math.min(lo, hi);
            double right = Math.max(lo, hi);
            double width = right - left;
            if (width * maxAbs(direction) < 1e-12) {
                break;
            }
            double a = cubicMinimum(lo, fLo, gLo, hi, fHi, gHi, left + 0.1 * width, right - 0.1 * width);
            double value = evaluateAt(f, x, a);
            double slope = dot(trialGradient, direction);
            if (value > f0 + C1 * a * gtd0 || value >= fLo) {
                hi = a;
                fHi = value;
                gHi = slope;
            } else {
                if (Math.abs(slope) <= -C2 * gtd0) {
                    accept(value);
                    return a;
                }
                keepIfBetter(value);
                if (slope * (hi - lo) >= 0) {
                    hi = lo;
                    fHi = fLo;
                    gHi = gLo;
                }
                lo = a;
                fLo = value;
                gLo = slope;
            }
        }
        return 0;
    }

    /** Minimizer of the cubic through (a, fa, ga), (b, fb, gb), clamped to [min, max]; bisection if none. */
    private static double cubicMinimum(double a, double fa, double ga, double b, double fb, double gb,
                                       double min, double max) {
        double d1 = ga + gb - 3 * (fa - fb) / (a - b);
        double square = d1 * d1 - ga * gb;
        double m;
        if (square >= 0 && a != b) {
            double d2 = Math.signum(b - a) * Math.sqrt(square);
            m = b - (b - a) * (gb + d2 - d1) / (gb - ga + 2 * d2);
        } else {
            m = (min + max) / 2;
        }
        if (!Double.isFinite(m)) {
            m = (min + max) / 2;
        }
        return Math.min(Math.max(m, min), max);
    }

    private double evaluateAt(DifferentiableFunction f, float[] x, double a) {
        float fa = (float) a;
        for (int i = 0; i < x.length; i++) {
            trial[i] = x[i] + fa * direction[i];
        }
        applyMask(trial);
        return evaluate(f, trial, trialGradient);
    }

    private double evaluate(DifferentiableFunction f, float[] point, float[] g) {
        evaluations++;
        double v = f.valueAndGradient(point, g);
        if (!Double.isFinite(v)) {
            throw new ArithmeticException("the objective is " + v + " at an L-BFGS trial point; lower the learning rate"
                    + " or check the objective");
        }
        applyMask(g);
        return v;
    }

    /** The trial point just evaluated becomes the accepted one. */
    private void accept(double value) {
        System.arraycopy(trial, 0, bestX, 0, dimension);
        System.arraycopy(trialGradient, 0, bestGradient, 0, dimension);
        lineBestValue = value;
    }

    private void keepIfBetter(double value) {
        if (value < lineBestValue) {
            accept(value);
        }
    }

    private void applyMask(float[] v) {
        if (mask != null) {
            mask.zeroPruned(v);
        }
    }

    private static double dot(float[] a, float[] b) {
        double sum = 0;
        for (int i = 0; i < a.length; i++) {
            sum += (double) a[i] * b[i];
        }
        return sum;
    }

    private static void axpy(double alpha, float[] x, float[] y) {
        float a = (float) alpha;
        for (int i = 0; i < x.length; i++) {
            y[i] += a * x[i];
        }
    }

    private static double maxAbs(float[] v) {
        double m = 0;
        for (float x : v) {
            m = Math.max(m, Math.abs(x));
        }
        return m;
    }

    private static double sumAbs(float[] v) {
        double m = 0;
        for (float x : v) {
            m += Math.abs(x);
        }
        return m;
    }

    @Override
    public String toString() {
        return "L-BFGS(lr=" + learningRate + ", history=" + history + ", iterations=" + maxIterations
                + ", strong Wolfe c1=" + C1 + " c2=" + C2 + ")";
    }

}
