package dev.surgeon.core.prune.structured;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.surgeon.core.data.Dataset;
import dev.surgeon.core.nn.Loss;
import dev.surgeon.core.nn.Network;
import dev.surgeon.core.nn.Workspace;
import dev.surgeon.core.prune.PruningContext;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The gate identities every structured criterion relies on, against independent computations. */
class GateIdentitiesTest {

    private static double loss(Network net, Loss loss, Dataset data) {
        Workspace ws = net.workspace(data.size());
        ws.load(data, 0, data.size());
        net.forward(ws, false);
        return net.loss(ws, loss);
    }

    private static Workspace forwarded(PruningContext ctx) {
        Dataset data = ctx.train();
        Workspace ws = ctx.network().workspace(data.size());
        ws.load(data, 0, data.size());
        ctx.network().forward(ws, false);
        return ws;
    }

    @ParameterizedTest
    @ValueSource(strings = {Nets.MLP, Nets.CONV_CONV, Nets.CONV_DENSE, Nets.SIGMOID})
    void perSampleGateDerivativesAverageToTheProjectedGradientAndMatchSingleSampleGradients(String spec) {
        PruningContext ctx = Nets.context(spec, 12, 5);
        Network net = ctx.network();
        Structures st = Structures.of(net, StructureKind.ALL);
        Workspace ws = forwarded(ctx);
        int b = ws.batch();
        int count = st.size();
        float[] seeds = new float[b * net.outputSize()];
        net.lossSeeds(ws, ctx.loss(), null, seeds, 0);
        double[] d = new double[b * count];
        new GateDerivatives(st).compute(ws, seeds, 0, d);
        // Independent: θ_sᵀ∇ℓ_n from a full backward pass of sample n alone (batch of 1).
        Workspace one = net.workspace(1);
        float[] grad = new float[net.parameterCount()];
        for (int n = 0; n < b; n++) {
            one.load(ctx.train(), n, 1);
            net.lossAndGradient(one, ctx.loss(), grad, false);
            double[] g = st.project(grad);
            for (int s = 0; s < count; s++) {
                // float32 backward passes in different orders: agreement to ~1e-5 of the magnitudes involved.
                assertEquals(g[s], d[n * count + s], 2e-5 * (1 + Math.abs(g[s])), spec + " sample " + n + " " + st.get(s));
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {Nets.MLP, Nets.CONV_DENSE, Nets.CONV_CONV})
    void gateGradientIsTheDerivativeOfTheLossInTheGate(String spec) {
        PruningContext ctx = Nets.context(spec, 16, 6);
        Network net = ctx.network();
        Structures st = Structures.of(net, StructureKind.ALL);
        Workspace ws = forwarded(ctx);
        float[] grad = new float[net.parameterCount()];
        net.lossGradient(ws, ctx.loss(), grad);
        double[] gamma = st.project(grad);
        float[] w = net.parameters();
        float[] saved = w.clone();
        double h = 1e-2;
        for (Structure s : st.all()) {
            double[] l = new double[2];
            for (int k = 0; k < 2; k++) {
                double u = k == 0 ? 1 + h : 1 - h;
                for (int q : s.outgoing()) {
                    w[q] = (float) (saved[q] * u);
                }
                l[k] = loss(net, ctx.loss(), ctx.train());
            }
            System.arraycopy(saved, 0, w, 0, w.length);
            double fd = (l[0] - l[1]) / (2 * h);
            // Central difference: O(h²) truncation plus float32 loss rounding / h ≈ 1e-5.
            assertEquals(fd, gamma[s.index()], 1e-3 + 1e-2 * Math.abs(fd), spec + " " + s);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {Nets.MLP, Nets.CONV_DENSE})
    void forReluUnitsTheIncomingAndOutgoingGatesAreTheSameFunction(String spec) {
        PruningContext ctx = Nets.context(spec, 10, 7);
        Network net = ctx.network();
        Structures st = Structures.of(net, StructureKind.ALL);
        float[] w = net.parameters();
        float[] saved = w.clone();
        Workspace ws = forwarded(ctx);
        float[] unchanged = ws.outputs().clone();
        // Gate u = 1 is the identity: w(1) = w + 0·θ is bitwise w.
        for (Structure s : st.all()) {
            for (int q : s.outgoing()) {
                w[q] = saved[q] + (1f - 1f) * saved[q];
            }
        }
        net.forward(ws, false);
        assertArrayEquals(unchanged, ws.outputs(), "gates at 1 do not change the function");
        Structure s = st.ofLink(0).get(1);
        float u = 0.6f;
        for (int q : s.outgoing()) {
            w[q] = saved[q] * u;
        }
        net.forward(ws, false);
        float[] out = ws.outputs().clone();
        System.arraycopy(saved, 0, w, 0, w.length);
        for (int q : s.incoming()) {
            w[q] = saved[q] * u;
        }
        net.forward(ws, false);
        // relu(u·z) = u·relu(z) for u > 0 (and max-pooling commutes with it): equal up to float rounding.
        assertArrayEquals(out, ws.outputs(), 1e-5f);
        System.arraycopy(saved, 0, w, 0, w.length);
        // Hence the same gate derivative from the incoming row and bias as from the outgoing columns.
        float[] grad = new float[net.parameterCount()];
        net.forward(ws, false);
        net.lossGradient(ws, ctx.loss(), grad);
        for (Structure t : st.ofLink(0)) {
            double in = 0;
            for (int q : t.incoming()) {
                in += (double) w[q] * grad[q];
            }
            double outgoing = 0;
            for (int q : t.outgoing()) {
                outgoing += (double) w[q] * grad[q];
            }
            assertEquals(outgoing, in, 1e-5 * (1 + Math.abs(outgoing)), t.name());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {Nets.MLP, Nets.CONV_DENSE, Nets.SIGMOID})
    void gateGaussNewtonMatrixEqualsThetaTransposeGTheta(String spec) {
        PruningContext ctx = Nets.context(spec, 9, 8);
        Network net = ctx.network();
        Structures st = Structures.of(net, StructureKind.ALL);
        Workspace ws = forwarded(ctx);
        int count = st.size();
        double[] c = new double[count * count];
        Sosp.accumulateGaussNewton(ctx, ws, new GateDerivatives(st), count, c);
        float[] gv = new float[net.parameterCount()];
        float[] sum = new float[net.parameterCount()];
        double[] rowSums = new double[count];
        for (Structure t : st.all()) {
            net.gaussNewtonVectorProduct(ws, ctx.loss(), st.theta(t), gv);
            // gaussNewtonVectorProduct is of the mean loss; C sums per-sample terms: C/B.
            double[] col = st.project(gv);
            for (Structure s : st.all()) {
                double expected = col[s.index()];
                double actual = c[s.index() * count + t.index()] / ws.batch();
                assertEquals(expected, actual, 1e-5 + 1e-4 * Math.abs(expected), s + "," + t);
                rowSums[s.index()] += actual;
            }
            for (int q : t.outgoing()) {
                sum[q] = net.parameters()[q];
            }
        }
        // SOSP-H's identity: Σ_t θ_sᵀGθ_t = θ_sᵀG(Σ_t θ_t), one product instead of |S|.
        net.gaussNewtonVectorProduct(ws, ctx.loss(), sum, gv);
        double[] one = st.project(gv);
        for (int s = 0; s < count; s++) {
            assertEquals(one[s], rowSums[s], 1e-5 + 1e-4 * Math.abs(one[s]), "row sum " + s);
        }
    }

    /** Smooth networks (tanh): the loss along θ_s has a Taylor series; ReLU kinks downstream would break the t³ law. */
    @ParameterizedTest
    @ValueSource(strings = {"in(6) dense(5) tanh dense(4) tanh dense(3)", "in(1,8,8) conv(3,3) tanh avgpool(2) flatten dense(4) tanh dense(3)"})
    void firstAndSecondOrderTermsPredictTheLossChangeAlongTheta(String spec) {
        PruningContext ctx = Nets.context(spec, 16, 9);
        Network net = ctx.network();
        Structures st = Structures.of(net, StructureKind.ALL);
        Workspace ws = forwarded(ctx);
        float[] grad = new float[net.parameterCount()];
        net.lossGradient(ws, ctx.loss(), grad);
        double base = net.loss(ws, ctx.loss());
        float[] w = net.parameters();
        float[] saved = w.clone();
        float[] hv = new float[net.parameterCount()];
        int checked = 0;
        for (Structure s : st.all()) {
            float[] theta = st.theta(s);
            double gamma = st.project(grad)[s.index()];
            net.forward(ws, false);
            net.hessianVectorProduct(ws, ctx.loss(), theta, hv);
            double curvature = 0;
            for (int q : s.outgoing()) {
                curvature += (double) theta[q] * hv[q];
            }
            double[] first = new double[2];
            double[] second = new double[2];
            for (int k = 0; k < 2; k++) {
                double t = k == 0 ? 0.2 : 0.1;
                for (int q : s.outgoing()) {
                    w[q] = (float) (saved[q] * (1 - t));
                }
                double actual = loss(net, ctx.loss(), ctx.train()) - base;
                System.arraycopy(saved, 0, w, 0, w.length);
                first[k] = Math.abs(actual - (-t * gamma));
                second[k] = Math.abs(actual - (-t * gamma + 0.5 * t * t * curvature));
            }
            if (first[1] < 2e-5) {
                continue; // a unit with too little influence to see its error above float32 rounding of the loss
            }
            checked++;
            // Halving t divides the first-order error by at least ~4 (O(t²)) and the second-order error by ~8 (O(t³)).
            assertTrue(first[0] / first[1] > 3, s + " first-order ratio " + first[0] / first[1]);
            assertTrue(second[0] / second[1] > 6, s + " second-order ratio " + second[0] / second[1]);
            assertTrue(second[0] < first[0], s + " second order is closer");
        }
        assertTrue(checked >= 1, "units checked: " + checked);
        net.forward(ws, false);
    }
}
