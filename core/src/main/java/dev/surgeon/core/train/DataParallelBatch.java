package dev.surgeon.core.train;

import dev.surgeon.core.data.Dataset;
import dev.surgeon.core.nn.Loss;
import dev.surgeon.core.nn.Network;
import dev.surgeon.core.nn.Workspace;
import dev.surgeon.core.optim.ElementwiseOptimizer;
import dev.surgeon.kernels.Kernels;
import dev.surgeon.kernels.WorkerTeam;

/**
 * Data-parallel loss and gradient of one mini-batch: the batch is cut into contiguous shards, every shard runs its
 * forward and backward pass on its own thread, in its own {@link Workspace} computing with single-threaded kernels,
 * into its own gradient buffer, and the shard results are combined with the weights of the loss's reduction.
 *
 * <p>Why: the layers of small networks give matrix products of a few hundred rows and columns (LeNet-300-100 at
 * batch 128: 128 × 784 · 784 × 300), too small for the kernels to split well across threads — waking a worker and
 * packing per task cost as much as the work. Splitting the batch instead gives each thread a whole forward and
 * backward pass (about 1 ms), and the parameters (read only during the passes) are shared.
 *
 * <p>Combination: with {@code s(b) = loss.scale(b)} (1/b for a mean, 1 for a sum reduction), shard i of b_i samples
 * computes L_i and g_i with its own scale; the batch's are {@code L = Σ_i w_i·L_i} and {@code g = Σ_i w_i·g_i} with
 * {@code w_i = s(B)/s(b_i)} — the same sum over samples, grouped differently. The result is therefore equal to the
 * single-workspace gradient up to float summation order; it is deterministic for a given shard count (shard
 * boundaries and the combination order do not depend on thread timing), not bit-identical across shard counts.
 * Dropout: shard i draws its masks from the seed mixed with i.
 *
 * <p>Two phases per step: the shards' passes (each shard loads its own samples), then the combination of the gradients
 * and, for an elementwise optimizer, its update, split by parameter range over the same threads — on a
 * LeNet-300-100 step the update (0.27 ms) and the combination (0.10 ms) are a quarter of the work, too much to leave
 * on one thread.
 *
 * <p>Threads: each phase runs on a {@link WorkerTeam} of one thread per shard, the caller included; a step allocates
 * nothing after warm-up.
 */
final class DataParallelBatch {
    private final Network network;
    private final Loss loss;
    private final Workspace[] shards;
    private final float[][] gradients;
    private final double[] values;
    private final int[] sizes;
    private final int[] starts;
    /** w_i = s(B)/s(b_i): shard i's share of the batch's reduction (see the class documentation). */
    private final double[] shardWeights;
    private final WorkerTeam team;
    private final java.util.function.IntConsumer work = this::work;
    private int phase;
    private int correct;
    // The operands of the phase being run, published to the helpers by the team's hand-off (a volatile generation).
    private Dataset data;
    private int[] order;
    private int activeShards;
    private float[] grad;
    private ElementwiseOptimizer<?> optimizer;
    private float[] params;

    private static final int PASSES = 0;
    private static final int UPDATE = 1;

    /**
     * @param shardCount number of shards (≥ 2), at most the batch size
     * @param capacity   the largest batch that will be split
     */
    DataParallelBatch(Network network, Loss loss, int shardCount, int capacity, long seed) {
        if (shardCount < 2 || shardCount > capacity) {
            throw new IllegalArgumentException("data-parallel shards must be in [2, batch size " + capacity + "], got "
                    + shardCount);
        }
        this.network = network;
        this.loss = loss;
        Kernels single = network.kernels().withThreads(1);
        int perShard = (capacity + shardCount - 1) / shardCount;
        this.shards = new Workspace[shardCount];
        this.gradients = new float[shardCount][];
        this.values = new double[shardCount];
        this.sizes = new int[shardCount];
        this.starts = new int[shardCount];
        this.shardWeights = new double[shardCount];
        this.team = new WorkerTeam(shardCount, "surgeon-train");
        for (int i = 0; i < shardCount; i++) {
            shards[i] = network.workspace(perShard, single);
            shards[i].seedDropout(seed ^ (0xD1B54A32D192ED03L * (i + 1)));
            gradients[i] = new float[network.parameterCount()];
        }
    }

