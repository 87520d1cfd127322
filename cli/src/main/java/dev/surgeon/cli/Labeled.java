package dev.surgeon.cli;

import java.util.Arrays;
import java.util.stream.Collectors;
import picocli.CommandLine.TypeConversionException;

/**
 * An option value spelled on the command line by a label that is not a Java identifier ({@code mse-sum},
 * {@code adamw}); {@link #parse} finds the constant or fails with the list of valid labels, which picocli
 * shows as one line with exit code 2.
 */
interface Labeled {
    /** The spelling on the command line. */
    String label();

    static <E extends Enum<E> & Labeled> E parse(Class<E> type, String text, String what) {
        for (E e : type.getEnumConstants()) {
            if (e.label().equals(text.strip())) {
                return e;
            }
        }
        throw new TypeConversionException("unknown " + what + " '" + text + "'; one of " + labels(type));
    }

    /** The labels separated by '|', for messages and help texts. */
    static <E extends Enum<E> & Labeled> String labels(Class<E> type) {
        return Arrays.stream(type.getEnumConstants()).map(Labeled::label).collect(Collectors.joining("|"));
    }
}
