package dev.surgeon.cli;

import dev.surgeon.core.data.DataSpec;
import dev.surgeon.core.data.Split;
import dev.surgeon.core.io.SavedModel;
import dev.surgeon.core.nn.ArchitectureSpec;
import dev.surgeon.core.nn.Loss;
import dev.surgeon.core.nn.Network;
import dev.surgeon.kernels.Kernels;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;

/**
 * A model file and the data it is evaluated, pruned or quantized on, loaded the way every command that reads a model
 * does it: the model ({@link ModelLoader}), the data drawn with the model's recorded seed unless another is given (so
 * that generated MONK training sets are the ones the model was trained on), the data checked against the network
 * (a mismatch is bad input, exit 3), and the loss the model was trained with unless {@code --loss} says otherwise.
 *
 * @param saved    the model file's content
 * @param split    training and test data
 * @param loss     the loss of metrics and curvature
 * @param dataSeed the seed the data was drawn with
 */
record Workload(SavedModel saved, Split split, Loss loss, long dataSeed) {

    Network network() {
        return saved.network();
    }

    /**
     * Loads the model, then the data.
     *
     * @param seed    the data seed, or null for the model's recorded seed (0 if none)
     * @param timings lapped at {@code load_model} and {@code data}
     */
    static Workload load(Path model, ArchitectureSpec arch, DataSpec data, Long seed, LossChoice loss, Kernels kernels,
                         PrintWriter out, Timings timings) throws IOException {
        ModelLoader.WithData loaded = ModelLoader.loadWithData(model, arch, kernels, out, data, seed, timings);
        SavedModel saved = loaded.model();
        return new Workload(saved, loaded.split(), resolveLoss(saved, loaded.split(), loss), loaded.dataSeed());
    }

    /** The --loss choice; for auto the loss recorded by train, else the automatic choice for this data. */
    private static Loss resolveLoss(SavedModel saved, Split split, LossChoice loss) {
        String recorded = saved.provenance().entries().get("surgeon.train.loss");
        if (loss != LossChoice.AUTO || recorded == null) {
            return loss.resolve(saved.network().spec(), split.train());
        }
        try {
            return Loss.named(recorded);
        } catch (IllegalArgumentException e) {
            throw new UserException(ExitCodes.INPUT, "the model records the loss '" + recorded
                    + "', which this build does not know; choose one with --loss");
        }
    }
}
