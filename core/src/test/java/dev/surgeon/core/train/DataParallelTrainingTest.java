package dev.surgeon.core.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.surgeon.core.data.Dataset;
import dev.surgeon.core.nn.ArchitectureSpec;
import dev.surgeon.core.nn.Loss;
import dev.surgeon.core.nn.Network;
import dev.surgeon.core.nn.Reduction;
import dev.surgeon.core.nn.SoftmaxCrossEntropy;
import dev.surgeon.core.optim.Kfac;
import dev.surgeon.core.optim.Sgd;
import dev.surgeon.kernels.Kernels;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link DataParallelBatch} through {@link Trainer}: the sharded step against the whole-batch step. */
class DataParallelTrainingTest {
    private static final ArchitectureSpec CONV = ArchitectureSpec.parse("in(1,6,6) conv(3,3) relu maxpool(2) flatten dense(2)");

    /**
     * One plain-SGD step with η = 1 moves the weights by exactly −∇L, so the weights after one step compare the
     * gradients. Batch 10 in 3 shards of 4, 3, 3 samples: with a mean loss the shard gradients must be weighted
     * 4/10, 3/10, 3/10 — an unweighted average of the shard means would move the weights by a visibly different
     * amount. Tolerance: the two sums differ only in float summation order over ≤ 10 samples of O(1) terms,
     * ~10 ulp of the largest weight; 1e-5 absolute leaves room and is 10⁴ times below a weighting error here.
     */
    @Test
    void shardedStepEqualsTheWholeBatchStepForMeanAndSumLosses() {
        for (Reduction reduction : List.of(Reduction.MEAN, Reduction.SUM)) {
            Loss loss = new SoftmaxCrossEntropy(reduction);
            Dataset data = TrainerTest.images(10, 4);
            float[] whole = oneStep(loss, data, 1);
            float[] sharded = oneStep(loss, data, 3);
            float[] start = Network.create(CONV, 9, Kernels.scalar()).parameters();
            double moved = 0;
            for (int q = 0; q < whole.length; q++) {
                assertEquals(whole[q], sharded[q], 1e-5, reduction + ": parameter " + q);
                moved = Math.max(moved, Math.abs(whole[q] - start[q]));
            }
            assertTrue(moved > 1e-2, "the step must move the weights for the comparison to mean anything: " + moved);
        }
    }

    private static float[] oneStep(Loss loss, Dataset data, int shards) {
        Network net = Network.create(CONV, 9, Kernels.scalar());
        Trainer t = Trainer.builder(net, loss, Sgd.plain(1.0)).batchSize(data.size()).dataParallel(shards).build();
        assertEquals(shards, t.dataParallelShards());
        int[] order = identity(data.size());
        t.step(data, order, 0, data.size());
        return net.parameters().clone();
    }

    /**
     * With η = 0 the weights stay put, so an epoch's training loss and accuracy are those of the fixed network: the
     * sharded epoch (shards of 4, 4, 3 and a last batch of 1 sample, smaller than the shard count) must report the same
     * loss (up to float summation order: 1e-6 relative) and exactly the same number of correct samples.
     */
    @Test
    void shardedEpochReportsTheSameLossAndAccuracyIncludingAShortLastBatch() {
        Dataset data = TrainerTest.images(23, 6);
        EpochMetrics whole = frozenEpoch(data, 1);
        EpochMetrics sharded = frozenEpoch(data, 3);
        assertEquals(whole.trainLoss(), sharded.trainLoss(), 1e-6 * Math.abs(whole.trainLoss()));
        assertEquals(whole.trainAccuracy(), sharded.trainAccuracy(), 0.0);
    }

    private static EpochMetrics frozenEpoch(Dataset data, int shards) {
        Network net = Network.create(CONV, 2, Kernels.scalar());
        Trainer t = Trainer.builder(net, Loss.softmaxCrossEntropy(), Sgd.plain(0)).batchSize(11).dataParallel(shards)
                .shuffle(false).build();
        return t.fit(data).epochs().get(0);
    }

    /**
     * The same seed and shard count give bit-identical weights even though the shards run on different threads in
     * a timing-dependent order (dropout included: each shard draws its own seeded masks); another shard count
     * gives other weights (other dropout masks), which is the documented price.
     */
    @Test
    void sameSeedAndShardCountGiveBitIdenticalWeightsWithDropout() {
        ArchitectureSpec spec = ArchitectureSpec.parse("in(1,6,6) conv(3,3) relu maxpool(2) flatten dropout(0.3) dense(2)");
        Dataset data = TrainerTest.images(200, 8);
        float[] a = train(spec, data, 2);
        float[] b = train(spec, data, 2);
        assertArrayEquals(a, b);
        assertNotEquals(java.util.Arrays.toString(a), java.util.Arrays.toString(train(spec, data, 4)));
    }

