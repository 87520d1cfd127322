package dev.surgeon.cli;

import dev.surgeon.core.optim.LearningRateSchedule;
import java.util.Locale;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * The {@code --schedule} option: {@code constant}, {@code step:SIZE[:GAMMA]} (η·γ^⌊epoch/SIZE⌋, γ = 0.1 by
 * default; PyTorch's StepLR) or {@code cosine[:MIN]} (cosine annealing from η to MIN, default 0, over all
 * epochs; PyTorch's CosineAnnealingLR with T_max = epochs).
 */
record ScheduleSpec(Kind kind, int stepSize, double gamma, double minimum) {
    static final String FORMS = "constant | step:SIZE[:GAMMA] | cosine[:MIN]";
    static final ScheduleSpec CONSTANT = new ScheduleSpec(Kind.CONSTANT, 0, 0, 0);

    enum Kind { CONSTANT, STEP, COSINE }

    static ScheduleSpec parse(String text) {
        String[] parts = text.strip().split(":", -1);
        try {
            switch (parts[0]) {
                case "constant" -> {
                    if (parts.length == 1) {
                        return CONSTANT;
                    }
                }
                case "step" -> {
                    if (parts.length == 2 || parts.length == 3) {
                        int size = Integer.parseInt(parts[1]);
                        double gamma = parts.length == 3 ? Double.parseDouble(parts[2]) : 0.1;
                        if (size < 1 || !(gamma >= 0) || Double.isInfinite(gamma)) {
                            throw new TypeConversionException("schedule '" + text + "': SIZE must be >= 1 epoch and GAMMA >= 0");
                        }
                        return new ScheduleSpec(Kind.STEP, size, gamma, 0);
                    }
                }
                case "cosine" -> {
                    if (parts.length <= 2) {
                        double min = parts.length == 2 ? Double.parseDouble(parts[1]) : 0;
                        if (!(min >= 0) || Double.isInfinite(min)) {
                            throw new TypeConversionException("schedule '" + text + "': MIN must be a learning rate >= 0");
                        }
                        return new ScheduleSpec(Kind.COSINE, 0, 0, min);
                    }
                }
                default -> {
                }
            }
        } catch (NumberFormatException e) {
            throw new TypeConversionException("schedule '" + text + "': not a number (" + e.getMessage() + "); forms: " + FORMS);
        }
        throw new TypeConversionException("unknown schedule '" + text + "'; forms: " + FORMS);
    }

    /** The schedule for a base learning rate and a run of {@code epochs} epochs. */
    LearningRateSchedule create(double learningRate, int epochs) {
        return switch (kind) {
            case CONSTANT -> LearningRateSchedule.constant(learningRate);
            case STEP -> LearningRateSchedule.step(learningRate, stepSize, gamma);
            case COSINE -> LearningRateSchedule.cosine(learningRate, Math.max(1, epochs), minimum);
        };
    }

    /** The canonical spelling (parses back to an equal spec). */
    @Override
    public String toString() {
        return switch (kind) {
            case CONSTANT -> "constant";
            case STEP -> String.format(Locale.ROOT, "step:%d:%s", stepSize, gamma);
            case COSINE -> String.format(Locale.ROOT, "cosine:%s", minimum);
        };
    }

    static final class Converter implements ITypeConverter<ScheduleSpec> {
        @Override
        public ScheduleSpec convert(String value) {
            return parse(value);
        }
    }
}
