package dev.surgeon.core.prune;

import dev.surgeon.core.data.Dataset;
import dev.surgeon.core.nn.ArchitectureSpec;
import dev.surgeon.core.nn.Loss;
import dev.surgeon.core.nn.Network;
import dev.surgeon.core.optim.Sgd;
import dev.surgeon.core.train.Trainer;
import dev.surgeon.kernels.Kernels;
import java.util.SplittableRandom;

/** Tiny networks and datasets for the pruning tests (scalar kernels: results do not depend on the provider). */
final class Fixtures {
    private Fixtures() {
    }

    /** A classification dataset whose label is the argmax of a fixed random linear map of Gaussian inputs. */
    static Dataset classification(int samples, int inputs, int classes, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        double[] map = new double[inputs * classes];
        for (int i = 0; i < map.length; i++) {
            map[i] = r.nextGaussian();
        }
        float[] x = new float[samples * inputs];
        int[] y = new int[samples];
        for (int n = 0; n < samples; n++) {
            int best = 0;
            double bestV = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < inputs; j++) {
                x[n * inputs + j] = (float) r.nextGaussian();
            }
            for (int c = 0; c < classes; c++) {
                double v = 0;
                for (int j = 0; j < inputs; j++) {
                    v += map[j * classes + c] * x[n * inputs + j];
                }
                if (v > bestV) {
                    bestV = v;
                    best = c;
                }
            }
            y[n] = best;
        }
        return Dataset.classification("random linear classes", new int[] {inputs}, x, y, classes);
    }

    /** A network created with scalar kernels. */
    static Network network(String spec, long seed) {
        return Network.create(ArchitectureSpec.parse(spec), seed, Kernels.scalar());
    }

    /** A few epochs of SGD with momentum, so that curvature is taken near a reasonable point. */
    static void train(Network net, Loss loss, Dataset data, int epochs, double lr) {
        Trainer.builder(net, loss, Sgd.momentum(lr, 0.9)).batchSize(16).epochs(epochs).seed(1).build().fit(data);
    }

    /** A small MLP trained on a random dataset, with its context. */
    static PruningContext trainedContext(String spec, int samples, long seed, boolean biases) {
        Network net = network(spec, seed);
        int inputs = net.inputShape().size();
        Dataset data = classification(samples, inputs, net.outputSize(), seed + 7);
        Loss loss = Loss.softmaxCrossEntropy();
        train(net, loss, data, 5, 0.05);
        return PruningContext.builder(net, loss, data).seed(seed).pruneBiases(biases).build();
    }
}
