package dev.surgeon.core.prune;

import dev.surgeon.core.curvature.BlockDiagonalOperator;
import dev.surgeon.core.curvature.BlockPartition;
import dev.surgeon.core.curvature.Capability;
import dev.surgeon.core.curvature.CurvatureOperator;
import dev.surgeon.core.curvature.DampingRecord;
import dev.surgeon.core.curvature.DenseOperator;
import dev.surgeon.core.curvature.DiagonalOperator;
import dev.surgeon.core.curvature.ParameterSubset;
import dev.surgeon.kernels.Kernels;
import java.util.ArrayList;
import java.util.List;

/**
 * A {@link QuadraticModel} over a {@link CurvatureOperator}: saliencies and corrections from its inverse diagonal and
 * inverse products. The exact joint correction is available for dense operators (one Cholesky of C_RR), block-diagonal
 * operators (one per block, blocks are independent) and diagonal operators (no coupling: δ_R = 0); other operators
 * (K-FAC, blocked M-FAC) throw naming the summed update instead. For a diagonal operator the saliency is computed as
 * ½ C_qq w_q² directly, so zero-curvature coordinates get saliency 0 without any damping (OBD).
 */
final class OperatorModel implements QuadraticModel {
    private final CurvatureOperator op;
    private final ParameterSubset subset;
    private final Kernels kernels;
    private final List<DampingRecord> solveRecords = new ArrayList<>();
    private double[] inverseDiagonal;

    OperatorModel(CurvatureOperator op, ParameterSubset subset, Kernels kernels) {
        if (op.dim() != subset.dim()) {
            throw new IllegalArgumentException(op.name() + " has " + op.dim() + " coordinates but the subset " + subset + " has "
                    + subset.dim());
        }
        if (!op.supports(Capability.INVERSE_DIAGONAL) || !op.supports(Capability.INVERSE_MULTIPLY)) {
            throw new IllegalArgumentException(op.name() + " cannot serve OBS saliencies and updates: it lacks "
                    + "inverseDiagonal or inverseMultiply");
        }
        this.op = op;
        this.subset = subset;
        this.kernels = kernels;
    }

    /** The wrapped operator. */
    CurvatureOperator operator() {
        return op;
    }

    @Override
    public String name() {
        return op.name();
    }

    @Override
    public ParameterSubset subset() {
        return subset;
    }

    @Override
    public double[] inverseDiagonal() {
        if (inverseDiagonal == null) {
            inverseDiagonal = op.inverseDiagonal();
        }
        return inverseDiagonal.clone();
    }

    @Override
    public void inverseMultiply(double[] v, double[] out) {
        op.inverseMultiply(v, out);
    }

    @Override
    public boolean supportsMultiply() {
        return op.supports(Capability.MULTIPLY);
    }

    @Override
    public void multiply(double[] v, double[] out) {
        op.multiply(v, out);
    }

    @Override
    public double[] obsSaliencies(double[] w) {
        if (op instanceof DiagonalOperator d) {
            double[] c = d.diagonal();
            double[] s = new double[c.length];
            for (int i = 0; i < s.length; i++) {
                s[i] = 0.5 * c[i] * w[i] * w[i];
            }
            return s;
        }
        return QuadraticModel.super.obsSaliencies(w);
    }

    @Override
    public double constrainedCorrection(boolean[] pruned, double[] w, double[] delta) {
        int n = op.dim();
        if (op instanceof DiagonalOperator d) {
            double[] c = d.diagonal();
            double value = 0;
            for (int i = 0; i < n; i++) {
                delta[i] = pruned[i] ? -w[i] : 0;
                value += pruned[i] ? 0.5 * c[i] * w[i] * w[i] : 0;
            }
            return value;
        }
        if (op instanceof DenseOperator d) {
            return ConstrainedSolve.dense(kernels, op.name(), d.toDense(), n, pruned, w, delta, 0, solveRecords);
        }
        if (op instanceof BlockDiagonalOperator b) {
            double value = 0;
            BlockPartition p = b.partition();
            for (int i = 0; i < p.size(); i++) {
                BlockPartition.Block blk = p.blocks().get(i);
                DenseOperator d = b.block(i);
                value += ConstrainedSolve.dense(kernels, blk.label(), d.toDense(), blk.size(), pruned, w, delta, blk.from(),
                        solveRecords);
            }
            return value;
        }
        return QuadraticModel.super.constrainedCorrection(pruned, w, delta);
    }

    @Override
    public List<DampingRecord> dampingUsed() {
        List<DampingRecord> all = new ArrayList<>(op.dampingUsed());
        all.addAll(solveRecords);
        return all;
    }

    @Override
    public String toString() {
        return name();
    }
}
