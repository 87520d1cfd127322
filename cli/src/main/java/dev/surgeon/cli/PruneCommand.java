package dev.surgeon.cli;

import dev.surgeon.core.data.DataSpec;
import dev.surgeon.core.nn.ArchitectureSpec;
import dev.surgeon.core.prune.PruningMethods;
import dev.surgeon.core.prune.structured.StructuredMethods;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code surgeon prune}: prunes a model with a named method and saves it with its mask and provenance, from options or
 * from a recipe file; both become a {@link Recipe} run by {@link PruneRunner}. The help lists every method and knob,
 * generated from {@link PruningMethods} ({@link MethodHelp}).
 */
@Command(name = "prune",
        header = "Prune a model with a second-order (or baseline) method and save it with its mask.",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        usageHelpAutoWidth = true,
        description = {
                "Prune a trained model: the method scores the weights (magnitude, OBD's diagonal, OBS's inverse Hessian, "
                        + "Fisher approximations, layer-wise reconstruction), removes them to the target and updates the "
                        + "others; the result is saved with its mask and provenance (method, knobs, seed, sparsity, "
                        + "calibration sample indices) and summarized per layer. Every knob of a method is listed below with "
                        + "its default; the options --sparsity … --finetune-epochs are shortcuts for the common ones.",
                "Structured pruning (--structured filters|neurons|all with a structured method and --flops F, the kept "
                        + "fraction of the multiply-adds) removes whole filters or neurons and saves the physically smaller "
                        + "network; the report shows every layer's width before and after.",
                "A recipe file (--recipe, YAML or JSON) holds the same settings, several steps (prune, fine-tune, prune "
                        + "again) or a sweep over methods and sparsities reported with an accuracy-versus-sparsity chart; "
                        + "one command line and the recipe entry with the same values run the same code.",
                ""},
        footerHeading = "%n",
        // The footer (methods and knobs) is MethodHelp.compact(), installed by Main from PruningMethods.
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
                "0:success",
                "1:the run failed (numerical failure, internal error)",
                "2:invalid usage (unknown method or knob, impossible sparsity or pattern, bad recipe field)",
                "3:bad input (missing or malformed model or recipe, data not found, model/data mismatch)"})
final class PruneCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--model", paramLabel = "FILE", order = 1,
            description = "The model to prune (.safetensors written by surgeon; with --arch, a PyTorch state_dict).")
    Path model;

    @Option(names = "--arch", paramLabel = "SPEC|PRESET", converter = Converters.Architecture.class, order = 2,
            description = "Import --model as a PyTorch state_dict for this architecture.")
    ArchitectureSpec arch;

    @Option(names = "--data", paramLabel = "DATA", converter = Converters.Data.class, order = 3,
            description = "Calibration, fine-tuning and evaluation data: " + DataSpec.FORMS + ". Generated data (MONK) is "
                    + "drawn with the model's recorded seed, so it is the set the model was trained on.")
    DataSpec data;

    @Mixin
    PruneStep step;

    @Option(names = "--seed", paramLabel = "S", order = 30,
            description = "Seed of every random choice of the run (calibration samples, gradient batches, random scores, "
                    + "fine-tuning order): same seed ⇒ same mask and weights. Default: 0.")
    Long seed;

    @Option(names = "--loss", paramLabel = "LOSS", converter = LossChoice.Converter.class, order = 31,
            description = "auto|mse|mse-sum|ce|bce. auto: the loss the model was trained with. Default: auto.")
    LossChoice loss;

    @Mixin
    KernelOptions kernelOptions;

    @Option(names = "--out", paramLabel = "FILE", order = 32, description = "The pruned model file to write (.safetensors).")
    Path out;

    @Option(names = "--report", paramLabel = "FILE", converter = ReportFormat.PathConverter.class, order = 33,
            description = "Also write a report: .json (docs/REPORTS.md), .md (with the per-layer sparsity chart FILE-stem"
                    + ".sparsity.svg; sweeps: FILE-stem.accuracy.svg) or .csv.")
    Path report;

    @Option(names = "--recipe", paramLabel = "FILE", order = 40,
            description = "Run a recipe file (.yaml, .yml or .json) instead of the options above; see docs/RECIPES.md.")
    Path recipe;

    @Option(names = "--list-methods", arity = "0..1", paramLabel = "METHOD", fallbackValue = "", order = 41,
            description = "Print every method with all its knobs and defaults (or only METHOD's) and exit.")
    String listMethods;

    @Override
    public Integer call() throws IOException {
        PrintWriter stdout = spec.commandLine().getOut();
        if (listMethods != null) {
            String only = listMethods.isBlank() ? null : listMethods.strip();
            if (only != null && !MethodHelp.known(only)) {
                throw new UserException(ExitCodes.USAGE, "unknown pruning method '" + only + "'; known: "
                        + String.join(", ", PruningMethods.names()) + "; structured: "
                        + String.join(", ", StructuredMethods.names()));
            }
            MethodHelp.full(only).forEach(stdout::println);
            stdout.flush();
            return ExitCodes.OK;
        }
        Recipe r;
        if (recipe != null) {
            List<String> given = givenOptions();
            if (!given.isEmpty()) {
                throw new UserException(ExitCodes.USAGE, "--recipe holds the whole run; " + String.join(", ", given)
                        + " cannot be given with it (put them in the recipe)");
            }
            r = Recipe.read(recipe);
            if (r.threads == null && kernelOptions.threads != 0) {
                r.threads = kernelOptions.threads;
            }
        } else {
            r = fromOptions();
        }
        return new PruneRunner(r, stdout, ConsoleProgress.forStderr()).run();
    }

    /** The one-step recipe of this command line. */
    Recipe fromOptions() {
        if (model == null || data == null || step.method == null) {
            throw new UserException(ExitCodes.USAGE, "prune needs --model, --data and --method (or --recipe FILE); see "
                    + "'surgeon prune --help'");
        }
        Recipe r = new Recipe();
        r.model = model.toString();
        r.arch = arch == null ? null : arch.toString();
        r.data = data.text();
        r.seed = seed;
        r.threads = kernelOptions.threads;
        r.loss = loss == null ? null : loss.label();
        r.out = out == null ? null : out.toString();
        r.report = report == null ? null : report.toString();
        r.steps = List.of(Recipe.Step.prune(step));
        return r;
    }

    private List<String> givenOptions() {
        List<String> given = new java.util.ArrayList<>();
        String[] names = {"--model", "--arch", "--data", "--seed", "--loss", "--out", "--report", "--method", "--sparsity",
                "--pattern", "--scope", "--calibration", "--damp", "--percdamp", "--recompute", "--finetune-epochs", "--set",
                "--structured", "--flops"};
        Object[] values = {model, arch, data, seed, loss, out, report, step.method, step.sparsity, step.pattern, step.scope,
                step.calibration, step.damp, step.percdamp, step.recompute, step.finetuneEpochs, step.set, step.structured,
                step.flops};
        for (int i = 0; i < names.length; i++) {
            if (values[i] != null) {
                given.add(names[i]);
            }
        }
        return given;
    }
}
