package dev.surgeon.core.prune;

import dev.surgeon.core.data.Dataset;
import dev.surgeon.core.nn.Network;
import dev.surgeon.core.nn.ParameterTensor;
import dev.surgeon.core.train.Evaluation;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Runs a {@link PruningPlan} on a {@link PruningContext} and returns the {@link PruningReport}: metrics before, the
 * schedule's steps (each measured on a fixed seeded subset of the training set when the plan asks), the final
 * fine-tuning, metrics after. Everything random derives from the context's seed, so the same seed gives the same mask
 * and weights.
 */
public final class PruningRun {
    private final PruningContext ctx;
    private final PruningPlan plan;
    private final List<PruningReport.Step> steps = new ArrayList<>();
    private Dataset measureSet;

    private PruningRun(PruningContext ctx, PruningPlan plan) {
        this.ctx = ctx;
        this.plan = plan;
    }

    /** Prunes the context's network by the plan. */
    public static PruningReport execute(PruningContext ctx, PruningPlan plan) {
        return new PruningRun(ctx, plan).run();
    }

    private PruningReport run() {
        boolean biases = ctx.prunableTensors().stream().anyMatch(t -> t.role() == ParameterTensor.Role.BIAS);
        if (biases != plan.pruneBiases()) {
            throw new IllegalArgumentException("the plan " + (plan.pruneBiases() ? "prunes" : "does not prune") + " biases but the "
                    + "context was built " + (biases ? "with" : "without") + " prunable biases; build it with pruneBiases("
                    + plan.pruneBiases() + ")");
        }
        long start = System.nanoTime();
        Network net = ctx.network();
        int[] nonzeroBefore = nonzero(net);
        long[] macsBefore = effectiveMacs(net);
        PruningReport.Metrics before = ctx.timed("evaluate", () -> metrics());
        if (plan.measureSamples() > 0) {
            int n = Math.min(plan.measureSamples(), ctx.train().size());
            measureSet = n == ctx.train().size() ? ctx.train()
                    : ctx.train().subset(GradientSampler.draw(new SplittableRandom(ctx.seed() ^ 0x6D65617375726573L),
                    ctx.train().size(), n), ctx.train().name() + " (measurement subset)");
        }
        switch (plan.schedule()) {
            case Schedule.OneShot o -> step(plan.target().prunedCount(ctx.prunableCount()));
            case Schedule.Rounds r -> gradual(Schedule.geometric(ctx.sparsity(), targetSparsity(), r.rounds()), r.between());
            case Schedule.Cubic c -> gradual(Schedule.cubic(ctx.sparsity(), targetSparsity(), c.steps()), c.between());
            case Schedule.Auto a -> auto(a, (Target.Auto) plan.target(), before);
            case Schedule.FromInitialization f -> fromInitialization(f);
        }
        double lossAfterPruning = ctx.timed("evaluate", () -> ctx.evaluateTrain().loss());
        plan.finalRetraining().run(ctx, "final");
        PruningReport.Metrics after = ctx.timed("evaluate", () -> metrics());
        ctx.addTime("total", (System.nanoTime() - start) / 1e9);
        List<PruningReport.TensorRow> rows = new ArrayList<>();
        int[] nonzeroAfter = nonzero(net);
        long[] macsAfter = effectiveMacs(net);
        List<ParameterTensor> tensors = net.layout().tensors();
        for (int t = 0; t < tensors.size(); t++) {
            ParameterTensor p = tensors.get(t);
            rows.add(new PruningReport.TensorRow(p.name(), p.shape(), p.length(), nonzeroBefore[t], nonzeroAfter[t],
                    ctx.prunableTensors().contains(p), Flops.dense(net, p), macsBefore[t], macsAfter[t]));
        }
        return new PruningReport(plan.method(), plan.params(), ctx.seed(), plan.target().toString(), plan.schedule().toString(),
                plan.pruner().name(), rows, before, after, lossAfterPruning, steps, ctx.timings(), ctx.dampingRecords(),
                ctx.calibrationRecords(), ctx.notes(), ctx.layerRecords(), net.kernels().name(), net.kernels().threads());
    }

    private double targetSparsity() {
        return (double) plan.target().prunedCount(ctx.prunableCount()) / ctx.prunableCount();
    }

    private void gradual(double[] sparsities, Retraining between) {
        for (int j = 0; j < sparsities.length; j++) {
            step((int) Math.round(sparsities[j] * ctx.prunableCount()));
            if (j + 1 < sparsities.length) {
                between.run(ctx, "round " + ctx.round());
            }
        }
    }

