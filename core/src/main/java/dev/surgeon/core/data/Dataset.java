package dev.surgeon.core.data;

import java.util.Arrays;

/**
 * An in-memory dataset of n samples. Inputs are one flat row-major {@code float[]}: sample i occupies
 * {@code [i·inputSize, (i+1)·inputSize)} and has shape {@link #inputShape()} (e.g. {@code [1, 28, 28]}
 * for an image, {@code [17]} for a vector). Targets are either class labels (classification, with
 * {@link #numClasses()} classes) or real vectors of {@link #targetSize()} values (regression).
 *
 * <p>Construction validates everything (lengths, label range, finite inputs) and throws
 * {@link IllegalArgumentException} naming the offending sample, so that no NaN reaches training.
 * Instances are immutable: accessors that return arrays return the internal arrays, which callers must
 * not modify (they are large; copying on every access would be wasteful).
 */
public final class Dataset {
    private final String name;
    private final int size;
    private final int[] inputShape;
    private final int inputSize;
    private final float[] inputs;
    private final int[] labels;
    private final int numClasses;
    private final float[] targets;
    private final int targetSize;

    private Dataset(String name, int[] inputShape, float[] inputs, int[] labels, int numClasses,
                    float[] targets, int targetSize) {
        this.name = name;
        this.inputShape = inputShape.clone();
        int s = 1;
        for (int d : inputShape) {
            if (d <= 0) {
                throw new IllegalArgumentException(name + ": input shape " + Arrays.toString(inputShape)
                        + " has a non-positive dimension");
            }
            s = Math.multiplyExact(s, d);
        }
        this.inputSize = s;
        if (inputs.length % inputSize != 0) {
            throw new IllegalArgumentException(name + ": " + inputs.length + " input values are not a multiple of the sample size "
                    + inputSize + " (shape " + Arrays.toString(inputShape) + ")");
        }
        this.size = inputs.length / inputSize;
        for (int i = 0; i < inputs.length; i++) {
            if (!Float.isFinite(inputs[i])) {
                throw new IllegalArgumentException(name + ": input value " + (i % inputSize) + " of sample " + (i / inputSize)
                        + " is " + inputs[i] + "; clean or impute the data first");
            }
        }
        this.inputs = inputs;
        this.labels = labels;
        this.numClasses = numClasses;
        this.targets = targets;
        this.targetSize = targetSize;
    }

    /** A classification dataset: {@code labels[i]} in {@code [0, numClasses)} for sample i. */
    public static Dataset classification(String name, int[] inputShape, float[] inputs, int[] labels, int numClasses) {
        if (numClasses < 2) {
            throw new IllegalArgumentException(name + ": a classification dataset needs at least 2 classes, got " + numClasses);
        }
        Dataset d = new Dataset(name, inputShape, inputs, labels, numClasses, null, 0);
        if (labels.length != d.size) {
            throw new IllegalArgumentException(name + ": " + labels.length + " labels for " + d.size + " samples");
        }
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] < 0 || labels[i] >= numClasses) {
                throw new IllegalArgumentException(name + ": label of sample " + i + " is " + labels[i]
                        + ", outside [0, " + numClasses + ")");
            }
        }
        return d;
    }

    /** A regression dataset: sample i's target is {@code targets[i·targetSize, (i+1)·targetSize)}. */
    public static Dataset regression(String name, int[] inputShape, float[] inputs, int targetSize, float[] targets) {
        if (targetSize < 1) {
            throw new IllegalArgumentException(name + ": target size must be >= 1, got " + targetSize);
        }
        Dataset d = new Dataset(name, inputShape, inputs, null, 0, targets, targetSize);
        if (targets.length != (long) d.size * targetSize) {
            throw new IllegalArgumentException(name + ": " + targets.length + " target values for " + d.size
                    + " samples of " + targetSize);
        }
        for (int i = 0; i < targets.length; i++) {
            if (!Float.isFinite(targets[i])) {
                throw new IllegalArgumentException(name + ": target " + (i % targetSize) + " of sample " + (i / targetSize)
                        + " is " + targets[i]);
            }
        }
        return d;
    }

    public String name() {
        return name;
    }

    /** Number of samples. */
    public int size() {
        return size;
    }

    /** Shape of one input sample (a copy). */
    public int[] inputShape() {
        return inputShape.clone();
    }

    /** Number of floats per input sample (the product of {@link #inputShape()}). */
    public int inputSize() {
        return inputSize;
    }

    /** All inputs, row-major, sample after sample. Do not modify. */
    public float[] inputs() {
        return inputs;
    }

    public boolean isClassification() {
        return labels != null;
    }

    /** Class labels (classification only). Do not modify. */
    public int[] labels() {
        if (labels == null) {
            throw new IllegalStateException(name + " is a regression dataset; it has targets, not labels");
        }
        return labels;
    }

    /** Number of classes (0 for regression). */
    public int numClasses() {
        return numClasses;
    }

    /** Regression targets, row-major (regression only). Do not modify. */
    public float[] targets() {
        if (targets == null) {
            throw new IllegalStateException(name + " is a classification dataset; it has labels, not targets");
        }
        return targets;
    }

    /** Values per regression target (0 for classification). */
    public int targetSize() {
        return targetSize;
    }

    /** Copies the inputs of samples {@code indices[from..from+count)} into {@code dst} row after row. */
    public void gatherInputs(int[] indices, int from, int count, float[] dst, int dstOff) {
        for (int b = 0; b < count; b++) {
            System.arraycopy(inputs, indices[from + b] * inputSize, dst, dstOff + b * inputSize, inputSize);
        }
    }

    /** The samples at the given indices, in that order, as a new dataset. */
    public Dataset subset(int[] indices, String subsetName) {
        float[] in = new float[Math.multiplyExact(indices.length, inputSize)];
        for (int b = 0; b < indices.length; b++) {
            if (indices[b] < 0 || indices[b] >= size) {
                throw new IllegalArgumentException(name + ": subset index " + indices[b] + " outside [0, " + size + ")");
            }
        }
        gatherInputs(indices, 0, indices.length, in, 0);
        if (labels != null) {
            int[] l = new int[indices.length];
            for (int b = 0; b < indices.length; b++) {
                l[b] = labels[indices[b]];
            }
            return classification(subsetName, inputShape, in, l, numClasses);
        }
        float[] t = new float[indices.length * targetSize];
        for (int b = 0; b < indices.length; b++) {
            System.arraycopy(targets, indices[b] * targetSize, t, b * targetSize, targetSize);
        }
        return regression(subsetName, inputShape, in, targetSize, t);
    }

    /** The first n samples (all of them if n ≥ size). */
    public Dataset head(int n) {
        int k = Math.min(n, size);
        int[] idx = new int[k];
        for (int i = 0; i < k; i++) {
            idx[i] = i;
        }
        return subset(idx, name + "[:" + k + "]");
    }

    /** Labels as one-hot rows (n × numClasses), for losses that take real targets. */
    public float[] oneHotTargets() {
        int[] l = labels();
        float[] t = new float[l.length * numClasses];
        for (int i = 0; i < l.length; i++) {
            t[i * numClasses + l[i]] = 1f;
        }
        return t;
    }

    @Override
    public String toString() {
        return name + " (" + size + " samples, input " + Arrays.toString(inputShape)
                + (labels != null ? ", " + numClasses + " classes)" : ", target " + targetSize + ")");
    }
}
