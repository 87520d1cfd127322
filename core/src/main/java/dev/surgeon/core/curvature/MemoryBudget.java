package dev.surgeon.core.curvature;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * How many bytes a curvature operator may allocate. Every builder estimates its memory before allocating
 * anything big and calls {@link #require}; a refusal is a {@link CurvatureTooLargeException} naming the bytes
 * needed, this budget and the cheaper operators that would fit. Java arrays also hold at most 2³¹ − 1
 * elements, so a dense d × d matrix needs d ≤ 46340 whatever the budget (METHODS G.2).
 */
public final class MemoryBudget {
    /** The largest array length the JVM allocates reliably (a few header words below Integer.MAX_VALUE). */
    public static final long MAX_ARRAY_LENGTH = Integer.MAX_VALUE - 8L;
    /** Fraction of the maximum heap used by {@link #defaultBudget()}. */
    public static final double DEFAULT_HEAP_FRACTION = 0.5;

    private final long bytes;
    private final String description;

    private MemoryBudget(long bytes, String description) {
        if (bytes <= 0) {
            throw new IllegalArgumentException("a memory budget must be positive, got " + bytes + " bytes");
        }
        this.bytes = bytes;
        this.description = description;
    }

    /** Half of {@link Runtime#maxMemory()}: room for the network, data and the operator's scratch. */
    public static MemoryBudget defaultBudget() {
        return fractionOfHeap(DEFAULT_HEAP_FRACTION);
    }

    /** A fraction (0, 1] of {@link Runtime#maxMemory()}. */
    public static MemoryBudget fractionOfHeap(double fraction) {
        if (!(fraction > 0 && fraction <= 1)) {
            throw new IllegalArgumentException("heap fraction must be in (0, 1], got " + fraction);
        }
        long max = Runtime.getRuntime().maxMemory();
        return new MemoryBudget((long) (fraction * max), String.format(Locale.ROOT, "%.0f%% of the %s maximum heap",
                100 * fraction, Vectors.bytes(max)));
    }

    /** A fixed number of bytes. */
    public static MemoryBudget ofBytes(long bytes) {
        return new MemoryBudget(bytes, "set explicitly");
    }

    public long bytes() {
        return bytes;
    }

    /** Whether an allocation of that many bytes fits. */
    public boolean fits(long needed) {
        return needed >= 0 && needed <= bytes;
    }

    /**
     * Refuses an operator that would need more than this budget, or an array longer than Java allows.
     *
     * @param operator       what is being built, e.g. "dense empirical Fisher over 1001000 parameters"
     * @param bytesNeeded    total bytes the operator would allocate (negative = overflowed: infinite)
     * @param largestArray   elements of its largest single array
     * @param layout         what the largest array is, e.g. "a d × d double matrix"
     * @param alternatives   cheaper operators with their sizes; only those that fit are named
     * @throws CurvatureTooLargeException naming all of the above
     */
    public void require(String operator, long bytesNeeded, long largestArray, String layout, List<Alternative> alternatives) {
        boolean arrayTooLong = largestArray < 0 || largestArray > MAX_ARRAY_LENGTH;
        if (bytesNeeded >= 0 && fits(bytesNeeded) && !arrayTooLong) {
            return;
        }
        List<String> fitting = new ArrayList<>();
        for (Alternative a : alternatives) {
            if (fits(a.bytes())) {
                fitting.add(a.name() + ": " + Vectors.bytes(a.bytes()));
            }
        }
        StringBuilder m = new StringBuilder();
        m.append(operator).append(" needs ").append(bytesNeeded < 0 ? "more than 8 EiB" : Vectors.bytes(bytesNeeded));
        if (!fits(bytesNeeded)) {
            m.append(", more than the memory budget of ").append(Vectors.bytes(bytes)).append(" (").append(description)
                    .append("; set one with MemoryBudget.ofBytes or a larger -Xmx)");
        }
        if (arrayTooLong) {
            m.append(bytesNeeded >= 0 && fits(bytesNeeded) ? "; but " : "; also ").append(layout).append(" has ")
                    .append(largestArray < 0 ? "more than 2^63" : String.valueOf(largestArray))
                    .append(" elements and Java arrays hold at most 2^31 - 1");
        }
        if (fitting.isEmpty()) {
            m.append(". None of the cheaper operators fits either");
            if (!alternatives.isEmpty()) {
                m.append(" (");
                for (int i = 0; i < alternatives.size(); i++) {
                    m.append(i == 0 ? "" : ", ").append(alternatives.get(i).name()).append(": ")
                            .append(Vectors.bytes(alternatives.get(i).bytes()));
                }
                m.append(")");
            }
            m.append("; restrict the parameter subset (one layer at a time) or raise the budget.");
        } else {
            m.append(". Cheaper operators that fit: ").append(String.join("; ", fitting)).append('.');
        }
        throw new CurvatureTooLargeException(m.toString(), bytesNeeded, bytes, fitting);
    }

    /** A cheaper operator and its estimated size, for the refusal message. */
    public record Alternative(String name, long bytes) {
    }

    @Override
    public String toString() {
        return Vectors.bytes(bytes) + " (" + description + ")";
    }
}
