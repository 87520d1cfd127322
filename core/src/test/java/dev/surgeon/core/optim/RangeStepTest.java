package dev.surgeon.core.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.surgeon.core.nn.ArchitectureSpec;
import dev.surgeon.core.nn.Mask;
import dev.surgeon.core.nn.ParameterLayout;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/** The split step used by data-parallel training against the whole step, for every elementwise optimizer. */
class RangeStepTest {

    /**
     * beginStep, stepRange over three uneven ranges (in reverse order, as threads may finish), finishStep: bit-identical
     * weights after 5 steps to {@link ElementwiseOptimizer#step} — the rules are elementwise, so nothing may differ, and
     * per-step state outside the ranges (Nadam's momentum product, the step count in bias corrections) must advance
     * once per step, not once per range. With coupled and decoupled weight decay and a mask.
     */
    @Test
    void splitStepEqualsTheWholeStepForEveryElementwiseOptimizer() {
        ParameterLayout layout = ParameterLayout.of(ArchitectureSpec.parse("in(7) dense(5) relu dense(3)"));
        int d = layout.size();
        List<Supplier<ElementwiseOptimizer<?>>> rules = List.of(
                () -> Sgd.momentum(0.1, 0.9), () -> Sgd.nesterov(0.1, 0.9), () -> Sgd.plain(0.1),
                () -> new Adam(0.01), () -> new Adam(0.01, 0.9, 0.999, 1e-8, true), AdaGrad::new, AdaDelta::new,
                AdaMax::new, Nadam::new, RmsProp::new,
                () -> Sgd.momentum(0.1, 0.9).weightDecay(1e-2), () -> new Adam(0.01).decoupledWeightDecay(1e-1));
        for (Supplier<ElementwiseOptimizer<?>> rule : rules) {
            float[] start = random(d, 1);
            float[] zeros = start.clone();
            zeros[3] = 0f;
            zeros[d - 2] = 0f;
            Mask mask = Mask.ofZeros(layout, zeros);
            ElementwiseOptimizer<?> whole = rule.get();
            ElementwiseOptimizer<?> split = rule.get();
            whole.setMask(mask);
            split.setMask(mask);
            float[] a = start.clone();
            float[] b = start.clone();
            int[] cuts = {0, d / 3, d / 3 + 1, d};
            for (int t = 0; t < 5; t++) {
                float[] g = random(d, 10 + t);
                whole.step(a, g);
                split.beginStep(b, g);
                for (int r = cuts.length - 2; r >= 0; r--) {
                    split.stepRange(b, g, cuts[r], cuts[r + 1]);
                }
                split.finishStep(b);
                assertArrayEquals(a, b, whole + ", step " + (t + 1));
            }
        }
    }

    private static float[] random(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) r.nextGaussian();
        }
        return x;
    }
}
