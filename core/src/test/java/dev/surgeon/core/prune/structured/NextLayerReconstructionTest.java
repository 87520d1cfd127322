package dev.surgeon.core.prune.structured;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.surgeon.core.curvature.CurvatureTooLargeException;
import dev.surgeon.core.nn.ArchitectureSpec;
import dev.surgeon.core.nn.Loss;
import dev.surgeon.core.nn.Network;
import dev.surgeon.core.nn.ParameterTensor;
import dev.surgeon.core.nn.Workspace;
import dev.surgeon.core.prune.DenseMath;
import dev.surgeon.core.prune.PruningContext;
import dev.surgeon.kernels.Kernels;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@link NextLayerReconstruction} against independent float64 computations: the OBS step on the damped layer-wise
 * Hessian when nothing upstream changed, the normal equations when something did, and exact recovery of a duplicated
 * unit through a dense, a convolutional and a flatten consumer.
 */
class NextLayerReconstructionTest {

    /** Dense layer l of {@link Nets#MLP} in double: out[n][i] = act(Σ_j W_ij in[n][j] + b_i). */
    private static double[][] dense(Network net, int layer, double[][] in, String act) {
        ParameterTensor w = net.layers().get(layer).parameters().get(0);
        ParameterTensor b = net.layers().get(layer).parameters().get(1);
        float[] p = net.parameters();
        double[][] out = new double[in.length][w.rows()];
        for (int n = 0; n < in.length; n++) {
            for (int i = 0; i < w.rows(); i++) {
                double z = p[b.offset() + i];
                for (int j = 0; j < w.columns(); j++) {
                    z += p[w.offset() + i * w.columns() + j] * in[n][j];
                }
                out[n][i] = switch (act) {
                    case "relu" -> Math.max(0, z);
                    case "tanh" -> Math.tanh(z);
                    default -> z;
                };
            }
        }
        return out;
    }

    private static double[][] inputs(PruningContext ctx) {
        int d = ctx.train().inputSize();
        double[][] x = new double[ctx.train().size()][d];
        for (int n = 0; n < x.length; n++) {
            for (int j = 0; j < d; j++) {
                x[n][j] = ctx.train().inputs()[n * d + j];
            }
        }
        return x;
    }

    /** [W | b] of a dense layer, d_out × (d_in + 1), in double. */
    private static double[] augmented(Network net, int layer) {
        ParameterTensor w = net.layers().get(layer).parameters().get(0);
        ParameterTensor b = net.layers().get(layer).parameters().get(1);
        int d = w.columns() + 1;
        double[] m = new double[w.rows() * d];
        for (int i = 0; i < w.rows(); i++) {
            for (int j = 0; j < w.columns(); j++) {
                m[i * d + j] = net.parameters()[w.offset() + i * w.columns() + j];
            }
            m[i * d + w.columns()] = net.parameters()[b.offset() + i];
        }
        return m;
    }

    /** (1/N) Σ a_n b_nᵀ of the augmented vectors [a; 1], [b; 1]. */
    private static double[] moment(double[][] a, double[][] b) {
        int d = a[0].length + 1;
        double[] m = new double[d * d];
        for (int n = 0; n < a.length; n++) {
            for (int i = 0; i < d; i++) {
                double ai = i < d - 1 ? a[n][i] : 1;
                for (int j = 0; j < d; j++) {
                    double bj = j < d - 1 ? b[n][j] : 1;
                    m[i * d + j] += ai * bj / a.length;
                }
            }
        }
        return m;
    }

