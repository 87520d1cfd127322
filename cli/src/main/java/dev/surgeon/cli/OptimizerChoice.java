package dev.surgeon.cli;

import dev.surgeon.core.curvature.GradientStorage;
import dev.surgeon.core.nn.Network;
import dev.surgeon.core.optim.AdaDelta;
import dev.surgeon.core.optim.AdaGrad;
import dev.surgeon.core.optim.AdaMax;
import dev.surgeon.core.optim.Adam;
import dev.surgeon.core.optim.ElementwiseOptimizer;
import dev.surgeon.core.optim.Kfac;
import dev.surgeon.core.optim.Lbfgs;
import dev.surgeon.core.optim.Mfac;
import dev.surgeon.core.optim.Nadam;
import dev.surgeon.core.optim.NaturalGradient;
import dev.surgeon.core.optim.Optimizer;
import dev.surgeon.core.optim.RmsProp;
import dev.surgeon.core.optim.Sgd;
import picocli.CommandLine.ITypeConverter;

/**
 * The {@code --optimizer} of {@code surgeon train}, with its default learning rate (PyTorch's; the SGD family
 * has none in PyTorch, 0.01 here; the second-order optimizers their references'). Other hyper-parameters keep the
 * defaults documented in each optimizer class (METHODS.md section F) unless {@link SecondOrderOptions} sets them.
 */
enum OptimizerChoice implements Labeled {
    SGD("sgd", 0.01),
    MOMENTUM("momentum", 0.01),
    NESTEROV("nesterov", 0.01),
    ADAGRAD("adagrad", 0.01),
    RMSPROP("rmsprop", 0.01),
    ADADELTA("adadelta", 1.0),
    ADAM("adam", 1e-3),
    ADAMAX("adamax", 2e-3),
    NADAM("nadam", 2e-3),
    AMSGRAD("amsgrad", 1e-3),
    ADAMW("adamw", 1e-3),
    LBFGS("lbfgs", 1.0),
    /** K-FAC; 1 multiplies the quadratic model's step (the paper), 1e-3 is the KL-clip rule's SGD rate. */
    KFAC("kfac", 1.0),
    MFAC("mfac", Mfac.DEFAULT_LEARNING_RATE),
    NATURAL_GRADIENT("natural-gradient", 1.0);

    /** AdamW's decoupled weight decay when none is given (PyTorch's default). */
    static final double ADAMW_WEIGHT_DECAY = 1e-2;
    /** μ of momentum and Nesterov (and K-FAC's KL-clip rule) when none is given. */
    static final double DEFAULT_MOMENTUM = 0.9;

    private final String label;
    private final double defaultLearningRate;

    OptimizerChoice(String label, double defaultLearningRate) {
        this.label = label;
        this.defaultLearningRate = defaultLearningRate;
    }

    @Override
    public String label() {
        return label;
    }

    /** The default η; for K-FAC it depends on the rule. */
    double defaultLearningRate(SecondOrderOptions.Rescaling rescaling) {
        return this == KFAC && rescaling == SecondOrderOptions.Rescaling.KL_CLIP ? 1e-3 : defaultLearningRate;
    }

    /** Whether {@code --momentum} applies: momentum, nesterov, K-FAC's KL-clip rule and M-FAC (default 0 there). */
    boolean usesMomentum(SecondOrderOptions.Rescaling rescaling) {
        return this == MOMENTUM || this == NESTEROV || this == MFAC
                || (this == KFAC && rescaling == SecondOrderOptions.Rescaling.KL_CLIP);
    }

    /** The momentum when {@code --momentum} is not given. */
    double defaultMomentum() {
        return this == MFAC ? 0 : DEFAULT_MOMENTUM;
    }

    /** Whether this optimizer measures curvature (the second-order options apply). */
    boolean secondOrder() {
        return this == KFAC || this == MFAC || this == NATURAL_GRADIENT;
    }

    /** Weight decay when {@code --weight-decay} is not given: 1e-2 (decoupled) for AdamW, else 0. */
    double defaultWeightDecay() {
        return this == ADAMW ? ADAMW_WEIGHT_DECAY : 0;
    }

    /**
     * A mini-batch optimizer (all but L-BFGS); weight decay is coupled (L2) except for AdamW (decoupled). The
     * second-order optimizers read their knobs from {@code options} and (K-FAC, natural gradient) the network.
     */
    Optimizer create(double learningRate, double momentum, double weightDecay, Network network, SecondOrderOptions options,
                     long seed) {
        return switch (this) {
            case KFAC -> options.kfac(network, learningRate, momentum, weightDecay, seed);
            case MFAC -> new Mfac(learningRate, options.window(), options.damping(this), momentum, weightDecay,
                    GradientStorage.FLOAT, network.kernels());
            case NATURAL_GRADIENT -> new NaturalGradient(network).learningRate(learningRate).damping(options.damping(this))
                    .weightDecay(weightDecay);
            case LBFGS -> throw new IllegalStateException("L-BFGS is full-batch; use lbfgs()");
            default -> firstOrder(learningRate, momentum, weightDecay);
        };
    }

    ElementwiseOptimizer<?> firstOrder(double learningRate, double momentum, double weightDecay) {
        ElementwiseOptimizer<?> o = switch (this) {
            case SGD -> Sgd.plain(learningRate);
            case MOMENTUM -> Sgd.momentum(learningRate, momentum);
            case NESTEROV -> Sgd.nesterov(learningRate, momentum);
            case ADAGRAD -> new AdaGrad();
            case RMSPROP -> new RmsProp();
            case ADADELTA -> new AdaDelta();
            case ADAM -> new Adam(learningRate);
            case ADAMAX -> new AdaMax();
            case NADAM -> new Nadam();
            case AMSGRAD -> Adam.amsGrad(learningRate);
            case ADAMW -> Adam.adamW(learningRate, weightDecay);
            default -> throw new IllegalStateException(label + " is not a first-order optimizer");
        };
        o.setLearningRate(learningRate);
        if (this != ADAMW) {
            o.weightDecay(weightDecay);
        }
        return o;
    }

    Lbfgs lbfgs(double learningRate) {
        return new Lbfgs().learningRate(learningRate);
    }

    static final class Converter implements ITypeConverter<OptimizerChoice> {
        @Override
        public OptimizerChoice convert(String value) {
            return Labeled.parse(OptimizerChoice.class, value, "optimizer");
        }
    }
}
