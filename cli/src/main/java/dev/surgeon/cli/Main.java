package dev.surgeon.cli;

import picocli.CommandLine;

/** Entry point of the {@code surgeon} command. */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the command line and returns its exit code (used by tests, which must not call System.exit). */
    public static int run(String... args) {
        CommandLine cmd = new CommandLine(new SurgeonCommand());
        cmd.setExecutionExceptionHandler(new ErrorHandler());
        cmd.setParameterExceptionHandler((ex, a) -> {
            ex.getCommandLine().getErr().println("surgeon " + ex.getCommandLine().getCommandName() + ": " + ex.getMessage());
            ex.getCommandLine().getErr().println("  (see: surgeon " + ex.getCommandLine().getCommandName().replace("surgeon", "").trim()
                    + " --help)");
            return ExitCodes.USAGE;
        });
        return cmd.execute(args);
    }
}
