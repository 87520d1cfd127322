package dev.surgeon.core.data;

import dev.surgeon.core.io.FileFormatException;

/**
 * A data file (IDX, UCI MONK, CSV) whose content violates its format: the message names the file, the field
 * (e.g. {@code "dimension 2"} or {@code "line 17, column 3"}) and the offending value. Checked, like any
 * {@link java.io.IOException}: the remedy is a valid file, not a code change.
 */
public final class DataFormatException extends FileFormatException {
    private static final long serialVersionUID = 1L;

    public DataFormatException(String file, String field, String value, String problem) {
        super(file, field, value, problem);
    }
}
