package dev.surgeon.core.io;

/**
 * A safetensors file that is well-formed but is not a valid Surgeon model: no or an unreadable architecture
 * in {@code __metadata__}, a format version this build does not read, a non-finite weight, or a mask that
 * is not 0/1 or that prunes a non-zero weight. The message names the file, the tensor or metadata key,
 * the offending value and the fix. Tensor sets that do not fit the architecture raise the subclass
 * {@link TensorMismatchException}.
 */
public class ModelFileException extends FileFormatException {
    private static final long serialVersionUID = 1L;

    public ModelFileException(String file, String field, String value, String problem) {
        super(file, field, value, problem);
    }
}
