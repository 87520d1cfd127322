package dev.surgeon.core.prune.structured;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.surgeon.core.curvature.Curvature;
import dev.surgeon.core.curvature.DataSource;
import dev.surgeon.core.curvature.GradientKind;
import dev.surgeon.core.curvature.KfacDamping;
import dev.surgeon.core.curvature.KfacOperator;
import dev.surgeon.core.curvature.KroneckerFactors;
import dev.surgeon.core.curvature.ParameterSubset;
import dev.surgeon.core.data.Dataset;
import dev.surgeon.core.nn.Network;
import dev.surgeon.core.nn.Workspace;
import dev.surgeon.core.prune.DenseMath;
import dev.surgeon.core.prune.PruningContext;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The structured criteria against their formulas computed independently, on tiny networks. */
class CriteriaTest {

    /** Per-sample gradients by single-sample backward passes: row n = ∇ℓ_n (mean loss of a batch of 1). */
    private static float[][] sampleGradients(PruningContext ctx) {
        Network net = ctx.network();
        Workspace one = net.workspace(1);
        float[][] g = new float[ctx.train().size()][net.parameterCount()];
        for (int n = 0; n < g.length; n++) {
            one.load(ctx.train(), n, 1);
            net.lossAndGradient(one, ctx.loss(), g[n], false);
        }
        return g;
    }

    @Test
    void taylor2017IsTheMeanAbsolutePerSampleTermNormalizedPerLayer() {
        PruningContext ctx = Nets.context(Nets.CONV_DENSE, 12, 1);
        Structures st = Structures.of(ctx.network(), StructureKind.ALL);
        double[] scores = new Taylor2017(0, 5, 0).score(ctx, st);
        float[][] g = sampleGradients(ctx);
        double[] expected = new double[st.size()];
        for (float[] row : g) {
            double[] p = st.project(row);
            for (int s = 0; s < p.length; s++) {
                expected[s] += Math.abs(p[s]) / g.length / st.get(s).positions();
            }
        }
        Taylor2017.normalizePerLayer(st, expected);
        for (int s = 0; s < st.size(); s++) {
            assertEquals(expected[s], scores[s], 1e-5 * (1 + expected[s]), st.get(s).name());
        }
        double norm = 0;
        for (Structure s : st.ofLink(0)) {
            norm += scores[s.index()] * scores[s.index()];
        }
        assertEquals(1, norm, 1e-9, "unit l2 norm per layer");
    }

    @Test
    void gateTaylorSquaresTheMiniBatchMeanAndBlendsWithMomentum() {
        PruningContext ctx = Nets.context(Nets.MLP, 12, 2);
        Structures st = Structures.of(ctx.network(), StructureKind.ALL);
        double[] scores = new GateTaylor(false, 0, 4, 0.5).score(ctx, st);
        float[][] g = sampleGradients(ctx);
        // The calibration of a full set is the set in order: mini-batches {0..3}, {4..7}, {8..11}.
        double[] m = new double[st.size()];
        for (int b = 0; b < 3; b++) {
            double[] mean = new double[st.size()];
            for (int n = 4 * b; n < 4 * b + 4; n++) {
                double[] p = st.project(g[n]);
                for (int s = 0; s < p.length; s++) {
                    mean[s] += p[s] / 4;
                }
            }
            for (int s = 0; s < m.length; s++) {
                m[s] = b == 0 ? mean[s] * mean[s] : 0.5 * m[s] + 0.5 * mean[s] * mean[s];
            }
        }
        for (int s = 0; s < m.length; s++) {
            assertEquals(m[s], scores[s], 1e-5 * (1e-6 + m[s]), st.get(s).name());
        }
    }

