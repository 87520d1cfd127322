package dev.surgeon.core.prune;

import dev.surgeon.core.nn.ParameterTensor;

/** Layer names of parameter tensors: {@code fc1} for {@code fc1.weight} and {@code fc1.bias}. */
final class TensorNames {
    private TensorNames() {
    }

    static String layer(ParameterTensor t) {
        int dot = t.name().lastIndexOf('.');
        return dot < 0 ? t.name() : t.name().substring(0, dot);
    }
}
