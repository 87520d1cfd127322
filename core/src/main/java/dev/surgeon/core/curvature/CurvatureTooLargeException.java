package dev.surgeon.core.curvature;

import java.util.List;

/**
 * A curvature operator was refused by the memory pre-flight, before anything big was allocated: it needs
 * more bytes than the {@link MemoryBudget}, or an array larger than Java allows (2³¹ − 1 elements). The
 * message names the bytes needed, the budget and the cheaper operators that would fit (METHODS G.2).
 */
public final class CurvatureTooLargeException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final long bytesNeeded;
    private final long budgetBytes;
    private final List<String> alternatives;

    CurvatureTooLargeException(String message, long bytesNeeded, long budgetBytes, List<String> alternatives) {
        super(message);
        this.bytesNeeded = bytesNeeded;
        this.budgetBytes = budgetBytes;
        this.alternatives = List.copyOf(alternatives);
    }

    /** Bytes the refused operator would have needed. */
    public long bytesNeeded() {
        return bytesNeeded;
    }

    /** The budget it was checked against. */
    public long budgetBytes() {
        return budgetBytes;
    }

    /** The cheaper operators that fit the budget, each with its estimated size. */
    public List<String> alternatives() {
        return alternatives;
    }
}