    @Test
    void secondOrderTaylorAndSospHUseTheFullWeightProducts() {
        PruningContext ctx = Nets.context(Nets.MLP, 10, 3);
        Network net = ctx.network();
        Structures st = Structures.of(net, StructureKind.ALL);
        double[] so = new GateTaylor(true, 0, 10, 0.9).score(ctx, st);
        double[] sosp = new Sosp(false, 0, 10).score(ctx, st);
        Workspace ws = net.workspace(10);
        ws.load(ctx.train(), 0, 10);
        net.forward(ws, false);
        float[] grad = new float[net.parameterCount()];
        net.lossGradient(ws, ctx.loss(), grad);
        float[] hw = new float[net.parameterCount()];
        float[] gw = new float[net.parameterCount()];
        float[] w = net.parameters().clone();
        net.hessianVectorProduct(ws, ctx.loss(), w, hw);
        net.gaussNewtonVectorProduct(ws, ctx.loss(), w, gw);
        double[] g = st.project(grad);
        double[] h = st.project(hw);
        double[] gn = st.project(gw);
        for (int s = 0; s < st.size(); s++) {
            double a = g[s] - 0.5 * h[s];
            assertEquals(a * a, so[s], 1e-6 * (1e-6 + a * a), "taylor-so " + st.get(s));
            assertEquals(Math.abs(0.5 * gn[s] - g[s]), sosp[s], 1e-6 * (1e-6 + Math.abs(g[s]) + Math.abs(gn[s])), "sosp-h");
        }
    }

    @Test
    void sospIIsTheIndependentUpperBoundOfTheGateQuadraticModel() {
        PruningContext ctx = Nets.context(Nets.CONV_DENSE, 8, 4);
        Network net = ctx.network();
        Structures st = Structures.of(net, StructureKind.ALL);
        double[] scores = new Sosp(true, 0, 3).score(ctx, st);
        Workspace ws = net.workspace(8);
        ws.load(ctx.train(), 0, 8);
        net.forward(ws, false);
        float[] grad = new float[net.parameterCount()];
        net.lossGradient(ws, ctx.loss(), grad);
        double[] gamma = st.project(grad);
        float[] gv = new float[net.parameterCount()];
        double[][] c = new double[st.size()][];
        for (Structure t : st.all()) {
            net.gaussNewtonVectorProduct(ws, ctx.loss(), st.theta(t), gv);
            c[t.index()] = st.project(gv);
        }
        for (Structure s : st.all()) {
            double bound = Math.abs(gamma[s.index()]);
            for (Structure t : st.all()) {
                bound += 0.5 * Math.abs(c[t.index()][s.index()]);
            }
            assertEquals(bound, scores[s.index()], 1e-5 * (1 + bound), s.name());
        }
    }

    /** Dense (Γ ⊗ A + λI) of one layer in the row-major W̄ order: entry ((i,j),(i',j')) = Γ_ii' A_jj' (+λ); flat. */
    private static double[] kronecker(double[] gamma, int ng, double[] a, int na, double lambda) {
        int d = ng * na;
        double[] f = new double[d * d];
        for (int i = 0; i < ng; i++) {
            for (int j = 0; j < na; j++) {
                for (int i2 = 0; i2 < ng; i2++) {
                    for (int j2 = 0; j2 < na; j2++) {
                        f[(i * na + j) * d + i2 * na + j2] = gamma[i * ng + i2] * a[j * na + j2] + (i == i2 && j == j2 ? lambda : 0);
                    }
                }
            }
        }
        return f;
    }

