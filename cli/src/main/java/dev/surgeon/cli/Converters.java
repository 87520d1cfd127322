package dev.surgeon.cli;

import dev.surgeon.core.data.DataSpec;
import dev.surgeon.core.nn.ArchitectureSpec;
import dev.surgeon.core.nn.SpecParseException;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * picocli converters for the core types given on the command line. They only parse (no disk access), so a
 * malformed value is a usage error (exit 2) reported with the valid forms before any work starts.
 */
final class Converters {
    private Converters() {
    }

    /** {@code --data}: see {@link DataSpec#FORMS}. */
    static final class Data implements ITypeConverter<DataSpec> {
        @Override
        public DataSpec convert(String value) {
            try {
                return DataSpec.parse(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }

    /**
     * {@code --arch}: a spec line or a preset name ({@link ArchitectureSpec}). A parse error becomes one line
     * quoting the spec and the column (the core message draws a caret on a second line).
     */
    static final class Architecture implements ITypeConverter<ArchitectureSpec> {
        @Override
        public ArchitectureSpec convert(String value) {
            try {
                return ArchitectureSpec.parse(value);
            } catch (SpecParseException e) {
                throw new TypeConversionException("architecture spec '" + e.spec() + "', column " + e.column() + ": "
                        + e.problem());
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }
}
