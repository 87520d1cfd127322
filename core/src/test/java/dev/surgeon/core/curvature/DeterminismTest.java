package dev.surgeon.core.curvature;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.surgeon.core.curvature.spectrum.Hutchinson;
import dev.surgeon.core.curvature.spectrum.Lanczos;
import dev.surgeon.core.curvature.spectrum.PowerIteration;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** Same seed ⇒ same calibration subset, sampled labels, probes and start vectors (METHODS G.4). */
class DeterminismTest {

    @Test
    void calibrationSubsetsAreSeededDistinctAndRecorded() {
        TestNets tn = TestNets.of("in(3) dense(2)", "mse-mean", 50, 91);
        DataSource a = DataSource.sample(tn.data, 20, 8, 5);
        DataSource b = DataSource.sample(tn.data, 20, 8, 5);
        DataSource c = DataSource.sample(tn.data, 20, 8, 6);
        assertArrayEquals(a.indices(), b.indices());
        assertFalse(Arrays.equals(a.indices(), c.indices()));
        assertEquals(20, Arrays.stream(a.indices()).distinct().count());
        assertEquals(3, a.batchCount());
        assertEquals(4, a.batchLength(2));
        assertEquals(5, a.seed());
        assertThrows(IllegalArgumentException.class, () -> DataSource.sample(tn.data, 51, 8, 5));
        // Explicit indices reproduce a recorded subset exactly.
        assertArrayEquals(a.indices(), DataSource.of(tn.data, a.indices(), 3).indices());
    }

    @Test
    void sampledLabelsProbesAndStartVectorsDependOnlyOnTheSeed() {
        TestNets tn = TestNets.of("in(3) dense(4) tanh dense(3)", "cross-entropy-mean", 12, 92);
        Curvature c = tn.curvature(5).seed(17);
        KfacOperator k1 = c.kfac(GradientKind.TRUE_FISHER, KfacDamping.eigen(1e-3));
        KfacOperator k2 = c.kfac(GradientKind.TRUE_FISHER, KfacDamping.eigen(1e-3));
        KfacOperator k3 = c.seed(18).kfac(GradientKind.TRUE_FISHER, KfacDamping.eigen(1e-3));
        double[] g1 = k1.factors().layers().get(1).gradientFactor();
        assertArrayEquals(g1, k2.factors().layers().get(1).gradientFactor());
        assertFalse(Arrays.equals(g1, k3.factors().layers().get(1).gradientFactor()));
        double[] m1 = c.mfac(Gradients.trueFisher(3), 1e-2, 1000, GradientStorage.DOUBLE).inverseDiagonal();
        assertArrayEquals(m1, c.mfac(Gradients.trueFisher(3), 1e-2, 1000, GradientStorage.DOUBLE).inverseDiagonal());

        HessianOperator h = c.hessian();
        assertArrayEquals(Hutchinson.diagonal(h, 3, 5, 0).values(), Hutchinson.diagonal(h, 3, 5, 0).values());
        assertFalse(Arrays.equals(Hutchinson.diagonal(h, 3, 5, 0).values(), Hutchinson.diagonal(h, 4, 5, 0).values()));
        assertArrayEquals(PowerIteration.topEigenvalues(h, 2, 9).values(), PowerIteration.topEigenvalues(h, 2, 9).values());
        assertArrayEquals(Lanczos.ritzValues(h, 6, 9), Lanczos.ritzValues(h, 6, 9));
    }
}
