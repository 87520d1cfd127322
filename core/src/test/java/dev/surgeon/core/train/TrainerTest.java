package dev.surgeon.core.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.surgeon.core.data.Dataset;
import dev.surgeon.core.nn.ArchitectureSpec;
import dev.surgeon.core.nn.Loss;
import dev.surgeon.core.nn.Mask;
import dev.surgeon.core.nn.Network;
import dev.surgeon.core.nn.Reduction;
import dev.surgeon.core.optim.Adam;
import dev.surgeon.core.optim.Lbfgs;
import dev.surgeon.core.optim.LearningRateSchedule;
import dev.surgeon.core.optim.Sgd;
import dev.surgeon.kernels.Kernels;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class TrainerTest {

    static Dataset xor() {
        return Dataset.classification("xor", new int[] {2}, new float[] {0, 0, 0, 1, 1, 0, 1, 1}, new int[] {0, 1, 1, 0}, 2);
    }

    /** n points in [−1, 1]^dim labelled by a random hyperplane, points within 0.05 of it left out. */
    static Dataset separable(int n, int dim, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        double[] normal = new double[dim];
        for (int j = 0; j < dim; j++) {
            normal[j] = r.nextDouble(-1, 1);
        }
        float[] x = new float[n * dim];
        int[] y = new int[n];
        for (int i = 0; i < n; ) {
            double s = 0.1;
            for (int j = 0; j < dim; j++) {
                x[i * dim + j] = (float) r.nextDouble(-1, 1);
                s += normal[j] * x[i * dim + j];
            }
            if (Math.abs(s) > 0.05) {
                y[i++] = s > 0 ? 1 : 0;
            }
        }
        return Dataset.classification("separable", new int[] {dim}, x, y, 2);
    }

    /** Images of 2 classes with noise, for a conv net with dropout. */
    static Dataset images(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] x = new float[n * 36];
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            y[i] = r.nextInt(2);
            for (int p = 0; p < 36; p++) {
                x[i * 36 + p] = (float) (r.nextGaussian() * 0.3 + ((p / 6 < 3) == (y[i] == 1) ? 1 : 0));
            }
        }
        return Dataset.classification("images", new int[] {1, 6, 6}, x, y, 2);
    }

    @Test
    void sameSeedGivesBitIdenticalWeights() {
        ArchitectureSpec spec = ArchitectureSpec.parse("in(1,6,6) conv(3,3) relu maxpool(2) flatten dropout(0.3) dense(2)");
        Dataset data = images(50, 1);
        float[][] results = new float[3][];
        for (int run = 0; run < 3; run++) {
            Network net = Network.create(spec, 7, Kernels.scalar());
            Trainer.builder(net, Loss.softmaxCrossEntropy(), new Adam(0.01)).batchSize(8).epochs(3)
                    .seed(run < 2 ? 42 : 43).build().fit(data);
            results[run] = net.parameters();
        }
        assertArrayEquals(results[0], results[1]);
        assertFalse(java.util.Arrays.equals(results[0], results[2]), "another seed gives another run");
    }

    @Test
    void xorTrainsToZeroError() {
        // The classic setup: 2-2-1 sigmoid net, squared error summed over the 4 patterns, full-batch gradient
        // descent with momentum (Rumelhart, Hinton & Williams 1986 used η = 0.5, α = 0.9).
        Network net = Network.create(ArchitectureSpec.preset("xor"), 3, Kernels.scalar());
        Loss mse = Loss.meanSquaredError(Reduction.SUM);
        TrainingResult r = Trainer.builder(net, mse, Sgd.momentum(0.5, 0.9)).batchSize(4).epochs(2000).seed(1)
                .build().fit(xor());
        Evaluation e = Evaluation.of(net, mse, xor(), 4);
        assertEquals(4, e.correct(), "all four patterns on the right side of 0.5");
        assertTrue(e.loss() < 0.01, "mean ½(f − t)² per pattern: " + e.loss());
        assertEquals(2000, r.epochs().size());
    }

    @Test
    void linearlySeparableDataReachesFullAccuracy() {
        Dataset data = separable(300, 5, 4);
        Network net = Network.create(ArchitectureSpec.parse("in(5) dense(2)"), 1, Kernels.scalar());
        List<Double> rates = new ArrayList<>();
        int[] batches = new int[1];
        TrainingResult r = Trainer.builder(net, Loss.softmaxCrossEntropy(), Sgd.nesterov(0.5, 0.9)).batchSize(32).epochs(60)
                .schedule(LearningRateSchedule.cosine(0.5, 60, 0.01))
                .listener(new TrainingListener() {
                    @Override
                    public void onBatch(int epoch, int batch, int samples, double loss) {
                        batches[0]++;
                    }

                    @Override
                    public void onEpoch(EpochMetrics m) {
                        rates.add(m.learningRate());
                    }
                }).build().fit(data);
        assertEquals(1.0, Evaluation.of(net, Loss.softmaxCrossEntropy(), data, 64).accuracy());
        assertEquals(60 * 10, batches[0], "10 batches of ≤ 32 per epoch");
        assertEquals(0.5, rates.get(0), 1e-12);
        assertEquals(LearningRateSchedule.cosine(0.5, 60, 0.01).rate(30), rates.get(30), 1e-12);
        assertTrue(r.last().trainLoss() < r.epochs().get(0).trainLoss());
    }

    @Test
    void earlyStoppingRestoresTheBestEpoch() {
        // Validation labels are the opposite of the training labels: the better the fit, the worse the
        // validation loss, so the first epoch is the best and training stops after `patience` more.
        Dataset train = separable(100, 3, 5);
        int[] flipped = train.labels().clone();
        for (int i = 0; i < flipped.length; i++) {
            flipped[i] = 1 - flipped[i];
        }
        Dataset validation = Dataset.classification("flipped", new int[] {3}, train.inputs(), flipped, 2);
        Network net = Network.create(ArchitectureSpec.parse("in(3) dense(2)"), 2, Kernels.scalar());
        float[][] afterFirst = new float[1][];
        TrainingResult r = Trainer.builder(net, Loss.softmaxCrossEntropy(), Sgd.plain(0.5)).batchSize(10).epochs(50)
                .validation(validation).earlyStopping(new EarlyStopping(3, 0, true))
                .listener(new TrainingListener() {
                    @Override
                    public void onEpoch(EpochMetrics m) {
                        if (m.epoch() == 0) {
                            afterFirst[0] = net.parameters().clone();
                        }
                    }
                }).build().fit(train);
        assertTrue(r.stoppedEarly());
        assertEquals(0, r.bestEpoch());
        assertEquals(4, r.epochs().size());
        assertArrayEquals(afterFirst[0], net.parameters());
    }

    @Test
    void maskedTrainingKeepsPrunedWeightsAtZero() {
        Network net = Network.create(ArchitectureSpec.parse("in(5) dense(4) relu dense(2)"), 3, Kernels.scalar());
        Mask mask = Mask.dense(net.layout());
        for (int q = net.layout().tensor("fc1.weight").offset(); q < net.layout().tensor("fc1.weight").end(); q += 2) {
            mask.prune(q);
        }
        Trainer.builder(net, Loss.softmaxCrossEntropy(), new Adam(0.05)).batchSize(16).epochs(5).mask(mask).build()
                .fit(separable(64, 5, 6));
        for (int q : mask.prunedIndices()) {
            assertEquals(0, Float.floatToRawIntBits(net.parameters()[q]));
        }
    }

    @Test
    void lbfgsFitsALinearRegressionExactly() {
        SplittableRandom r = new SplittableRandom(8);
        int n = 40;
        float[] x = new float[n * 3];
        float[] t = new float[n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < 3; j++) {
                x[i * 3 + j] = (float) r.nextDouble(-1, 1);
            }
            t[i] = 0.5f * x[i * 3] - 2f * x[i * 3 + 1] + x[i * 3 + 2] + 0.25f;
        }
        Dataset data = Dataset.regression("linear", new int[] {3}, x, 1, t);
        Network net = Network.create(ArchitectureSpec.parse("in(3) dense(1)"), 1, Kernels.scalar());
        TrainingResult result = Trainer.builder(net, Loss.meanSquaredError(Reduction.MEAN), Sgd.plain(0)).batchSize(16).build()
                .fitFullBatch(new Lbfgs(), data, 5, 0);
        // Exact targets: the minimum is 0 at the generating weights, reached to float32 precision.
        assertTrue(result.last().trainLoss() < 1e-9, result.toString());
        assertArrayEquals(new float[] {0.5f, -2f, 1f, 0.25f}, net.parameters(), 1e-4f);
    }
}
