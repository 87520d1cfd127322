package dev.surgeon.core.prune.experiments;

import dev.surgeon.core.data.Dataset;
import dev.surgeon.core.io.ModelFile;
import dev.surgeon.core.io.Provenance;
import dev.surgeon.core.nn.Loss;
import dev.surgeon.core.nn.Network;
import dev.surgeon.core.optim.LearningRateSchedule;
import dev.surgeon.core.optim.Sgd;
import dev.surgeon.core.train.Evaluation;
import dev.surgeon.core.train.Trainer;
import dev.surgeon.core.train.TrainingListener;
import dev.surgeon.kernels.Kernels;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Dense networks the experiments start from: trained once with a recorded recipe and cached as a model file, so that
 * reruns of a sweep prune the same network.
 */
final class TrainedModels {
    private TrainedModels() {
    }

    /**
     * A training recipe: SGD with momentum, coupled weight decay, cosine-annealed learning rate (or constant).
     *
     * @param spec architecture spec or preset
     */
    record Recipe(String spec, int epochs, double learningRate, double momentum, double weightDecay, int batch, boolean cosine,
                  long seed) {
        @Override
        public String toString() {
            return String.format(java.util.Locale.ROOT, "%s, %d epochs of SGD (lr %s%s, momentum %s, weight decay %s, batch %d), seed %d",
                    spec, epochs, learningRate, cosine ? " cosine-annealed" : "", momentum, weightDecay, batch, seed);
        }
    }

    /** Loads {@code file} if it exists (checking the architecture), else trains by the recipe and saves it there. */
    static Network trainOrLoad(Path file, Recipe r, Loss loss, Dataset train, Dataset test) throws IOException {
        if (file != null && Files.isRegularFile(file)) {
            Network n = ModelFile.read(file, Kernels.get()).network();
            if (!n.spec().equals(Network.create(r.spec(), 0).spec())) {
                throw new IllegalArgumentException(file + " holds " + n.spec() + ", not " + r.spec() + "; delete it to retrain");
            }
            return n;
        }
        Network net = Network.create(r.spec(), r.seed());
        Sgd sgd = Sgd.momentum(r.learningRate(), r.momentum()).weightDecay(r.weightDecay());
        Trainer.builder(net, loss, sgd).batchSize(r.batch()).epochs(r.epochs()).seed(r.seed())
                .schedule(r.cosine() ? LearningRateSchedule.cosine(r.learningRate(), r.epochs(), 0)
                        : LearningRateSchedule.constant(r.learningRate()))
                .listener(TrainingListener.logging()).build().fit(train);
        if (file != null) {
            Files.createDirectories(file.toAbsolutePath().getParent());
            double acc = Evaluation.of(net, loss, test, 1000).accuracy();
            ModelFile.write(file, net, null, Provenance.of(r.seed(), train.name(), "experiment", "unknown")
                    .with("surgeon.experiment.recipe", r.toString())
                    .with("surgeon.experiment.test_accuracy", Double.toString(acc)));
        }
        return net;
    }
}
