package dev.surgeon.core.nn;

import java.util.Locale;

/** Name and reduction bookkeeping shared by the losses: the name is {@code <kind>-<sum|mean>}. */
abstract class ReducedLoss implements Loss {
    private final String kind;
    private final Reduction reduction;

    ReducedLoss(String kind, Reduction reduction) {
        this.kind = kind;
        this.reduction = reduction;
    }

    @Override
    public final String name() {
        return kind + "-" + reduction.name().toLowerCase(Locale.ROOT);
    }

    @Override
    public final Reduction reduction() {
        return reduction;
    }

    /** L from Σ_n ℓ_n (in double, without the float rounding of {@link #scale}). */
    final double reduce(double sum, int batch) {
        return reduction == Reduction.MEAN ? sum / batch : sum;
    }

    @Override
    public String toString() {
        return name();
    }
}
