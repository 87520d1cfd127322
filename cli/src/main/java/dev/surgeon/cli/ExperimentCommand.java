package dev.surgeon.cli;

import dev.surgeon.core.prune.experiments.Experiments;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code surgeon experiment NAME [key=value…]}: the reproduction experiments of the pruning methods (XOR, MONK, the
 * MLPNet sweep, LeNet-300-100 with SNIP and Han), printing their Markdown tables. Without a name it lists them. The
 * experiments compute with the default kernel provider ({@code -Dsurgeon.kernels}, {@code -Dsurgeon.threads}).
 */
@Command(name = "experiment",
        header = "Run a reproduction experiment (xor, monk, mlpnet, lenet) and print its table.",
        mixinStandardHelpOptions = true,
        usageHelpAutoWidth = true,
        description = {"Run one of the pruning reproduction experiments and print its Markdown table (docs/BENCHMARKS.md "
                + "records the results). Arguments are key=value; without a name the experiments and their arguments are listed.", ""},
        footerHeading = "%nExamples:%n",
        footer = {
                "  surgeon experiment xor nets=100",
                "  surgeon experiment monk net-seeds=1,2,3,4,5",
                "  surgeon experiment mlpnet seeds=0,1 sparsities=0.8,0.9,0.95",
                "  surgeon experiment lenet snip-epochs=10"})
final class ExperimentCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(index = "0", arity = "0..1", paramLabel = "NAME", description = "xor, monk, mlpnet or lenet.")
    String name;

    @Parameters(index = "1..*", arity = "0..*", paramLabel = "KEY=VALUE", description = "Experiment arguments (listed without NAME).")
    List<String> arguments = new ArrayList<>();

    @Override
    public Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        if (name == null) {
            for (Experiments.Entry e : Experiments.all()) {
                out.printf("%-8s %s%n         arguments: %s%n", e.name(), e.description(), e.arguments());
            }
            out.flush();
            return ExitCodes.OK;
        }
        Experiments.Entry e;
        Map<String, String> args;
        try {
            e = Experiments.named(name);
            args = Experiments.arguments(arguments);
        } catch (IllegalArgumentException x) {
            throw new UserException(ExitCodes.USAGE, x.getMessage());
        }
        out.print(e.runner().run(args));
        out.flush();
        return ExitCodes.OK;
    }
}