    @Test
    void refitIsTheObsStepThenSolvesTheSequentialNormalEquations() {
        PruningContext ctx = Nets.context(Nets.MLP, 40, 3);
        Network net = ctx.network();
        Network original = net.copy(net.kernels());
        Structures st = Structures.of(net, StructureKind.ALL);
        // fc1's unit 2 (read by layer 2) and the tanh layer's units 1 and 3 (read by the output layer 4).
        List<Structure> removed = List.of(st.get(2), st.get(5 + 1), st.get(5 + 3));
        double damping = 0.05;
        List<NextLayerReconstruction.Refit> refits = new NextLayerReconstruction(0, 16, damping).removeAndRefit(ctx, st, removed);
        assertEquals(2, refits.size());

        double[][] x = inputs(ctx);
        double[][] h1 = dense(original, 0, x, "relu");
        double[][] h2ref = dense(original, 2, h1, "tanh");

        // Layer 2: nothing upstream changed (its inputs are fc1's outputs; only the removed unit's column is gone),
        // so the refit must be the OBS step on H + λI for G = {2}: δw = −(H+λI)⁻¹E_G (E_Gᵀ(H+λI)⁻¹E_G)⁻¹ w_G.
        {
            double[] h = moment(h1, h1);
            int d = 6;
            int[] kept = {0, 1, 3, 4, 5};
            double meanDiag = 0;
            for (int j : kept) {
                meanDiag += h[j * d + j] / kept.length;
            }
            double lambda = damping * meanDiag;
            assertEquals(lambda, refits.get(0).lambda(), 1e-6 * lambda, "λ from float activations");
            double[] damped = h.clone();
            for (int j = 0; j < d; j++) {
                damped[j * d + j] += lambda;
            }
            double[] inv = DenseMath.inverse(damped, d);
            double[] w = augmented(original, 2);
            double[] now = augmented(net, 2);
            int g = 2;
            for (int i : new int[] {0, 2}) { // rows 1 and 3 are removed units themselves
                for (int j = 0; j < d; j++) {
                    double expected = j == g ? 0 : w[i * d + j] - inv[j * d + g] / inv[g * d + g] * w[i * d + g];
                    assertEquals(expected, now[i * d + j], 1e-5 * (1 + Math.abs(expected)), "layer 2 [" + i + ", " + j + "]");
                }
            }
        }

        // Layer 4: its inputs changed upstream (fc1 lost a unit, layer 2 was refitted), so the refit solves
        // W̄'_K (H_KK + λI) = W̄ C_{:,K} + λ W̄_K with H = E[h̄ h̄ᵀ] of the pruned network, C = E[h̄_ref h̄ᵀ].
        {
            double[][] h1now = dense(net, 0, x, "relu");
            double[][] h2 = dense(net, 2, h1now, "tanh");
            double[] h = moment(h2, h2);
            double[] c = moment(h2ref, h2);
            int d = 5;
            int[] kept = {0, 2, 4};
            double lambda = refits.get(1).lambda();
            double meanDiag = 0;
            for (int j : kept) {
                meanDiag += h[j * d + j] / kept.length;
            }
            assertEquals(damping * meanDiag, lambda, 1e-6 * lambda);
            double[] w = augmented(original, 4);
            double[] now = augmented(net, 4);
            for (int i = 0; i < 3; i++) {
                for (int b : kept) {
                    double lhs = lambda * now[i * d + b];
                    double rhs = lambda * w[i * d + b];
                    for (int a : kept) {
                        lhs += now[i * d + a] * h[a * d + b];
                    }
                    for (int j = 0; j < d; j++) {
                        rhs += w[i * d + j] * c[j * d + b];
                    }
                    assertEquals(rhs, lhs, 2e-5 * (1 + Math.abs(rhs)), "normal equation [" + i + ", " + b + "]");
                }
                assertEquals(0, now[i * d + 1], 0, "removed column");
                assertEquals(0, now[i * d + 3], 0, "removed column");
            }
        }
        for (NextLayerReconstruction.Refit r : refits) {
            assertTrue(r.errorWith() <= r.errorWithout(), r.toString());
        }
        // The removal itself is complete: rows, biases and outgoing columns are 0 and masked.
        for (Structure s : removed) {
            for (int q : s.incoming()) {
                assertEquals(0f, net.parameters()[q]);
                assertTrue(ctx.mask().isPruned(q));
            }
            for (int q : s.outgoing()) {
                assertEquals(0f, net.parameters()[q]);
                assertTrue(ctx.mask().isPruned(q));
            }
        }
    }

    /** Unit {@code copy} of link {@code link} becomes an exact copy of unit {@code of} (row and bias). */
    private static void duplicate(Structures st, int link, int of, int copy, float[] w) {
        int[] a = st.ofLink(link).get(of).incoming();
        int[] b = st.ofLink(link).get(copy).incoming();
        for (int i = 0; i < a.length; i++) {
            w[b[i]] = w[a[i]];
        }
    }

