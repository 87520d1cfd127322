package dev.surgeon.cli;

import dev.surgeon.core.data.DataSpec;
import dev.surgeon.core.data.Split;
import dev.surgeon.core.io.ModelFile;
import dev.surgeon.core.io.Provenance;
import dev.surgeon.core.bayes.FlatMinimumSearch;
import dev.surgeon.core.bayes.VariationalTraining;
import dev.surgeon.core.nn.ArchitectureSpec;
import dev.surgeon.core.nn.Loss;
import dev.surgeon.core.nn.Mask;
import dev.surgeon.core.nn.Network;
import dev.surgeon.core.optim.Lbfgs;
import dev.surgeon.core.optim.Optimizer;
import dev.surgeon.core.optim.Sgd;
import dev.surgeon.core.train.EarlyStopping;
import dev.surgeon.core.train.Evaluation;
import dev.surgeon.core.train.Trainer;
import dev.surgeon.core.train.TrainingResult;
import dev.surgeon.kernels.Kernels;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
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
 * {@code surgeon train}: trains a network on a data set and saves it as a model file with its provenance
 * (seed, data, every hyper-parameter, final metrics, version and commit). Options not given take the
 * per-data defaults of {@link TrainingDefaults}.
 */
@Command(name = "train",
        header = "Train a network on a data set and save it as a model file.",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
                "Train a network on a data set and save it as a model file (safetensors with the architecture and "
                        + "provenance in its metadata).",
                "Prints one table row per epoch (every k-th for long runs): training loss and accuracy averaged over "
                        + "the epoch's batches, test loss and accuracy after the epoch, seconds. Progress goes to stderr.",
                ""},
        footerHeading = "%nDefaults by data (options not given):%n",
        // The footer is TrainingDefaults.help(), installed by Main: the table cannot drift from the code.
        usageHelpAutoWidth = true)
