/**
 * Surgeon's core: networks on one flat parameter vector, backprop with second-order hooks, data readers,
 * model files, optimizers and training. Depends on {@code dev.surgeon.kernels} and the JDK only.
 */
module dev.surgeon.core {
    requires transitive dev.surgeon.kernels;

    exports dev.surgeon.core.bayes;
    exports dev.surgeon.core.curvature;
    exports dev.surgeon.core.curvature.spectrum;
    exports dev.surgeon.core.data;
    exports dev.surgeon.core.io;
    exports dev.surgeon.core.nn;
    exports dev.surgeon.core.optim;
    exports dev.surgeon.core.progress;
    exports dev.surgeon.core.prune;
    exports dev.surgeon.core.prune.experiments;
    exports dev.surgeon.core.prune.structured;
    exports dev.surgeon.core.quant;
    exports dev.surgeon.core.train;
}
