package dev.surgeon.cli;

import dev.surgeon.core.curvature.DataSource;
import dev.surgeon.core.curvature.Damping;
import dev.surgeon.core.data.DataSpec;
import dev.surgeon.core.io.ModelFile;
import dev.surgeon.core.io.Provenance;
import dev.surgeon.core.nn.ArchitectureSpec;
import dev.surgeon.core.nn.Mask;
import dev.surgeon.core.nn.Network;
import dev.surgeon.core.prune.ExactObs;
import dev.surgeon.core.prune.LayerReconstruction;
import dev.surgeon.core.prune.LayerReconstructionMethod;
import dev.surgeon.core.prune.LayerReconstructionReport;
import dev.surgeon.core.prune.LayerReconstructionResult;
import dev.surgeon.core.prune.PruningContext;
import dev.surgeon.core.prune.SparseGpt;
import dev.surgeon.core.quant.Obq;
import dev.surgeon.core.quant.QuantizationGrid;
import dev.surgeon.core.quant.QuantizedWeights;
import dev.surgeon.kernels.Kernels;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code surgeon quantize}: post-training quantization of every dense and convolutional weight onto per-channel
 * uniform grids (METHODS C1) with OBQ's greedy order and OBS compensation (Frantar, Singh and Alistarh 2022, "Optimal
 * Brain Compression", METHODS C2), or GPTQ's column order (Frantar et al. 2023), optionally after ExactOBS pruning of
 * the same layer (OBC's joint compression). Each layer is compressed against H = (2/N) X Xᵀ of its calibration inputs
 * ({@link LayerReconstruction}); the model is saved with its codes, scales and zeros ({@link ModelFile}'s quantized
 * tensors) and the dequantized weights, so every command reads it as an ordinary network.
 */
@Command(name = "quantize",
        header = "Quantize a model's weights with OBQ (or GPTQ), optionally after ExactOBS pruning, and save it.",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        usageHelpAutoWidth = true,
        description = {
                "Every dense and convolutional weight matrix is quantized row by row onto a per-output-channel grid of "
                        + "2^bits levels (asymmetric by default: scale and zero from the row's range including 0). OBQ "
                        + "quantizes the weight whose rounding costs least in the layer's reconstruction error "
                        + "(1/N)‖(W − Ŵ)X‖² first, outliers (more than half a grid step off) before the others, and corrects "
                        + "the rest of the row through H⁻¹; GPTQ takes the columns left to right instead. Biases stay float. "
                        + "With --prune S, ExactOBS first removes the fraction S of each layer, then OBQ quantizes the rest.",
                "The model file keeps the codes (U8), scales and zeros beside the dequantized weights (surgeon inspect "
                        + "lists them); the report lists every layer's predicted and measured reconstruction error.",
                ""},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
                "0:success",
                "1:the run failed (numerical failure, internal error)",
                "2:invalid usage (bits outside 2..8, impossible sparsity or pattern, bad option value)",
                "3:bad input (missing or malformed model, data not found, model/data mismatch)"})
final class QuantizeCommand implements Callable<Integer> {
    /** OBC's calibration set: 1024 training samples (all of them when the training set is smaller). */
    static final int DEFAULT_CALIBRATION = 1024;

    private static final Pattern NM = Pattern.compile("nm:keep=(\\d+),group=(\\d+)");

    @Spec
    CommandSpec spec;

    @Option(names = "--model", required = true, paramLabel = "FILE", order = 1,
            description = "The model to quantize (.safetensors written by surgeon; with --arch, a PyTorch state_dict).")
    Path model;

    @Option(names = "--arch", paramLabel = "SPEC|PRESET", converter = Converters.Architecture.class, order = 2,
            description = "Import --model as a PyTorch state_dict for this architecture.")
    ArchitectureSpec arch;

    @Option(names = "--data", required = true, paramLabel = "DATA", converter = Converters.Data.class, order = 3,
            description = "Calibration and evaluation data: " + DataSpec.FORMS + ".")
    DataSpec data;

    @Option(names = "--bits", required = true, paramLabel = "B", order = 10,
            description = "Bits per weight, 2..8 (2^B levels per output channel).")
    int bits;

    @Option(names = "--method", paramLabel = "obq|gptq", order = 11, defaultValue = "obq",
            description = "obq: greedy order with the outlier rule (METHODS C2); gptq: columns left to right, lazy block "
                    + "updates (faster, a little less accurate). Default: ${DEFAULT-VALUE}.")
    String method;

    @Option(names = "--symmetric", order = 12,
            description = "Symmetric grids (zero in the middle) instead of asymmetric ones.")
    boolean symmetric;

