package dev.surgeon.cli;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.surgeon.core.prune.Retraining;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A pruning recipe: the model, the data and the run's settings, then either {@code steps} (pruning steps and
 * fine-tuning, applied in order to one network and saved to {@code out}) or a {@code sweep} (every method at every
 * sparsity and seed, each from the model as loaded, reported together with an accuracy-versus-sparsity chart). Read
 * from YAML or JSON by {@link #read} (Jackson); {@code surgeon prune} with options builds the one-step recipe of its
 * command line, and both run through {@link PruneRunner}. Example:
 * <pre>
 * model: monk1.safetensors
 * data: monk-1
 * seed: 0
 * out: monk1-pruned.safetensors
 * report: monk1-pruned.md
 * steps:
 *   - prune: {method: obs, sparsity: auto, set: {prune_biases: true}}
 *   - finetune: {epochs: 5, lr: 0.01}
 * </pre>
 * Field names are those of the command line without dashes ({@code finetune_epochs}); unknown fields are refused with
 * the list of known ones. Relative paths are relative to the current directory, as on the command line.
 */
final class Recipe {
    @JsonProperty("model")
    String model;
    @JsonProperty("arch")
    String arch;
    @JsonProperty("data")
    String data;
    @JsonProperty("seed")
    Long seed;
    @JsonProperty("threads")
    Integer threads;
    @JsonProperty("loss")
    String loss;
    @JsonProperty("out")
    String out;
    @JsonProperty("report")
    String report;
    @JsonProperty("steps")
    List<Step> steps;
    @JsonProperty("sweep")
    Sweep sweep;

    /** One entry of {@code steps}: exactly one of its fields. */
    static final class Step {
        @JsonProperty("prune")
        PruneStep prune;
        @JsonProperty("finetune")
        Finetune finetune;

        static Step prune(PruneStep p) {
            Step s = new Step();
            s.prune = p;
            return s;
        }
    }

    /** Fine-tuning of the surviving weights with the mask fixed ({@link Retraining}); defaults as the finetune_* knobs. */
    static final class Finetune {
        @JsonProperty("epochs")
        int epochs = 1;
        @JsonProperty("lr")
        double lr = 0.01;
        @JsonProperty("momentum")
        double momentum = 0.9;
        @JsonProperty("weight_decay")
        double weightDecay;
        @JsonProperty("batch")
        int batch = 64;
        @JsonProperty("cosine")
        boolean cosine;

        Retraining retraining() {
            try {
                return new Retraining(epochs, lr, momentum, weightDecay, batch, cosine);
            } catch (IllegalArgumentException e) {
                throw new UserException(ExitCodes.USAGE, "finetune: " + e.getMessage());
            }
        }

        @Override
        public String toString() {
            return retraining().toString();
        }
    }

    /** Every method entry at every sparsity and seed. */
    static final class Sweep {
        @JsonProperty("methods")
        List<PruneStep> methods = new ArrayList<>();
        @JsonProperty("sparsities")
        List<String> sparsities = new ArrayList<>();
        @JsonProperty("seeds")
        List<Long> seeds;
    }

    private static final ObjectMapper YAML = YAMLMapper.builder().enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES).build();
    private static final ObjectMapper JSON = JsonMapper.builder().enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES).build();

    /**
     * Reads a recipe: {@code .json} as JSON, {@code .yaml}/{@code .yml} as YAML.
     *
     * @throws UserException naming the file, the place and the problem: a missing file or syntax error is bad input
     *                       (exit 3), an unknown field a usage error (exit 2)
     */
    static Recipe read(Path file) throws IOException {
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        ObjectMapper mapper;
        if (name.endsWith(".json")) {
            mapper = JSON;
        } else if (name.endsWith(".yaml") || name.endsWith(".yml")) {
            mapper = YAML;
        } else {
            throw new UserException(ExitCodes.USAGE, "recipe " + file + " must end in .yaml, .yml or .json");
        }
        if (!Files.isRegularFile(file)) {
            throw new NoSuchFileException(file.toString());
        }
        try {
            Recipe r = mapper.readValue(file.toFile(), Recipe.class);
            if (r == null) {
                throw new UserException(ExitCodes.INPUT, "recipe " + file + " is empty");
            }
            return r;
        } catch (UnrecognizedPropertyException e) {
            List<String> known = e.getKnownPropertyIds() == null ? List.of()
                    : e.getKnownPropertyIds().stream().map(Object::toString).sorted().toList();
            String where = path(e);
            if (where.endsWith("." + e.getPropertyName())) {
                where = where.substring(0, where.length() - e.getPropertyName().length() - 1);
            } else if (where.equals(e.getPropertyName())) {
                where = "the top level";
            }
            throw new UserException(ExitCodes.USAGE, "recipe " + file + ": unknown field '" + e.getPropertyName() + "' at "
                    + where + "; known fields there: " + String.join(", ", known));
        } catch (JsonProcessingException e) {
            String where = e.getLocation() == null ? "" : " (line " + e.getLocation().getLineNr() + ", column "
                    + e.getLocation().getColumnNr() + ")";
            throw new UserException(ExitCodes.INPUT, "recipe " + file + where + ": " + e.getOriginalMessage().lines().findFirst()
                    .orElse("unreadable"));
        }
    }

    private static String path(JsonProcessingException e) {
        if (!(e instanceof com.fasterxml.jackson.databind.JsonMappingException m) || m.getPath().isEmpty()) {
            return "the top level";
        }
        StringBuilder b = new StringBuilder();
        for (var ref : m.getPath()) {
            if (ref.getFieldName() != null) {
                b.append(b.isEmpty() ? "" : ".").append(ref.getFieldName());
            } else if (ref.getIndex() >= 0) {
                b.append('[').append(ref.getIndex()).append(']');
            }
        }
        return b.toString();
    }
}
