package dev.surgeon.core.io;

/** A SafeTensors file that violates its format (see docs FORMATS.md); names file, field and value. */
public final class SafeTensorsFormatException extends FileFormatException {
    private static final long serialVersionUID = 1L;

    public SafeTensorsFormatException(String file, String field, String value, String problem) {
        super(file, field, value, problem);
    }
}
