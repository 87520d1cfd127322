package dev.surgeon.core.io;

/** A NumPy .npy file that violates its format (see docs FORMATS.md); names file, field and value. */
public final class NpyFormatException extends FileFormatException {
    private static final long serialVersionUID = 1L;

    public NpyFormatException(String file, String field, String value, String problem) {
        super(file, field, value, problem);
    }
}
