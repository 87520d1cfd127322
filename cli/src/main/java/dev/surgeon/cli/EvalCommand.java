package dev.surgeon.cli;

import dev.surgeon.core.data.DataSpec;
import dev.surgeon.core.data.Split;
import dev.surgeon.core.io.SavedModel;
import dev.surgeon.core.nn.ArchitectureSpec;
import dev.surgeon.core.nn.Loss;
import dev.surgeon.core.nn.Network;
import dev.surgeon.core.train.Evaluation;
import dev.surgeon.kernels.Kernels;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code surgeon eval}: loss and accuracy of a model on the training and test sets of a data set, and the
 * sparsity of each parameter tensor.
 */
@Command(name = "eval",
        header = "Evaluate a model: loss, accuracy and sparsity per layer.",
        mixinStandardHelpOptions = true,
        usageHelpAutoWidth = true,
        sortOptions = false,
        description = {
                "Evaluate a model: loss and accuracy on the training and test sets (evaluation mode: dropout off), "
                        + "and the non-zero weights and sparsity of every parameter tensor.",
                ""},
        footerHeading = "%nExamples:%n",
        footer = {
                "  surgeon eval --model xor.safetensors --data xor",
                "  surgeon eval --model monk1.safetensors --data monk-1 --report monk1-eval.json",
                "  surgeon eval --model torch.safetensors --arch lenet-300-100 --data fashion-mnist   (a PyTorch state_dict)"})
final class EvalCommand implements Callable<Integer> {
    /** Samples per forward pass when evaluating (no effect on the results). */
    static final int DEFAULT_BATCH = 256;

    @Spec
    CommandSpec spec;

    @Option(names = "--model", required = true, paramLabel = "FILE",
            description = "The model file (.safetensors written by surgeon; with --arch, a PyTorch state_dict).")
    Path model;

    @Option(names = "--data", required = true, paramLabel = "DATA", converter = Converters.Data.class,
            description = "The data: " + DataSpec.FORMS + ".")
    DataSpec data;

    @Option(names = "--arch", paramLabel = "SPEC|PRESET", converter = Converters.Architecture.class,
            description = "Import the file as a PyTorch state_dict saved with safetensors for this architecture: "
                    + "tensors matched by name, else in layer order, else by unique shapes (the mapping is printed). "
                    + "Default: none (the file must be a Surgeon model).")
    ArchitectureSpec arch;

    @Option(names = "--loss", paramLabel = "LOSS", converter = LossChoice.Converter.class, defaultValue = "auto",
            description = "auto|mse|mse-sum|ce|bce. auto: the loss the model was trained with (recorded in the file), "
                    + "else chosen as train does. Default: ${DEFAULT-VALUE}.")
    LossChoice loss;

    @Option(names = "--seed", paramLabel = "S",
            description = "Seed for generated data (MONK training subsets, CSV holdout). Default: the seed recorded in "
                    + "the model, so the training set is the one it was trained on; 0 if none is recorded.")
    Long seed;

    @Option(names = "--batch-size", paramLabel = "B", defaultValue = "" + DEFAULT_BATCH,
            description = "Samples per forward pass (default: ${DEFAULT-VALUE}; does not change the results).")
    int batchSize;

    @Mixin
    KernelOptions kernelOptions;

    @Option(names = "--report", paramLabel = "FILE", converter = ReportFormat.PathConverter.class,
            description = "Also write a report: .json (docs/REPORTS.md), .md (with a per-layer sparsity chart "
                    + "FILE-stem.sparsity.svg beside it) or .csv.")
    Path report;

    @Override
    public Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        if (batchSize < 1) {
            throw new UserException(ExitCodes.USAGE, "--batch-size must be >= 1, got " + batchSize);
        }
        Timings timings = new Timings();
        Kernels kernels = kernelOptions.kernels();
        ModelLoader.WithData loaded = ModelLoader.loadWithData(model, arch, kernels, out, data, seed, timings);
        SavedModel saved = loaded.model();
        Network network = saved.network();
        long dataSeed = loaded.dataSeed();
        Split split = loaded.split();
        Loss lossFunction = resolveLoss(loss, saved, network, split);

        Evaluation train = Evaluation.of(network, lossFunction, split.train(), batchSize);
        Evaluation test = Evaluation.of(network, lossFunction, split.test(), batchSize);
        Report.Metrics metrics = Report.Metrics.of(train, test, split.train().isClassification());
        timings.lap("evaluate");

        List<Report.Layer> layers = Report.layers(network);
        long nonzero = Report.nonzero(layers);
        double sparsity = Report.sparsity(network.parameterCount(), nonzero);
        out.printf(Locale.ROOT, "model: %s: %s%n", model, network.spec());
        out.printf(Locale.ROOT, "weights: %d, %d non-zero (sparsity %.2f %%)%s%n", network.parameterCount(), nonzero,
                100 * sparsity, saved.mask() == null ? "" : ", " + saved.mask().prunedCount() + " pruned by the mask");
        out.printf(Locale.ROOT, "data: %s%n", split.description());
        out.printf(Locale.ROOT, "loss: %s%n", lossFunction.name());
        out.println();
        out.printf(Locale.ROOT, "%-6s %8s %12s %10s%n", "set", "samples", "loss", "accuracy");
        out.printf(Locale.ROOT, "%-6s %8d %12s %10s%n", "train", train.samples(), EpochTable.loss(metrics.trainLoss()),
                EpochTable.percent(metrics.trainAccuracy()));
        out.printf(Locale.ROOT, "%-6s %8d %12s %10s%n", "test", test.samples(), EpochTable.loss(metrics.testLoss()),
                EpochTable.percent(metrics.testAccuracy()));
        out.println();
        LayerTable.print(out, layers);

        if (report != null) {
            Map<String, Object> params = new LinkedHashMap<>();
            params.put("arch", network.spec().toString());
            params.put("imported", arch != null);
            params.put("loss", lossFunction.name());
            params.put("batch_size", batchSize);
            params.put("data_seed", dataSeed);
            params.put("threads", kernels.threads());
            Report r = new Report("eval", model.toString(), data.text(), dataSeed, null, params, network.parameterCount(), nonzero,
                    sparsity, metrics, layers, timings.withTotal(),
                    Report.provenance(kernels, split.description(), null), null, null);
            if (ReportFormat.of(report) == ReportFormat.MARKDOWN) {
                r = r.withCharts(List.of(LayerTable.writeChart(report, layers)));
            }
            ReportWriter.write(r, report);
            out.printf(Locale.ROOT, "%nreport: %s%n", report);
        }
        out.flush();
        return ExitCodes.OK;
    }

    /** The --loss choice; for auto the loss recorded by train, else the automatic choice for this data. */
    static Loss resolveLoss(LossChoice loss, SavedModel saved, Network network, Split split) {
        String recorded = saved.provenance().entries().get("surgeon.train.loss");
        if (loss != LossChoice.AUTO || recorded == null) {
            return loss.resolve(network.spec(), split.train());
        }
        try {
            return Loss.named(recorded);
        } catch (IllegalArgumentException e) {
            throw new UserException(ExitCodes.INPUT, "the model records the loss '" + recorded
                    + "', which this build does not know; choose one with --loss");
        }
    }
}
