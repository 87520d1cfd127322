package dev.surgeon.cli;

import java.nio.file.Path;
import java.util.Locale;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** The format of a {@code --report} file, chosen by its extension. */
enum ReportFormat {
    /** The documented machine contract (docs/REPORTS.md). */
    JSON(".json"),
    /** For people: tables, and charts written beside the file. */
    MARKDOWN(".md"),
    /** For spreadsheets and scripts: two columns, {@code key,value}, one row per JSON leaf. */
    CSV(".csv");

    static final String EXTENSIONS = ".json, .md or .csv";

    private final String extension;

    ReportFormat(String extension) {
        this.extension = extension;
    }

    String extension() {
        return extension;
    }

    /** The format for a file name, or null when the extension is none of {@value #EXTENSIONS}. */
    static ReportFormat of(Path file) {
        String name = file.getFileName() == null ? "" : file.getFileName().toString().toLowerCase(Locale.ROOT);
        for (ReportFormat f : values()) {
            if (name.endsWith(f.extension) && name.length() > f.extension.length()) {
                return f;
            }
        }
        return null;
    }

    /** The report file without its extension, to name files written beside it ({@code run.md} → {@code run}). */
    static String stem(Path file) {
        String name = file.getFileName().toString();
        ReportFormat f = of(file);
        return f == null ? name : name.substring(0, name.length() - f.extension.length());
    }

    /** Converts a {@code --report} value, refusing unknown extensions at parse time (exit 2). */
    static final class PathConverter implements ITypeConverter<Path> {
        @Override
        public Path convert(String value) {
            Path p = Path.of(value);
            if (of(p) == null) {
                throw new TypeConversionException("report file '" + value + "' must end in " + EXTENSIONS
                        + " (the extension chooses the format)");
            }
            return p;
        }
    }
}
