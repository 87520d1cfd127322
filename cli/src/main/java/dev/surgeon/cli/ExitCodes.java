package dev.surgeon.cli;

/** The exit codes of every {@code surgeon} command (also listed in {@code surgeon --help}). */
final class ExitCodes {
    static final int OK = 0;
    /** The command failed while running: numerical failure, out of memory budget, internal error. */
    static final int FAILED = 1;
    /** Invalid usage: unknown option, bad value, impossible request (sparsity ≥ 1, N ≥ M, …). */
    static final int USAGE = 2;
    /** Bad input: missing, unreadable or malformed file; data not found; model/architecture mismatch. */
    static final int INPUT = 3;

    private ExitCodes() {
    }
}
