package dev.surgeon.core.prune.structured;

import dev.surgeon.core.curvature.DataSource;
import dev.surgeon.core.data.Dataset;
import dev.surgeon.core.nn.Network;
import dev.surgeon.core.nn.Workspace;
import dev.surgeon.core.optim.Sgd;
import dev.surgeon.core.prune.PruningContext;
import dev.surgeon.core.prune.PruningReport;
import dev.surgeon.core.prune.Retraining;
import dev.surgeon.core.train.Evaluation;
import dev.surgeon.core.train.Trainer;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Runs a {@link StructuredPlan} on a {@link PruningContext} (the network is pruned in place: removed structures are
 * exactly 0 and masked) and returns a {@link StructuredReport} holding the physically smaller network from
 * {@link Network#shrink()}.
 *
 * <p>Round j of R scores the remaining structures at the current weights, lets the scorer correct the weights for the
 * chosen removal (K-FAC OBS), removes the structures so that the multiply-adds fall to keepFlops^{j/R} of the dense
 * network's — with the plan's {@link NextLayerReconstruction}, if any, refitting every layer that read a removed
 * structure (each refit is a note of the report) — and fine-tunes (epochs and/or mini-batch steps) before the next round; the final fine-tuning follows the
 * last round. Training loss and accuracy are measured on a fixed seeded subset of 2000 training samples (before and
 * after every round, and in the report's metrics); test metrics use the whole test set.
 * Everything random derives from the context's seed.
 */
public final class StructuredRun {
    private static final int MEASURE_SAMPLES = 2000;

    private StructuredRun() {
    }

    /**
     * Prunes the context's network by the plan (or hands it to the plan's {@link StructuredProcedure}).
     */
    public static StructuredReport execute(PruningContext ctx, StructuredPlan plan) {
        if (plan.procedure() != null) {
            return plan.procedure().run(ctx, plan);
        }
        long start = System.nanoTime();
        Network net = ctx.network();
        Structures st = Structures.of(net, plan.kind());
        int[] widthsBefore = st.widths();
        int[] full = st.fullWidths();
        long dense = st.macs(full);
        long parametersBefore = st.parameters(widthsBefore);
        long macsBefore = st.macs(widthsBefore);
        String specBefore = net.spec().toString();
        Dataset measure = measurementSubset(ctx);
        PruningReport.Metrics before = ctx.timed("evaluate", () -> metrics(ctx, measure));
        GradientRedundancy.Estimate estimate = null;
        double[] caps = null;
        if (plan.redundancy() != null) {
            estimate = ctx.timed("redundancy", () -> plan.redundancy().estimate(ctx, st));
            caps = estimate.caps();
        }
        List<StructuredReport.Round> rounds = new ArrayList<>();
        for (int j = 1; j <= plan.rounds(); j++) {
            ctx.nextRound();
            long target = (long) Math.floor(dense * Math.pow(plan.keepFlops(), (double) j / plan.rounds()));
            double lossBefore = loss(ctx, measure);
            long t0 = System.nanoTime();
            double[] scores = ctx.timed("scoring", () -> plan.scorer().score(ctx, st));
            StructureAllocation.Selection sel = plan.allocation().select(st, scores, target, caps, false);
            if (!sel.note().isEmpty()) {
                ctx.note("round " + j + ": " + sel.note());
            }
            plan.scorer().correct(ctx, st, sel.removed());
            if (plan.reconstruction() != null) {
                int round = j;
                List<NextLayerReconstruction.Refit> refits = ctx.timed("reconstruction",
                        () -> plan.reconstruction().removeAndRefit(ctx, st, sel.removed()));
                refits.forEach(r -> ctx.note("round " + round + ": refit " + r));
            } else {
                for (Structure s : sel.removed()) {
                    st.remove(s, ctx.mask());
                }
                ctx.mask().apply(net.parameters());
            }
            double seconds = (System.nanoTime() - t0) / 1e9;
            rounds.add(new StructuredReport.Round(j, target, sel.macs(), sel.removed().size(), lossBefore, loss(ctx, measure),
                    seconds));
            if (j < plan.rounds()) {
                plan.between().run(ctx, "round " + j);
                steps(ctx, plan.between(), plan.betweenSteps(), "round " + j);
            }
        }
        PruningReport.Metrics pruned = ctx.timed("evaluate", () -> metrics(ctx, measure));
        plan.finalRetraining().run(ctx, "final");
        PruningReport.Metrics after = ctx.timed("evaluate", () -> metrics(ctx, measure));
        Network shrunk = net.shrink();
        double difference = outputDifference(net, shrunk, measure);
        List<StructuredReport.LayerWidth> layers = widthRows(st, widthsBefore);
        ctx.addTime("total", (System.nanoTime() - start) / 1e9);
        return new StructuredReport(plan.method(), plan.params(), ctx.seed(), plan.kind(), plan.keepFlops(), layers,
                parametersBefore, shrunk.parameterCount(), macsBefore, dev.surgeon.core.prune.Flops.dense(shrunk), before, after,
                pruned, rounds, estimate, difference, ctx.timings(), ctx.notes(), specBefore, shrunk.spec().toString(),
                shrunk);
    }

    /** One row per layer with hidden units: its width before and now. */
    static List<StructuredReport.LayerWidth> widthRows(Structures st, int[] widthsBefore) {
        int[] widthsAfter = st.widths();
        List<StructuredReport.LayerWidth> layers = new ArrayList<>();
        for (int j = 0; j < st.linkCount(); j++) {
            layers.add(new StructuredReport.LayerWidth(st.layerName(j), widthsBefore[j], widthsAfter[j]));
        }
        return layers;
    }

    /** Mini-batch SGD steps with the mask (pruned weights stay 0), batches drawn with a derived seed. */
    static void steps(PruningContext ctx, Retraining recipe, int steps, String stage) {
        if (steps == 0) {
            return;
        }
        ctx.timed("fine-tuning", () -> {
            Sgd sgd = (recipe.momentum() > 0 ? Sgd.momentum(recipe.learningRate(), recipe.momentum())
                    : Sgd.plain(recipe.learningRate())).weightDecay(recipe.weightDecay());
            Trainer t = Trainer.builder(ctx.network(), ctx.loss(), sgd).batchSize(recipe.batchSize()).epochs(1)
                    .mask(ctx.mask()).build();
            Workspace ws = t.workspace();
            SplittableRandom random = ctx.random("fine-tuning steps:" + stage);
            int[] idx = new int[recipe.batchSize()];
            for (int i = 0; i < steps; i++) {
                for (int k = 0; k < idx.length; k++) {
                    idx[k] = random.nextInt(ctx.train().size());
                }
                ws.load(ctx.train(), idx, 0, idx.length);
                t.step();
            }
            return null;
        });
    }

    private static double loss(PruningContext ctx, Dataset measure) {
        return ctx.timed("evaluate", () -> Evaluation.of(ctx.network(), ctx.loss(), measure, ctx.evaluationBatch()).loss());
    }

    /** The fixed seeded subset of (at most) 2000 training samples on which training loss and accuracy are measured. */
    static Dataset measurementSubset(PruningContext ctx) {
        return ctx.train().size() <= MEASURE_SAMPLES ? ctx.train()
                : ctx.train().subset(DataSource.sample(ctx.train(), MEASURE_SAMPLES, MEASURE_SAMPLES,
                ctx.seed() ^ 0x5374727563747572L).indices(), ctx.train().name() + " (measurement subset)");
    }

    /** Training loss and accuracy on the measurement subset, test loss and accuracy on the whole test set. */
    static PruningReport.Metrics metrics(PruningContext ctx, Dataset measure) {
        Evaluation train = Evaluation.of(ctx.network(), ctx.loss(), measure, ctx.evaluationBatch());
        Evaluation test = ctx.evaluateTest();
        boolean classes = ctx.train().isClassification();
        return new PruningReport.Metrics(train.loss(), classes ? train.accuracy() : Double.NaN,
                test == null ? Double.NaN : test.loss(), test == null || !classes ? Double.NaN : test.accuracy());
    }

    /** Largest |f_masked − f_shrunk| over up to 256 samples of the data. */
    static double outputDifference(Network masked, Network shrunk, Dataset data) {
        int n = Math.min(256, data.size());
        Workspace a = masked.workspace(n);
        Workspace b = shrunk.workspace(n);
        a.load(data, 0, n);
        b.load(data, 0, n);
        float[] fa = masked.forward(a, false);
        float[] fb = shrunk.forward(b, false);
        double max = 0;
        for (int i = 0; i < n * masked.outputSize(); i++) {
            max = Math.max(max, Math.abs(fa[i] - fb[i]));
        }
        return max;
    }
}
