package dev.surgeon.cli;

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
