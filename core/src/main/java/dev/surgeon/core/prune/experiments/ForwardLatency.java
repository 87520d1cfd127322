package dev.surgeon.core.prune.experiments;

import dev.surgeon.core.nn.Network;
import dev.surgeon.core.nn.Workspace;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * A small timing harness for evaluation-mode forward passes (not JMH): one workspace, random inputs, {@code warmup}
 * untimed passes (JIT compilation, caches), then {@code repetitions} timed passes, each repetition running enough
 * forward passes to last about a millisecond; the result is the median time per forward pass. Median rather than mean
 * because the machine is shared and noisy. Compare networks measured side by side in one process.
 */
final class ForwardLatency {
    private ForwardLatency() {
    }

    /** Median milliseconds per forward pass of a batch of {@code batch} samples. */
    static double medianMillis(Network net, int batch, int warmup, int repetitions) {
        Workspace ws = net.workspace(batch);
        SplittableRandom r = new SplittableRandom(1);
        float[] x = ws.inputs();
        for (int i = 0; i < batch * net.inputShape().size(); i++) {
            x[i] = (float) r.nextDouble();
        }
        ws.setBatch(batch);
        long start = System.nanoTime();
        for (int i = 0; i < warmup; i++) {
            net.forward(ws, false);
        }
        double perPass = Math.max(1e-6, (System.nanoTime() - start) / 1e9 / Math.max(1, warmup));
        int inner = (int) Math.max(1, Math.min(10_000, 1e-3 / perPass));
        double[] t = new double[repetitions];
        for (int k = 0; k < repetitions; k++) {
            long t0 = System.nanoTime();
            for (int i = 0; i < inner; i++) {
                net.forward(ws, false);
            }
            t[k] = (System.nanoTime() - t0) / 1e6 / inner;
        }
        Arrays.sort(t);
        return t[repetitions / 2];
    }
}
