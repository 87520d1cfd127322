package dev.surgeon.core.io;

import java.io.IOException;

/**
 * A file whose content violates its format: the message names the file, the field and the offending value,
 * then says what was expected. It is an {@link IOException} because the caller handles it where it handles
 * unreadable files (the fix is the same: supply a valid file), not as a programming error.
 *
 * <p>Readers throw it <em>before</em> allocating anything sized by the offending value, so a hostile or
 * truncated file can never cause an {@link OutOfMemoryError}.
 */
public class FileFormatException extends IOException {
    private static final long serialVersionUID = 1L;

    private final String file;
    private final String field;
    private final String value;

    /**
     * @param file    the file (or other source) being read
     * @param field   what was being read, e.g. {@code "header length"} or {@code "line 17, column 3"}
     * @param value   the offending value as found in the file
     * @param problem what is wrong and what was expected
     */
    public FileFormatException(String file, String field, String value, String problem) {
        super(file + ": " + field + " = " + value + ": " + problem);
        this.file = file;
        this.field = field;
        this.value = value;
    }

    public String file() {
        return file;
    }

    public String field() {
        return field;
    }

    public String value() {
        return value;
    }
}
