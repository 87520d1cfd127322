package dev.surgeon.cli;

import dev.surgeon.core.nn.Network;
import dev.surgeon.core.optim.Kfac;
import dev.surgeon.core.optim.Mfac;
import java.util.Map;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;

/**
 * The knobs of {@code surgeon train --optimizer kfac|mfac|natural-gradient}, with the defaults of METHODS A7 and
 * F (items 13–15). Options not given keep the optimizer's documented default; giving one to an optimizer it does
 * not apply to is a usage error ({@link #check}).
 */
final class SecondOrderOptions {
    /** K-FAC's step rule. */
    enum Rescaling implements Labeled {
        QUADRATIC_MODEL("quadratic-model"), KL_CLIP("kl-clip");

        private final String label;

        Rescaling(String label) {
            this.label = label;
        }

        @Override
        public String label() {
            return label;
        }

        static final class Converter implements ITypeConverter<Rescaling> {
            @Override
            public Rescaling convert(String value) {
                return Labeled.parse(Rescaling.class, value, "K-FAC rescaling");
            }
        }
    }

    /** K-FAC's initial λ for the quadratic model when none is given (the paper's 150 is for its autoencoders). */
    static final double KFAC_DAMPING = 1.0;
    /** K-FAC's λ floor for the quadratic model when none is given (see Kfac.Builder#minimumDamping). */
    static final double KFAC_MINIMUM_DAMPING = 1e-2;
    /** The natural gradient's λ when none is given. */
    static final double NATURAL_GRADIENT_DAMPING = 1e-3;

    @Option(names = "--damping", paramLabel = "LAMBDA",
            description = "Damping λ: kfac quadratic-model initial λ (default " + KFAC_DAMPING + ", adapted by "
                    + "Levenberg–Marquardt), kfac kl-clip λ of (Γ⊗A + λI) (default 1e-3), mfac λ of λI + GᵀG/m "
                    + "(default 1e-5), natural-gradient λ of F + λI (default " + NATURAL_GRADIENT_DAMPING + ").")
    Double damping;

    @Option(names = "--kfac-rescaling", paramLabel = "RULE", converter = Rescaling.Converter.class,
            description = "quadratic-model (Martens & Grosse: step and momentum from a 2×2 quadratic model with exact "
                    + "Fisher products, LM damping, factored Tikhonov re-tuned every 20 steps; default) or kl-clip "
                    + "(PyTorch ports: KL clipping, SGD with momentum, eigen damping).")
    Rescaling rescaling;

    @Option(names = "--min-damping", paramLabel = "LAMBDA",
            description = "kfac quadratic-model: floor of the adapted λ (default " + KFAC_MINIMUM_DAMPING + ").")
    Double minimumDamping;

    @Option(names = "--kl-clip", paramLabel = "KAPPA", description = "kfac kl-clip: the KL bound κ (default 1e-3).")
    Double klClip;

    @Option(names = "--statistics-every", paramLabel = "N",
            description = "kfac: steps between factor updates (default: quadratic-model 1, kl-clip 10).")
    Integer statisticsEvery;

    @Option(names = "--inverse-every", paramLabel = "N",
            description = "kfac: steps between inverse updates T₃ (default: quadratic-model 20, kl-clip 100).")
    Integer inverseEvery;

    @Option(names = "--mfac-window", paramLabel = "M",
            description = "mfac: gradients m in the sliding window (default " + Mfac.DEFAULT_WINDOW + "; memory m·d floats).")
    Integer window;

    Rescaling rescaling() {
        return rescaling != null ? rescaling : Rescaling.QUADRATIC_MODEL;
    }

