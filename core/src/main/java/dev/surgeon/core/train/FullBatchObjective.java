package dev.surgeon.core.train;

import dev.surgeon.core.data.Dataset;
import dev.surgeon.core.nn.Loss;
import dev.surgeon.core.nn.Network;
import dev.surgeon.core.nn.Reduction;
import dev.surgeon.core.nn.Workspace;
import dev.surgeon.core.optim.DifferentiableFunction;

/**
 * The loss of a network over a whole dataset as a function of its parameters, for full-batch optimizers
 * (L-BFGS): L(w) = s·Σ_{n=1}^{N} ℓ_n(w) + (wd/2)·‖w‖², with s = 1/N for a MEAN loss and 1 for a SUM loss,
 * evaluated in evaluation mode (dropout off) in chunks of the workspace's capacity. Gradients of the chunks
 * are combined in double. {@link #valueAndGradient} evaluates at the given point by copying it into the
 * network's parameters (which therefore end at the last point evaluated).
 */
public final class FullBatchObjective implements DifferentiableFunction {
    private final Network network;
    private final Loss loss;
    private final Dataset data;
    private final Workspace ws;
    private final double weightDecay;
    private final int[] order;
    private final float[] chunkGradient;
    private final double[] sum;

    public FullBatchObjective(Network network, Loss loss, Dataset data, int chunkSize, double weightDecay) {
        if (data.size() == 0) {
            throw new IllegalArgumentException(data.name() + " is empty");
        }
        this.network = network;
        this.loss = loss;
        this.data = data;
        this.ws = network.workspace(Math.min(chunkSize, data.size()));
        ws.checkCompatible(data);
        this.weightDecay = weightDecay;
        this.order = new int[data.size()];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        this.chunkGradient = new float[network.parameterCount()];
        this.sum = new double[network.parameterCount()];
    }

    @Override
    public double valueAndGradient(float[] x, float[] gradient) {
        float[] w = network.parameters();
        if (x != w) {
            System.arraycopy(x, 0, w, 0, w.length);
        }
        int n = data.size();
        java.util.Arrays.fill(sum, 0);
        double value = 0;
        for (int from = 0; from < n; from += ws.capacity()) {
            int count = Math.min(ws.capacity(), n - from);
            ws.load(data, order, from, count);
            double chunk = network.lossAndGradient(ws, loss, chunkGradient, false);
            // A MEAN chunk loss is (1/count)Σℓ; the dataset's is (1/N)Σℓ, so weight it by count/N.
            double weight = loss.reduction() == Reduction.MEAN ? (double) count / n : 1;
            value += weight * chunk;
            for (int q = 0; q < sum.length; q++) {
                sum[q] += weight * chunkGradient[q];
            }
        }
        double norm = 0;
        for (int q = 0; q < sum.length; q++) {
            norm += (double) w[q] * w[q];
            gradient[q] = (float) (sum[q] + weightDecay * w[q]);
        }
        return value + 0.5 * weightDecay * norm;
    }
}