    @Option(names = "--search", order = 13,
            description = "Shrink each row's range to minimize Σ|x − q(x)|^2.4 over 100 steps down to 20 %% of it (METHODS "
                    + "C1 step 4) before quantizing.")
    boolean search;

    @Option(names = "--prune", paramLabel = "S", order = 14,
            description = "Prune the fraction S of every layer with ExactOBS first (OBC's joint compression; obq only).")
    Double prune;

    @Option(names = "--pattern", paramLabel = "nm:keep=N,group=M", order = 15,
            description = "With obq: N:M pruning by ExactOBS before quantization (at most N non-zeros in every M consecutive "
                    + "inputs), instead of --prune.")
    String pattern;

    @Option(names = "--calibration", paramLabel = "N", order = 16, defaultValue = "" + DEFAULT_CALIBRATION,
            description = "Training samples whose layer inputs give H (seeded subset; all when fewer). Default: "
                    + "${DEFAULT-VALUE} (OBC).")
    int calibration;

    @Option(names = "--batch", paramLabel = "N", order = 17, defaultValue = "128",
            description = "Samples per forward pass while accumulating H. Default: ${DEFAULT-VALUE}.")
    int batch;

    @Option(names = "--damp", paramLabel = "LAMBDA", order = 18,
            description = "Absolute damping λ added to H's diagonal. Default: none for obq (retried ×10 when H is "
                    + "singular), relative 0.01 for gptq.")
    Double damp;

    @Option(names = "--percdamp", paramLabel = "P", order = 19,
            description = "Relative damping: λ = P·mean(diag H).")
    Double percdamp;

    @Option(names = "--sequential", order = 20,
            description = "Layer l's inputs come from the already-compressed layers in front of it (GPTQ's setting) "
                    + "instead of the original network (one pass per layer).")
    boolean sequential;

    @Option(names = "--seed", paramLabel = "S", order = 30, defaultValue = "0",
            description = "Seed of the calibration sample draw. Default: ${DEFAULT-VALUE}.")
    long seed;

    @Option(names = "--loss", paramLabel = "LOSS", converter = LossChoice.Converter.class, order = 31, defaultValue = "auto",
            description = "auto|mse|mse-sum|ce|bce: loss of the reported metrics. auto: the loss the model was trained with.")
    LossChoice loss;

    @Mixin
    KernelOptions kernelOptions;

    @Option(names = "--out", required = true, paramLabel = "FILE", order = 32,
            description = "The quantized model file to write (.safetensors).")
    Path out;

    @Option(names = "--report", paramLabel = "FILE", converter = ReportFormat.PathConverter.class, order = 33,
            description = "Also write a report: .json (docs/REPORTS.md), .md (with the per-layer sparsity chart) or .csv.")
    Path report;

