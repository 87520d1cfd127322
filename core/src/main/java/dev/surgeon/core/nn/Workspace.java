package dev.surgeon.core.nn;

import dev.surgeon.core.data.Dataset;
import dev.surgeon.kernels.Kernels;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Every buffer one {@link Network} needs for batches of up to {@link #capacity()} samples: the input and
 * target rows, the activations of all layers, the back-propagated signals, layer scratch (patch matrices,
 * argmax indices, dropout masks) and, on first use of a second-order pass, the R-operator buffers. Nothing
 * is allocated per step once every pass in use has run once. Not thread-safe: use one workspace per thread
 * (they can share the network's parameters).
 *
 * <p>Usage: {@link #load} a batch (or write {@link #inputs()} and {@link #targets()} and call
 * {@link #setBatch}), then call the network's passes, which all read the batch from here.
 */
public final class Workspace {
    private final Network network;
    private final int capacity;
    private final int outputSize;
    final LayerState[] states;
    private final float[][] activations;
    private final float[][] gradients;
    private float[][] rActivations;
    private float[][] rGradients;
    private final float[] targets;
    private float[] factorBuffer;
    private float[] sampledTargets;
    private final List<LayerStatistics> statistics;
    private int batch;
    private boolean forwardDone;
    private boolean stochasticForward;

    Workspace(Network network, int capacity, Kernels kernels) {
        if (capacity < 1) {
            throw new IllegalArgumentException("workspace capacity must be >= 1, got " + capacity);
        }
        this.network = network;
        this.capacity = capacity;
        List<Layer> layers = network.layers();
        int count = layers.size();
        int first = network.firstParametricLayer();
        this.outputSize = network.outputSize();
        this.activations = new float[count + 1][];
        activations[0] = new float[Math.multiplyExact(capacity, network.inputShape().size())];
        for (int l = 0; l < count; l++) {
            Layer layer = layers.get(l);
            activations[l + 1] = layer.aliasesInput() ? activations[l]
                    : new float[Math.multiplyExact(capacity, layer.outputShape().size())];
        }
        this.gradients = signalBuffers(layers, first);
        this.states = new LayerState[count];
        List<LayerStatistics> stats = new ArrayList<>();
        for (int l = 0; l < count; l++) {
            Layer layer = layers.get(l);
            LayerState s = layer.newState(kernels, capacity);
            s.in = activations[l];
            s.out = activations[l + 1];
            s.dIn = gradients[l];
            s.dOut = gradients[l + 1];
            states[l] = s;
            if (layer.hasParameters()) {
                stats.add(new LayerStatistics(layer));
            }
        }
        this.statistics = Collections.unmodifiableList(stats);
        this.targets = new float[Math.multiplyExact(capacity, outputSize)];
        seedDropout(0);
    }

    /**
     * Buffers for a backward-type signal: entry l is the signal at the input of layer l (entry count: at the
     * output). Only entries above the first layer with parameters exist; flatten layers share their input's.
     */
    private float[][] signalBuffers(List<Layer> layers, int first) {
        int count = layers.size();
        float[][] b = new float[count + 1][];
        for (int l = first + 1; l <= count; l++) {
            Layer producer = layers.get(l - 1);
            b[l] = producer.aliasesInput() && b[l - 1] != null ? b[l - 1]
                    : new float[Math.multiplyExact(capacity, producer.outputShape().size())];
        }
        if (b[count] == null) {
            b[count] = new float[Math.multiplyExact(capacity, outputSize)];
        }
        return b;
    }

    /** Allocates the R-operator buffers on first use of a second-order pass. */
    void ensureSecondOrder() {
        if (rActivations != null) {
            return;
        }
        List<Layer> layers = network.layers();
        int first = network.firstParametricLayer();
        rActivations = signalBuffers(layers, first);
        rGradients = signalBuffers(layers, first);
        for (int l = 0; l < states.length; l++) {
            states[l].rIn = rActivations[l];
            states[l].rOut = rActivations[l + 1];
            states[l].rdIn = rGradients[l];
            states[l].rdOut = rGradients[l + 1];
        }
    }

    /** Seeds the dropout masks of every dropout layer (layer i uses a stream derived from seed and i). */
    public void seedDropout(long seed) {
        List<Layer> layers = network.layers();
        for (int l = 0; l < layers.size(); l++) {
            if (layers.get(l) instanceof Dropout d) {
                d.seed(states[l], seed * 0x9E3779B97F4A7C15L + l);
            }
        }
    }

    public Network network() {
        return network;
    }

    /** Largest batch this workspace holds. */
    public int capacity() {
        return capacity;
    }

    /** Number of samples in the current batch (0 before the first load). */
    public int batch() {
        return batch;
    }

    /** The input rows (capacity × input size); the first {@link #batch()} rows are the current batch. */
    public float[] inputs() {
        return activations[0];
    }

    /** The network outputs of the last forward pass (capacity × K rows). */
    public float[] outputs() {
        return activations[activations.length - 1];
    }

    /** The target rows (capacity × K) the losses read. */
    public float[] targets() {
        return targets;
    }

    /** K, the width of output and target rows. */
    public int outputSize() {
        return outputSize;
    }

    /**
     * Declares that the first {@code count} rows of {@link #inputs()} and {@link #targets()} are the current
     * batch (after writing them directly). Invalidates the previous forward pass.
     */
    public void setBatch(int count) {
        if (count < 1 || count > capacity) {
            throw new IllegalArgumentException("batch of " + count + " samples does not fit a workspace of capacity " + capacity);
        }
        batch = count;
        forwardDone = false;
    }

    /**
     * Loads samples {@code indices[from, from + count)} of the dataset: inputs, and targets encoded for the
     * network's K outputs. Class labels become one-hot rows when K equals the number of classes, or the
     * value 0/1 when K = 1 and there are 2 classes; regression targets must have K values.
     *
     * @throws IllegalArgumentException if the dataset's sample or target sizes do not fit the network
     */
    public void load(Dataset data, int[] indices, int from, int count) {
        checkCompatible(data);
        setBatch(count);
        data.gatherInputs(indices, from, count, activations[0], 0);
        if (data.isClassification()) {
            int[] labels = data.labels();
            java.util.Arrays.fill(targets, 0, count * outputSize, 0f);
            for (int b = 0; b < count; b++) {
                int y = labels[indices[from + b]];
                if (outputSize == 1) {
                    targets[b] = y;
                } else {
                    targets[b * outputSize + y] = 1f;
                }
            }
        } else {
            float[] t = data.targets();
            for (int b = 0; b < count; b++) {
                System.arraycopy(t, indices[from + b] * outputSize, targets, b * outputSize, outputSize);
            }
        }
    }

    /** Loads the contiguous samples {@code [from, from + count)}. */
    public void load(Dataset data, int from, int count) {
        checkCompatible(data);
        if (from < 0 || count < 0 || from + count > data.size()) {
            throw new IllegalArgumentException("samples [" + from + ", " + (from + count) + ") are outside " + data);
        }
        int[] indices = new int[count];
        for (int i = 0; i < count; i++) {
            indices[i] = from + i;
        }
        load(data, indices, 0, count);
    }

    /** Throws naming the mismatch if the dataset cannot feed this network. */
    public void checkCompatible(Dataset data) {
        int in = network.inputShape().size();
        if (data.inputSize() != in) {
            throw new IllegalArgumentException(data.name() + " has samples of " + data.inputSize() + " values "
                    + java.util.Arrays.toString(data.inputShape()) + " but the network '" + network.spec()
                    + "' takes " + in + " " + network.inputShape());
        }
        if (data.isClassification()) {
            int c = data.numClasses();
            if (outputSize != c && !(outputSize == 1 && c == 2)) {
                throw new IllegalArgumentException(data.name() + " has " + c + " classes but the network has "
                        + outputSize + " outputs; use " + c + " outputs (one-hot targets)"
                        + (c == 2 ? " or 1 output (0/1 target)" : ""));
            }
        } else if (data.targetSize() != outputSize) {
            throw new IllegalArgumentException(data.name() + " has targets of " + data.targetSize()
                    + " values but the network has " + outputSize + " outputs");
        }
    }

    // ------------------------------------------------------------------------------------------------
    // Package-private plumbing for Network.

    float[] outputGradient() {
        return gradients[gradients.length - 1];
    }

    float[] rOutput() {
        return rActivations[rActivations.length - 1];
    }

    float[] rOutputGradient() {
        return rGradients[rGradients.length - 1];
    }

    /** B·C·K floats for the columns of the loss Hessian factor. */
    float[] factorBuffer(int columns) {
        factorBuffer = LayerState.ensure(factorBuffer, columns * capacity * outputSize);
        return factorBuffer;
    }

    float[] sampledTargets() {
        sampledTargets = LayerState.ensure(sampledTargets, capacity * outputSize);
        return sampledTargets;
    }

    List<LayerStatistics> statistics() {
        return statistics;
    }

    void markForward(boolean stochastic) {
        forwardDone = true;
        stochasticForward = stochastic;
    }

    boolean forwardDone() {
        return forwardDone;
    }

    boolean stochasticForward() {
        return stochasticForward;
    }
}
