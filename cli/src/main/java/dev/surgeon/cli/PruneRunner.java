package dev.surgeon.cli;

import dev.surgeon.core.data.DataSpec;
import dev.surgeon.core.io.ModelFile;
import dev.surgeon.core.io.Provenance;
import dev.surgeon.core.nn.ArchitectureSpec;
import dev.surgeon.core.nn.Mask;
import dev.surgeon.core.nn.Network;
import dev.surgeon.core.prune.MethodDefinition;
import dev.surgeon.core.prune.PruningContext;
import dev.surgeon.core.prune.PruningPlan;
import dev.surgeon.core.prune.PruningReport;
import dev.surgeon.core.prune.PruningRun;
import dev.surgeon.core.prune.structured.StructuredMethod;
import dev.surgeon.core.prune.structured.StructuredPlan;
import dev.surgeon.core.prune.structured.StructuredReport;
import dev.surgeon.core.prune.structured.StructuredRun;
import dev.surgeon.kernels.Kernels;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Runs a {@link Recipe}: the one code path of {@code surgeon prune} for a command line (a one-step recipe) and for a
 * recipe file. Every step is planned (method, knobs, target) before the model is read, so a bad knob fails at once.
 *
 * <ul>
 *   <li>{@code steps}: the model is pruned and fine-tuned in place, step after step, each prune step a
 *       {@link PruningRun} on a {@link PruningContext} sharing the network and the mask; the result is saved with its
 *       mask and provenance ({@code surgeon.prune.*}: method, knobs, seed, sparsity, calibration indices) and reported
 *       ({@code pruning}: the last prune step's {@link PruningReport}; {@code stages}: every step).</li>
 *   <li>{@code sweep}: every method entry at every sparsity and seed, each from the model as loaded; a table of test
 *       accuracy (mean ± std over seeds), and the report with its {@code sweep} entries and an accuracy-versus-sparsity
 *       chart.</li>
 * </ul>
 */
final class PruneRunner {
    private final Recipe recipe;
    private final PrintWriter out;
    private final ConsoleProgress progress;

    PruneRunner(Recipe recipe, PrintWriter out, ConsoleProgress progress) {
        this.recipe = recipe;
        this.out = out;
        this.progress = progress;
    }

    /** A planned step: a prune plan, a structured prune plan, or fine-tuning. */
    private record Planned(int number, PruneStep step, MethodDefinition definition, PruningPlan plan,
                           StructuredMethod structuredMethod, StructuredPlan structuredPlan, Recipe.Finetune finetune) {
        String describe() {
            if (structuredPlan != null) {
                Map<String, String> k = step.knobs(structuredMethod);
                return "structured pruning with " + structuredMethod.name() + " " + k.toString().replace("{", "(").replace("}", ")");
            }
            if (plan == null) {
                return "fine-tune: " + finetune;
            }
            Map<String, String> k = step.knobs(definition);
            return "prune with " + definition.name() + (k.isEmpty() ? " (defaults)" : " " + k.toString().replace("{", "(")
                    .replace("}", ")"));
        }
    }

    int run() throws IOException {
        if (recipe.model == null || recipe.data == null) {
            throw new UserException(ExitCodes.USAGE, "a pruning run needs the model and the data (--model, --data; in a recipe "
                    + "'model:' and 'data:')");
        }
        boolean sweep = recipe.sweep != null;
        if (sweep == (recipe.steps != null && !recipe.steps.isEmpty())) {
            throw new UserException(ExitCodes.USAGE, "a recipe has either 'steps' (prune and fine-tune one model, saved to "
                    + "'out') or a 'sweep' (methods × sparsities, reported together), " + (sweep ? "not both" : "and has neither"));
        }
        Path outFile = recipe.out == null ? null : Path.of(recipe.out);
        if (sweep && outFile != null) {
            throw new UserException(ExitCodes.USAGE, "a sweep saves no model; remove 'out' (the report holds every point)");
        }
        if (!sweep && outFile == null) {
            throw new UserException(ExitCodes.USAGE, "no output model: give --out FILE (in a recipe 'out:')");
        }
        Path reportFile = null;
        if (recipe.report != null) {
            reportFile = Path.of(recipe.report);
            if (ReportFormat.of(reportFile) == null) {
                throw new UserException(ExitCodes.USAGE, "report file " + reportFile + " must end in " + ReportFormat.EXTENSIONS);
            }
        }
        if (outFile != null) {
            if (Files.isDirectory(outFile)) {
                throw new UserException(ExitCodes.USAGE, "--out " + outFile + " is a directory; give a file name such as "
                        + "pruned.safetensors");
            }
            Files.createDirectories(outFile.toAbsolutePath().getParent());
        }
        DataSpec data = Options.data(recipe.data);
        ArchitectureSpec arch = recipe.arch == null ? null : Options.architecture(recipe.arch);
        LossChoice loss = recipe.loss == null ? LossChoice.AUTO : Options.loss(recipe.loss);
        Kernels kernels = Options.kernels(recipe.threads);
        long seed = recipe.seed == null ? 0 : recipe.seed;
        List<Planned> planned = sweep ? List.of() : plan(recipe.steps);

        Timings timings = new Timings();
        Workload w = Workload.load(Path.of(recipe.model), arch, data, null, loss, kernels, out, timings);
        Network network = w.network();
        out.printf(Locale.ROOT, "model: %s: %s (%d weights, %d non-zero)%n", recipe.model, network.spec(), network.parameterCount(),
                Report.nonzero(Report.layers(network)));
        out.printf(Locale.ROOT, "data: %s%n", w.split().description());
        out.printf(Locale.ROOT, "loss %s, seed %d, kernels %s%n", w.loss().name(), seed, kernels.description());
        out.flush();
        return sweep ? sweep(w, data, seed, kernels, reportFile, timings)
                : steps(w, data, seed, kernels, planned, outFile, reportFile, timings);
    }

    private List<Planned> plan(List<Recipe.Step> steps) {
        List<Planned> planned = new ArrayList<>();
        for (int i = 0; i < steps.size(); i++) {
            Recipe.Step s = steps.get(i);
            if (s == null || (s.prune == null) == (s.finetune == null)) {
                throw new UserException(ExitCodes.USAGE, "step " + (i + 1) + " of the recipe needs exactly one of 'prune' and "
                        + "'finetune'");
            }
            if (s.finetune != null) {
                s.finetune.retraining();
                planned.add(new Planned(i + 1, null, null, null, null, null, s.finetune));
                continue;
            }
            if (s.prune.isStructured()) {
                StructuredMethod m = s.prune.structuredMethod();
                StructuredPlan sp;
                try {
                    sp = m.plan(s.prune.knobs(m));
                } catch (IllegalArgumentException e) {
                    throw new UserException(ExitCodes.USAGE, "step " + (i + 1) + " (" + m.name() + "): " + e.getMessage());
                }
                planned.add(new Planned(i + 1, s.prune, null, null, m, sp, null));
                continue;
            }
            MethodDefinition def = s.prune.definition();
            planned.add(new Planned(i + 1, s.prune, def, plan(def, s.prune.knobs(def), "step " + (i + 1)), null, null, null));
        }
        return planned;
    }

    private static PruningPlan plan(MethodDefinition def, Map<String, String> knobs, String where) {
        try {
            return def.plan(knobs);
        } catch (IllegalArgumentException e) {
            throw new UserException(ExitCodes.USAGE, where + " (" + def.name() + "): " + e.getMessage());
        }
    }

    private PruningContext context(Network network, Workload w, long seed, Mask mask, boolean pruneBiases) {
        return PruningContext.builder(network, w.loss(), w.split().train()).test(w.split().test()).seed(seed).mask(mask)
                .pruneBiases(pruneBiases).progress(progress).evaluationBatch(EvalCommand.DEFAULT_BATCH).build();
    }

    // ------------------------------------------------------------------------------------------------------------
    // steps

    private int steps(Workload w, DataSpec data, long seed, Kernels kernels, List<Planned> planned, Path outFile, Path reportFile,
                      Timings timings) throws IOException {
        Network network = w.network();
        Mask mask = w.saved().mask() != null ? w.saved().mask() : Mask.dense(network.layout());
        Report.Metrics before = DerivedModel.metrics(network, w.loss(), w);
        StructuredReport lastStructured = null;
        Planned lastStructuredStep = null;
        timings.lap("evaluate");
        List<Map<String, Object>> stages = new ArrayList<>();
        PruningReport last = null;
        Planned lastPrune = null;
        Set<Integer> calibration = new LinkedHashSet<>();
        for (Planned p : planned) {
            out.printf(Locale.ROOT, "%nstep %d: %s%n", p.number(), p.describe());
            out.flush();
            long start = System.nanoTime();
            if (p.structuredPlan() != null) {
                PruningContext ctx = context(network, w, seed, mask, false);
                StructuredReport r;
                try {
                    r = StructuredRun.execute(ctx, p.structuredPlan());
                } catch (IllegalArgumentException e) {
                    throw new UserException(ExitCodes.USAGE, "step " + p.number() + " (" + p.structuredMethod().name() + "): "
                            + e.getMessage());
                }
                timings.lap("prune");
                for (var c : ctx.calibrationRecords()) {
                    for (int i : c.indices()) {
                        calibration.add(i);
                    }
                }
                printStructured(r);
                // The smaller network replaces the masked one: later steps and the saved file see the new widths.
                network = r.shrunk();
                mask = Mask.dense(network.layout());
                lastStructured = r;
                lastStructuredStep = p;
            } else if (p.plan() != null) {
                PruningContext ctx = context(network, w, seed, mask, p.plan().pruneBiases());
                PruningReport r = PruningRun.execute(ctx, p.plan());
                timings.lap("prune");
                for (int i : r.calibrationIndices()) {
                    calibration.add(i);
                }
                printStep(r);
                last = r;
                lastPrune = p;
            } else {
                PruningContext ctx = context(network, w, seed, mask, false);
                p.finetune().retraining().run(ctx, "step " + p.number());
                timings.lap("finetune");
            }
            Report.Metrics m = DerivedModel.metrics(network, w.loss(), w);
            stages.add(stage(p, network, m, (System.nanoTime() - start) / 1e9));
            if (p.finetune() != null) {
                out.printf(Locale.ROOT, "  train accuracy %s, test accuracy %s (loss %s / %s)%n",
                        EpochTable.percent(m.trainAccuracy()), EpochTable.percent(m.testAccuracy()), EpochTable.loss(m.trainLoss()),
                        EpochTable.loss(m.testLoss()));
            }
        }
        Report.Metrics after = DerivedModel.metrics(network, w.loss(), w);
        timings.lap("evaluate");

        int[] indices = calibration.stream().mapToInt(Integer::intValue).toArray();
        Provenance prov = DerivedModel.provenance(w, network, recipe.model).with("surgeon.prune.seed", Long.toString(seed))
                .with("surgeon.prune.calibration_indices", DerivedModel.indices(indices));
        if (lastPrune != null) {
            prov = prov.with("surgeon.prune.method", lastPrune.definition().name())
                    .with("surgeon.prune.params", ReportWriter.JSON.writeValueAsString(JsonTrees.finite(last.params())).replace("\n", ""))
                    .with("surgeon.prune.sparsity", Double.toString(last.prunableSparsity()));
        }
        if (lastStructured != null) {
            prov = prov.with("surgeon.prune.structured.method", lastStructured.method())
                    .with("surgeon.prune.structured.kind", lastStructured.kind().toString())
                    .with("surgeon.prune.structured.params", ReportWriter.JSON.writeValueAsString(
                            JsonTrees.finite(lastStructured.params())).replace("\n", ""))
                    .with("surgeon.prune.structured.arch_before", lastStructured.specBefore());
        }
        if (planned.size() > 1) {
            prov = prov.with("surgeon.prune.steps", String.join("; ", planned.stream().map(Planned::describe).toList()));
        }
        ModelFile.write(outFile, network, mask, prov);
        timings.lap("save");
        out.println();
        List<Report.Layer> layers = Report.layers(network);
        LayerTable.print(out, layers);
        out.printf(Locale.ROOT, "%nsaved %s%n", outFile);

        if (reportFile != null) {
            Map<String, Object> params = baseParams(w, kernels);
            // params: the knobs of the last pruning step, of either family (docs/REPORTS.md).
            boolean structuredLast = lastStructuredStep != null
                    && (lastPrune == null || lastStructuredStep.number() > lastPrune.number());
            String method = structuredLast ? lastStructured.method() : lastPrune == null ? null : lastPrune.definition().name();
            if (structuredLast) {
                params.putAll(JsonTrees.finiteMap(lastStructured.params()));
            } else if (last != null) {
                params.putAll(JsonTrees.finiteMap(last.params()));
            }
            long nonzero = Report.nonzero(layers);
            Report r = new Report("prune", outFile.toString(), data.text(), seed, method,
                    params, network.parameterCount(), nonzero, Report.sparsity(network.parameterCount(), nonzero), after, layers,
                    timings.withTotal(), Report.provenance(kernels, w.split().description(),
                    indices.length == 0 ? null : java.util.Arrays.stream(indices).boxed().toList()), null, null)
                    .with("metrics_before", before);
            if (last != null) {
                r = r.with("pruning", pruningSection(last));
            }
            if (lastStructured != null) {
                r = r.with("structured", structuredSection(lastStructured));
            }
            r = r.with("stages", stages);
            if (ReportFormat.of(reportFile) == ReportFormat.MARKDOWN) {
                List<String> charts = new ArrayList<>(List.of(LayerTable.writeChart(reportFile, layers)));
                if (lastStructured != null) {
                    charts.add(widthChart(reportFile, lastStructured));
                }
                r = r.withCharts(charts);
            }
            ReportWriter.write(r, reportFile);
            out.printf(Locale.ROOT, "report: %s%s%n", reportFile, r.charts() == null ? "" : " (chart" + (r.charts().size() > 1 ? "s " : " ")
                    + String.join(", ", r.charts()) + ")");
        }
        out.flush();
        return ExitCodes.OK;
    }

    /** {@code STEM.widths.svg}: units of every layer before and after structured pruning. */
    private static String widthChart(Path report, StructuredReport r) throws IOException {
        String file = ReportFormat.stem(report) + ".widths.svg";
        Map<String, double[]> series = new LinkedHashMap<>();
        series.put("before", r.layers().stream().mapToDouble(StructuredReport.LayerWidth::before).toArray());
        series.put("after", r.layers().stream().mapToDouble(StructuredReport.LayerWidth::after).toArray());
        Charts.write(Charts.bars("Layer widths (" + r.method() + ", " + r.kind() + ")", "layer", "units",
                r.layers().stream().map(StructuredReport.LayerWidth::layer).toList(), series),
                report.toAbsolutePath().getParent().resolve(file));
        return file;
    }

    private void printStep(PruningReport r) {
        PruningReport.Metrics b = r.before();
        PruningReport.Metrics a = r.after();
        out.printf(Locale.ROOT, "  %d → %d non-zero weights (prunable sparsity %.2f %%); train accuracy %s → %s, test accuracy %s → %s%n",
                r.nonzeroWeightsBefore(), r.nonzeroWeights(), 100 * r.prunableSparsity(), EpochTable.percent(finite(b.trainAccuracy())),
                EpochTable.percent(finite(a.trainAccuracy())), EpochTable.percent(finite(b.testAccuracy())),
                EpochTable.percent(finite(a.testAccuracy())));
        out.printf(Locale.ROOT, "  training loss change: predicted %s, measured %s; %.2f s%n", EpochTable.loss(finite(r.predictedLossChange())),
                EpochTable.loss(finite(r.measuredLossChange())), r.timings().getOrDefault("total", 0.0));
        for (String note : r.notes()) {
            out.println("  " + note);
        }
        out.flush();
    }

    private void printStructured(StructuredReport r) {
        out.printf(Locale.ROOT, "  %s → %s%n", r.specBefore(), r.specAfter());
        int width = Math.max(5, r.layers().stream().mapToInt(l -> l.layer().length()).max().orElse(5));
        out.printf(Locale.ROOT, "  %-" + width + "s %8s %8s%n", "layer", "before", "after");
        for (StructuredReport.LayerWidth l : r.layers()) {
            out.printf(Locale.ROOT, "  %-" + width + "s %8d %8d%n", l.layer(), l.before(), l.after());
        }
        out.printf(Locale.ROOT, "  parameters %d → %d, multiply-adds %d → %d (%.2f× fewer); train loss %s → %s; test accuracy %s → %s%n",
                r.parametersBefore(), r.parametersAfter(), r.macsBefore(), r.macsAfter(), r.flopsReduction(),
                EpochTable.loss(finite(r.before().trainLoss())), EpochTable.loss(finite(r.after().trainLoss())),
                EpochTable.percent(finite(r.before().testAccuracy())), EpochTable.percent(finite(r.after().testAccuracy())));
        out.printf(Locale.ROOT, "  shrunk and masked networks agree to %.3g (largest output difference); %.2f s%n",
                r.shrinkDifference(), r.timings().getOrDefault("total", 0.0));
        for (String note : r.notes()) {
            out.println("  " + note);
        }
        out.flush();
    }

    /** The report's {@code structured} section (docs/REPORTS.md): widths, sizes, rounds and checks of the run. */
    static Map<String, Object> structuredSection(StructuredReport r) {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("method", r.method());
        s.put("kind", r.kind().toString());
        s.put("flops_kept_target", r.keepFlops());
        s.put("arch_before", r.specBefore());
        s.put("arch_after", r.specAfter());
        List<Map<String, Object>> widths = new ArrayList<>();
        for (StructuredReport.LayerWidth l : r.layers()) {
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("layer", l.layer());
            e.put("width_before", l.before());
            e.put("width_after", l.after());
            widths.add(e);
        }
        s.put("widths", widths);
        s.put("parameters_before", r.parametersBefore());
        s.put("parameters_after", r.parametersAfter());
        s.put("macs_before", r.macsBefore());
        s.put("macs_after", r.macsAfter());
        s.put("metrics_after_pruning", new Report.Metrics(finite(r.pruned().trainAccuracy()), finite(r.pruned().testAccuracy()),
                finite(r.pruned().trainLoss()), finite(r.pruned().testLoss())));
        List<Map<String, Object>> rounds = new ArrayList<>();
        for (StructuredReport.Round x : r.rounds()) {
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("round", x.round());
            e.put("target_macs", x.targetMacs());
            e.put("macs", x.macs());
            e.put("removed", x.removed());
            e.put("loss_before", x.lossBefore());
            e.put("loss_after", x.lossAfter());
            e.put("seconds", x.seconds());
            rounds.add(e);
        }
        s.put("rounds", rounds);
        s.put("shrink_difference", r.shrinkDifference());
        s.put("notes", r.notes());
        return JsonTrees.finiteMap(s);
    }

    private static Double finite(double v) {
        return Report.finite(v);
    }

    private static Map<String, Object> stage(Planned p, Network network, Report.Metrics m, double seconds) {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("kind", p.structuredPlan() != null ? "structured" : p.plan() != null ? "prune" : "finetune");
        s.put("method", p.structuredPlan() != null ? p.structuredMethod().name() : p.plan() != null ? p.definition().name() : null);
        List<Report.Layer> layers = Report.layers(network);
        s.put("sparsity", Report.sparsity(network.parameterCount(), Report.nonzero(layers)));
        s.put("metrics", m);
        s.put("seconds", seconds);
        return s;
    }

    /** The run's details beyond the common fields: {@link PruningReport#toTree()} without what the contract has already. */
    static Map<String, Object> pruningSection(PruningReport r) {
        Map<String, Object> tree = r.toTree();
        Map<String, Object> s = new LinkedHashMap<>();
        for (String key : List.of("target", "schedule", "pruner", "prunable_weights", "prunable_sparsity", "flops", "loss_change",
                "steps", "damping", "calibration", "layer_errors", "notes")) {
            s.put(key, tree.get(key));
        }
        return JsonTrees.finiteMap(s);
    }

    private static Map<String, Object> baseParams(Workload w, Kernels kernels) {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("arch", w.network().spec().toString());
        p.put("loss", w.loss().name());
        p.put("threads", kernels.threads());
        return p;
    }

    // ------------------------------------------------------------------------------------------------------------
    // sweep

    private int sweep(Workload w, DataSpec data, long seed, Kernels kernels, Path reportFile, Timings timings) throws IOException {
        Recipe.Sweep sw = recipe.sweep;
        if (sw.methods == null || sw.methods.isEmpty() || sw.sparsities == null || sw.sparsities.isEmpty()) {
            throw new UserException(ExitCodes.USAGE, "a sweep needs 'methods' and 'sparsities'");
        }
        List<Long> seeds = sw.seeds == null || sw.seeds.isEmpty() ? List.of(seed) : sw.seeds;
        // Plan every point first: a bad knob or sparsity fails before any work.
        List<String> labels = new ArrayList<>();
        List<List<PruningPlan>> plans = new ArrayList<>();
        for (PruneStep entry : sw.methods) {
            if (entry.isStructured()) {
                throw new UserException(ExitCodes.USAGE, "a sweep takes weight-pruning methods; run structured pruning as "
                        + "'steps' (sweep entry " + entry.method + " has 'structured')");
            }
            MethodDefinition def = entry.definition();
            Map<String, String> knobs = entry.knobs(def);
            if (knobs.containsKey("sparsity")) {
                throw new UserException(ExitCodes.USAGE, "sweep entry " + def.name() + " sets its own sparsity; the sweep's "
                        + "'sparsities' set it");
            }
            List<PruningPlan> row = new ArrayList<>();
            for (String s : sw.sparsities) {
                Map<String, String> k = new LinkedHashMap<>(knobs);
                k.put("sparsity", s);
                row.add(plan(def, k, "sweep entry " + entry.label() + " at sparsity " + s));
            }
            labels.add(entry.label());
            plans.add(row);
        }
        Network dense = w.network();
        Mask denseMask = w.saved().mask() != null ? w.saved().mask() : Mask.dense(dense.layout());
        Report.Metrics denseMetrics = DerivedModel.metrics(dense, w.loss(), w);
        boolean classification = w.split().train().isClassification();
        List<Map<String, Object>> points = new ArrayList<>();
        double[][][] accuracy = new double[labels.size()][sw.sparsities.size()][seeds.size()];
        double[][] achieved = new double[labels.size()][sw.sparsities.size()];
        for (int m = 0; m < labels.size(); m++) {
            for (int i = 0; i < sw.sparsities.size(); i++) {
                for (int j = 0; j < seeds.size(); j++) {
                    PruningPlan plan = plans.get(m).get(i);
                    Network net = dense.copy(dense.kernels());
                    PruningContext ctx = context(net, w, seeds.get(j), denseMask.copy(), plan.pruneBiases());
                    long start = System.nanoTime();
                    PruningReport r = PruningRun.execute(ctx, plan);
                    double seconds = (System.nanoTime() - start) / 1e9;
                    PruningReport.Metrics a = r.after();
                    double score = classification ? (Double.isNaN(a.testAccuracy()) ? a.trainAccuracy() : a.testAccuracy())
                            : a.testLoss();
                    accuracy[m][i][j] = score;
                    achieved[m][i] = r.prunableSparsity();
                    Map<String, Object> point = new LinkedHashMap<>();
                    point.put("method", plan.method());
                    point.put("label", labels.get(m));
                    point.put("target", r.target());
                    point.put("seed", seeds.get(j));
                    point.put("prunable_sparsity", r.prunableSparsity());
                    point.put("nonzero_weights", r.nonzeroWeights());
                    point.put("metrics", new Report.Metrics(finite(a.trainAccuracy()), finite(a.testAccuracy()), finite(a.trainLoss()),
                            finite(a.testLoss())));
                    point.put("seconds", seconds);
                    point.put("params", JsonTrees.finiteMap(r.params()));
                    points.add(point);
                    out.printf(Locale.ROOT, "  %-28s sparsity %-6s seed %-3d %s %s, %.2f s%n", labels.get(m), sw.sparsities.get(i),
                            seeds.get(j), classification ? "accuracy" : "test loss",
                            classification ? EpochTable.percent(score) : EpochTable.loss(score), seconds);
                    out.flush();
                }
            }
        }
        timings.lap("sweep");
        out.println();
        printSweepTable(labels, sw.sparsities, accuracy, classification, denseMetrics);
        if (reportFile != null) {
            List<Report.Layer> layers = Report.layers(dense);
            long nonzero = Report.nonzero(layers);
            Report r = new Report("prune", recipe.model, data.text(), seed, null, baseParams(w, kernels), dense.parameterCount(),
                    nonzero, Report.sparsity(dense.parameterCount(), nonzero), denseMetrics, layers, timings.withTotal(),
                    Report.provenance(kernels, w.split().description(), null), null, null).with("sweep", points);
            if (ReportFormat.of(reportFile) == ReportFormat.MARKDOWN) {
                r = r.withCharts(List.of(sweepChart(reportFile, labels, achieved, accuracy, classification)));
            }
            ReportWriter.write(r, reportFile);
            out.printf(Locale.ROOT, "report: %s%s%n", reportFile, r.charts() == null ? "" : " (chart " + String.join(", ", r.charts()) + ")");
        }
        out.flush();
        return ExitCodes.OK;
    }

    private void printSweepTable(List<String> labels, List<String> sparsities, double[][][] score, boolean classification,
                                 Report.Metrics dense) {
        out.printf(Locale.ROOT, "%s by method and sparsity (mean ± std over seeds); dense: %s%n",
                classification ? "test accuracy" : "test loss",
                classification ? EpochTable.percent(dense.testAccuracy()) : EpochTable.loss(dense.testLoss()));
        int width = Math.max(6, labels.stream().mapToInt(String::length).max().orElse(6));
        StringBuilder h = new StringBuilder(String.format(Locale.ROOT, "%-" + width + "s", "method"));
        for (String s : sparsities) {
            h.append(String.format(Locale.ROOT, " %16s", s));
        }
        out.println(h);
        for (int m = 0; m < labels.size(); m++) {
            StringBuilder row = new StringBuilder(String.format(Locale.ROOT, "%-" + width + "s", labels.get(m)));
            for (int i = 0; i < sparsities.size(); i++) {
                double[] x = score[m][i];
                double mean = java.util.Arrays.stream(x).average().orElse(Double.NaN);
                double var = 0;
                for (double v : x) {
                    var += (v - mean) * (v - mean);
                }
                double std = x.length > 1 ? Math.sqrt(var / (x.length - 1)) : 0;
                row.append(classification ? String.format(Locale.ROOT, " %9.2f ± %4.2f", 100 * mean, 100 * std)
                        : String.format(Locale.ROOT, " %9.4g ± %4.2g", mean, std));
            }
            out.println(row);
        }
    }

    /** {@code STEM.accuracy.svg}: accuracy (or test loss) versus the achieved sparsity, one line per method entry. */
    private static String sweepChart(Path report, List<String> labels, double[][] achieved, double[][][] score,
                                     boolean classification) throws IOException {
        List<Charts.Series> series = new ArrayList<>();
        for (int m = 0; m < labels.size(); m++) {
            double[] x = new double[achieved[m].length];
            double[] y = new double[achieved[m].length];
            for (int i = 0; i < x.length; i++) {
                x[i] = 100 * achieved[m][i];
                double mean = java.util.Arrays.stream(score[m][i]).average().orElse(Double.NaN);
                y[i] = classification ? 100 * mean : mean;
            }
            series.add(new Charts.Series(labels.get(m), x, y));
        }
        String file = ReportFormat.stem(report) + ".accuracy.svg";
        Charts.write(Charts.line(classification ? "Accuracy vs sparsity" : "Test loss vs sparsity", "sparsity of the prunable "
                + "weights (%)", classification ? "test accuracy (%)" : "test loss", series, !classification),
                report.toAbsolutePath().getParent().resolve(file));
        return file;
    }
}
