package dev.surgeon.core.prune;

import java.util.Locale;

/**
 * The shape of the sparsity a pruning run may produce inside one weight matrix W (d_row × d_col, rows = outputs,
 * columns = inputs; for a convolution the d_col = c_in·k·k columns of a filter).
 *
 * <ul>
 *   <li>{@link Unstructured}: any set of weights.</li>
 *   <li>{@link NOfM}: N:M sparsity, always spelled with both numbers and their meaning: {@code keep=N,group=M}
 *       means at most N non-zeros in every group of M consecutive weights along the input dimension of a row.
 *       For a convolution the groups run along input channels at a fixed kernel position (kernel position
 *       major), as OBC and the sparse tensor cores expect (METHODS B9). A layer whose input count (c_in for a
 *       convolution) is not divisible by M cannot take the pattern.</li>
 *   <li>{@link Blocks}: blocks of {@code size} consecutive weights of a row, removed together (OBC's 4-blocks).</li>
 * </ul>
 *
 * Text form (CLI, recipes, reports): {@code unstructured}, {@code nm:keep=2,group=4}, {@code blocks:4}.
 */
public sealed interface Pattern {

    /** Any weight may be pruned individually. */
    record Unstructured() implements Pattern {
        @Override
        public String toString() {
            return "unstructured";
        }
    }

    /**
     * At most {@code keep} non-zeros in every {@code group} consecutive inputs of a row.
     *
     * @param keep  N, the number of weights kept per group, 1 ≤ N < M
     * @param group M, the group length, ≥ 2
     */
    record NOfM(int keep, int group) implements Pattern {
        public NOfM {
            if (group < 2) {
                throw new IllegalArgumentException("N:M pattern: group=M must be >= 2, got " + group);
            }
            if (keep < 1 || keep >= group) {
                throw new IllegalArgumentException("N:M pattern: keep=N must satisfy 1 <= N < M = " + group
                        + ", got keep=" + keep + " (keep=N counts the weights that stay non-zero)");
            }
        }

        /** The fraction of weights this pattern removes, 1 − N/M. */
        public double sparsity() {
            return 1.0 - (double) keep / group;
        }

        @Override
        public String toString() {
            return "nm:keep=" + keep + ",group=" + group;
        }
    }

    /**
     * Blocks of {@code size} consecutive weights of a row, removed together.
     *
     * @param size block length ≥ 2
     */
    record Blocks(int size) implements Pattern {
        public Blocks {
            if (size < 2) {
                throw new IllegalArgumentException("block pattern: size must be >= 2, got " + size);
            }
        }

        @Override
        public String toString() {
            return "blocks:" + size;
        }
    }

    Pattern UNSTRUCTURED = new Unstructured();

    /**
     * Parses the text form.
     *
     * @throws IllegalArgumentException naming the accepted forms
     */
    static Pattern parse(String text) {
        String t = text.strip().toLowerCase(Locale.ROOT);
        if (t.equals("unstructured")) {
            return UNSTRUCTURED;
        }
        if (t.startsWith("nm:")) {
            int keep = -1;
            int group = -1;
            for (String part : t.substring(3).split(",")) {
                String[] kv = part.split("=", 2);
                if (kv.length != 2) {
                    throw invalid(text);
                }
                int v = integer(text, kv[1]);
                switch (kv[0].strip()) {
                    case "keep" -> keep = v;
                    case "group" -> group = v;
                    default -> throw invalid(text);
                }
            }
            if (keep < 0 || group < 0) {
                throw invalid(text);
            }
            return new NOfM(keep, group);
        }
        if (t.startsWith("blocks:")) {
            return new Blocks(integer(text, t.substring(7)));
        }
        throw invalid(text);
    }

    private static int integer(String text, String value) {
        try {
            return Integer.parseInt(value.strip());
        } catch (NumberFormatException e) {
            throw invalid(text);
        }
    }

    private static IllegalArgumentException invalid(String text) {
        return new IllegalArgumentException("unknown sparsity pattern '" + text
                + "'; use unstructured, nm:keep=N,group=M (at most N non-zeros in every M consecutive inputs) or blocks:B");
    }
}
