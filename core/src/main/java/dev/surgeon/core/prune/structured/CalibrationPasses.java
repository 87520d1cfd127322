package dev.surgeon.core.prune.structured;

import dev.surgeon.core.curvature.DataSource;
import dev.surgeon.core.nn.Network;
import dev.surgeon.core.nn.Workspace;
import dev.surgeon.core.prune.PruningContext;

/**
 * Evaluation-mode passes over a seeded calibration subset of the training set (recorded in the context), shared by the
 * structure scorers.
 */
final class CalibrationPasses {
    private CalibrationPasses() {
    }

    /** What runs on one loaded batch after its evaluation-mode forward pass. */
    @FunctionalInterface
    interface BatchWork {
        /**
         * @param ws     the workspace with the batch forwarded
         * @param weight B/N: the batch's share of the calibration set
         */
        void run(Workspace ws, double weight);
    }

    /** Runs {@code work} on every batch of {@code samples} training samples (0 or more than the set: all). */
    static void run(PruningContext ctx, String stage, int samples, int batch, BatchWork work) {
        Network net = ctx.network();
        int n = samples <= 0 ? ctx.train().size() : samples;
        DataSource data = ctx.calibration(stage, n, Math.min(batch, n));
        Workspace ws = net.workspace(data.batchSize());
        for (int b = 0; b < data.batchCount(); b++) {
            data.load(ws, b);
            net.forward(ws, false);
            work.run(ws, (double) ws.batch() / data.size());
        }
    }

    /**
     * The factor that turns a quantity of the network's batch loss L = s·Σ_n ℓ_n (gradients, curvature products) into
     * one of the mean per-sample loss: 1/(s·B).
     */
    static double perSample(PruningContext ctx, Workspace ws) {
        return 1.0 / (ctx.loss().scale(ws.batch()) * ws.batch());
    }
}
