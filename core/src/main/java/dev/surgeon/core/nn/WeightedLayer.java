package dev.surgeon.core.nn;

import java.util.Arrays;
import java.util.List;

/** A layer that owns a weight tensor and optionally a bias tensor in the flat parameter vector. */
abstract class WeightedLayer extends Layer {
    final ParameterTensor weight;
    /** Null when the layer has no bias. */
    final ParameterTensor bias;
    /** Offset of the weight in the flat vector. */
    final int wOff;
    private final List<ParameterTensor> parameters;

    WeightedLayer(int index, LayerSpec spec, Shape inShape, Shape outShape, ParameterTensor weight, ParameterTensor bias) {
        super(index, spec, inShape, outShape);
        this.weight = weight;
        this.bias = bias;
        this.wOff = weight.offset();
        this.parameters = bias == null ? List.of(weight) : List.of(weight, bias);
    }

    @Override
    public final List<ParameterTensor> parameters() {
        return parameters;
    }

    @Override
    public String toString() {
        return super.toString() + " " + Arrays.toString(weight.shape());
    }
}