    @Test
    void kroneckerObsMatchesTheDenseKroneckerInverseAndItsFactorForm() {
        PruningContext ctx = Nets.context("in(4) dense(3) relu dense(3)", 40, 5);
        Network net = ctx.network();
        Structures st = Structures.of(net, StructureKind.ALL);
        double lambda = 1e-4;
        KroneckerObs obs = new KroneckerObs(0, 40, lambda, true);
        double[] scores = obs.score(ctx, st);
        // The same factors, rebuilt independently of the scorer: true Fisher with the scorer's label seed.
        ParameterSubset subset = ParameterSubset.layers(net.layout(), "fc1", "fc2");
        KfacOperator op = Curvature.of(net, ctx.loss(), DataSource.all(ctx.train(), 40)).subset(subset)
                .seed(ctx.derivedSeed("K-FAC labels")).kfac(GradientKind.TRUE_FISHER, KfacDamping.eigen(lambda));
        KroneckerFactors.LayerFactors f = op.factors().layers().get(0);
        int na = f.inputDim();
        int ng = f.outputDim();
        int d = ng * na;
        double[] inv = DenseMath.inverse(kronecker(f.gradientFactor(), ng, f.inputFactor(), na, lambda), d);
        float[] w = net.parameters();
        // Undamped factor form of D4: [F⁻¹]_{ij,ij} = [Γ⁻¹]_ii [A⁻¹]_jj.
        double[] ai = DenseMath.inverse(f.inputFactor(), na);
        double[] gi = DenseMath.inverse(f.gradientFactor(), ng);
        double[] undamped = DenseMath.inverse(kronecker(f.gradientFactor(), ng, f.inputFactor(), na, 0), d);
        for (int i = 0; i < ng; i++) {
            for (int j = 0; j < na; j++) {
                double kron = gi[i * ng + i] * ai[j * na + j];
                assertEquals(kron, undamped[(i * na + j) * d + i * na + j], 1e-8 * Math.abs(kron), "Kronecker inverse diagonal");
            }
        }
        for (int i = 0; i < ng; i++) {
            Structure s = st.ofLink(0).get(i);
            double expected = 0;
            for (int j = 0; j < na; j++) {
                int q = s.incoming()[j];
                expected += (double) w[q] * w[q] / (2 * inv[(i * na + j) * d + i * na + j]);
            }
            assertEquals(expected, scores[s.index()], 1e-6 * expected, "C-OBS saliency of " + s);
        }
        // The correction for removing unit 1: δ = −F⁻¹c, c = W̄_1j/[F⁻¹]_{1j,1j} on row 1 (= −Γ⁻¹CA⁻¹ without damping).
        Structure removed = st.ofLink(0).get(1);
        double[] c = new double[d];
        for (int j = 0; j < na; j++) {
            c[na + j] = w[removed.incoming()[j]] / inv[(na + j) * d + na + j];
        }
        float[] before = w.clone();
        ctx.mask().prune(removed.incoming()[0]);
        obs.correct(ctx, st, List.of(removed));
        for (int r = 0; r < d; r++) {
            double delta = 0;
            for (int k = 0; k < d; k++) {
                delta -= inv[r * d + k] * c[k];
            }
            int q = r / na < ng ? (r % na < na - 1 ? net.layout().tensor("fc1.weight").offset() + (r / na) * (na - 1) + r % na
                    : net.layout().tensor("fc1.bias").offset() + r / na) : -1;
            if (q == removed.incoming()[0]) {
                assertEquals(0f, w[q], "already-pruned coordinates are reset to 0");
                continue;
            }
            assertEquals(before[q] + delta, w[q], 1e-4 * (1 + Math.abs(delta)), "OBS correction at " + r);
        }
    }

