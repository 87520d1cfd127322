package dev.surgeon.cli;

/**
 * One row of the {@code surgeon demo} table: a network on a problem, dense or pruned by one method.
 *
 * @param problem       e.g. {@code MONK-1}, {@code Fashion-MNIST}
 * @param network       the architecture preset, e.g. {@code monk-3h}
 * @param method        {@code dense} (the trained network) or the pruning method
 * @param target        what the method aimed at: {@code auto} (the OBS stopping rule) or a sparsity such as {@code 0.9}
 * @param weights       prunable parameters of the network
 * @param weightsLeft   prunable parameters that are not zero afterwards
 * @param trainAccuracy fraction of the training set classified correctly
 * @param testAccuracy  fraction of the test set classified correctly
 * @param seconds       wall-clock seconds of the row's work (training for dense rows, pruning otherwise)
 */
record DemoRow(String problem, String network, String method, String target, int weights, int weightsLeft,
               double trainAccuracy, double testAccuracy, double seconds) {
}
