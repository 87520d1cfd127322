package dev.surgeon.core.prune;

import dev.surgeon.core.nn.Network;
import dev.surgeon.core.nn.ParameterTensor;
import java.util.SplittableRandom;

/**
 * SNIP's initialization (Lee, Ajanthan and Torr 2019, METHODS B11 step 1): variance scaling with fan-in and scale 1,
 * drawn uniformly, w ~ U(−√(3/fan_in), √(3/fan_in)) (variance 1/fan_in), biases 0. PyTorch's default used by
 * {@link Network#initialize} has variance 1/(3 fan_in).
 */
final class Initialization {
    private Initialization() {
    }

    static void varianceScaling(Network net, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        float[] p = net.parameters();
        for (ParameterTensor t : net.layout().tensors()) {
            if (t.role() == ParameterTensor.Role.BIAS) {
                java.util.Arrays.fill(p, t.offset(), t.end(), 0f);
                continue;
            }
            double bound = Math.sqrt(3.0 / t.columns());
            for (int q = t.offset(); q < t.end(); q++) {
                p[q] = (float) ((2 * random.nextDouble() - 1) * bound);
            }
        }
    }
}
