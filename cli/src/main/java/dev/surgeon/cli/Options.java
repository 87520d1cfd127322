package dev.surgeon.cli;

import dev.surgeon.core.data.DataSpec;
import dev.surgeon.core.nn.ArchitectureSpec;
import dev.surgeon.kernels.Kernels;
import picocli.CommandLine.TypeConversionException;

/**
 * Option values given as text outside picocli (recipe files), parsed by the same converters as the command line; a bad
 * value is a usage error (exit 2) with the converter's message.
 */
final class Options {
    private Options() {
    }

    static DataSpec data(String text) {
        try {
            return new Converters.Data().convert(text);
        } catch (TypeConversionException e) {
            throw new UserException(ExitCodes.USAGE, e.getMessage());
        }
    }

    static ArchitectureSpec architecture(String text) {
        try {
            return new Converters.Architecture().convert(text);
        } catch (TypeConversionException e) {
            throw new UserException(ExitCodes.USAGE, e.getMessage());
        }
    }

    static LossChoice loss(String text) {
        try {
            return new LossChoice.Converter().convert(text);
        } catch (TypeConversionException e) {
            throw new UserException(ExitCodes.USAGE, e.getMessage());
        }
    }

    /** The selected provider ({@link Kernels#get()}, chosen by -Dsurgeon.kernels) bounded to {@code threads} (null or 0: its default). */
    static Kernels kernels(Integer threads) {
        int t = threads == null ? 0 : threads;
        if (t < 0) {
            throw new UserException(ExitCodes.USAGE, "--threads must be >= 0 (0 = the provider's default), got " + t);
        }
        Kernels k = Kernels.get();
        return t == 0 ? k : k.withThreads(t);
    }
}
