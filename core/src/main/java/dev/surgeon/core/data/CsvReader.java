package dev.surgeon.core.data;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * Reader of numeric CSV files with one label column. Every other column is a numeric feature (decimal
 * notation, optional exponent; no NaN, no infinities, no empty cells: impute first). Cells may be quoted
 * with {@code "} ({@code ""} inside quotes is a quote). Blank lines are skipped; every row must have as many
 * cells as the first.
 *
 * <p>Classification: label values, numeric or not, are mapped to classes 0..K−1 in sorted order (numeric
 * order when all labels are numbers, so {@code 1} and {@code 1.0} are one class; string order otherwise);
 * the mapping is returned in {@link CsvData#classes()}. A fixed mapping (e.g. the training file's, when
 * reading its test file) can be imposed with {@link #withClasses}. Regression: the label is the single
 * real target.
 *
 * <p>Header: {@link Header#AUTO} takes the first row for a header when one of its feature cells is not a
 * number. Instances are immutable; the {@code with…} methods return modified copies.
 */
public final class CsvReader {
    /** Whether the label is a class or a real target. */
    public enum Task { CLASSIFICATION, REGRESSION }

    /** Whether the first row names the columns. */
    public enum Header { AUTO, PRESENT, ABSENT }

    /**
     * What was read.
     *
     * @param dataset      the samples (input shape [number of features])
     * @param featureNames names of the feature columns in input order (from the header, else {@code column j})
     * @param labelName    name of the label column
     * @param classes      classification: the original label of class k at index k; regression: empty
     */
    public record CsvData(Dataset dataset, List<String> featureNames, String labelName, List<String> classes) {
    }

    private static final Pattern NUMBER = Pattern.compile("[+-]?(\\d+\\.?\\d*|\\.\\d+)([eE][+-]?\\d+)?");

    private final String labelName;
    private final int labelIndex;
    private final Task task;
    private final Header header;
    private final char delimiter;
    private final List<String> classes;

    private CsvReader(String labelName, int labelIndex, Task task, Header header, char delimiter, List<String> classes) {
        this.labelName = labelName;
        this.labelIndex = labelIndex;
        this.task = task;
        this.header = header;
        this.delimiter = delimiter;
        this.classes = classes;
    }

    /**
     * A reader whose label is the column with this header name, or, when {@code column} is an integer, the
     * column at that 0-based index (negative counts from the end: -1 is the last column).
     */
    public static CsvReader labelColumn(String column) {
        if (column.matches("-?\\d+")) {
            return new CsvReader(null, Integer.parseInt(column), Task.CLASSIFICATION, Header.AUTO, ',', null);
        }
        if (column.isEmpty()) {
            throw new IllegalArgumentException("label column name must not be empty");
        }
        return new CsvReader(column, 0, Task.CLASSIFICATION, Header.PRESENT, ',', null);
    }

    public CsvReader withTask(Task t) {
        return new CsvReader(labelName, labelIndex, t, header, delimiter, classes);
    }

    /** Header handling; a label given by name needs {@link Header#PRESENT} (or AUTO, which then means present). */
    public CsvReader withHeader(Header h) {
        if (labelName != null && h == Header.ABSENT) {
            throw new IllegalArgumentException("label column '" + labelName + "' is given by name, so the file needs a header");
        }
        return new CsvReader(labelName, labelIndex, task, labelName != null ? Header.PRESENT : h, delimiter, classes);
    }

    public CsvReader withDelimiter(char d) {
        if (d == '"' || d == '\n' || d == '\r') {
            throw new IllegalArgumentException("invalid CSV delimiter " + (int) d);
        }
        return new CsvReader(labelName, labelIndex, task, header, d, classes);
    }

    /** Imposes the class mapping (class k has label {@code classes.get(k)}); unknown labels become errors. */
    public CsvReader withClasses(List<String> fixed) {
        return new CsvReader(labelName, labelIndex, Task.CLASSIFICATION, header, delimiter, List.copyOf(fixed));
    }

    /** Reads a UTF-8 CSV file. */
    public CsvData read(Path file) throws IOException {
        List<String> lines = new ArrayList<>();
        try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            for (String line = r.readLine(); line != null; line = r.readLine()) {
                lines.add(lines.isEmpty() && line.startsWith("\uFEFF") ? line.substring(1) : line);
            }
        }
        return parse(file.toString(), lines);
    }

    /**
     * Parses CSV lines.
     *
     * @param source the dataset's name, also used in error messages (usually the file path)
     */
    public CsvData parse(String source, List<String> lines) throws DataFormatException {
        int first = 0;
        while (first < lines.size() && lines.get(first).isBlank()) {
            first++;
        }
        if (first == lines.size()) {
            throw new DataFormatException(source, "content", "(empty)", "no rows");
        }
        List<String> firstRow = split(source, lines.get(first), first + 1);
        int columns = firstRow.size();
        if (columns < 2) {
            throw new DataFormatException(source, "line " + (first + 1), lines.get(first),
                    "one column only; a CSV dataset needs features and a label (delimiter '" + delimiter + "')");
        }
        int label = resolveLabel(source, firstRow, first + 1);
        boolean hasHeader = switch (header) {
            case PRESENT -> true;
            case ABSENT -> false;
            case AUTO -> {
                boolean allNumeric = true;
                for (int c = 0; c < columns; c++) {
                    allNumeric &= c == label || NUMBER.matcher(firstRow.get(c)).matches();
                }
                yield !allNumeric;
            }
        };
        List<String> names = new ArrayList<>();
        for (int c = 0; c < columns; c++) {
            names.add(hasHeader ? firstRow.get(c) : "column " + c);
        }
        int features = columns - 1;
        float[] x = new float[Math.multiplyExact(lines.size(), features)];
        String[] labels = new String[lines.size()];
        int[] lineOf = new int[lines.size()];
        int n = 0;
        for (int ln = hasHeader ? first + 1 : first; ln < lines.size(); ln++) {
            if (lines.get(ln).isBlank()) {
                continue;
            }
            List<String> row = split(source, lines.get(ln), ln + 1);
            if (row.size() != columns) {
                throw new DataFormatException(source, "line " + (ln + 1), Integer.toString(row.size()) + " cells",
                        "expected " + columns + " cells like line " + (first + 1));
            }
            int f = 0;
            for (int c = 0; c < columns; c++) {
                if (c == label) {
                    if (row.get(c).isEmpty()) {
                        throw new DataFormatException(source, "line " + (ln + 1) + ", column " + (c + 1) + " (" + names.get(c) + ")",
                                "(empty)", "missing label; drop the row first");
                    }
                    labels[n] = row.get(c);
                } else {
                    x[n * features + f++] = number(source, ln + 1, c, names.get(c), row.get(c));
                }
            }
            lineOf[n++] = ln + 1;
        }
        if (n == 0) {
            throw new DataFormatException(source, "rows", "0", "a header but no data rows");
        }
        List<String> featureNames = new ArrayList<>(names);
        featureNames.remove(label);
        float[] inputs = Arrays.copyOf(x, n * features);
        int[] shape = {features};
        if (task == Task.REGRESSION) {
            float[] t = new float[n];
            for (int r = 0; r < n; r++) {
                t[r] = number(source, lineOf[r], label, names.get(label), labels[r]);
            }
            return new CsvData(Dataset.regression(source, shape, inputs, 1, t), featureNames, names.get(label), List.of());
        }
        return classify(source, inputs, shape, Arrays.copyOf(labels, n), lineOf, label, featureNames, names.get(label));
    }

    private CsvData classify(String source, float[] inputs, int[] shape, String[] labels, int[] lineOf, int labelIndex,
                             List<String> featureNames, String labelColumn) throws DataFormatException {
        List<String> mapping = classes;
        if (mapping == null) {
            boolean numeric = Arrays.stream(labels).allMatch(l -> NUMBER.matcher(l).matches());
            TreeSet<String> sorted = numeric
                    ? new TreeSet<>((a, b) -> Double.compare(Double.parseDouble(a), Double.parseDouble(b)))
                    : new TreeSet<>();
            for (String l : labels) {
                sorted.add(numeric ? canonicalNumber(l) : l);
            }
            mapping = List.copyOf(sorted);
        }
        if (mapping.size() < 2) {
            throw new DataFormatException(source, "label column " + labelColumn, mapping.toString(),
                    "a classification needs at least 2 classes; for a real target read it as regression");
        }
        Map<String, Integer> index = new HashMap<>();
        for (int k = 0; k < mapping.size(); k++) {
            index.put(mapping.get(k), k);
        }
        int[] y = new int[labels.length];
        for (int i = 0; i < labels.length; i++) {
            String key = NUMBER.matcher(labels[i]).matches() && index.get(labels[i]) == null ? canonicalNumber(labels[i]) : labels[i];
            Integer k = index.get(key);
            if (k == null) {
                throw new DataFormatException(source, "line " + lineOf[i] + ", column " + (labelIndex + 1) + " (" + labelColumn + ")",
                        "'" + labels[i] + "'",
                        "not one of the classes " + mapping);
            }
            y[i] = k;
        }
        return new CsvData(Dataset.classification(source, shape, inputs, y, mapping.size()), featureNames, labelColumn, mapping);
    }

    /** One spelling per numeric value: integers without a fraction ("1.0" → "1"), others as Java prints them. */
    private static String canonicalNumber(String s) {
        double v = Double.parseDouble(s);
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : Double.toString(v);
    }

    private int resolveLabel(String source, List<String> firstRow, int line) throws DataFormatException {
        int columns = firstRow.size();
        if (labelName != null) {
            int at = firstRow.indexOf(labelName);
            if (at < 0) {
                throw new DataFormatException(source, "header (line " + line + ")", firstRow.toString(),
                        "has no column named '" + labelName + "'");
            }
            return at;
        }
        int at = labelIndex < 0 ? columns + labelIndex : labelIndex;
        if (at < 0 || at >= columns) {
            throw new DataFormatException(source, "label column", Integer.toString(labelIndex),
                    "outside the " + columns + " columns of line " + line);
        }
        return at;
    }

    private static float number(String source, int line, int column, String columnName, String cell) throws DataFormatException {
        String where = "line " + line + ", column " + (column + 1) + " (" + columnName + ")";
        if (cell.isEmpty()) {
            throw new DataFormatException(source, where, "(empty)", "missing value; impute or drop the row first");
        }
        if (!NUMBER.matcher(cell).matches()) {
            throw new DataFormatException(source, where, "'" + cell + "'", "not a decimal number");
        }
        float v = Float.parseFloat(cell);
        if (!Float.isFinite(v)) {
            throw new DataFormatException(source, where, cell, "beyond the float range");
        }
        return v;
    }

    /** Splits one line into trimmed cells, honouring double quotes. */
    private List<String> split(String source, String line, int lineNumber) throws DataFormatException {
        List<String> cells = new ArrayList<>();
        StringBuilder cell = new StringBuilder();
        boolean quoted = false;
        boolean wasQuoted = false;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (quoted) {
                if (c == '"' && i + 1 < line.length() && line.charAt(i + 1) == '"') {
                    cell.append('"');
                    i++;
                } else if (c == '"') {
                    quoted = false;
                } else {
                    cell.append(c);
                }
            } else if (c == '"' && cell.toString().isBlank()) {
                quoted = true;
                wasQuoted = true;
                cell.setLength(0);
            } else if (c == delimiter) {
                cells.add(wasQuoted ? cell.toString() : cell.toString().strip());
                cell.setLength(0);
                wasQuoted = false;
            } else {
                cell.append(c);
            }
        }
        if (quoted) {
            throw new DataFormatException(source, "line " + lineNumber, line, "unterminated quoted cell");
        }
        cells.add(wasQuoted ? cell.toString() : cell.toString().strip());
        return cells;
    }
}
