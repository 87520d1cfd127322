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
        return new CommandLine(new SurgeonCommand()).execute(args);
    }
}
