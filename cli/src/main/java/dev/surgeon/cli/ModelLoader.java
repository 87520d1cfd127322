package dev.surgeon.cli;

import dev.surgeon.core.data.DataSpec;
import dev.surgeon.core.data.Split;
import dev.surgeon.core.io.ImportedModel;
import dev.surgeon.core.io.ModelFile;
import dev.surgeon.core.io.SavedModel;
import dev.surgeon.core.nn.ArchitectureSpec;
import dev.surgeon.kernels.Kernels;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;

/**
 * The {@code --model} argument of the commands that read a model: a Surgeon model file, or with
 * {@code --arch} a PyTorch {@code state_dict} saved with safetensors, imported for that architecture (the
 * mapping of names is printed when it was not by exact name).
 */
final class ModelLoader {
    private ModelLoader() {
    }

    /** A loaded model with the data it is evaluated on and the seed that data was generated with. */
    record WithData(SavedModel model, long dataSeed, Split split) {
    }

    /**
     * The model, then the data generated with {@code seed} or else the seed recorded in the model (so that generated
     * training sets are the ones it was trained on; 0 if none), checked to fit the network; the stages are timed as
     * {@code load_model} and {@code data}.
     */
    static WithData loadWithData(Path file, ArchitectureSpec arch, Kernels kernels, PrintWriter out, DataSpec data, Long seed,
                                 Timings timings) throws IOException {
        SavedModel saved = load(file, arch, kernels, out);
        timings.lap("load_model");
        long dataSeed = seed != null ? seed : saved.provenance().seed() != null ? saved.provenance().seed() : 0;
        Split split = data.load(dataSeed);
        timings.lap("data");
        Compatibility.check(saved.network(), split, data.text());
        return new WithData(saved, dataSeed, split);
    }

    static SavedModel load(Path file, ArchitectureSpec arch, Kernels kernels, PrintWriter out) throws IOException {
        if (arch == null) {
            return ModelFile.read(file, kernels);
        }
        ImportedModel imported = ModelFile.importStateDict(file, arch, kernels);
        if (imported.matching() != ImportedModel.Matching.BY_NAME) {
            out.println("imported " + file + " " + imported.matching().description() + ":");
            for (ImportedModel.Match m : imported.matches()) {
                out.println("  " + m);
            }
        }
        return imported.model();
    }
}
