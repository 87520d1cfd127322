package dev.surgeon.core.prune.structured;

import java.util.Locale;

/** Which hidden units a structured run may remove: convolution filters, dense neurons, or both. */
public enum StructureKind {
    /** Output channels of convolutions (with the matching input channel of the next layer). */
    FILTERS,
    /** Output units of dense layers (with the matching input column of the next layer). */
    NEURONS,
    /** Both. */
    ALL;

    /**
     * Parses {@code filters}, {@code neurons} or {@code all}.
     *
     * @throws IllegalArgumentException naming the accepted words
     */
    public static StructureKind parse(String text) {
        return switch (text.strip().toLowerCase(Locale.ROOT)) {
            case "filters", "channels" -> FILTERS;
            case "neurons", "units" -> NEURONS;
            case "all", "both" -> ALL;
            default -> throw new IllegalArgumentException("unknown structure kind '" + text + "'; use filters, neurons or all");
        };
    }

    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
