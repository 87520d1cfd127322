package dev.surgeon.core.io;

import java.util.Arrays;
import java.util.List;

/**
 * A model imported from a PyTorch {@code state_dict} saved with safetensors, and how its tensors were
 * matched to the architecture's parameter tensors.
 *
 * @param model   the imported model (its provenance holds the file's metadata as free-form entries)
 * @param matching how the tensors were matched
 * @param matches one entry per imported tensor, in the architecture's order (masks included)
 */
public record ImportedModel(SavedModel model, Matching matching, List<Match> matches) {
    public ImportedModel {
        matches = List.copyOf(matches);
    }

    /** How the file's tensors were matched to the architecture (see {@link ModelFile#importStateDict}). */
    public enum Matching {
        /** Every tensor under the architecture's own name. */
        BY_NAME,
        /** Weight/bias groups sorted by name prefix in natural order, mapped layer by layer. */
        BY_LAYER_ORDER,
        /** The only assignment of weight/bias groups to layers under which every shape agrees. */
        BY_UNIQUE_SHAPES;

        /** How the matching reads in a sentence: "by name", "in layer order", "by their unique shapes". */
        public String description() {
            return switch (this) {
                case BY_NAME -> "by name";
                case BY_LAYER_ORDER -> "in layer order";
                case BY_UNIQUE_SHAPES -> "by their unique shapes";
            };
        }
    }

    /**
     * One tensor of the file and the parameter tensor it became.
     *
     * @param source the name in the file, e.g. {@code 0.weight}
     * @param target the Surgeon name, e.g. {@code fc1.weight}
     * @param dtype  the dtype in the file (converted to float on import)
     * @param shape  the shape (the same in the file and in the architecture)
     */
    public record Match(String source, String target, DType dtype, List<Long> shape) {
        public Match {
            shape = List.copyOf(shape);
        }

        @Override
        public String toString() {
            return source + " -> " + target + " " + dtype + shape;
        }
    }

    static Match match(String source, String target, DType dtype, long[] shape) {
        return new Match(source, target, dtype, Arrays.stream(shape).boxed().toList());
    }
}
