package dev.surgeon.core.curvature;

import dev.surgeon.core.nn.Network;
import dev.surgeon.core.nn.Workspace;
import java.util.EnumSet;
import java.util.Set;

/**
 * The generalized Gauss-Newton matrix G = s·Σ_n J_nᵀ Λ_n J_n of the data-source loss, matrix-free (Schraudolph
 * 2002, "Fast curvature matrix-vector products for second-order gradient descent"; METHODS A3): R-forward pass
 * for J v, Λ at the output (squared error: I; softmax cross-entropy: diag(p) − ppᵀ; sigmoid + binary
 * cross-entropy: p(1 − p)), one linear backward pass. Positive semi-definite; equals the true Fisher for these
 * matching losses. Its exact diagonal (METHODS A4.1) back-propagates the C columns of Λ_n = S_n S_nᵀ. Cost:
 * about one R-forward + one backward pass per product; C backward passes for the diagonal; memory O(d).
 */
public final class GaussNewtonOperator extends NetworkProductOperator {

    GaussNewtonOperator(Curvature c) {
        super(c);
    }

    @Override
    void product(Network net, Workspace ws, float[] v, float[] out) {
        net.gaussNewtonVectorProduct(ws, c.loss(), v, out);
    }

    @Override
    public String name() {
        return "Gauss-Newton (JᵀΛJ products) over " + c.subset().describe();
    }

    @Override
    public Set<Capability> capabilities() {
        return EnumSet.of(Capability.MULTIPLY, Capability.DIAGONAL, Capability.DENSE);
    }

    /** The exact diag(G), at the current weights (one pass over the data, C backward passes per batch). */
    @Override
    public double[] diagonal() {
        return DiagonalOperator.gaussNewtonDiagonal(c);
    }
}
