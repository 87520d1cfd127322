package dev.surgeon.core.io;

import java.util.List;

/**
 * The tensors of a file do not fit an architecture. All problems are collected before this is thrown, so
 * one message lists every missing tensor (with the shape the architecture expects), every unexpected
 * tensor (with its dtype and shape in the file) and every mis-shaped or mis-typed tensor (file versus
 * expected), plus, for imports, why mapping the tensors in layer order did not work either.
 */
public final class TensorMismatchException extends ModelFileException {
    private static final long serialVersionUID = 1L;

    private final List<String> missing;
    private final List<String> unexpected;
    private final List<String> misShaped;

    /**
     * @param missing    expected tensors absent from the file, e.g. {@code "fc2.bias [1]"}
     * @param unexpected file tensors the architecture has no place for, e.g. {@code "0.weight F32[2, 2]"}
     * @param misShaped  tensors present under the expected name with another shape or a non-floating dtype,
     *                   e.g. {@code "fc1.weight: F32[3, 2] in the file, expected [2, 3]"}
     * @param note       an extra sentence (e.g. why mapping in layer order failed), or null
     */
    public TensorMismatchException(String file, List<String> missing, List<String> unexpected, List<String> misShaped,
                                   String note) {
        super(file, "tensors", summary(missing, unexpected, misShaped), details(missing, unexpected, misShaped, note));
        this.missing = List.copyOf(missing);
        this.unexpected = List.copyOf(unexpected);
        this.misShaped = List.copyOf(misShaped);
    }

    private static String summary(List<String> missing, List<String> unexpected, List<String> misShaped) {
        return missing.size() + " missing, " + unexpected.size() + " unexpected, " + misShaped.size() + " mis-shaped";
    }

    private static String details(List<String> missing, List<String> unexpected, List<String> misShaped, String note) {
        StringBuilder b = new StringBuilder("the file does not fit the architecture");
        append(b, "missing", missing);
        append(b, "unexpected", unexpected);
        append(b, "mis-shaped", misShaped);
        if (note != null) {
            b.append(". ").append(note);
        }
        return b.toString();
    }

    private static void append(StringBuilder b, String label, List<String> items) {
        if (!items.isEmpty()) {
            b.append("; ").append(label).append(": ").append(String.join(", ", items));
        }
    }

    /** Expected tensors absent from the file (name and expected shape). */
    public List<String> missing() {
        return missing;
    }

    /** File tensors without a place in the architecture (name, dtype and shape). */
    public List<String> unexpected() {
        return unexpected;
    }

    /** Tensors under an expected name with the wrong shape or dtype (file versus expected). */
    public List<String> misShaped() {
        return misShaped;
    }
}
