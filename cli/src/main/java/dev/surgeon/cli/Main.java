package dev.surgeon.cli;

import picocli.CommandLine;

/** Entry point of the {@code surgeon} command. */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) {
        // Charts are drawn off-screen; no display is needed (servers, CI).
        System.setProperty("java.awt.headless", "true");
        System.exit(run(args));
    }

    /** Runs the command line and returns its exit code (used by tests, which must not call System.exit). */
    public static int run(String... args) {
        CommandLine cmd = new CommandLine(new SurgeonCommand());
        cmd.getSubcommands().get("train").getCommandSpec().usageMessage().footer(TrainingDefaults.help());
        // Generated from PruningMethods; picocli formats footers, so a literal % is doubled.
        // Wrapped to the help's width (the terminal's, else 80) so that picocli does not wrap the lines again.
        var pruneUsage = cmd.getSubcommands().get("prune").getCommandSpec().usageMessage();
        pruneUsage.footer(MethodHelp.compact(pruneUsage.width() - 1).stream().map(l -> l.replace("%", "%%")).toArray(String[]::new));
        cmd.setExecutionExceptionHandler(new ErrorHandler());
        cmd.setParameterExceptionHandler((ex, a) -> {
            // One line: what is wrong, and where the documentation is.
            String name = ex.getCommandLine().getCommandSpec().qualifiedName();
            ex.getCommandLine().getErr().println(name + ": " + ex.getMessage() + " (see '" + name + " --help')");
            ex.getCommandLine().getErr().flush();
            return ExitCodes.USAGE;
        });
        return cmd.execute(args);
    }
}
