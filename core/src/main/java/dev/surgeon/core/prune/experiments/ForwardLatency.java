package dev.surgeon.core.prune.experiments;

import dev.surgeon.core.nn.Network;
import dev.surgeon.core.nn.Workspace;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * A small timing harness for evaluation-mode forward passes (not JMH): each network gets one workspace with random
 * inputs and at least {@code warmup} untimed passes and half a second (JIT compilation, caches); then the two networks are timed
 * alternately, {@code repetitions} times each, every repetition running enough forward passes to last about 3 ms. The
 * results are the medians per forward pass. Alternating and medians because the machine is shared and noisy: both
 * networks see the same background load.
 */
final class ForwardLatency {
    /** Minimum warm-up time per network. */
    static final double WARMUP_SECONDS = 0.5;
    /** Target duration of one timed repetition (many passes), long against the timer and short against load changes. */
    static final double REPETITION_SECONDS = 3e-3;

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
            // At least `warmup` passes and at least WARMUP_SECONDS: a few hundred passes of a sub-millisecond network can end
            // before the JIT has compiled its hot loops, and that would bias the ratio against whichever net warmed less.
            long start = System.nanoTime();
            int passes = 0;
            while (passes < warmup || System.nanoTime() - start < WARMUP_SECONDS * 1e9) {
                nets[k].forward(ws[k], false);
                passes++;
            }
            double perPass = Math.max(1e-7, (System.nanoTime() - start) / 1e9 / passes);
            inner[k] = (int) Math.max(1, Math.min(100_000, REPETITION_SECONDS / perPass));
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
