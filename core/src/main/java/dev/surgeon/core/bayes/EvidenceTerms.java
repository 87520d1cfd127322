package dev.surgeon.core.bayes;

/**
 * The log evidence of a trained network under MacKay's Laplace approximation, term by term (MacKay 1992, "A
 * practical Bayesian framework for backpropagation networks"; METHODS E1; Netlab's {@code evidence}):
 * <pre>
 * ln p(D | α, β) = −β E_D − Σ_c α_c E_W^(c) − ½ ln det A + Σ_c (k_c/2) ln α_c + (N_t/2) ln β − (N_t/2) ln 2π
 * </pre>
 * (for classification likelihoods β = 1 and the last two terms are absent, since exp(−G) is normalized). The
 * Occam factor is the part that penalizes the posterior volume, ln[(2π)^{k/2} det^{−1/2} A / Π_c (2π/α_c)^{k_c/2}]
 * = −½ ln det A + Σ_c (k_c/2) ln α_c. Comparing architectures adds
 * <ul>
 *   <li>the hidden-unit symmetry term ln(2^M M!) per hidden layer of M units (M! permutations, and 2^M sign
 *       flips for odd activations such as tanh) — {@link HiddenUnitSymmetry};</li>
 *   <li>the Occam factors of the hyperparameters, from Gaussian posteriors of ln α_c and ln β with standard
 *       deviations √(2/γ_c) and √(2/(N_t − γ)): Σ_c ½ ln(2/γ_c) + ½ ln(2/(N_t − γ)) (recalled form, METHODS E1;
 *       the common constant ln(√(2π)/range of ln α) of a flat prior over ln α is dropped, so architectures
 *       compared this way must have the same number of weight classes).</li>
 * </ul>
 * Notation: docs/NOTATION.md.
 *
 * @param dataTerm            −β E_D (or −G)
 * @param priorTerm           −Σ_c α_c E_W^(c)
 * @param logDetA             ln det A (the term is −½ of it)
 * @param alphaTerm           Σ_c (k_c/2) ln α_c
 * @param noiseTerm           (N_t/2) ln β − (N_t/2) ln 2π (0 for classification)
 * @param logEvidence         ln p(D | α, β), the sum of the five terms above
 * @param logOccamFactor      −½ ln det A + Σ_c (k_c/2) ln α_c
 * @param gamma               γ = Σ_c γ_c, the number of well-determined parameters (0 ≤ γ ≤ k)
 * @param gammaPerClass       γ_c = k_c − α_c tr_c(A⁻¹)
 * @param parameters          k, the parameters of the model (pruned ones excluded)
 * @param targets             N_t, the number of scalar targets
 * @param symmetryTerm        Σ_layers ln(2^M M!) (ln M! for activations without sign symmetry)
 * @param hyperparameterOccam Σ_c ½ ln(2/γ_c) + ½ ln(2/(N_t − γ)) (the β part for regression only)
 * @param modelLogEvidence    ln p(D | H) ≈ logEvidence + symmetryTerm + hyperparameterOccam
 */
public record EvidenceTerms(double dataTerm, double priorTerm, double logDetA, double alphaTerm, double noiseTerm,
                            double logEvidence, double logOccamFactor, double gamma, double[] gammaPerClass,
                            int parameters, int targets, double symmetryTerm, double hyperparameterOccam,
                            double modelLogEvidence) {

    public EvidenceTerms {
        gammaPerClass = gammaPerClass.clone();
    }

    @Override
    public double[] gammaPerClass() {
        return gammaPerClass.clone();
    }
}