    @Test
    void eigenDamageIdentitiesHold() {
        PruningContext ctx = Nets.context(Nets.CONV_DENSE, 30, 12);
        Network net = ctx.network();
        // Every direction kept: input rotation, core and output rotation compute the original layer, Q_Γ W* Q_Aᵀ = W̄.
        Network all = EigenDamage.factorizeAll(ctx, 0, 1e-3);
        assertEquals(3 * 3 + 2 + 1 + 1, all.layers().size(), "each of the 3 weighted layers became 3");
        Workspace a = net.workspace(10);
        Workspace b = all.workspace(10);
        a.load(ctx.train(), 0, 10);
        b.load(ctx.train(), 0, 10);
        float[] fa = net.forward(a, false).clone();
        float[] fb = all.forward(b, false);
        for (int i = 0; i < 10 * net.outputSize(); i++) {
            // Orthogonal rotations in float32: agreement to ~1e-5 of the logits' scale.
            assertEquals(fa[i], fb[i], 1e-4 * (1 + Math.abs(fa[i])), "output " + i);
        }
        // In the eigenbasis the Kronecker Fisher is diagonal: vec(W̄)ᵀ(Γ ⊗ A)vec(W̄) = Σ W*_ij² c_i a_j.
        KfacOperator op = Curvature.of(net, ctx.loss(), DataSource.all(ctx.train(), 30))
                .kfac(GradientKind.TRUE_FISHER, KfacDamping.eigen(1e-3));
        KroneckerFactors.LayerFactors f = op.factors().layers().get(1);
        KfacOperator.Eigenbasis e = op.eigenbasis(1);
        int na = f.inputDim();
        int ng = f.outputDim();
        float[] w = net.parameters();
        int wo = net.layout().tensor("fc1.weight").offset();
        int bo = net.layout().tensor("fc1.bias").offset();
        double[] wbar = new double[ng * na];
        for (int i = 0; i < ng; i++) {
            for (int j = 0; j < na - 1; j++) {
                wbar[i * na + j] = w[wo + i * (na - 1) + j];
            }
            wbar[i * na + na - 1] = w[bo + i];
        }
        double direct = 0;
        double[] ga = f.gradientFactor();
        double[] aa = f.inputFactor();
        for (int i = 0; i < ng; i++) {
            for (int j = 0; j < na; j++) {
                for (int i2 = 0; i2 < ng; i2++) {
                    for (int j2 = 0; j2 < na; j2++) {
                        direct += wbar[i * na + j] * ga[i * ng + i2] * aa[j * na + j2] * wbar[i2 * na + j2];
                    }
                }
            }
        }
        double[] star = EigenDamage.rotate(wbar, e.gradientVectors(), ng, e.inputVectors(), na, net);
        double rotated = 0;
        for (int i = 0; i < ng; i++) {
            for (int j = 0; j < na; j++) {
                rotated += star[i * na + j] * star[i * na + j] * e.gradientValues()[i] * e.inputValues()[j];
            }
        }
        // MEAN loss: σ = 1, so c = eigenvalues of Γ itself; eigenvalues clipped at 0 only by rounding.
        assertEquals(direct, rotated, 1e-6 * Math.abs(direct));
    }

    @Test
    void spectralRadiusOfAKroneckerBlockIsTheProductOfTheFactors() {
        double[] a = DenseMath.randomSpd(4, 0.1, 3);
        double[] g = DenseMath.randomSpd(3, 0.1, 4);
        double[] flat = kronecker(g, 3, a, 4, 0);
        double product = SpectralRadiusPruning.topEigenvalue(a, 4, 1) * SpectralRadiusPruning.topEigenvalue(g, 3, 2);
        double[] values = new double[12];
        dev.surgeon.kernels.Kernels.scalar().syev(dev.surgeon.kernels.Uplo.LOWER, 12, flat, 0, 12, values, 0);
        double top = java.util.Arrays.stream(values).max().orElseThrow();
        // Power iteration stops at a 1e-3 relative change; the gap of these random matrices makes that ~1e-3 accurate.
        assertEquals(top, product, 1e-2 * top);
    }

    @Test
    void spectralPruningReachesTheTargetDuringTrainingAndRecordsTheSpectrum() {
        PruningContext ctx = Nets.context(Nets.MLP, 64, 13);
        StructuredReport r = StructuredRun.execute(ctx, StructuredMethods.plan("spectral", Map.of("flops", "0.5", "epochs", "3",
                "train_batch", "8", "refresh_every", "10", "curvature_samples", "32", "prune_every", "4", "calibration", "32",
                "lr", "0.05", "kappa", "0.5")));
        assertTrue(r.macsAfter() <= r.macsBefore() / 2);
        assertTrue(r.rounds().size() >= 2, "pruned in several events during training");
        assertTrue(r.notes().stream().anyMatch(n -> n.contains("ν history")), "spectral history recorded");
        assertEquals(0, r.shrinkDifference(), 1e-6);
    }

