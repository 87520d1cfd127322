package dev.surgeon.cli;

import picocli.CommandLine.Command;

/** The top-level {@code surgeon} command; every capability is a subcommand. */
@Command(name = "surgeon",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        description = "Second-order pruning and quantization of neural networks on the JVM.",
        subcommands = {KernelsCommand.class},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
                "0:success",
                "1:the command failed while running (numerical failure, I/O error)",
                "2:invalid usage (unknown option, bad value, missing file)"})
final class SurgeonCommand implements Runnable {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
