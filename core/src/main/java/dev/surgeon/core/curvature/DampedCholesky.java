package dev.surgeon.core.curvature;

import dev.surgeon.kernels.Kernels;
import dev.surgeon.kernels.NotPositiveDefiniteException;
import dev.surgeon.kernels.Uplo;
import java.util.function.DoublePredicate;

/**
 * Cholesky factorization and inversion of a damped symmetric matrix H + λI with the retry rule of
 * {@link Damping} (METHODS 1.9, A9 step 4, G.3): if the factorization fails, λ grows and the factorization is
 * retried from the undamped matrix, which is never modified. Every dense inverse in the curvature package
 * (dense Hessian, Gauss-Newton and Fisher, blocks, K-FAC factors, layer-wise H) goes through here, so the
 * damping actually used is always a {@link DampingRecord}. Pruners use it for their own matrices too.
 *
 * <p>Cost: (attempts) × n³/3 for the factor, plus 2n³/3 for the inverse (Kernels potrf, potri, in double).
 */
public final class DampedCholesky {
    private static final System.Logger LOG = System.getLogger(DampedCholesky.class.getName());

    private DampedCholesky() {
    }

    /**
     * Writes the lower Cholesky factor L of H + λI (H + λI = L Lᵀ) into the lower triangle of {@code out}
     * (the strictly upper triangle of out is left as it was). Reads only the lower triangle of H.
     *
     * @param block a name for messages and the record, e.g. "fc1"
     * @return the damping used
     * @throws CurvatureNotPositiveDefiniteException if every attempt failed or H has a non-finite diagonal
     */
    public static DampingRecord factor(Kernels kernels, String block, double[] h, int hOff, int n, int ldh,
                                       Damping damping, double[] out, int outOff, int ldo) {
        double meanDiag = Vectors.meanDiagonal(h, hOff, n, ldh);
        double meanAbs = 0;
        for (int i = 0; i < n; i++) {
            double v = h[hOff + i * ldh + i];
            if (!Double.isFinite(v)) {
                throw new CurvatureNotPositiveDefiniteException(block + ": diagonal entry " + i + " of the curvature is "
                        + v + "; the network or the data produced non-finite values", block, Double.NaN);
            }
            meanAbs += Math.abs(v);
        }
        meanAbs = n == 0 ? 0 : meanAbs / n;
        return retry(block, damping, damping.lambda(meanDiag), meanAbs, lambda -> {
            for (int i = 0; i < n; i++) {
                System.arraycopy(h, hOff + i * ldh, out, outOff + i * ldo, i + 1);
                out[outOff + i * ldo + i] += lambda;
            }
            try {
                kernels.potrf(Uplo.LOWER, n, out, outOff, ldo);
                return true;
            } catch (NotPositiveDefiniteException e) {
                return false;
            }
        });
    }

    /**
     * Writes (H + λI)⁻¹, both triangles, into {@code inv} (which may not overlap H). Reads only the lower
     * triangle of H.
     *
     * @return the damping used
     * @throws CurvatureNotPositiveDefiniteException if every attempt failed
     */
    public static DampingRecord invert(Kernels kernels, String block, double[] h, int hOff, int n, int ldh,
                                       Damping damping, double[] inv, int invOff, int ldi) {
        DampingRecord r = factor(kernels, block, h, hOff, n, ldh, damping, inv, invOff, ldi);
        kernels.potri(Uplo.LOWER, n, inv, invOff, ldi);
        kernels.symmetrize(Uplo.LOWER, n, inv, invOff, ldi);
        return r;
    }

    /**
     * The retry loop itself, for structures that are not a dense Cholesky (a diagonal is "factorizable" when
     * every damped entry is positive): tries λ = requested, then {@link Damping}'s next values, until
     * {@code attempt} returns true.
     */
    static DampingRecord retry(String block, Damping damping, double requested, double meanAbsDiagonal,
                               DoublePredicate attempt) {
        double lambda = requested;
        for (int a = 1; a <= damping.maxAttempts(); a++) {
            if (attempt.test(lambda)) {
                if (a > 1) {
                    // Doubles as strings: MessageFormat's number pattern would print a λ of 1e-8 as "0".
                    LOG.log(System.Logger.Level.INFO, "{0}: not positive definite with damping {1}; used {2} ({3} attempts)",
                            block, Double.toString(requested), Double.toString(lambda), a);
                }
                return new DampingRecord(block, requested, lambda, a);
            }
            if (a < damping.maxAttempts()) {
                lambda = damping.next(lambda, meanAbsDiagonal);
            }
        }
        throw new CurvatureNotPositiveDefiniteException(block + ": the curvature is not positive definite even with damping λ = "
                + lambda + " after " + damping.maxAttempts() + " attempt(s) (requested λ = " + requested
                + "); use a larger Damping (absolute or relative), more retries (Damping.withRetry), or a positive "
                + "semi-definite curvature (Gauss-Newton, Fisher) instead of the Hessian", block, lambda);
    }
}