    @Test
    void redundancyFindsTheRankOfALayerWithCopiedAndDeadUnits() {
        PruningContext ctx = Nets.context("in(5) dense(6) relu dense(3)", 30, 6);
        Network net = ctx.network();
        float[] w = net.parameters();
        int w1 = net.layout().tensor("fc1.weight").offset();
        int b1 = net.layout().tensor("fc1.bias").offset();
        int w2 = net.layout().tensor("fc2.weight").offset();
        // Units 2 and 3 copy units 0 and 1 (row, bias and outgoing column); units 4 and 5 feed nothing.
        for (int copy = 0; copy < 2; copy++) {
            System.arraycopy(w, w1 + copy * 5, w, w1 + (copy + 2) * 5, 5);
            w[b1 + copy + 2] = w[b1 + copy];
            for (int i = 0; i < 3; i++) {
                w[w2 + i * 6 + copy + 2] = w[w2 + i * 6 + copy];
                w[w2 + i * 6 + 4] = 0f;
                w[w2 + i * 6 + 5] = 0f;
            }
        }
        Structures st = Structures.of(net, StructureKind.ALL);
        GradientRedundancy.Estimate e = new GradientRedundancy(0, 10, 1e-3).estimate(ctx, st);
        GradientRedundancy.LayerEstimate layer = e.layers().get(0);
        assertEquals(6, layer.units());
        assertEquals(2, layer.rank(), "columns 2, 3 repeat 0, 1 and columns 4, 5 are zero: rank 2");
        assertEquals(4.0 / 6, layer.redundancy(), 1e-12);
        assertEquals(4.0 / 6, e.caps()[0], 1e-12);
        // Per unit: 5 weights + 1 bias + 3 outgoing = 9 parameters; max compression 1 − 2·9 / 6·9.
        assertEquals(1 - 2.0 / 6, e.maximumCompression(), 1e-12);
        assertTrue(layer.singularValues()[1] > 1e3 * layer.singularValues()[2], "a clear gap after the rank");
    }

    @Test
    void globalAllocationReachesTheFlopsTargetAndKeepsAUnitPerLayer() {
        Network net = Nets.network(Nets.CONV_DENSE, 3);
        Structures st = Structures.of(net, StructureKind.ALL);
        double[] scores = new double[st.size()];
        for (int s = 0; s < scores.length; s++) {
            scores[s] = s % 2 == 0 ? s : -s;
        }
        long dense = st.macs(st.fullWidths());
        long target = dense / 4;
        StructureAllocation.Selection sel = new StructureAllocation(StructureAllocation.Mode.GLOBAL, 0.9)
                .select(st, scores, target, null, false);
        assertTrue(sel.macs() <= target);
        int[] widths = st.fullWidths();
        for (Structure s : sel.removed()) {
            widths[st.linkIndex(s)]--;
        }
        assertEquals(sel.macs(), st.macs(widths));
        assertTrue(widths[0] >= 1 && widths[1] >= 1);
        // Global: what is removed precedes (in score order) what is kept in the same layer whenever the floor allows.
        StructureAllocation.Selection uniform = new StructureAllocation(StructureAllocation.Mode.UNIFORM, 0.9)
                .select(st, scores, target, null, false);
        assertTrue(uniform.macs() <= target);
        assertThrows(IllegalArgumentException.class, () -> new StructureAllocation(StructureAllocation.Mode.GLOBAL, 0.1)
                .select(st, scores, target, null, false), "a 4× reduction is out of reach when layers keep 90 %");
    }