    @Override
    public Integer call() throws IOException {
        PrintWriter stdout = spec.commandLine().getOut();
        LayerReconstructionMethod m = method();
        if (calibration < 1 || batch < 1) {
            throw new UserException(ExitCodes.USAGE, "--calibration and --batch must be >= 1, got " + calibration + " and " + batch);
        }
        Damping damping = damping();
        if (Files.isDirectory(out)) {
            throw new UserException(ExitCodes.USAGE, "--out " + out + " is a directory; give a file name such as q4.safetensors");
        }
        Timings timings = new Timings();
        Kernels kernels = kernelOptions.kernels();
        Workload w = Workload.load(model, arch, data, null, loss, kernels, stdout, timings);
        Network network = w.network();
        stdout.printf(Locale.ROOT, "model: %s: %s (%d weights)%n", model, network.spec(), network.parameterCount());
        stdout.printf(Locale.ROOT, "data: %s%n", w.split().description());
        stdout.printf(Locale.ROOT, "%s, calibration %d samples, seed %d, kernels %s%n", m.name(),
                Math.min(calibration, w.split().train().size()), seed, kernels.description());
        stdout.flush();
        Report.Metrics before = DerivedModel.metrics(network, w.loss(), w);
        timings.lap("evaluate");

        // The context draws and records the calibration samples exactly as the layer-wise pruning methods do.
        PruningContext ctx = PruningContext.builder(network, w.loss(), w.split().train()).seed(seed).build();
        DataSource source = ctx.calibration("layer inputs", calibration, batch);
        LayerReconstruction lr = LayerReconstruction.of(m).sequential(sequential).kernels(kernels)
                .progress(ConsoleProgress.forStderr());
        if (damping != null) {
            lr = lr.damping(damping);
        }
        LayerReconstructionReport r;
        try {
            r = lr.run(network, source);
        } catch (IllegalArgumentException e) {
            throw new UserException(ExitCodes.USAGE, e.getMessage());
        }
        timings.lap("quantize");
        Network q = r.network();
        Report.Metrics after = DerivedModel.metrics(q, w.loss(), w);
        timings.lap("evaluate");

        List<ModelFile.Quantization> stored = r.quantized().stream().map(QuantizedWeights::toStored).toList();
        Provenance prov = DerivedModel.provenance(w, q, model.toString())
                .with("surgeon.quantize.method", m.name())
                .with("surgeon.quantize.bits", Integer.toString(bits))
                .with("surgeon.quantize.seed", Long.toString(seed))
                .with("surgeon.quantize.calibration_indices", DerivedModel.indices(source.indices()));
        Mask mask = r.mask();
        ModelFile.write(out, q, mask, prov, stored);
        timings.lap("save");

        stdout.println();
        int lw = Math.max(5, r.layers().stream().mapToInt(l -> l.layer().length()).max().orElse(5));
        int mw = Math.max(6, r.layers().stream().mapToInt(l -> l.method().length()).max().orElse(6));
        String head = "%-" + lw + "s  %-" + mw + "s";
        stdout.printf(Locale.ROOT, head + " %9s %13s %13s %10s %8s%n", "layer", "method", "sparsity", "predicted", "measured",
                "relative", "seconds");
        for (LayerReconstructionResult l : r.layers()) {
            stdout.printf(Locale.ROOT, head + " %8.2f%% %13.6g %13.6g %10.4g %8.2f%n", l.layer(), l.method(), 100 * l.sparsity(),
                    l.predictedLoss(), l.reconstructionError(), l.relativeError(), l.seconds());
        }
        for (LayerReconstructionReport.Skipped s : r.skipped()) {
            stdout.printf(Locale.ROOT, "%-" + lw + "s  left dense: %s%n", s.layer(), s.reason());
        }
        stdout.println();
        stdout.printf(Locale.ROOT, "%-6s %12s %12s %12s %12s%n", "set", "loss before", "loss after", "acc. before", "acc. after");
        stdout.printf(Locale.ROOT, "%-6s %12s %12s %12s %12s%n", "train", EpochTable.loss(before.trainLoss()),
                EpochTable.loss(after.trainLoss()), EpochTable.percent(before.trainAccuracy()), EpochTable.percent(after.trainAccuracy()));
        stdout.printf(Locale.ROOT, "%-6s %12s %12s %12s %12s%n", "test", EpochTable.loss(before.testLoss()),
                EpochTable.loss(after.testLoss()), EpochTable.percent(before.testAccuracy()), EpochTable.percent(after.testAccuracy()));
        stdout.printf(Locale.ROOT, "%nsaved %s (%d quantized tensors, %d bits)%n", out, stored.size(), bits);

        if (report != null) {
            List<Report.Layer> layers = Report.layers(q);
            long nonzero = Report.nonzero(layers);
            Map<String, Object> params = new LinkedHashMap<>();
            params.put("arch", q.spec().toString());
            params.put("loss", w.loss().name());
            params.put("bits", bits);
            params.put("method", method);
            params.put("symmetric", symmetric);
            params.put("search", search);
            params.put("prune", prune);
            params.put("pattern", pattern);
            params.put("calibration", calibration);
            params.put("batch", batch);
            params.put("damping", describe(damping == null ? m.defaultDamping() : damping) + (damping == null ? " (the method's default)" : ""));
            params.put("sequential", sequential);
            params.put("threads", kernels.threads());
            List<Integer> indices = java.util.Arrays.stream(source.indices()).boxed().toList();
            Report rep = new Report("quantize", out.toString(), data.text(), seed, method, params, q.parameterCount(), nonzero,
                    Report.sparsity(q.parameterCount(), nonzero), after, layers, timings.withTotal(),
                    Report.provenance(kernels, w.split().description(), indices), null, null)
                    .with("metrics_before", before)
                    .with("quantization", section(m, r, source.indices().length));
            if (ReportFormat.of(report) == ReportFormat.MARKDOWN) {
                rep = rep.withCharts(List.of(LayerTable.writeChart(report, layers)));
            }
            ReportWriter.write(rep, report);
            stdout.printf(Locale.ROOT, "report: %s%n", report);
        }
        stdout.flush();
        return ExitCodes.OK;
    }

