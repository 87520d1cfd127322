package dev.surgeon.core.data;

/**
 * A training set and a test set, with a one-line description of where they came from (file paths, or the
 * generator and its seed) for reports and model-file provenance.
 */
public record Split(Dataset train, Dataset test, String description) {
    public Split {
        if (train == null || test == null) {
            throw new IllegalArgumentException("a split needs both a training and a test set");
        }
    }
}
