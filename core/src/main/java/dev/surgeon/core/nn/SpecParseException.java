package dev.surgeon.core.nn;

/**
 * A one-line architecture spec that cannot be read: the message names the column (1-based), what was
 * expected there and what was found, and shows the spec with a caret under the offending position.
 */
public final class SpecParseException extends IllegalArgumentException {
    private final String spec;
    private final int column;
    private final String problem;

    SpecParseException(String spec, int column, String problem) {
        super("architecture spec, column " + column + ": " + problem + "\n  " + spec + "\n  "
                + " ".repeat(Math.max(0, column - 1)) + "^");
        this.spec = spec;
        this.column = column;
        this.problem = problem;
    }

    /** The text that was parsed. */
    public String spec() {
        return spec;
    }

    /** 1-based column of the problem. */
    public int column() {
        return column;
    }

    /** The problem without the position and the caret line. */
    public String problem() {
        return problem;
    }
}
