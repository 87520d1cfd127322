package dev.surgeon.core.train;

import dev.surgeon.core.data.Dataset;
import dev.surgeon.core.nn.Loss;
import dev.surgeon.core.nn.Network;
import dev.surgeon.core.nn.Workspace;

/**
 * Loss and accuracy of a network on a dataset in evaluation mode (dropout off).
 *
 * @param loss     mean per-sample loss (1/N)·Σ_n ℓ_n
 * @param accuracy correct / samples, by {@link Loss#countCorrect}
 * @param correct  number of correctly predicted samples
 * @param samples  N
 */
public record Evaluation(double loss, double accuracy, int correct, int samples) {

    /** Evaluates in batches of the workspace's capacity, in dataset order. */
    public static Evaluation of(Network network, Loss loss, Dataset data, Workspace ws) {
        int n = data.size();
        if (n == 0) {
            throw new IllegalArgumentException(data.name() + " is empty; nothing to evaluate");
        }
        int k = network.outputSize();
        double sum = 0;
        int correct = 0;
        int[] order = new int[Math.min(ws.capacity(), n)];
        for (int from = 0; from < n; from += ws.capacity()) {
            int count = Math.min(ws.capacity(), n - from);
            for (int i = 0; i < count; i++) {
                order[i] = from + i;
            }
            ws.load(data, order, 0, count);
            network.forward(ws, false);
            sum += network.loss(ws, loss) / loss.scale(count);
            correct += loss.countCorrect(ws.outputs(), ws.targets(), count, k);
        }
        return new Evaluation(sum / n, (double) correct / n, correct, n);
    }

    /** Evaluates with a temporary workspace of the given batch size. */
    public static Evaluation of(Network network, Loss loss, Dataset data, int batchSize) {
        return of(network, loss, data, network.workspace(Math.min(batchSize, Math.max(1, data.size()))));
    }
}
