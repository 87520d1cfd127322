package dev.surgeon.cli;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/** Runs {@link Main#run} in this JVM with stdout and stderr captured. */
final class Cli {
    record Result(int exit, String out, String err) {
        /** The non-empty lines of stderr other than progress log lines ({@code HH:MM:SS stage: ...}). */
        long errLines() {
            return err.lines().filter(l -> !l.isBlank() && !l.matches("\\d\\d:\\d\\d:\\d\\d .*")).count();
        }

        @Override
        public String toString() {
            return "exit " + exit + "\n--- stdout\n" + out + "--- stderr\n" + err;
        }
    }

    static {
        // The provider is chosen (and a fallback warning logged) once per JVM: do it before any capture, so
        // that captured stderr holds only what the command printed.
        dev.surgeon.kernels.Kernels.get();
    }

    private Cli() {
    }

    static synchronized Result run(String... args) {
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit;
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            exit = Main.run(args);
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
        return new Result(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }
}