    /** The method from the options, refusing combinations that do not exist (exit 2). */
    LayerReconstructionMethod method() {
        QuantizationGrid.Spec grid;
        try {
            grid = symmetric ? QuantizationGrid.Spec.symmetric(bits) : QuantizationGrid.Spec.asymmetric(bits);
            if (search) {
                grid = grid.withSearch();
            }
        } catch (IllegalArgumentException e) {
            throw new UserException(ExitCodes.USAGE, "--bits: " + e.getMessage());
        }
        ExactObs pruning = null;
        if (prune != null && pattern != null) {
            throw new UserException(ExitCodes.USAGE, "give --prune S or --pattern nm:keep=N,group=M, not both");
        }
        if (prune != null) {
            if (!(prune > 0 && prune < 1)) {
                throw new UserException(ExitCodes.USAGE, "--prune must be a fraction in (0, 1), got " + prune);
            }
            pruning = ExactObs.unstructured(prune);
        } else if (pattern != null) {
            Matcher mm = NM.matcher(pattern.strip());
            if (!mm.matches()) {
                throw new UserException(ExitCodes.USAGE, "--pattern must be nm:keep=N,group=M (e.g. nm:keep=2,group=4), got '"
                        + pattern + "'");
            }
            try {
                pruning = ExactObs.nOfM(Integer.parseInt(mm.group(1)), Integer.parseInt(mm.group(2)));
            } catch (IllegalArgumentException e) {
                throw new UserException(ExitCodes.USAGE, "--pattern " + pattern + ": " + e.getMessage());
            }
        }
        return switch (method.strip().toLowerCase(Locale.ROOT)) {
            case "obq" -> pruning == null ? Obq.of(grid) : Obq.of(grid).afterPruning(pruning);
            case "gptq" -> {
                if (pruning != null) {
                    throw new UserException(ExitCodes.USAGE, "--prune and --pattern go with --method obq (ExactOBS then OBQ); "
                            + "for GPTQ prune first with 'surgeon prune --method sparsegpt'");
                }
                yield SparseGpt.gptq(grid);
            }
            default -> throw new UserException(ExitCodes.USAGE, "unknown quantization method '" + method + "'; known: obq, gptq");
        };
    }

    private Damping damping() {
        if (damp != null && percdamp != null) {
            return checked(() -> Damping.of(damp, percdamp));
        }
        if (damp != null) {
            return checked(() -> Damping.absolute(damp));
        }
        if (percdamp != null) {
            return checked(() -> Damping.relative(percdamp));
        }
        return null;
    }

    /** The damping of H in words, e.g. {@code relative 0.01 (λ = 0.01·mean diag H), ×10 on failure, at most 10 attempts}. */
    static String describe(Damping d) {
        String base = d.absolute() == 0 && d.relative() == 0 ? "none"
                : d.relative() == 0 ? "absolute λ = " + d.absolute()
                : "relative " + d.relative() + " (λ = " + (d.absolute() == 0 ? "" : d.absolute() + " + ") + d.relative()
                + "·mean diag H)";
        return d.maxAttempts() > 1 ? base + String.format(Locale.ROOT, ", ×%s on failure, at most %d attempts", d.growth(),
                d.maxAttempts()) : base;
    }

    private static Damping checked(java.util.function.Supplier<Damping> d) {
        try {
            return d.get();
        } catch (IllegalArgumentException e) {
            throw new UserException(ExitCodes.USAGE, "damping: " + e.getMessage());
        }
    }

    /** The report's {@code quantization} section (docs/REPORTS.md). */
    private Map<String, Object> section(LayerReconstructionMethod m, LayerReconstructionReport r, int samples) {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("method", m.name());
        s.put("bits", bits);
        s.put("grid", (symmetric ? "symmetric" : "asymmetric") + " per output channel" + (search ? ", range search" : ""));
        s.put("calibration_samples", samples);
        s.put("sequential", r.sequential());
        List<Map<String, Object>> layers = new ArrayList<>();
        for (LayerReconstructionResult l : r.layers()) {
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("layer", l.layer());
            e.put("method", l.method());
            e.put("rows", l.rows());
            e.put("cols", l.cols());
            e.put("bits", l.quantized() == null ? null : l.quantized().bits());
            e.put("sparsity", l.sparsity());
            e.put("predicted", l.predictedLoss());
            e.put("measured", l.reconstructionError());
            e.put("relative", l.relativeError());
            e.put("damping", l.damping().used());
            e.put("seconds", l.seconds());
            layers.add(e);
        }
        s.put("layers", layers);
        List<Map<String, Object>> skipped = new ArrayList<>();
        for (LayerReconstructionReport.Skipped k : r.skipped()) {
            skipped.add(Map.of("layer", k.layer(), "reason", k.reason()));
        }
        s.put("skipped", skipped);
        return JsonTrees.finiteMap(s);
    }
}