    @Test
    void aDuplicatedUnitIsRemovedWithoutChangingTheFunction() {
        // Dense consumer (MLP), convolution consumer (conv → relu → maxpool → conv) and flatten consumer (conv → pool
        // → flatten → dense): with a unit that duplicates another, the refit moves its outgoing weights onto the twin.
        for (String spec : new String[] {Nets.MLP, Nets.CONV_CONV, Nets.CONV_DENSE}) {
            PruningContext ctx = Nets.context(spec, 60, 5);
            Network net = ctx.network();
            Structures st = Structures.of(net, StructureKind.ALL);
            duplicate(st, 0, 0, 2, net.parameters());
            Network before = net.copy(net.kernels());
            Structure gone = st.ofLink(0).get(2);
            new NextLayerReconstruction(0, 20, 1e-9).removeAndRefit(ctx, st, List.of(gone));
            int n = ctx.train().size();
            Workspace a = before.workspace(n);
            Workspace b = net.workspace(n);
            a.load(ctx.train(), 0, n);
            b.load(ctx.train(), 0, n);
            float[] expected = before.forward(a, false).clone();
            float[] actual = net.forward(b, false);
            double scale = 0;
            for (float v : expected) {
                scale = Math.max(scale, Math.abs(v));
            }
            for (int i = 0; i < expected.length; i++) {
                assertEquals(expected[i], actual[i], 1e-4 * scale, spec + " output " + i);
            }
            for (int q : gone.outgoing()) {
                assertEquals(0f, net.parameters()[q], spec);
            }
        }
    }

    @Test
    void aFailedRefitLeavesTheNetworkAndMaskAsTheyWere() {
        PruningContext ctx = Nets.context(Nets.MLP, 40, 3);
        Network net = ctx.network();
        // fc1's unit 0 outputs NaN: layer 2 reads it, and its refit must refuse rather than spread NaN.
        net.parameters()[net.layers().get(0).parameters().get(0).offset()] = Float.NaN;
        float[] before = net.parameters().clone();
        Structures st = Structures.of(net, StructureKind.ALL);
        ReconstructionFailedException e = assertThrows(ReconstructionFailedException.class,
                () -> new NextLayerReconstruction(0, 16, 0.01).removeAndRefit(ctx, st, List.of(st.get(1), st.get(6))));
        assertTrue(e.getMessage().contains("not finite") && e.getMessage().startsWith("fc"), e.getMessage());
        assertArrayEquals(before, net.parameters());
        assertEquals(0, ctx.mask().prunedCount());
    }

    @Test
    void aConsumerTooLargeForMemoryIsRefusedBeforeAnythingChanges() {
        // The output layer reads 60,000 units: its input moment would be a 60,001² double matrix, longer than a Java
        // array can be, whatever the heap.
        Network net = Network.create(ArchitectureSpec.parse("in(4) dense(60000) relu dense(3)"), 1, Kernels.scalar());
        PruningContext ctx = PruningContext.builder(net, Loss.softmaxCrossEntropy(), Nets.data(net, 8, 2)).build();
        float[] before = net.parameters().clone();
        Structures st = Structures.of(net, StructureKind.ALL);
        CurvatureTooLargeException e = assertThrows(CurvatureTooLargeException.class,
                () -> new NextLayerReconstruction(0, 8, 0.01).removeAndRefit(ctx, st, List.of(st.get(0))));
        assertTrue(e.getMessage().contains("next-layer reconstruction"), e.getMessage());
        assertArrayEquals(before, net.parameters());
        assertEquals(0, ctx.mask().prunedCount());
    }

    @Test
    void refusalsNameTheProblem() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new NextLayerReconstruction(0, 10, 0));
        assertTrue(e.getMessage().contains("damping"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> StructuredMethods.plan("eigendamage", Map.of("reconstruct", "true")));
        assertTrue(e.getMessage().contains("reconstruct"), e.getMessage());
        StructuredPlan plan = StructuredMethods.plan("sosp-i", Map.of("reconstruct", "true", "reconstruct_samples", "300"));
        assertTrue(plan.reconstruction() != null);
        assertTrue(StructuredMethods.plan("sosp-i", Map.of()).reconstruction() == null, "off by default");
    }
}
