package dev.surgeon.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.ParseResult;

/**
 * Turns any exception escaping a command into one line on stderr and an exit code ({@link ExitCodes});
 * with {@code --verbose} the stack trace follows. Core libraries report bad input with typed exceptions
 * whose messages already name the problem and the fix, so the message is shown as is.
 */
final class ErrorHandler implements IExecutionExceptionHandler {
    @Override
    public int handleExecutionException(Exception ex, CommandLine cmd, ParseResult parseResult) {
        PrintWriter err = cmd.getErr();
        Throwable shown = unwrap(ex);
        String message = message(shown);
        err.println("surgeon " + cmd.getCommandName() + ": " + message);
        if (isVerbose(parseResult)) {
            ex.printStackTrace(err);
        }
        err.flush();
        return exitCode(shown);
    }

    /** The message, made explicit for file-system errors whose JDK message is only the path. */
    static String message(Throwable t) {
        if (t instanceof NoSuchFileException e) {
            return "no such file: " + e.getFile();
        }
        if (t instanceof AccessDeniedException e) {
            return "permission denied: " + e.getFile();
        }
        if (t instanceof FileAlreadyExistsException e) {
            return "already exists: " + e.getFile();
        }
        if (t instanceof FileSystemException e && e.getReason() == null) {
            return e.getClass().getSimpleName() + ": " + e.getFile();
        }
        return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    }

    static int exitCode(Throwable t) {
        if (t instanceof UserException u) {
            return u.exitCode();
        }
        if (t instanceof IOException || t instanceof UncheckedIOException) {
            return ExitCodes.INPUT;
        }
        if (t instanceof IllegalArgumentException) {
            return ExitCodes.USAGE;
        }
        return ExitCodes.FAILED;
    }

    private static Throwable unwrap(Throwable t) {
        Throwable cur = t;
        while ((cur instanceof UncheckedIOException || cur instanceof java.util.concurrent.ExecutionException)
                && cur.getCause() != null) {
            cur = cur.getCause();
        }
        return cur;
    }

    private static boolean isVerbose(ParseResult parseResult) {
        for (ParseResult pr = parseResult; pr != null; pr = pr.subcommand()) {
            if (pr.hasMatchedOption("--verbose")) {
                return true;
            }
        }
        return false;
    }
}
