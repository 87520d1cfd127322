package dev.surgeon.core.data;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * Reader of the UCI MONK's problems files ({@code monks-1.train}, …, {@code monks-3.test}): one example per
 * line, {@code  class a1 a2 a3 a4 a5 a6 id} separated by spaces (a leading space; the {@code id}, like
 * {@code data_5}, is optional here). The class is 0 or 1; attribute values are 1-based with 3, 3, 2, 3, 4, 2
 * possible values and are one-hot encoded into 17 inputs by {@link MonkProblems#encode}. Blank lines are
 * skipped. Errors name the line.
 */
public final class MonkReader {
    /** The official files are under 20 kB; anything this large is not a MONK file. */
    private static final long MAX_FILE_BYTES = 1 << 20;

    private MonkReader() {
    }

    /** Reads a MONK file into a 2-class dataset with 17 inputs, named after the file. */
    public static Dataset read(Path file) throws IOException {
        long size = Files.size(file);
        if (size > MAX_FILE_BYTES) {
            throw new DataFormatException(file.toString(), "file length", Long.toString(size),
                    "larger than " + MAX_FILE_BYTES + " bytes; MONK files have at most 432 short lines");
        }
        return parse(file.toString(), Files.readAllLines(file, StandardCharsets.ISO_8859_1));
    }

    /**
     * Parses the lines of a MONK file.
     *
     * @param source the dataset's name, also used in error messages (usually the file path)
     */
    public static Dataset parse(String source, List<String> lines) throws DataFormatException {
        int[] values = MonkProblems.attributeValues();
        float[] x = new float[lines.size() * MonkProblems.INPUTS];
        int[] y = new int[lines.size()];
        int n = 0;
        for (int ln = 0; ln < lines.size(); ln++) {
            String line = lines.get(ln).strip();
            if (line.isEmpty()) {
                continue;
            }
            String where = "line " + (ln + 1);
            String[] tokens = line.split("\\s+");
            if (tokens.length != 7 && tokens.length != 8) {
                throw new DataFormatException(source, where, line,
                        "expected 'class a1 a2 a3 a4 a5 a6 [id]' (7 or 8 fields), found " + tokens.length);
            }
            y[n] = number(source, where + ", class", tokens[0], 0, 1);
            int[] a = new int[6];
            for (int j = 0; j < 6; j++) {
                a[j] = number(source, where + ", a" + (j + 1), tokens[j + 1], 1, values[j]);
            }
            MonkProblems.encode(a, x, n * MonkProblems.INPUTS);
            n++;
        }
        if (n == 0) {
            throw new DataFormatException(source, "lines", "0", "no examples");
        }
        return Dataset.classification(source, new int[]{MonkProblems.INPUTS},
                Arrays.copyOf(x, n * MonkProblems.INPUTS), Arrays.copyOf(y, n), 2);
    }

    private static int number(String source, String field, String token, int min, int max) throws DataFormatException {
        int v;
        try {
            v = Integer.parseInt(token);
        } catch (NumberFormatException e) {
            throw new DataFormatException(source, field, token, "not an integer");
        }
        if (v < min || v > max) {
            throw new DataFormatException(source, field, token, "outside [" + min + ", " + max + "]");
        }
        return v;
    }
}