    @Test
    void perFlopAllocationRanksSaliencyPerMultiplyAddSaved() {
        // in(1,10,10) conv(4,3) relu maxpool(2) flatten dense(6) relu dense(3): one conv filter costs 3·3·8·8 = 576 of its
        // own multiply-adds plus its 4·4 = 16 columns in each of the 6 dense rows (96): 672; one dense unit costs its
        // 64-column row plus 3 outgoing weights: 67. Hand counts, independent of Structures.macs.
        Network net = Nets.network(Nets.CONV_DENSE, 3);
        Structures st = Structures.of(net, StructureKind.ALL);
        assertEquals(4 + 6, st.size());
        double[] scores = new double[st.size()];
        java.util.Arrays.fill(scores, 1.0);
        double[] key = StructureAllocation.perFlop(st, scores, st.fullWidths());
        for (Structure s : st.all()) {
            assertEquals(st.linkIndex(s) == 0 ? 1.0 / 672 : 1.0 / 67, key[s.index()], 1e-15, s.name());
        }
        // Equal saliencies: per-flop removes filters (the expensive units) first, raw global ranking goes by index.
        long dense = st.macs(st.fullWidths());
        assertEquals(4 * 576 + 6 * 64 + 3 * 6, dense);
        long target = dense - 672;
        StructureAllocation.Selection perFlop = new StructureAllocation(StructureAllocation.Mode.PER_FLOP, 0.9)
                .select(st, scores, target, null, false);
        assertEquals(1, perFlop.removed().size());
        assertEquals(0, st.linkIndex(perFlop.removed().get(0)), "a filter goes first");
        assertTrue(perFlop.macs() <= target);
        double[] cheapFilters = scores.clone();
        for (Structure s : st.ofLink(0)) {
            cheapFilters[s.index()] = 0.03; // per multiply-add 0.03/672 < 0.005/67 (the scaled dense units)
        }
        for (Structure s : st.ofLink(1)) {
            cheapFilters[s.index()] = 0.5;
        }
        StructureAllocation.Selection raw = new StructureAllocation(StructureAllocation.Mode.GLOBAL, 0.9)
                .select(st, scaled(cheapFilters, st, 1, 0.01), target, null, false);
        assertEquals(1, st.linkIndex(raw.removed().get(0)), "raw ranking takes the low-saliency dense unit first");
        StructureAllocation.Selection normalized = new StructureAllocation(StructureAllocation.Mode.PER_FLOP, 0.9)
                .select(st, scaled(cheapFilters, st, 1, 0.01), target, null, false);
        assertEquals(0, st.linkIndex(normalized.removed().get(0)), "per multiply-add the filter is cheaper");
        assertEquals(StructureAllocation.Mode.PER_FLOP, StructureAllocation.Mode.parse("per-flop"));
    }

    /** The scores with those of link j multiplied by f. */
    private static double[] scaled(double[] scores, Structures st, int j, double f) {
        double[] out = scores.clone();
        for (Structure s : st.ofLink(j)) {
            out[s.index()] *= f;
        }
        return out;
    }

    @Test
    void sameSeedGivesTheSameShrunkNetwork() {
        float[][] results = new float[2][];
        for (int k = 0; k < 2; k++) {
            PruningContext ctx = Nets.context(Nets.CONV_DENSE, 24, 9);
            StructuredPlan plan = StructuredMethods.plan("sosp-h", Map.of("flops", "0.5", "calibration", "16", "rounds", "2",
                    "finetune_steps", "3", "finetune_batch", "4"));
            StructuredReport r = StructuredRun.execute(ctx, plan);
            assertTrue(r.flopsReduction() >= 2 - 1e-9);
            assertEquals(0, r.shrinkDifference(), 1e-6, "shrunk vs masked");
            results[k] = r.shrunk().parameters();
        }
        assertArrayEquals(results[0], results[1]);
    }

    @Test
    void everyPresetRunsAndReportsWidths() {
        for (String m : StructuredMethods.names()) {
            PruningContext ctx = Nets.context(Nets.CONV_DENSE, 20, 10);
            StructuredReport r = StructuredRun.execute(ctx, StructuredMethods.plan(m, Map.of("flops", "0.5", "calibration", "10",
                    "batch", "5", "retrain_epochs", "1", "finetune_batch", "5", "tau", "0.5").entrySet().stream()
                    .filter(e -> !e.getKey().equals("tau") || m.equals("redundancy"))
                    .collect(java.util.stream.Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue))));
            assertTrue(r.macsAfter() <= r.macsBefore() / 2, m);
            assertEquals(m.equals("eigendamage") ? 6 : 2, r.layers().size(), m);
            assertTrue(r.toMarkdown().contains("width before"), m);
            assertTrue(r.toJson().contains("\"width_after\""), m);
            if (!m.equals("eigendamage")) {
                assertEquals(0, r.shrinkDifference(), 1e-5, m);
            }
        }
    }

    @Test
    void badSettingsAreRefusedWithTheFix() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> StructuredMethods.plan("taylor", Map.of("flops", "4")));
        assertTrue(e.getMessage().contains("0.25"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> StructuredMethods.named("nope"));
        assertThrows(IllegalArgumentException.class, () -> Structures.of(Nets.network(Nets.MLP, 1), StructureKind.FILTERS));
        Dataset unused = null;
        assertEquals(null, unused);
    }
}