final class TrainCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--data", required = true, paramLabel = "DATA", converter = Converters.Data.class,
            description = "Training and test data: " + DataSpec.FORMS + ".")
    DataSpec data;

    @Option(names = "--arch", paramLabel = "SPEC|PRESET", converter = Converters.Architecture.class,
            description = "The network: a spec line such as 'in(784) dense(300) relu dense(10)' or a preset "
                    + "(lenet-300-100, lenet-5, mlpnet, xor, monk-3h, monk-2h). Default: by data, see below.")
    ArchitectureSpec arch;

    @Option(names = "--epochs", paramLabel = "N",
            description = "Passes over the training set (for lbfgs: calls of 20 L-BFGS iterations each). Default: by data.")
    Integer epochs;

    @Option(names = "--optimizer", paramLabel = "NAME", converter = OptimizerChoice.Converter.class,
            description = "sgd|momentum|nesterov|adagrad|rmsprop|adadelta|adam|adamax|nadam|amsgrad|adamw|lbfgs|kfac|mfac|"
                    + "natural-gradient (lbfgs: full-batch, strong-Wolfe line search; kfac: Kronecker-factored natural "
                    + "gradient; mfac: sliding-window empirical Fisher; natural-gradient: exact dense Fisher, tiny nets). "
                    + "Default: by data.")
    OptimizerChoice optimizer;

    @Option(names = "--lr", paramLabel = "ETA",
            description = "Learning rate η (the base rate of the schedule). Default: by data and optimizer, see below.")
    Double learningRate;

    @Option(names = "--momentum", paramLabel = "MU",
            description = "Momentum μ of momentum and nesterov (default 0.9), kfac with --kfac-rescaling kl-clip (default "
                    + "0.9) and mfac (default 0).")
    Double momentum;

    @Mixin
    SecondOrderOptions secondOrder;

    @Option(names = "--variational",
            description = "Graves's variational MDL training: a Gaussian posterior N(μ, σ²) per weight, adaptive prior, "
                    + "complexity cost counted once per epoch; the model saved is w = μ. Default: off.")
    boolean variational;

    @Option(names = "--initial-sigma", paramLabel = "SIGMA",
            description = "--variational: initial posterior standard deviation of every weight (default 0.01).")
    Double initialSigma;

    @Option(names = "--snr-prune", paramLabel = "FRACTION",
            description = "--variational: after training, prune this fraction of the weights with the smallest "
                    + "signal-to-noise ratio |μ|/σ (saved as the model's mask). Default: no pruning.")
    Double snrPrune;

    @Option(names = "--flat-minimum",
            description = "Flat Minimum Search (Hochreiter & Schmidhuber): add λ·B(w, X) with λ adapted against "
                    + "--tolerable-error by Weigend's rule. Default: off.")
    boolean flatMinimum;

    @Option(names = "--tolerable-error", paramLabel = "E",
            description = "--flat-minimum: the tolerable training error E_tol, in mean loss per sample (required with "
                    + "--flat-minimum; no default).")
    Double tolerableError;

    @Option(names = "--lambda-step", paramLabel = "DELTA",
            description = "--flat-minimum: Δλ of Weigend's rule (default 1e-4; λ starts at 0).")
    Double lambdaStep;

    @Option(names = "--fms-prune", paramLabel = "THRESHOLD",
            description = "--flat-minimum: after training, fold constant units into biases and prune weights whose removal "
                    + "changes the outputs by less than THRESHOLD (RMS, first order), then retrain --fms-retrain epochs. "
                    + "Default: no pruning.")
    Double fmsPrune;

    @Option(names = "--fms-retrain", paramLabel = "N",
            description = "--flat-minimum with --fms-prune: epochs of retraining with the mask (default 5).")
    Integer fmsRetrain;

    @Option(names = "--weight-decay", paramLabel = "WD",
            description = "Weight decay: L2 added to the gradient (g + WD·w), except for adamw where it is decoupled "
                    + "(w ← w − η·WD·w). Default: 0; adamw 0.01.")
    Double weightDecay;

    @Option(names = "--batch-size", paramLabel = "B",
            description = "Samples per step (for lbfgs: per chunk of the full-batch loss). Default: by data.")
    Integer batchSize;

    @Option(names = "--schedule", paramLabel = "SCHEDULE", converter = ScheduleSpec.Converter.class,
            defaultValue = "constant",
            description = "Learning-rate schedule per epoch: constant, step:SIZE[:GAMMA] (η·GAMMA^⌊epoch/SIZE⌋, GAMMA "
                    + "0.1 if omitted) or cosine[:MIN] (cosine annealing from η to MIN, 0 if omitted, over all epochs). "
                    + "Default: ${DEFAULT-VALUE}.")
    ScheduleSpec schedule;

    @Option(names = "--loss", paramLabel = "LOSS", converter = LossChoice.Converter.class, defaultValue = "auto",
            description = "auto|mse|mse-sum|ce|bce. mse: ½‖f−t‖² averaged over the batch; mse-sum: summed; ce: softmax "
                    + "cross-entropy; bce: binary cross-entropy on one logit. auto: mse for regression, mse-sum after a "
                    + "sigmoid or tanh output layer, bce for one linear output, else ce. Default: ${DEFAULT-VALUE}.")
    LossChoice loss;

    @Option(names = "--early-stopping", paramLabel = "PATIENCE",
            description = "Stop when the test loss has not improved for PATIENCE epochs and keep the best epoch's "
                    + "weights (the test set doubles as the validation set). Default: off.")
    Integer patience;

    @Mixin
    KernelOptions kernelOptions;

    @Option(names = "--seed", paramLabel = "S", defaultValue = "0",
            description = "Seed of the initial weights, the batch order, dropout and generated data (MONK training "
                    + "subsets, CSV holdout). Same seed and same --threads: bit-identical weights (with more than one thread, "
                    + "each batch is split into one data-parallel shard per thread). Default: ${DEFAULT-VALUE}.")
    long seed;

    @Option(names = "--out", required = true, paramLabel = "FILE", description = "The model file to write (.safetensors).")
    Path out;

    @Option(names = "--report", paramLabel = "FILE", converter = ReportFormat.PathConverter.class,
            description = "Also write a report: .json (the contract in docs/REPORTS.md), .md (with loss and accuracy "
                    + "charts FILE-stem.loss.svg and .accuracy.svg beside it) or .csv.")
    Path report;

    @Option(names = "--print-every", paramLabel = "K", defaultValue = "0",
            description = "Print every K-th epoch in the table (default: 0 = about 20 rows; the first and last always).")
    int printEvery;

    @Override
    public Integer call() throws IOException {
        PrintWriter stdout = spec.commandLine().getOut();
        Timings timings = new Timings();
        Kernels kernels = kernelOptions.kernels();
        // Fail before training, not after it, when the model cannot be written there.
        Files.createDirectories(out.toAbsolutePath().getParent());
        if (Files.isDirectory(out)) {
            throw new UserException(ExitCodes.USAGE, "--out " + out + " is a directory; give a file name such as model.safetensors");
        }
        Split split = data.load(seed);
        timings.lap("data");

        TrainingDefaults defaults = TrainingDefaults.forData(data.text());
        ArchitectureSpec architecture = arch != null ? arch : defaults.architectureFor(split);
        OptimizerChoice opt = optimizer != null ? optimizer : defaults.optimizer();
        SecondOrderOptions.Rescaling rescaling = secondOrder.rescaling();
        double lr = learningRate != null ? learningRate : opt == defaults.optimizer() ? defaults.learningRate()
                : opt.defaultLearningRate(rescaling);
        int batch = positive(batchSize != null ? batchSize : defaults.batchSize(), "--batch-size");
        int epochCount = positive(epochs != null ? epochs : defaults.epochs(), "--epochs");
        if (momentum != null && !opt.usesMomentum(rescaling)) {
            throw new UserException(ExitCodes.USAGE, "--momentum applies to momentum, nesterov, kfac with --kfac-rescaling "
                    + "kl-clip and mfac, not " + opt.label());
        }
        if (opt == OptimizerChoice.LBFGS && schedule.kind() != ScheduleSpec.Kind.CONSTANT) {
            throw new UserException(ExitCodes.USAGE, "--schedule does not apply to lbfgs (its line search sets the step)");
        }
        if (patience != null && patience < 1) {
            throw new UserException(ExitCodes.USAGE, "--early-stopping needs a patience >= 1 epoch, got " + patience);
        }
        secondOrder.check(opt);
        checkRegularizers(opt);
        double mu = momentum != null ? momentum : opt.defaultMomentum();
        double wd = weightDecay != null ? weightDecay
                : defaults.weightDecay() == 0 ? opt.defaultWeightDecay() : defaults.weightDecay();

        Network network = Network.create(architecture, seed, kernels);
        Compatibility.check(network, split, data.text());
        Loss lossFunction = loss.resolve(architecture, split.train());
        Map<String, Object> params = params(architecture, lossFunction, opt, lr, mu, wd, batch, epochCount, kernels);

        stdout.printf(Locale.ROOT, "network: %s (%d weights)%n", architecture, network.parameterCount());
        stdout.printf(Locale.ROOT, "data: %s%n", split.description());
        stdout.printf(Locale.ROOT, "training: %s, lr %s%s, batch %d, %d epochs, loss %s, seed %d, kernels %s%s%n", opt.label(),
                lr, opt.usesMomentum(rescaling) ? ", momentum " + mu : "", batch, epochCount, lossFunction.name(), seed,
                kernels.description(), variational ? ", variational (Graves 2011)" : flatMinimum ? ", flat minimum search" : "");
        stdout.flush();

        ConsoleProgress progress = ConsoleProgress.forStderr();
        boolean fullBatch = opt == OptimizerChoice.LBFGS;
        boolean classification = split.train().isClassification();
        TrainingMonitor monitor = new TrainingMonitor(progress, stdout, EpochTable.interval(epochCount, printEvery), fullBatch, lr,
                classification);
        // fitFullBatch drives L-BFGS itself; the builder's mini-batch optimizer is then never stepped.
        Optimizer optimizerUsed = fullBatch ? Sgd.plain(lr) : opt.create(lr, mu, wd, network, secondOrder, seed);
        long batchesPerEpoch = (split.train().size() + batch - 1) / batch;
        monitor.start();
        progress.start("training", fullBatch ? epochCount : epochCount * batchesPerEpoch);
        TrainingResult result;
        Mask mask = null;
        try {
            if (variational) {
                VariationalTraining vt = VariationalTraining.builder(network, lossFunction, optimizerUsed, split.train().size())
                        .seed(seed).initialSigma(initialSigma != null ? initialSigma : 0.01).build();
                result = vt.trainer().batchSize(batch).epochs(epochCount).validation(split.test()).listener(monitor)
                        .schedule(schedule.create(lr, epochCount)).build().fit(split.train());
                stdout.printf(Locale.ROOT, "variational: complexity cost L_C %.1f nats, prior N(%.4g, %.4g)%n", vt.complexityCost(),
                        vt.priorMean(), vt.priorVariance());
                if (snrPrune != null) {
                    mask = vt.signalToNoiseMask(snrPrune);
                    mask.apply(network.parameters());
                    stdout.printf(Locale.ROOT, "pruned %d weights with the smallest |μ|/σ (%s)%n", mask.prunedCount(), mask);
                }
            } else if (flatMinimum) {
                FlatMinimumSearch fms = FlatMinimumSearch.builder(network, lossFunction, optimizerUsed)
                        .tolerableError(tolerableError).lambdaStep(lambdaStep != null ? lambdaStep : 1e-4).seed(seed).build();
                result = fms.trainer().batchSize(batch).epochs(epochCount).validation(split.test()).listener(monitor)
                        .schedule(schedule.create(lr, epochCount)).build().fit(split.train());
                stdout.printf(Locale.ROOT, "flat minimum search: λ %.4g, B(w, X) %.1f%n", fms.lambda(), fms.regularizer(split.train()));
                if (fmsPrune != null) {
                    FlatMinimumSearch.Pruning pruning = fms.prune(split.train(), fmsPrune, 1e-3);
                    mask = pruning.mask();
                    stdout.printf(Locale.ROOT, "pruned: %d units and %d inputs folded into biases, %d insensitive weights; left: %s%n",
                            pruning.foldedUnits(), pruning.foldedInputs(), pruning.insensitiveWeights(), pruning.structure());
                    int retrain = fmsRetrain != null ? fmsRetrain : 5;
                    if (retrain > 0) {
                        optimizerUsed.reset();
                        Trainer.builder(network, lossFunction, optimizerUsed).batchSize(batch).epochs(retrain).seed(seed + 1)
                                .mask(mask).build().fit(split.train());
                    }
                }
            } else {
                Trainer.Builder builder = Trainer.builder(network, lossFunction, optimizerUsed)
                        .batchSize(batch).epochs(epochCount).seed(seed).validation(split.test()).listener(monitor);
                if (!fullBatch) {
                    builder.schedule(schedule.create(lr, epochCount));
                }
                if (patience != null) {
                    builder.earlyStopping(new EarlyStopping(patience, 0, true));
                }
                Trainer trainer = builder.build();
                if (!fullBatch && trainer.dataParallelShards() > 1) {
                    stdout.printf(Locale.ROOT, "data-parallel: each batch split into %d shards, one per thread%n",
                            trainer.dataParallelShards());
                    stdout.flush();
                }
                if (fullBatch) {
                    Lbfgs lbfgs = opt.lbfgs(lr);
                    result = trainer.fitFullBatch(lbfgs, split.train(), epochCount, wd);
                } else {
                    result = trainer.fit(split.train());
                }
            }
        } finally {
            progress.finish();
        }
        monitor.finish();
        timings.lap("train");

        Evaluation trainEval = Evaluation.of(network, lossFunction, split.train(), batch);
        Evaluation testEval = Evaluation.of(network, lossFunction, split.test(), batch);
        Report.Metrics metrics = Report.Metrics.of(trainEval, testEval, classification);
        timings.lap("evaluate");
        if (result.stoppedEarly()) {
            stdout.printf(Locale.ROOT, "stopped early after epoch %d; kept the weights of epoch %d%n", result.epochs().size(),
                    result.bestEpoch() + 1);
        }
        stdout.printf(Locale.ROOT, "final: train loss %s, accuracy %s; test loss %s, accuracy %s%n",
                EpochTable.loss(metrics.trainLoss()), EpochTable.percent(metrics.trainAccuracy()), EpochTable.loss(metrics.testLoss()),
                EpochTable.percent(metrics.testAccuracy()));

        ModelFile.write(out, network, mask, provenance(split, params, result, trainEval, testEval, classification));
        timings.lap("save");
        stdout.printf(Locale.ROOT, "saved %s%n", out);

        if (report != null) {
            List<Report.Layer> layers = Report.layers(network);
            long nonzero = Report.nonzero(layers);
            Report r = new Report("train", out.toString(), data.text(), seed, opt.label(), params, network.parameterCount(),
                    nonzero, Report.sparsity(network.parameterCount(), nonzero), metrics, layers, timings.withTotal(),
                    Report.provenance(kernels, split.description(), null), monitor.history(), null);
            if (ReportFormat.of(report) == ReportFormat.MARKDOWN) {
                r = r.withCharts(TrainingCharts.write(report, monitor.history()));
            }
            ReportWriter.write(r, report);
            stdout.printf(Locale.ROOT, "report: %s%s%n", report,
                    r.charts() == null ? "" : " (charts " + String.join(", ", r.charts()) + ")");
        }
        stdout.flush();
        return ExitCodes.OK;
    }

    /**
     * The model file's provenance: seed, data, build, every training knob as {@code surgeon.train.*} (the
     * loss among them, which eval reuses) and the final metrics as {@code surgeon.metrics.*}.
     */
    private Provenance provenance(Split split, Map<String, Object> params, TrainingResult result, Evaluation trainEval,
                                  Evaluation testEval, boolean classification) {
        Provenance p = Provenance.of(seed, data.text(), BuildInfo.version(), BuildInfo.commit())
                .with("surgeon.data.description", split.description());
        for (Map.Entry<String, Object> e : params.entrySet()) {
            if (e.getValue() != null && !e.getKey().equals("arch")) {
                p = p.with("surgeon.train." + e.getKey(), String.valueOf(e.getValue()));
            }
        }
        p = p.with("surgeon.train.epochs_run", Integer.toString(result.epochs().size()));
        if (classification) {
            p = p.with("surgeon.metrics.train_accuracy", Double.toString(trainEval.accuracy()))
                    .with("surgeon.metrics.test_accuracy", Double.toString(testEval.accuracy()));
        }
        return p.with("surgeon.metrics.train_loss", Double.toString(trainEval.loss()))
                .with("surgeon.metrics.test_loss", Double.toString(testEval.loss()));
    }

    /** Usage errors of --variational and --flat-minimum and their knobs. */
    private void checkRegularizers(OptimizerChoice opt) {
        if (variational && flatMinimum) {
            throw new UserException(ExitCodes.USAGE, "--variational and --flat-minimum are different training methods; give one");
        }
        if ((variational || flatMinimum) && (opt == OptimizerChoice.LBFGS || opt == OptimizerChoice.KFAC
                || opt == OptimizerChoice.NATURAL_GRADIENT)) {
            throw new UserException(ExitCodes.USAGE, (variational ? "--variational" : "--flat-minimum") + " steps with a "
                    + "mini-batch optimizer of its own gradients (first-order or mfac), not " + opt.label());
        }
        if ((variational || flatMinimum) && patience != null) {
            throw new UserException(ExitCodes.USAGE, "--early-stopping is not available with --variational or --flat-minimum");
        }
        if (!variational && (initialSigma != null || snrPrune != null)) {
            throw new UserException(ExitCodes.USAGE, "--initial-sigma and --snr-prune apply to --variational");
        }
        if (!flatMinimum && (tolerableError != null || lambdaStep != null || fmsPrune != null || fmsRetrain != null)) {
            throw new UserException(ExitCodes.USAGE, "--tolerable-error, --lambda-step, --fms-prune and --fms-retrain apply "
                    + "to --flat-minimum");
        }
        if (flatMinimum && (tolerableError == null || !(tolerableError > 0))) {
            throw new UserException(ExitCodes.USAGE, "--flat-minimum needs --tolerable-error E > 0 (mean loss per sample)");
        }
        if (initialSigma != null && !(initialSigma > 0 && Double.isFinite(initialSigma))) {
            throw new UserException(ExitCodes.USAGE, "--initial-sigma must be finite and > 0, got " + initialSigma);
        }
        if (snrPrune != null && !(snrPrune >= 0 && snrPrune < 1)) {
            throw new UserException(ExitCodes.USAGE, "--snr-prune is a fraction in [0, 1), got " + snrPrune);
        }
        if (lambdaStep != null && !(lambdaStep >= 0 && Double.isFinite(lambdaStep))) {
            throw new UserException(ExitCodes.USAGE, "--lambda-step must be finite and >= 0, got " + lambdaStep);
        }
        if (fmsPrune != null && !(fmsPrune >= 0 && Double.isFinite(fmsPrune))) {
            throw new UserException(ExitCodes.USAGE, "--fms-prune must be finite and >= 0, got " + fmsPrune);
        }
        if (fmsRetrain != null && fmsRetrain < 0) {
            throw new UserException(ExitCodes.USAGE, "--fms-retrain must be >= 0, got " + fmsRetrain);
        }
    }

    private static int positive(int value, String option) {
        if (value < 1) {
            throw new UserException(ExitCodes.USAGE, option + " must be >= 1, got " + value);
        }
        return value;
    }

    /** Every knob with the value used, defaults included (the report's {@code params}). */
    private Map<String, Object> params(ArchitectureSpec architecture, Loss lossFunction, OptimizerChoice opt, double lr, double mu,
                                       double wd, int batch, int epochCount, Kernels kernels) {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("arch", architecture.toString());
        p.put("loss", lossFunction.name());
        p.put("optimizer", opt.label());
        p.put("learning_rate", lr);
        p.put("momentum", opt.usesMomentum(secondOrder.rescaling()) ? mu : null);
        p.put("weight_decay", wd);
        p.put("weight_decay_mode", wd == 0 ? null : opt == OptimizerChoice.ADAMW ? "decoupled" : "coupled");
        p.put("batch_size", batch);
        p.put("epochs", epochCount);
        p.put("schedule", opt == OptimizerChoice.LBFGS ? null : schedule.toString());
        p.put("early_stopping_patience", patience);
        p.put("threads", kernels.threads());
        secondOrder.putParams(p, opt);
        p.put("variational", variational);
        p.put("initial_sigma", variational ? (initialSigma != null ? initialSigma : 0.01) : null);
        p.put("snr_prune", variational ? snrPrune : null);
        p.put("flat_minimum", flatMinimum);
        p.put("tolerable_error", flatMinimum ? tolerableError : null);
        p.put("lambda_step", flatMinimum ? (lambdaStep != null ? lambdaStep : 1e-4) : null);
        p.put("fms_prune", flatMinimum ? fmsPrune : null);
        p.put("fms_retrain", flatMinimum && fmsPrune != null ? (fmsRetrain != null ? fmsRetrain : 5) : null);
        return p;
    }
}
