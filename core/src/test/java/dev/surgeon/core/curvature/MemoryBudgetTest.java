package dev.surgeon.core.curvature;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.surgeon.core.data.Dataset;
import dev.surgeon.core.nn.ArchitectureSpec;
import dev.surgeon.core.nn.Loss;
import dev.surgeon.core.nn.Network;
import dev.surgeon.kernels.Kernels;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The memory pre-flight (METHODS G.2): refusals before anything big is allocated, naming the alternatives. */
class MemoryBudgetTest {
    private static final long GIB = 1L << 30;

    private static Curvature million() {
        // 1000 × 1000 weights + 1000 biases: d = 1,001,000.
        Network net = Network.create(ArchitectureSpec.parse("in(1000) dense(1000)"), 1, Kernels.scalar());
        float[] x = new float[1000 * 8];
        int[] y = new int[8];
        Dataset data = Dataset.classification("eight", new int[] {1000}, x, y, 1000);
        return Curvature.of(net, Loss.softmaxCrossEntropy(), DataSource.all(data, 4)).budget(MemoryBudget.ofBytes(4 * GIB));
    }

    @Test
    void aMillionParameterDenseFisherIsRefusedNamingTheCheaperOperatorsThatFit() {
        Curvature c = million();
        assertEquals(1_001_000, c.subset().dim());
        CurvatureTooLargeException e = assertThrows(CurvatureTooLargeException.class,
                () -> c.dense(Gradients.empiricalFisher(), Damping.absolute(1e-5), DenseInverseMethod.CHOLESKY));
        String m = e.getMessage();
        assertTrue(m.contains("dense empirical Fisher") && m.contains("TiB") && m.contains("4.00 GiB"), m);
        assertTrue(m.contains("2^31 - 1"), m);
        // 16·128·d ≈ 2 GiB of blocks, 8 gradients of M-FAC, K-FAC's 1001² + 1000² factors and the diagonal fit 4 GiB.
        assertTrue(m.contains("block-diagonal") && m.contains("M-FAC") && m.contains("K-FAC") && m.contains("diagonal"), m);
        assertEquals(4, e.alternatives().size());
        assertTrue(e.bytesNeeded() > 16L * 1_001_000 * 1_001_000 - 1);
        assertEquals(4 * GIB, e.budgetBytes());
        assertThrows(CurvatureTooLargeException.class, () -> c.denseHessian(Damping.none()));
        assertThrows(CurvatureTooLargeException.class, () -> c.dense(Gradients.empiricalFisher(), Damping.absolute(1e-5),
                DenseInverseMethod.RANK_ONE));
    }

    @Test
    void onlyTheAlternativesThatFitAreNamed() {
        Curvature c = million().budget(MemoryBudget.ofBytes(64L << 20));
        CurvatureTooLargeException e = assertThrows(CurvatureTooLargeException.class,
                () -> c.blockDiagonal(Gradients.empiricalFisher(), BlockPartition.fixedSize(c.subset(), 128), Damping.none()));
        List<String> fit = e.alternatives();
        assertTrue(fit.stream().noneMatch(a -> a.startsWith("block-diagonal")), fit.toString());
        assertTrue(fit.stream().anyMatch(a -> a.startsWith("K-FAC")) && fit.stream().anyMatch(a -> a.startsWith("diagonal")),
                fit.toString());
    }

    @Test
    void javasArrayLimitRefusesEvenWithAHugeBudget() {
        // d = 231·201 + 201 = 46,632: d² = 2.17e9 elements exceed a Java array (d ≤ 46,340), whatever the budget.
        Network net = Network.create(ArchitectureSpec.parse("in(231) dense(201)"), 1, Kernels.scalar());
        Dataset data = Dataset.classification("two", new int[] {231}, new float[462], new int[2], 201);
        Curvature c = Curvature.of(net, Loss.softmaxCrossEntropy(), DataSource.all(data, 2))
                .budget(MemoryBudget.ofBytes(Long.MAX_VALUE / 4));
        assertEquals(46_632, c.subset().dim());
        CurvatureTooLargeException e = assertThrows(CurvatureTooLargeException.class,
                () -> c.dense(Gradients.empiricalFisher(), Damping.absolute(1), DenseInverseMethod.CHOLESKY));
        assertTrue(e.getMessage().contains("Java arrays hold at most 2^31 - 1"), e.getMessage());
        assertTrue(c.budget().fits(e.bytesNeeded()), "refused for the array limit, not the budget");
    }

    @Test
    void budgetsAreValidated() {
        assertThrows(IllegalArgumentException.class, () -> MemoryBudget.ofBytes(0));
        assertThrows(IllegalArgumentException.class, () -> MemoryBudget.fractionOfHeap(1.5));
        assertTrue(MemoryBudget.defaultBudget().bytes() <= Runtime.getRuntime().maxMemory());
    }
}
