package dev.surgeon.core.curvature;

import dev.surgeon.core.nn.Network;
import dev.surgeon.core.nn.Workspace;
import dev.surgeon.core.progress.Progress;

/**
 * The exact Hessian ∇²L of the data-source loss, matrix-free: products by Pearlmutter's R-operator (1994,
 * "Fast exact multiplication by the Hessian"; METHODS A2), including the φ'' terms and Λ, at the network's
 * current weights. Cost per product: about 2 forward + 2 backward passes over the data source; memory O(d).
 * May be indefinite: use it for spectra ({@code spectrum} tools), Hutchinson estimates or as a reference; for
 * inverses build {@link Curvature#denseHessian} (small d) or a positive semi-definite approximation.
 */
public final class HessianOperator extends NetworkProductOperator {

    HessianOperator(Curvature c) {
        super(c);
    }

    @Override
    void product(Network net, Workspace ws, float[] v, float[] out) {
        net.hessianVectorProduct(ws, c.loss(), v, out);
    }

    @Override
    public String name() {
        return "Hessian (R-operator products) over " + c.subset().describe();
    }

    /**
     * The dense Hessian (METHODS A1): d R-operator products with unit vectors per batch (each batch is loaded and
     * forwarded once), columns accumulated in double, then symmetrized; the largest asymmetry before
     * symmetrizing is kept as a self-check ({@link DenseOperator#asymmetry()}). Cost: d HVPs over the data;
     * memory 8d² (16d² once inverted).
     */
    static DenseOperator dense(Curvature c, Damping damping) {
        int d = c.subset().dim();
        Network net = c.network();
        ParameterSubset subset = c.subset();
        DataSource data = c.data();
        double[] columns = new double[d * d];
        Workspace ws = net.workspace(data.batchSize());
        float[] e = new float[net.parameterCount()];
        float[] hv = new float[net.parameterCount()];
        double[] column = new double[d];
        Progress progress = c.progress();
        progress.start("dense Hessian (" + d + " products per batch)", data.batchCount());
        for (int b = 0; b < data.batchCount(); b++) {
            data.load(ws, b);
            net.forward(ws, false);
            double weight = batchWeight(c, ws.batch());
            for (int j = 0; j < d; j++) {
                int q = subset.global(j);
                e[q] = 1f;
                net.hessianVectorProduct(ws, c.loss(), e, hv);
                e[q] = 0f;
                java.util.Arrays.fill(column, 0);
                subset.gatherAdd(hv, weight, column);
                // Row j of `columns` holds column j of H: contiguous writes; transposed below.
                for (int i = 0; i < d; i++) {
                    columns[j * d + i] += column[i];
                }
            }
            progress.advance(1);
        }
        progress.finish();
        double asymmetry = 0;
        for (int i = 0; i < d; i++) {
            for (int j = 0; j < i; j++) {
                double a = columns[i * d + j];
                double b = columns[j * d + i];
                asymmetry = Math.max(asymmetry, Math.abs(a - b));
                double mean = 0.5 * (a + b);
                columns[i * d + j] = mean;
                columns[j * d + i] = mean;
            }
        }
        return DenseOperator.withAsymmetry("dense Hessian over " + subset.describe(), columns, d, damping,
                c.kernels(), asymmetry);
    }
}