    int shardCount() {
        return shards.length;
    }

    /**
     * Loads samples {@code order[from, from + count)} into the shards, runs the training-mode forward and backward
     * passes in parallel and writes the batch gradient into {@code grad}.
     *
     * @return the batch loss L
     */
    double lossAndGradient(Dataset data, int[] order, int from, int count, float[] grad) {
        passes(data, order, from, count);
        combineAndUpdate(grad, null, null);
        return batchLoss();
    }

    /**
     * {@link #lossAndGradient}, then the optimizer's step, with the gradient combination and the update split by
     * parameter range over the same threads (an elementwise rule needs nothing outside its range). The attached mask
     * is honoured by the optimizer's {@link ElementwiseOptimizer#finishStep}.
     *
     * @return the batch loss L before the step
     */
    double step(Dataset data, int[] order, int from, int count, float[] grad, ElementwiseOptimizer<?> optimizer,
                float[] params) {
        passes(data, order, from, count);
        optimizer.beginStep(params, grad);
        combineAndUpdate(grad, optimizer, params);
        optimizer.finishStep(params);
        return batchLoss();
    }

    /** Samples classified correctly in the last batch (from the outputs of its training-mode forward pass). */
    int correct() {
        return correct;
    }

    /**
     * Phase 1: the shard sizes and weights, then every non-empty shard (a short last batch leaves the last ones empty)
     * loads its samples and runs its passes.
     */
    private void passes(Dataset data, int[] order, int from, int count) {
        int active = Math.min(shards.length, count);
        this.activeShards = active;
        int base = count / active;
        int extra = count % active;
        int start = from;
        double total = loss.scale(count);
        for (int i = 0; i < active; i++) {
            sizes[i] = base + (i < extra ? 1 : 0);
            starts[i] = start;
            start += sizes[i];
            shardWeights[i] = total / loss.scale(sizes[i]);
        }
        this.data = data;
        this.order = order;
        this.phase = PASSES;
        team.run(active, work);
        this.data = null;
        this.order = null;
    }

    private double batchLoss() {
        double value = 0;
        correct = 0;
        int k = network.outputSize();
        for (int i = 0; i < activeShards; i++) {
            value += shardWeights[i] * values[i];
            correct += loss.countCorrect(shards[i].outputs(), shards[i].targets(), sizes[i], k);
        }
        return value;
    }

    /** Phase 2: {@code grad = Σ_i w_i·g_i} and the optimizer's update, range by range, one range per thread. */
    private void combineAndUpdate(float[] grad, ElementwiseOptimizer<?> optimizer, float[] params) {
        this.grad = grad;
        this.optimizer = optimizer;
        this.params = params;
        this.phase = UPDATE;
        team.run(work);
        this.grad = null;
        this.optimizer = null;
        this.params = null;
    }

    private void work(int i) {
        if (phase == PASSES) {
            shards[i].load(data, order, starts[i], sizes[i]);
            values[i] = network.lossAndGradient(shards[i], loss, gradients[i], true);
            return;
        }
        // Ranges of whole 64-byte lines, so that two threads never write the same cache line.
        int d = grad.length;
        int per = ((d + shards.length - 1) / shards.length + 15) & ~15;
        int a = Math.min(d, i * per);
        int b = Math.min(d, a + per);
        combine(a, b);
        if (optimizer != null && a < b) {
            optimizer.stepRange(params, grad, a, b);
        }
    }

    /** {@code grad[a, b) = Σ_i w_i·g_i[a, b)}, shard by shard in index order (deterministic). */
    private void combine(int a, int b) {
        float w0 = (float) shardWeights[0];
        float[] g0 = gradients[0];
        if (activeShards == 2) {
            // The common two-thread case in one pass over the three arrays instead of two.
            float w1 = (float) shardWeights[1];
            float[] g1 = gradients[1];
            for (int q = a; q < b; q++) {
                grad[q] = w0 * g0[q] + w1 * g1[q];
            }
            return;
        }
        for (int q = a; q < b; q++) {
            grad[q] = w0 * g0[q];
        }
        for (int i = 1; i < activeShards; i++) {
            float w = (float) shardWeights[i];
            float[] g = gradients[i];
            for (int q = a; q < b; q++) {
                grad[q] += w * g[q];
            }
        }
    }
}
