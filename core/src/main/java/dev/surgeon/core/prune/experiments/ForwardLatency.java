package dev.surgeon.core.prune.experiments;

import dev.surgeon.core.nn.Network;
import dev.surgeon.core.nn.Workspace;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * A small timing harness for evaluation-mode forward passes (not JMH): each network gets one workspace with random
 * inputs and {@code warmup} untimed passes (JIT compilation, caches); then the two networks are timed alternately,
 * {@code repetitions} times each, every repetition running enough forward passes to last about a millisecond. The
 * results are the medians per forward pass. Alternating and medians because the machine is shared and noisy: both
 * networks see the same background load.
 */
final class ForwardLatency {
    private ForwardLatency() {
    }

    /** Median milliseconds per forward pass of a batch of {@code batch} samples: {@code [first, second]}. */
    static double[] compare(Network first, Network second, int batch, int warmup, int repetitions) {
        Network[] nets = {first, second};
        Workspace[] ws = new Workspace[2];
        int[] inner = new int[2];
        for (int k = 0; k < 2; k++) {
            ws[k] = nets[k].workspace(batch);
            SplittableRandom r = new SplittableRandom(1);
            float[] x = ws[k].inputs();
            for (int i = 0; i < batch * nets[k].inputShape().size(); i++) {
                x[i] = (float) r.nextDouble();
            }
            ws[k].setBatch(batch);
            long start = System.nanoTime();
            for (int i = 0; i < warmup; i++) {
                nets[k].forward(ws[k], false);
            }
            double perPass = Math.max(1e-6, (System.nanoTime() - start) / 1e9 / Math.max(1, warmup));
            inner[k] = (int) Math.max(1, Math.min(10_000, 1e-3 / perPass));
        }
        double[][] t = new double[2][repetitions];
        for (int rep = 0; rep < repetitions; rep++) {
            for (int k = 0; k < 2; k++) {
                long t0 = System.nanoTime();
                for (int i = 0; i < inner[k]; i++) {
                    nets[k].forward(ws[k], false);
                }
                t[k][rep] = (System.nanoTime() - t0) / 1e6 / inner[k];
            }
        }
        Arrays.sort(t[0]);
        Arrays.sort(t[1]);
        return new double[] {t[0][repetitions / 2], t[1][repetitions / 2]};
    }
}