    private void auto(Schedule.Auto a, Target.Auto target, PruningReport.Metrics before) {
        if (!ctx.train().isClassification() && a.lossTolerance() == 0) {
            throw new IllegalArgumentException("sparsity auto stops on the training accuracy, which regression data does not have; "
                    + "set auto_loss (the allowed relative growth of the training loss)");
        }
        double startAccuracy = before.trainAccuracy();
        double floor = startAccuracy - target.tolerance();
        double ceiling = a.lossTolerance() > 0 ? before.trainLoss() * (1 + a.lossTolerance()) : Double.POSITIVE_INFINITY;
        while (ctx.prunedCount() < ctx.prunableCount()) {
            PruningContext.Snapshot snapshot = ctx.snapshot();
            int pruned = ctx.prunedCount();
            int next = Math.min(ctx.prunableCount(), ctx.prunedCount() + a.weightsPerStep());
            step(next);
            Evaluation e = ctx.timed("evaluate", ctx::evaluateTrain);
            boolean accuracyDrops = ctx.train().isClassification() && e.accuracy() < floor - 1e-12;
            if (accuracyDrops || e.loss() > ceiling) {
                ctx.restore(snapshot);
                steps.remove(steps.size() - 1);
                ctx.note(String.format(Locale.ROOT, "stopping rule: removing %d more weight(s) would %s; stopped at %d pruned of %d "
                        + "prunable", next - pruned, accuracyDrops
                        ? String.format(Locale.ROOT, "drop the training accuracy from %.4f to %.4f (tolerance %.4f)", startAccuracy,
                        e.accuracy(), target.tolerance())
                        : String.format(Locale.ROOT, "raise the training loss from %.6g to %.6g (allowed %.6g)", before.trainLoss(),
                        e.loss(), ceiling), ctx.prunedCount(), ctx.prunableCount()));
                return;
            }
        }
        ctx.note("stopping rule: every prunable weight was removed without lowering the training accuracy");
    }

    private void fromInitialization(Schedule.FromInitialization f) {
        Initialization.varianceScaling(ctx.network(), ctx.derivedSeed("initialization for scoring"));
        step(plan.target().prunedCount(ctx.prunableCount()));
        Initialization.varianceScaling(ctx.network(), ctx.derivedSeed("initialization for training"));
        ctx.mask().apply(ctx.network().parameters());
        ctx.note("SNIP: scored at a variance-scaling initialization, then re-initialized (biases 0) and trained: " + f.training());
        f.training().run(ctx, "training from initialization");
    }

    private void step(int target) {
        ctx.nextRound();
        double lossBefore = measure();
        long t0 = System.nanoTime();
        Pruner.StepResult r = plan.pruner().prune(ctx, target);
        double seconds = (System.nanoTime() - t0) / 1e9;
        double lossAfter = measure();
        steps.add(new PruningReport.Step(ctx.round(), (double) target / ctx.prunableCount(), ctx.sparsity(), r.removed(),
                r.predictedLossChange(), lossAfter - lossBefore, seconds));
    }

    private double measure() {
        if (measureSet == null) {
            return Double.NaN;
        }
        return ctx.timed("evaluate", () -> Evaluation.of(ctx.network(), ctx.loss(), measureSet, ctx.evaluationBatch()).loss());
    }

    private PruningReport.Metrics metrics() {
        Evaluation train = ctx.evaluateTrain();
        Evaluation test = ctx.evaluateTest();
        boolean classes = ctx.train().isClassification();
        return new PruningReport.Metrics(train.loss(), classes ? train.accuracy() : Double.NaN,
                test == null ? Double.NaN : test.loss(), test == null || !classes ? Double.NaN : test.accuracy());
    }

    private static int[] nonzero(Network net) {
        List<ParameterTensor> ts = net.layout().tensors();
        int[] out = new int[ts.size()];
        float[] p = net.parameters();
        for (int t = 0; t < out.length; t++) {
            for (int q = ts.get(t).offset(); q < ts.get(t).end(); q++) {
                out[t] += p[q] != 0f ? 1 : 0;
            }
        }
        return out;
    }

    private static long[] effectiveMacs(Network net) {
        List<ParameterTensor> ts = net.layout().tensors();
        long[] out = new long[ts.size()];
        for (int t = 0; t < out.length; t++) {
            out[t] = Flops.effective(net, ts.get(t));
        }
        return out;
    }
}
