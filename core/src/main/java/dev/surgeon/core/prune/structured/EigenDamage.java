package dev.surgeon.core.prune.structured;

import dev.surgeon.core.curvature.Curvature;
import dev.surgeon.core.curvature.DataSource;
import dev.surgeon.core.curvature.GradientKind;
import dev.surgeon.core.curvature.KfacDamping;
import dev.surgeon.core.curvature.KfacOperator;
import dev.surgeon.core.curvature.ParameterSubset;
import dev.surgeon.core.nn.ArchitectureSpec;
import dev.surgeon.core.nn.Layer;
import dev.surgeon.core.nn.LayerSpec;
import dev.surgeon.core.nn.Network;
import dev.surgeon.core.nn.ParameterTensor;
import dev.surgeon.core.prune.PruningContext;
import dev.surgeon.core.prune.PruningReport;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * EigenDamage (Wang, Grosse, Fidler and Zhang 2019, "EigenDamage: Structured pruning in the Kronecker-factored
 * eigenbasis"; METHODS D4): structured pruning in the eigenbasis of the K-FAC factors, where the layer's Fisher block is
 * diagonal.
 * <ol>
 *   <li>K-FAC factors of every weighted layer from the true Fisher (sampled labels, seeded), eigen-damped
 *       ({@link KfacOperator}): A = Q_A diag(a) Q_Aᵀ, Γ = Q_Γ diag(c) Q_Γᵀ (c includes the loss scale σ).</li>
 *   <li>Rotate W̄ = [W | b] (d_out × n_A, n_A = d_col + 1 with a bias): W* = Q_Γᵀ W̄ Q_A. Since
 *       (Q_Γ ⊗ Q_A)ᵀ(Γ ⊗ A)(Q_Γ ⊗ Q_A) = diag(c) ⊗ diag(a), the Fisher is diagonal there with entries c_i a_j
 *       (tested: vec(W̄)ᵀ(Γ ⊗ A)vec(W̄) = Σ W*_ij² c_i a_j).</li>
 *   <li>OBD in the eigenbasis: S_ij = W*_ij² c_i a_j (the reference omits ½); input direction j scores Σ_i S_ij,
 *       output direction i scores Σ_j S_ij.</li>
 *   <li>One global ranking of all directions of all layers (no per-layer normalization); remove the lowest until the
 *       network's multiply-adds reach the target; never more than {@code maxFraction} of a layer's directions
 *       (the reference: 95 %).</li>
 *   <li>Replace a layer by three — Q_A restricted to the kept input directions J (a dense layer, or a k×k convolution
 *       with the layer's stride and padding, whose bias is the row of Q_A at the homogeneous coordinate), W*[I, J]
 *       (dense, or 1×1 convolution, no bias), Q_Γ[:, I] (dense, or 1×1 convolution, no bias) — only when the
 *       replacement has fewer parameters than the layer; otherwise the layer stays as it is (its directions are then
 *       not removed). With every direction kept the three layers compute exactly the original layer (up to rounding):
 *       Q_Γ W* Q_Aᵀ = W̄.</li>
 * </ol>
 * Deviations: one shot (the paper also iterates); the reference adds 1e-10 to the eigenvalues, λ here (real damping,
 * METHODS D4). The result is a new, deeper but cheaper network; the original is not changed.
 */
public final class EigenDamage implements StructuredProcedure {
    private final int samples;
    private final int batch;
    private final double damping;
    private final double maxFraction;

    /**
     * One layer's outcome.
     *
     * @param layer       layer name, e.g. {@code fc1}
     * @param inputs      n_A (input directions, the homogeneous coordinate included)
     * @param outputs     d_out
     * @param keptInputs  kept input directions (r_in)
     * @param keptOutputs kept output directions (r_out)
     * @param replaced    whether the layer was replaced by three
     */
    public record LayerRank(String layer, int inputs, int outputs, int keptInputs, int keptOutputs, boolean replaced) {
    }

    /** The factorized network and what happened per layer. */
    public record Result(Network network, List<LayerRank> layers, long macs) {
    }

    /**
     * @param samples     calibration samples for the factors (0: all)
     * @param batch       samples per pass
     * @param damping     λ of the eigen-damped K-FAC Fisher
     * @param maxFraction largest fraction of a layer's input or output directions removed
     */
    public EigenDamage(int samples, int batch, double damping, double maxFraction) {
        if (!(damping > 0) || !(maxFraction > 0 && maxFraction < 1)) {
            throw new IllegalArgumentException("EigenDamage needs damping > 0 and max_fraction in (0, 1); got " + damping + ", "
                    + maxFraction);
        }
        this.samples = samples;
        this.batch = batch;
        this.damping = damping;
        this.maxFraction = maxFraction;
    }

    /** One weighted layer in its eigenbasis. */
    private static final class Rotated {
        Layer layer;
        String name;
        int na;
        int ng;
        double[] qa;
        double[] qg;
        double[] star;
        double[] inputScore;
        double[] outputScore;
        boolean[] keepIn;
        boolean[] keepOut;
        int rin;
        int rout;
        long positions;
        int dcol;

        long originalMacs() {
            return positions * ng * dcol;
        }

        long originalParameters() {
            return (long) ng * na;
        }

        long factorizedParameters() {
            return (long) rin * na + (long) rout * rin + (long) ng * rout;
        }

        boolean replaced() {
            return factorizedParameters() < originalParameters();
        }

        long macs() {
            return replaced() ? positions * ((long) rin * dcol + (long) rout * rin + (long) ng * rout) : originalMacs();
        }
    }

    /** The rotation of every weighted layer at the current weights (factors from the calibration samples). */
    private List<Rotated> rotate(PruningContext ctx) {
        Network net = ctx.network();
        ParameterSubset all = ParameterSubset.all(net.layout());
        int n = samples <= 0 ? ctx.train().size() : Math.min(samples, ctx.train().size());
        DataSource data = ctx.calibration("EigenDamage K-FAC factors", n, Math.min(batch, n));
        KfacOperator op = Curvature.of(net, ctx.loss(), data).subset(all).seed(ctx.derivedSeed("K-FAC labels"))
                .progress(ctx.progress()).kfac(GradientKind.TRUE_FISHER, KfacDamping.eigen(damping));
        ctx.recordDamping(op.dampingUsed());
        float[] w = net.parameters();
        List<Rotated> out = new ArrayList<>();
        int block = 0;
        for (Layer l : net.layers()) {
            if (!l.hasParameters()) {
                continue;
            }
            KfacOperator.Eigenbasis e = op.eigenbasis(block++);
            Rotated r = new Rotated();
            r.layer = l;
            ParameterTensor weight = l.parameters().get(0);
            r.name = weight.name().substring(0, weight.name().indexOf('.'));
            r.na = e.inputDim();
            r.ng = e.outputDim();
            r.dcol = weight.columns();
            r.qa = e.inputVectors();
            r.qg = e.gradientVectors();
            r.positions = l.spec().kind() == LayerSpec.Kind.CONV ? (long) l.outputShape().height() * l.outputShape().width() : 1;
            double[] wbar = new double[r.ng * r.na];
            for (int i = 0; i < r.ng; i++) {
                for (int j = 0; j < r.dcol; j++) {
                    wbar[i * r.na + j] = w[weight.offset() + i * r.dcol + j];
                }
                if (r.na > r.dcol) {
                    wbar[i * r.na + r.dcol] = w[l.parameters().get(1).offset() + i];
                }
            }
            r.star = rotate(wbar, r.qg, r.ng, r.qa, r.na, net);
            r.inputScore = new double[r.na];
            r.outputScore = new double[r.ng];
            for (int i = 0; i < r.ng; i++) {
                for (int j = 0; j < r.na; j++) {
                    double s = r.star[i * r.na + j] * r.star[i * r.na + j] * e.gradientValues()[i] * e.inputValues()[j];
                    r.inputScore[j] += s;
                    r.outputScore[i] += s;
                }
            }
            r.keepIn = new boolean[r.na];
            r.keepOut = new boolean[r.ng];
            java.util.Arrays.fill(r.keepIn, true);
            java.util.Arrays.fill(r.keepOut, true);
            r.rin = r.na;
            r.rout = r.ng;
            out.add(r);
        }
        return out;
    }

    /** W* = Q_Γᵀ W̄ Q_A (row-major, d_out × n_A). */
    static double[] rotate(double[] wbar, double[] qg, int ng, double[] qa, int na, Network net) {
        double[] t = new double[ng * na];
        net.kernels().gemm(dev.surgeon.kernels.Trans.T, dev.surgeon.kernels.Trans.N, ng, na, ng, 1.0, qg, 0, ng, wbar, 0, na,
                0.0, t, 0, na);
        double[] star = new double[ng * na];
        net.kernels().gemm(dev.surgeon.kernels.Trans.N, dev.surgeon.kernels.Trans.N, ng, na, na, 1.0, t, 0, na, qa, 0, na, 0.0,
                star, 0, na);
        return star;
    }

    /** One removable direction. */
    private record Direction(Rotated layer, boolean input, int index, double score) {
    }

    /**
     * Prunes to at most {@code targetMacs} multiply-adds and builds the factorized network.
     *
     * @throws IllegalArgumentException if the target is out of reach within maxFraction
     */
    public Result apply(PruningContext ctx, long targetMacs) {
        List<Rotated> layers = rotate(ctx);
        List<Direction> order = new ArrayList<>();
        for (Rotated r : layers) {
            for (int j = 0; j < r.na; j++) {
                order.add(new Direction(r, true, j, r.inputScore[j]));
            }
            for (int i = 0; i < r.ng; i++) {
                order.add(new Direction(r, false, i, r.outputScore[i]));
            }
        }
        order.sort(Comparator.comparingDouble(Direction::score));
        for (Direction d : order) {
            if (total(layers) <= targetMacs) {
                break;
            }
            Rotated r = d.layer();
            int n = d.input() ? r.na : r.ng;
            int kept = d.input() ? r.rin : r.rout;
            if (kept - 1 < Math.max(1, Math.ceil((1 - maxFraction) * n - 1e-9))) {
                continue;
            }
            if (d.input()) {
                r.keepIn[d.index()] = false;
                r.rin--;
            } else {
                r.keepOut[d.index()] = false;
                r.rout--;
            }
        }
        long macs = total(layers);
        if (macs > targetMacs) {
            throw new IllegalArgumentException(String.format(Locale.ROOT, "EigenDamage cannot reach %d multiply-adds within "
                    + "max_fraction %.3g (reaches %d); lower the FLOPs reduction or raise max_fraction", targetMacs, maxFraction, macs));
        }
        List<LayerRank> ranks = new ArrayList<>();
        for (Rotated r : layers) {
            ranks.add(new LayerRank(r.name, r.na, r.ng, r.replaced() ? r.rin : r.na, r.replaced() ? r.rout : r.ng, r.replaced()));
        }
        return new Result(build(ctx.network(), layers), ranks, macs);
    }

    private static long total(List<Rotated> layers) {
        long s = 0;
        for (Rotated r : layers) {
            s += r.macs();
        }
        return s;
    }

    /** Every direction kept: the three-layer form of every layer (tests: it computes the original function). */
    static Network factorizeAll(PruningContext ctx, int samples, double damping) {
        EigenDamage e = new EigenDamage(samples, 100, damping, 0.5);
        List<Rotated> layers = e.rotate(ctx);
        for (Rotated r : layers) {
            r.rin = r.na;
            r.rout = r.ng;
        }
        return buildForced(ctx.network(), layers);
    }

    private static Network build(Network net, List<Rotated> layers) {
        return assemble(net, layers, false);
    }

    private static Network buildForced(Network net, List<Rotated> layers) {
        return assemble(net, layers, true);
    }

    private static Network assemble(Network net, List<Rotated> layers, boolean force) {
        List<LayerSpec> specs = new ArrayList<>();
        List<Object> plan = new ArrayList<>();
        int k = 0;
        for (Layer l : net.layers()) {
            if (!l.hasParameters()) {
                specs.add(l.spec());
                plan.add(null);
                continue;
            }
            Rotated r = layers.get(k++);
            if (!force && !r.replaced()) {
                specs.add(l.spec());
                plan.add(l);
                continue;
            }
            LayerSpec s = l.spec();
            boolean bias = r.na > r.dcol;
            if (s.kind() == LayerSpec.Kind.CONV) {
                specs.add(LayerSpec.conv(r.rin, s.kernel(), s.stride(), s.padding(), bias));
                specs.add(LayerSpec.conv(r.rout, 1, 1, 0, false));
                specs.add(LayerSpec.conv(r.ng, 1, 1, 0, false));
            } else {
                specs.add(LayerSpec.dense(r.rin, bias));
                specs.add(LayerSpec.dense(r.rout, false));
                specs.add(LayerSpec.dense(r.ng, false));
            }
            plan.add(r);
            plan.add(null);
            plan.add(null);
        }
        Network out = Network.create(ArchitectureSpec.of(net.spec().inputShape(), specs), 0, net.kernels());
        float[] src = net.parameters();
        float[] dst = out.parameters();
        for (int i = 0; i < plan.size(); i++) {
            Object p = plan.get(i);
            if (p instanceof Layer original) {
                List<ParameterTensor> from = original.parameters();
                List<ParameterTensor> to = out.layers().get(i).parameters();
                for (int t = 0; t < from.size(); t++) {
                    System.arraycopy(src, from.get(t).offset(), dst, to.get(t).offset(), from.get(t).length());
                }
            } else if (p instanceof Rotated r) {
                int[] in = kept(r.keepIn, force);
                int[] o = kept(r.keepOut, force);
                List<ParameterTensor> first = out.layers().get(i).parameters();
                for (int a = 0; a < in.length; a++) {
                    for (int j = 0; j < r.dcol; j++) {
                        dst[first.get(0).offset() + a * r.dcol + j] = (float) r.qa[j * r.na + in[a]];
                    }
                    if (first.size() > 1) {
                        dst[first.get(1).offset() + a] = (float) r.qa[r.dcol * r.na + in[a]];
                    }
                }
                int mid = out.layers().get(i + 1).parameters().get(0).offset();
                for (int b = 0; b < o.length; b++) {
                    for (int a = 0; a < in.length; a++) {
                        dst[mid + b * in.length + a] = (float) r.star[o[b] * r.na + in[a]];
                    }
                }
                int last = out.layers().get(i + 2).parameters().get(0).offset();
                for (int row = 0; row < r.ng; row++) {
                    for (int b = 0; b < o.length; b++) {
                        dst[last + row * o.length + b] = (float) r.qg[row * r.ng + o[b]];
                    }
                }
            }
        }
        return out;
    }

    @Override
    public StructuredReport run(PruningContext ctx, StructuredPlan plan) {
        long start = System.nanoTime();
        Network net = ctx.network();
        long dense = dev.surgeon.core.prune.Flops.dense(net);
        PruningReport.Metrics before = ctx.timed("evaluate", () -> StructuredRun.metrics(ctx, StructuredRun.measurementSubset(ctx)));
        ctx.nextRound();
        long target = (long) Math.floor(dense * plan.keepFlops());
        long t0 = System.nanoTime();
        EigenDamage.Result r = ctx.timed("scoring", () -> apply(ctx, target));
        PruningContext next = PruningContext.builder(r.network(), ctx.loss(), ctx.train()).test(ctx.test()).seed(ctx.seed())
                .evaluationBatch(ctx.evaluationBatch()).progress(ctx.progress()).build();
        double seconds = (System.nanoTime() - t0) / 1e9;
        PruningReport.Metrics pruned = ctx.timed("evaluate", () -> StructuredRun.metrics(next, StructuredRun.measurementSubset(next)));
        ctx.timed("fine-tuning", () -> {
            plan.finalRetraining().run(next, "final");
            return null;
        });
        PruningReport.Metrics after = ctx.timed("evaluate", () -> StructuredRun.metrics(next, StructuredRun.measurementSubset(next)));
        List<StructuredReport.LayerWidth> layers = new ArrayList<>();
        for (EigenDamage.LayerRank l : r.layers()) {
            layers.add(new StructuredReport.LayerWidth(l.layer() + " input directions", l.inputs(), l.keptInputs()));
            layers.add(new StructuredReport.LayerWidth(l.layer() + " output directions", l.outputs(), l.keptOutputs()));
        }
        List<StructuredReport.Round> rounds = List.of(new StructuredReport.Round(1, target, r.macs(), 0, Double.NaN,
                before.trainLoss(), seconds));
        ctx.note("EigenDamage replaces a layer by three (input rotation, pruned core, output rotation) where that has fewer "
                + "parameters; widths below are directions kept in the Kronecker eigenbasis");
        ctx.addTime("total", (System.nanoTime() - start) / 1e9);
        return new StructuredReport(plan.method(), plan.params(), ctx.seed(), plan.kind(), plan.keepFlops(), layers,
                net.parameterCount(), r.network().parameterCount(), dense, dev.surgeon.core.prune.Flops.dense(r.network()), before,
                after, pruned, rounds, null, Double.NaN, ctx.timings(), ctx.notes(), net.spec().toString(),
                r.network().spec().toString(), r.network());
    }

    private static int[] kept(boolean[] keep, boolean all) {
        int n = 0;
        for (boolean b : keep) {
            n += all || b ? 1 : 0;
        }
        int[] idx = new int[n];
        int k = 0;
        for (int i = 0; i < keep.length; i++) {
            if (all || keep[i]) {
                idx[k++] = i;
            }
        }
        return idx;
    }
}
