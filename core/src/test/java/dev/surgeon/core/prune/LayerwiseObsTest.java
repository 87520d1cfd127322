package dev.surgeon.core.prune;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.surgeon.core.data.Dataset;
import dev.surgeon.core.nn.Network;
import dev.surgeon.core.nn.ParameterTensor;
import dev.surgeon.core.nn.Workspace;
import dev.surgeon.kernels.Kernels;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** L-OBS (B4) through the layer-wise driver: row updates and the reported reconstruction error. */
class LayerwiseObsTest {

    /** Pre-activations z = W x + b of layer fc{n} for every training sample. */
    private static double[] preActivations(Network net, Dataset data, int layerIndex) {
        Workspace ws = net.workspace(data.size());
        ws.load(data, 0, data.size());
        net.forward(ws, false);
        var v = net.layerInputs(ws).stream().filter(s -> s.layer().index() == layerIndex).findFirst().orElseThrow();
        ParameterTensor w = net.layout().tensorsOf(layerIndex).get(0);
        ParameterTensor b = net.layout().tensorsOf(layerIndex).get(1);
        float[] p = net.parameters();
        double[] z = new double[data.size() * w.rows()];
        for (int n = 0; n < data.size(); n++) {
            for (int i = 0; i < w.rows(); i++) {
                double s = p[b.offset() + i];
                for (int j = 0; j < w.columns(); j++) {
                    s += p[w.offset() + i * w.columns() + j] * (double) v.input(n, j);
                }
                z[n * w.rows() + i] = s;
            }
        }
        return z;
    }

    @Test
    void lobsPrunesEveryLayerToItsShareAndReportsTheExactReconstructionError() {
        PruningContext ctx = Fixtures.trainedContext("in(6) dense(5) relu dense(3)", 60, 51, false);
        Network before = ctx.network().copy(Kernels.scalar());
        int fc1 = ctx.network().layout().tensor("fc1.weight").layerIndex();
        double[] z0 = preActivations(before, ctx.train(), fc1);
        PruningReport report = PruningRun.execute(ctx, PruningMethods.plan("lobs", Map.of("sparsity", "0.5", "calibration", "60",
                "batch", "60")));
        for (ParameterTensor t : ctx.prunableTensors()) {
            assertEquals(0.5, ctx.mask().sparsity(t), 0.05, t.name());
        }
        double[] z1 = preActivations(ctx.network(), ctx.train(), fc1);
        double error = 0;
        for (int i = 0; i < z0.length; i++) {
            error += (z1[i] - z0[i]) * (z1[i] - z0[i]);
        }
        error /= ctx.train().size();
        String line = report.notes().stream().filter(x -> x.startsWith("fc1:")).findFirst().orElseThrow();
        double reported = Double.parseDouble(line.substring(line.lastIndexOf('=') + 1).strip());
        // (1/N)‖ΔW̄X̄‖² from H = (2/N) X̄X̄ᵀ (undamped) equals the direct computation with the float weights (relative
        // 1e-4: the weights were rounded to float after the update).
        assertEquals(error, reported, 1e-4 * error + 1e-9);
        assertTrue(error > 0);
    }

    @Test
    void convolutionsArePrunedOnTheirUnfoldedPatchesAndSequentialInputsWork() {
        Network net = Fixtures.network("in(1,8,8) conv(4,3) relu flatten dense(3)", 62);
        SplittableRandom r = new SplittableRandom(63);
        float[] x = new float[40 * 64];
        int[] y = new int[40];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) r.nextGaussian();
        }
        for (int i = 0; i < y.length; i++) {
            y[i] = r.nextInt(3);
        }
        Dataset data = Dataset.classification("images", new int[] {1, 8, 8}, x, y, 3);
        PruningContext ctx = PruningContext.builder(net, dev.surgeon.core.nn.Loss.softmaxCrossEntropy(), data).build();
        PruningReport report = PruningRun.execute(ctx, PruningMethods.plan("lobs", Map.of("sparsity", "0.5", "calibration", "40",
                "sequential", "true")));
        for (ParameterTensor t : ctx.prunableTensors()) {
            assertEquals(0.5, ctx.mask().sparsity(t), 0.02, t.name());
        }
        assertTrue(report.notes().stream().anyMatch(n -> n.startsWith("conv1:")), report.notes().toString());
        assertTrue(report.calibration().size() == 1, "one calibration draw, reused by the sequential passes");
    }

    @Test
    void aSinglePrunedWeightGetsTheRowUpdateThatSolvesTheConstrainedLeastSquaresProblem() {
        PruningContext ctx = Fixtures.trainedContext("in(4) dense(3) relu dense(2)", 50, 61, false);
        Network net = ctx.network();
        ParameterTensor w = net.layout().tensor("fc1.weight");
        int layer = w.layerIndex();
        // Build L-OBS's H = (1/n) Σ h̄h̄ᵀ + 1e-6 I directly from the inputs.
        Workspace ws = net.workspace(ctx.train().size());
        ws.load(ctx.train(), 0, ctx.train().size());
        net.forward(ws, false);
        var v = net.layerInputs(ws).stream().filter(s -> s.layer().index() == layer).findFirst().orElseThrow();
        int c = w.columns() + 1;
        double[] h = new double[c * c];
        int n = ctx.train().size();
        for (int r = 0; r < n; r++) {
            double[] x = new double[c];
            for (int j = 0; j < c - 1; j++) {
                x[j] = v.input(r, j);
            }
            x[c - 1] = 1;
            for (int a = 0; a < c; a++) {
                for (int b = 0; b < c; b++) {
                    h[a * c + b] += x[a] * x[b] / n;
                }
            }
        }
        for (int a = 0; a < c; a++) {
            h[a * c + a] += 1e-6;
        }
        float[] p = net.parameters().clone();
        PruningContext only = PruningContext.builder(net, ctx.loss(), ctx.train()).tensors("fc1.weight").build();
        new LayerwisePruning(new LayerwiseObs(), Allocation.global(), Pattern.UNSTRUCTURED, n, n,
                dev.surgeon.core.curvature.Damping.absolute(LayerwiseObs.DAMPING), false, null).prune(only, 1);
        int q = only.mask().prunedIndices()[0];
        assertTrue(w.contains(q));
        int row = (q - w.offset()) / w.columns();
        int col = (q - w.offset()) % w.columns();
        boolean[] fixed = new boolean[c];
        fixed[col] = true;
        double[] wr = new double[c];
        for (int j = 0; j < c - 1; j++) {
            wr[j] = p[w.offset() + row * w.columns() + j];
        }
        wr[c - 1] = p[net.layout().tensor("fc1.bias").offset() + row];
        double[] delta = DenseMath.constrainedMinimum(h, c, fixed, wr);
        for (int j = 0; j < c - 1; j++) {
            assertEquals(wr[j] + delta[j], net.parameters()[w.offset() + row * w.columns() + j], 1e-5, "column " + j);
        }
        assertEquals(wr[c - 1] + delta[c - 1], net.parameters()[net.layout().tensor("fc1.bias").offset() + row], 1e-5, "bias");
    }
}