    /** Throws a usage error for a knob given to an optimizer it does not apply to. */
    void check(OptimizerChoice opt) {
        boolean kfac = opt == OptimizerChoice.KFAC;
        reject(damping != null && !opt.secondOrder(), "--damping", "kfac, mfac and natural-gradient", opt);
        reject(rescaling != null && !kfac, "--kfac-rescaling", "kfac", opt);
        reject(minimumDamping != null && (!kfac || rescaling() != Rescaling.QUADRATIC_MODEL), "--min-damping",
                "kfac with the quadratic-model rule", opt);
        reject(klClip != null && (!kfac || rescaling() != Rescaling.KL_CLIP), "--kl-clip", "kfac with the kl-clip rule", opt);
        reject(statisticsEvery != null && !kfac, "--statistics-every", "kfac", opt);
        reject(inverseEvery != null && !kfac, "--inverse-every", "kfac", opt);
        reject(window != null && opt != OptimizerChoice.MFAC, "--mfac-window", "mfac", opt);
        for (Integer n : new Integer[] {statisticsEvery, inverseEvery, window}) {
            if (n != null && n < 1) {
                throw new UserException(ExitCodes.USAGE, "periods and windows must be >= 1, got " + n);
            }
        }
        for (Double v : new Double[] {damping, minimumDamping, klClip}) {
            if (v != null && !(v > 0 && Double.isFinite(v))) {
                throw new UserException(ExitCodes.USAGE, "damping and KL-clip values must be finite and > 0, got " + v);
            }
        }
    }

    private static void reject(boolean given, String option, String appliesTo, OptimizerChoice opt) {
        if (given) {
            throw new UserException(ExitCodes.USAGE, option + " applies to " + appliesTo + ", not " + opt.label());
        }
    }

    /** λ for M-FAC or the natural gradient. */
    double damping(OptimizerChoice opt) {
        if (damping != null) {
            return damping;
        }
        return opt == OptimizerChoice.MFAC ? Mfac.DEFAULT_DAMPING : NATURAL_GRADIENT_DAMPING;
    }

    int window() {
        return window != null ? window : Mfac.DEFAULT_WINDOW;
    }

    Kfac kfac(Network network, double learningRate, double momentum, double weightDecay, long seed) {
        Kfac.Builder b = rescaling() == Rescaling.KL_CLIP ? Kfac.klClip(network).momentum(momentum)
                : Kfac.paper(network, damping != null ? damping : KFAC_DAMPING)
                        .minimumDamping(minimumDamping != null ? minimumDamping : KFAC_MINIMUM_DAMPING);
        b.learningRate(learningRate).weightDecay(weightDecay).seed(seed);
        if (rescaling() == Rescaling.KL_CLIP && damping != null) {
            b.damping(damping);
        }
        if (klClip != null) {
            b.klClip(klClip);
        }
        if (statisticsEvery != null) {
            b.statisticsPeriod(statisticsEvery);
        }
        if (inverseEvery != null) {
            b.inversePeriod(inverseEvery);
        }
        return b.build();
    }

    /** The report's second-order keys, with the value used or null where they do not apply. */
    void putParams(Map<String, Object> p, OptimizerChoice opt) {
        boolean kfac = opt == OptimizerChoice.KFAC;
        boolean quadratic = kfac && rescaling() == Rescaling.QUADRATIC_MODEL;
        Double lambda = !opt.secondOrder() ? null
                : kfac ? (damping != null ? damping : quadratic ? KFAC_DAMPING : 1e-3) : damping(opt);
        p.put("damping", lambda);
        p.put("kfac_rescaling", kfac ? rescaling().label() : null);
        p.put("min_damping", quadratic ? (minimumDamping != null ? minimumDamping : KFAC_MINIMUM_DAMPING) : null);
        p.put("kl_clip", kfac && !quadratic ? (klClip != null ? klClip : 1e-3) : null);
        p.put("statistics_every", kfac ? (statisticsEvery != null ? statisticsEvery : quadratic ? 1 : 10) : null);
        p.put("inverse_every", kfac ? (inverseEvery != null ? inverseEvery : quadratic ? 20 : 100) : null);
        p.put("mfac_window", opt == OptimizerChoice.MFAC ? window() : null);
    }
}
