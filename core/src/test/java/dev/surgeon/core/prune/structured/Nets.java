package dev.surgeon.core.prune.structured;

import dev.surgeon.core.data.Dataset;
import dev.surgeon.core.nn.ArchitectureSpec;
import dev.surgeon.core.nn.Loss;
import dev.surgeon.core.nn.Network;
import dev.surgeon.core.optim.Sgd;
import dev.surgeon.core.prune.PruningContext;
import dev.surgeon.core.train.Trainer;
import dev.surgeon.kernels.Kernels;
import java.util.SplittableRandom;

/** Tiny networks and data for the structured tests (scalar kernels, so results do not depend on the provider). */
final class Nets {
    static final String MLP = "in(6) dense(5) relu dense(4) tanh dense(3)";
    static final String CONV_CONV = "in(2,8,8) conv(4,3,pad=1) relu maxpool(2) conv(5,3) relu avgpool(2) conv(3,1)";
    static final String CONV_DENSE = "in(1,10,10) conv(4,3) relu maxpool(2) flatten dense(6) relu dense(3)";
    static final String SIGMOID = "in(5) dense(4) sigmoid dense(3)";

    private Nets() {
    }

    static Network network(String spec, long seed) {
        return Network.create(ArchitectureSpec.parse(spec), seed, Kernels.scalar());
    }

    /** Gaussian inputs for the network's input shape, labels from a fixed random linear map of the inputs. */
    static Dataset data(Network net, int samples, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        int d = net.inputShape().size();
        int k = net.outputSize();
        double[] map = new double[d * k];
        for (int i = 0; i < map.length; i++) {
            map[i] = r.nextGaussian();
        }
        float[] x = new float[samples * d];
        int[] y = new int[samples];
        for (int n = 0; n < samples; n++) {
            for (int j = 0; j < d; j++) {
                x[n * d + j] = (float) r.nextGaussian();
            }
            double best = Double.NEGATIVE_INFINITY;
            for (int c = 0; c < k; c++) {
                double v = 0;
                for (int j = 0; j < d; j++) {
                    v += map[j * k + c] * x[n * d + j];
                }
                if (v > best) {
                    best = v;
                    y[n] = c;
                }
            }
        }
        return Dataset.classification("random", net.inputShape().dims(), x, y, k);
    }

    /** A briefly trained network of the spec with its context (softmax cross-entropy, mean). */
    static PruningContext context(String spec, int samples, long seed) {
        Network net = network(spec, seed);
        Dataset data = data(net, samples, seed + 7);
        Loss loss = Loss.softmaxCrossEntropy();
        Trainer.builder(net, loss, Sgd.momentum(0.05, 0.9)).batchSize(16).epochs(3).seed(1).build().fit(data);
        return PruningContext.builder(net, loss, data).seed(seed).build();
    }
}
