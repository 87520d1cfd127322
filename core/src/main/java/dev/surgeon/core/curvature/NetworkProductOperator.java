package dev.surgeon.core.curvature;

import dev.surgeon.core.nn.Network;
import dev.surgeon.core.nn.Reduction;
import dev.surgeon.core.nn.Workspace;
import java.util.EnumSet;
import java.util.Set;

/**
 * A matrix-free curvature product over the data source: every {@link #multiply} loads each batch, runs an
 * evaluation-mode forward pass and one product hook of the network at the <em>current</em> weights, and sums
 * the batches with the weights that turn batch losses into the data-source loss (s_N/s_B: B/N for MEAN, 1 for
 * SUM). Directions are rounded to float for the network; results are accumulated in double. Undamped.
 */
abstract class NetworkProductOperator implements CurvatureOperator {
    final Curvature c;
    private final Workspace ws;
    private final float[] direction;
    private final float[] product;

    NetworkProductOperator(Curvature c) {
        this.c = c;
        this.ws = c.network().workspace(c.data().batchSize());
        this.direction = new float[c.network().parameterCount()];
        this.product = new float[c.network().parameterCount()];
    }

    /** The network's product for the batch in the workspace (d entries, overwritten). */
    abstract void product(Network net, Workspace ws, float[] v, float[] out);

    @Override
    public int dim() {
        return c.subset().dim();
    }

    @Override
    public Set<Capability> capabilities() {
        return EnumSet.of(Capability.MULTIPLY, Capability.DENSE);
    }

    @Override
    public void multiply(double[] v, double[] out) {
        Vectors.check(this, v, out);
        ParameterSubset subset = c.subset();
        subset.scatter(v, direction);
        java.util.Arrays.fill(out, 0);
        DataSource data = c.data();
        for (int b = 0; b < data.batchCount(); b++) {
            data.load(ws, b);
            c.network().forward(ws, false);
            product(c.network(), ws, direction, product);
            subset.gatherAdd(product, batchWeight(c, ws.batch()), out);
        }
    }

    /** s_N / s_B: the weight of a batch-loss quantity in the data-source loss. */
    static double batchWeight(Curvature c, int batch) {
        return c.loss().reduction() == Reduction.MEAN ? (double) batch / c.data().size() : 1.0;
    }

    @Override
    public long memoryBytes() {
        return 8L * c.network().parameterCount();
    }

    @Override
    public String toString() {
        return name();
    }
}
