package dev.surgeon.core.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.surgeon.core.data.Dataset;
import dev.surgeon.kernels.Kernels;
import java.lang.management.ManagementFactory;
import org.junit.jupiter.api.Test;

class WorkspaceTest {

    @Test
    void loadEncodesLabelsForTheOutputWidth() {
        float[] x = {1, 2, 3, 4, 5, 6};
        Dataset three = Dataset.classification("three", new int[] {2}, x, new int[] {2, 0, 1}, 3);
        Network net = Network.create(ArchitectureSpec.parse("in(2) dense(3)"), 1, Kernels.scalar());
        Workspace ws = net.workspace(4);
        ws.load(three, new int[] {2, 0}, 0, 2);
        assertEquals(2, ws.batch());
        assertArrayEquals(new float[] {5, 6, 1, 2}, java.util.Arrays.copyOf(ws.inputs(), 4));
        assertArrayEquals(new float[] {0, 1, 0, 0, 0, 1}, java.util.Arrays.copyOf(ws.targets(), 6));

        Dataset binary = Dataset.classification("binary", new int[] {2}, x, new int[] {1, 0, 1}, 2);
        Network one = Network.create(ArchitectureSpec.parse("xor"), 1, Kernels.scalar());
        Workspace w1 = one.workspace(3);
        w1.load(binary, 0, 3);
        assertArrayEquals(new float[] {1, 0, 1}, java.util.Arrays.copyOf(w1.targets(), 3));

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ws.load(binary, 0, 2));
        assertTrue(e.getMessage().contains("2 classes but the network has 3 outputs"), e.getMessage());
        Dataset wide = Dataset.classification("wide", new int[] {3}, new float[6], new int[] {0, 1}, 3);
        e = assertThrows(IllegalArgumentException.class, () -> ws.load(wide, 0, 2));
        assertTrue(e.getMessage().contains("takes 2"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> ws.load(three, 0, 5));
    }

    @Test
    void hooksRequireAForwardPassOnTheCurrentBatch() {
        Fixture fx = Fixture.of("in(3) dense(2)", "mse-sum", 2, 1);
        fx.ws.setBatch(2);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> fx.net.lossGradient(fx.ws, fx.loss, new float[fx.d()]));
        assertTrue(e.getMessage().contains("forward"), e.getMessage());
    }

    @Test
    void dropoutMasksAreSeededAndScaleTheSurvivors() {
        Network net = Network.create(ArchitectureSpec.parse("in(1000) dropout(0.3)"), 1, Kernels.scalar());
        Workspace a = net.workspace(2);
        Workspace b = net.workspace(2);
        java.util.Arrays.fill(a.inputs(), 1f);
        java.util.Arrays.fill(b.inputs(), 1f);
        a.setBatch(2);
        b.setBatch(2);
        a.seedDropout(5);
        b.seedDropout(5);
        float[] outA = net.forward(a, true).clone();
        assertArrayEquals(outA, net.forward(b, true));
        int zeros = 0;
        for (float v : outA) {
            assertTrue(v == 0f || v == 1f / 0.7f, "value " + v);
            zeros += v == 0f ? 1 : 0;
        }
        // 2000 Bernoulli(0.3) draws: mean 600, standard deviation 20.5.
        assertEquals(600, zeros, 100);
        assertArrayEquals(a.inputs(), net.forward(a, false));
    }

    @Test
    void aTrainingStepAllocatesNothingAfterWarmUp() {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        Fixture fx = Fixture.of("in(2,8,8) conv(4,3,pad=1) relu maxpool(2) flatten dropout(0.2) dense(6) tanh dense(3)",
                "cross-entropy-mean", 8, 3);
        float[] grad = new float[fx.d()];
        float[] v = new float[fx.d()];
        float[] out = new float[fx.d()];
        Runnable step = () -> {
            fx.net.lossAndGradient(fx.ws, fx.loss, grad, true);
            fx.net.forward(fx.ws, false);
            fx.net.hessianVectorProduct(fx.ws, fx.loss, v, out);
            fx.net.gaussNewtonDiagonal(fx.ws, fx.loss, out);
            fx.net.diagonalGaussNewton(fx.ws, fx.loss, true, out);
        };
        for (int i = 0; i < 300; i++) {
            step.run();
        }
        long before = threads.getCurrentThreadAllocatedBytes();
        for (int i = 0; i < 50; i++) {
            step.run();
        }
        long allocated = threads.getCurrentThreadAllocatedBytes() - before;
        // In steady state this is 0. While the JIT is still replacing code, deoptimization can rematerialize a
        // few scalar-replaced objects (tens of bytes); any buffer allocated per step would show up as
        // ≥ 50 × 100 bytes here (the smallest activation of this net is 8 × 3 floats).
        assertTrue(allocated < 1024, allocated + " bytes allocated by 50 steps after warm-up");
    }
}