    private static float[] train(ArchitectureSpec spec, Dataset data, int shards) {
        Network net = Network.create(spec, 5, Kernels.get());
        Trainer t = Trainer.builder(net, Loss.softmaxCrossEntropy(), Sgd.momentum(0.1, 0.9)).batchSize(32).epochs(2)
                .seed(3).dataParallel(shards).build();
        t.fit(data);
        return net.parameters().clone();
    }

    /**
     * Masked training through the split update (where the gradient is not masked before the optimizer: the optimizer's
     * own mask handling must cover it): pruned weights stay exactly 0 and their momentum stays 0, and the other
     * weights follow the whole-batch run to float summation order (1e-5 after three momentum steps of η = 0.5).
     */
    @Test
    void maskedShardedTrainingKeepsPrunedWeightsAtZeroAndFollowsTheWholeBatchRun() {
        Dataset data = TrainerTest.images(12, 7);
        float[][] result = new float[2][];
        int[] shardCounts = {1, 3};
        dev.surgeon.core.nn.Mask mask = null;
        for (int r = 0; r < 2; r++) {
            Network net = Network.create(CONV, 4, Kernels.scalar());
            float[] w = net.parameters();
            for (int q = 0; q < w.length; q += 3) {
                w[q] = 0f;
            }
            mask = dev.surgeon.core.nn.Mask.ofZeros(net.layout(), w);
            Trainer t = Trainer.builder(net, Loss.softmaxCrossEntropy(), Sgd.momentum(0.5, 0.9)).batchSize(12)
                    .dataParallel(shardCounts[r]).mask(mask).build();
            int[] order = identity(12);
            for (int step = 0; step < 3; step++) {
                t.step(data, order, 0, 12);
            }
            result[r] = net.parameters().clone();
        }
        for (int q : mask.prunedIndices()) {
            assertEquals(0f, result[1][q], "pruned weight " + q);
        }
        for (int q = 0; q < result[0].length; q++) {
            assertEquals(result[0][q], result[1][q], 1e-5, "weight " + q);
        }
    }

    @Test
    void automaticShardsFollowTheKernelThreadsAndStayOffWhereTheStepCannotBeSplit() {
        Network multi = Network.create(CONV, 1, Kernels.scalar());
        assertEquals(1, Trainer.builder(multi, Loss.softmaxCrossEntropy(), Sgd.plain(0.1)).batchSize(128).build()
                .dataParallelShards(), "scalar kernels have one thread");
        Kernels k = Kernels.get().withThreads(4);
        Network net = Network.create(CONV, 1, k);
        int expected = Math.min(k.threads(), 128 / Trainer.MIN_SHARD);
        assertEquals(expected > 1 ? expected : 1, Trainer.builder(net, Loss.softmaxCrossEntropy(), Sgd.plain(0.1))
                .batchSize(128).build().dataParallelShards());
        assertEquals(1, Trainer.builder(net, Loss.softmaxCrossEntropy(), Sgd.plain(0.1)).batchSize(16).build()
                .dataParallelShards(), "batches of 16 are not split below 16 samples per shard");
        assertEquals(1, Trainer.builder(net, Loss.softmaxCrossEntropy(), Kfac.klClip(net).build()).batchSize(128).build()
                .dataParallelShards(), "K-FAC measures curvature on the whole batch");
    }

    @Test
    void explicitShardsThatCannotWorkAreRefusedWithTheReason() {
        Network net = Network.create(CONV, 1, Kernels.scalar());
        IllegalArgumentException custom = assertThrows(IllegalArgumentException.class, () -> Trainer.builder(net,
                Loss.softmaxCrossEntropy(), Sgd.plain(0.1)).batchSize(8).step(ws -> 0).dataParallel(2).build());
        assertTrue(custom.getMessage().contains("custom training step"), custom.getMessage());
        IllegalArgumentException tooMany = assertThrows(IllegalArgumentException.class, () -> Trainer.builder(net,
                Loss.softmaxCrossEntropy(), Sgd.plain(0.1)).batchSize(8).dataParallel(9).build());
        assertTrue(tooMany.getMessage().contains("at most 8"), tooMany.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Trainer.builder(net, Loss.softmaxCrossEntropy(), Sgd.plain(0.1))
                .dataParallel(0));
    }

    private static int[] identity(int n) {
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        return order;
    }
}
