package dev.surgeon.cli;

import picocli.CommandLine.Command;

/** The top-level {@code surgeon} command; every capability is a subcommand. */
@Command(name = "surgeon",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        description = "Second-order pruning and quantization of neural networks on the JVM.",
        subcommands = {DemoCommand.class, TrainCommand.class, PruneCommand.class, QuantizeCommand.class, EvalCommand.class,
                InspectCommand.class, CurvatureCommand.class, EvidenceCommand.class, BenchCommand.class, KernelsCommand.class,
                ExperimentCommand.class},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
                "0:success",
                "1:the command failed while running (numerical failure, internal error)",
                "2:invalid usage (unknown option or method, bad value, impossible sparsity or pattern)",
                "3:bad input (missing or malformed file, data not found, model/architecture mismatch)"})
final class SurgeonCommand implements Runnable {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @picocli.CommandLine.Option(names = "--verbose", scope = picocli.CommandLine.ScopeType.INHERIT,
            description = "Print stack traces of errors.")
    boolean verbose;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
