package dev.surgeon.core.curvature;

import java.util.List;
import java.util.Set;

/**
 * A curvature matrix C (d × d, symmetric) of a network's loss over a data source, or an approximation of
 * one: the exact Hessian, the generalized Gauss-Newton matrix, the empirical or true Fisher, and their
 * diagonal, block-diagonal, Kronecker-factored (K-FAC/KFC), low-rank-plus-damping (M-FAC) and layer-wise
 * forms (METHODS.md section A). Build them with {@link Curvature}.
 *
 * <h2>Conventions</h2>
 * <ul>
 *   <li>Vectors are {@code double[]} of length {@link #dim()}, indexed in the operator's coordinates (for
 *       operators over a network: the {@link ParameterSubset}'s local order, ascending flat index). Curvature
 *       is accumulated, factorized and inverted in double (METHODS G.3) and its products feed saliencies
 *       and Woodbury updates, so the interface is double; the float network passes round directions to
 *       float and their results are accumulated in double. Outputs are overwritten, never accumulated.</li>
 *   <li>An operator represents its <b>damped</b> matrix C + λI: multiply, diagonal, inverse and dense form
 *       all refer to the same matrix. {@link #dampingUsed()} reports λ per block; a Cholesky retry that had to
 *       raise λ (METHODS 1.9) is recorded there and from then on used by every operation.</li>
 *   <li>Scale: the matrix is the curvature of the data-source loss L = s·Σ_n ℓ_n over its N samples, with the
 *       {@link dev.surgeon.core.nn.Loss}'s reduction (s = 1/N for MEAN, 1 for SUM); see {@link Curvature}
 *       for the Fisher, mini-batch and OBS conventions.</li>
 *   <li>Instances are not thread-safe: they reuse scratch buffers (and the matrix-free ones a network workspace).
 *       Use one operator per thread, or synchronize.</li>
 *   <li>Operations an operator cannot do throw {@link UnsupportedOperationException} naming the operator
 *       and the operator to use instead; {@link #capabilities()} says in advance.</li>
 * </ul>
 */
public interface CurvatureOperator {

    /** Human-readable name, e.g. "dense empirical Fisher (Cholesky) over fc1". */
    String name();

    /** d, the number of coordinates. */
    int dim();

    /** The operations this instance supports. */
    Set<Capability> capabilities();

    /** Whether this instance supports the capability. */
    default boolean supports(Capability capability) {
        return capabilities().contains(capability);
    }

    /** {@code out = C v} (both of length d; out is overwritten). */
    void multiply(double[] v, double[] out);

    /** {@code out = C⁻¹ v}. */
    default void inverseMultiply(double[] v, double[] out) {
        throw Capability.INVERSE_MULTIPLY.unsupportedBy(this);
    }

    /** A new array holding diag(C). */
    default double[] diagonal() {
        throw Capability.DIAGONAL.unsupportedBy(this);
    }

    /** A new array holding diag(C⁻¹). */
    default double[] inverseDiagonal() {
        throw Capability.INVERSE_DIAGONAL.unsupportedBy(this);
    }

    /**
     * The dense matrix, row-major d × d, as a new array; by default d products with unit vectors, after a
     * memory pre-flight against {@link MemoryBudget#defaultBudget()}.
     *
     * @throws CurvatureTooLargeException if d² doubles do not fit the budget or a Java array
     */
    default double[] toDense() {
        int d = dim();
        MemoryBudget.defaultBudget().require(name() + ", dense form", 8L * d * d, (long) d * d,
                "a d × d double matrix", List.of());
        double[] dense = new double[d * d];
        double[] e = new double[d];
        double[] column = new double[d];
        for (int j = 0; j < d; j++) {
            e[j] = 1;
            multiply(e, column);
            e[j] = 0;
            for (int i = 0; i < d; i++) {
                dense[i * d + j] = column[i];
            }
        }
        return dense;
    }

    /** Bytes this operator holds (its matrices, factors, stored gradients and scratch), not counting the network. */
    long memoryBytes();

    /** The damping actually used, per block or layer (empty for undamped matrix-free operators). */
    default List<DampingRecord> dampingUsed() {
        return List.of();
    }
}
