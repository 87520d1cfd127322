package dev.surgeon.cli;

import dev.surgeon.core.io.Provenance;
import dev.surgeon.core.nn.Loss;
import dev.surgeon.core.nn.Network;
import dev.surgeon.core.train.Evaluation;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * Helpers for the commands that turn a model into another (prune, quantize): the provenance of the new file and its
 * metrics.
 */
final class DerivedModel {
    private DerivedModel() {
    }

    /**
     * The provenance of a model derived from {@code source}: the source's seed (the data seed, so that eval regenerates
     * the same MONK training set), data and free-form entries (the training recipe among them), written now by this
     * build, with {@code surgeon.metrics.*} replaced by the derived model's metrics.
     */
    static Provenance provenance(Workload source, Network network, String sourceFile) {
        Provenance p = source.saved().provenance();
        Provenance d = new Provenance(source.dataSeed(), p.data() != null ? p.data() : null, BuildInfo.version(), BuildInfo.commit(),
                Instant.now().truncatedTo(ChronoUnit.SECONDS), p.entries()).with("surgeon.source", sourceFile);
        Evaluation train = Evaluation.of(network, source.loss(), source.split().train(), EvalCommand.DEFAULT_BATCH);
        Evaluation test = Evaluation.of(network, source.loss(), source.split().test(), EvalCommand.DEFAULT_BATCH);
        if (source.split().train().isClassification()) {
            d = d.with("surgeon.metrics.train_accuracy", Double.toString(train.accuracy()))
                    .with("surgeon.metrics.test_accuracy", Double.toString(test.accuracy()));
        }
        if (!p.entries().containsKey("surgeon.train.loss")) {
            d = d.with("surgeon.train.loss", source.loss().name());
        }
        return d.with("surgeon.metrics.train_loss", Double.toString(train.loss()))
                .with("surgeon.metrics.test_loss", Double.toString(test.loss()));
    }

    /** Loss and accuracy of the network on both sets, for reports. */
    static Report.Metrics metrics(Network network, Loss loss, Workload w) {
        return Report.Metrics.of(Evaluation.of(network, loss, w.split().train(), EvalCommand.DEFAULT_BATCH),
                Evaluation.of(network, loss, w.split().test(), EvalCommand.DEFAULT_BATCH), w.split().train().isClassification());
    }

    /** Indices as a comma-separated list (model-file metadata). */
    static String indices(int[] indices) {
        return Arrays.stream(indices).mapToObj(Integer::toString).collect(Collectors.joining(","));
    }
}
