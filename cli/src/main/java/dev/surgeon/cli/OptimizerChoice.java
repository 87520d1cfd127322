package dev.surgeon.cli;

import dev.surgeon.core.optim.AdaDelta;
import dev.surgeon.core.optim.AdaGrad;
import dev.surgeon.core.optim.AdaMax;
import dev.surgeon.core.optim.Adam;
import dev.surgeon.core.optim.ElementwiseOptimizer;
import dev.surgeon.core.optim.Lbfgs;
import dev.surgeon.core.optim.Nadam;
import dev.surgeon.core.optim.RmsProp;
import dev.surgeon.core.optim.Sgd;
import picocli.CommandLine.ITypeConverter;

/**
 * The {@code --optimizer} of {@code surgeon train}, with its default learning rate (PyTorch's; the SGD family
 * has none in PyTorch, 0.01 here). Other hyper-parameters keep the defaults documented in each optimizer
 * class (METHODS.md section F).
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
    LBFGS("lbfgs", 1.0);

    /** AdamW's decoupled weight decay when none is given (PyTorch's default). */
    static final double ADAMW_WEIGHT_DECAY = 1e-2;
    /** μ of momentum and Nesterov when none is given. */
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

    double defaultLearningRate() {
        return defaultLearningRate;
    }

    boolean usesMomentum() {
        return this == MOMENTUM || this == NESTEROV;
    }

    /** Weight decay when {@code --weight-decay} is not given: 1e-2 (decoupled) for AdamW, else 0. */
    double defaultWeightDecay() {
        return this == ADAMW ? ADAMW_WEIGHT_DECAY : 0;
    }

    /** A mini-batch optimizer (all but L-BFGS); weight decay is coupled (L2) except for AdamW (decoupled). */
    ElementwiseOptimizer<?> create(double learningRate, double momentum, double weightDecay) {
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
            case LBFGS -> throw new IllegalStateException("L-BFGS is full-batch; use lbfgs()");
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
