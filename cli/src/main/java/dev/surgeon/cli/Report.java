package dev.surgeon.cli;

import com.fasterxml.jackson.annotation.JsonAnyGetter;
import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import dev.surgeon.core.nn.Network;
import dev.surgeon.core.nn.ParameterTensor;
import dev.surgeon.core.train.Evaluation;
import dev.surgeon.kernels.Kernels;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The result of a command as written by {@code --report}: the stable JSON contract documented field by
 * field in docs/REPORTS.md (names are written in snake_case), also rendered as Markdown and CSV. The
 * components up to {@code provenance} are present in every report (null where they do not apply);
 * {@code history} (training) and {@code charts} (Markdown reports) only where they exist, and so do the
 * command-specific sections ({@code metrics_before}, {@code pruning}, {@code stages}, {@code sweep},
 * {@code quantization}, {@code curvature}), written after the others with the names given.
 *
 * @param command        the subcommand: train, eval, prune, quantize
 * @param model          the model file written (train, prune, quantize) or read (eval)
 * @param data           the data argument as given
 * @param seed           the seed of the run, or null when the command draws nothing at random
 * @param method         the optimizer (train), pruning or quantization method; null for eval
 * @param params         every knob of the command with the value used, defaults included
 * @param totalWeights   number of parameters (weights and biases)
 * @param nonzeroWeights parameters that are not exactly zero
 * @param sparsity       1 − nonzero/total
 * @param metrics        loss and accuracy on the training and test sets
 * @param layers         one entry per parameter tensor, in layout order
 * @param timings        wall-clock seconds per stage, in the order run, and {@code total}
 * @param provenance     what produced the report
 * @param history        one entry per training epoch (train only)
 * @param charts         chart files written beside the report, relative to it (Markdown reports)
 * @param evidence       MacKay's evidence of the model (evidence only)
 * @param sections       command-specific sections by their JSON name (trees of maps, lists, strings, numbers and
 *                       booleans, NaN already replaced by null), in insertion order
 */
record Report(String command, String model, String data, Long seed, String method, Map<String, Object> params,
              long totalWeights, long nonzeroWeights, double sparsity, Metrics metrics, List<Layer> layers,
              Map<String, Double> timings, Provenance provenance,
              @JsonInclude(JsonInclude.Include.NON_NULL) List<Epoch> history,
              @JsonInclude(JsonInclude.Include.NON_NULL) List<String> charts,
              @JsonInclude(JsonInclude.Include.NON_NULL) Evidence evidence,
              @JsonIgnore Map<String, Object> sections) {

    Report {
        sections = sections == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(sections));
        params = Collections.unmodifiableMap(new LinkedHashMap<>(params));
        layers = List.copyOf(layers);
        timings = Collections.unmodifiableMap(new LinkedHashMap<>(timings));
        history = history == null ? null : List.copyOf(history);
        charts = charts == null ? null : List.copyOf(charts);
    }

    /** A report without an evidence section or command-specific sections. */
    Report(String command, String model, String data, Long seed, String method, Map<String, Object> params, long totalWeights,
           long nonzeroWeights, double sparsity, Metrics metrics, List<Layer> layers, Map<String, Double> timings,
           Provenance provenance, List<Epoch> history, List<String> charts) {
        this(command, model, data, seed, method, params, totalWeights, nonzeroWeights, sparsity, metrics, layers, timings,
                provenance, history, charts, null, Map.of());
    }

    /** The same report listing the chart files written beside it. */
    Report withCharts(List<String> chartFiles) {
        return new Report(command, model, data, seed, method, params, totalWeights, nonzeroWeights, sparsity, metrics, layers,
                timings, provenance, history, chartFiles, evidence, sections);
    }

    /** A report with MacKay's evidence section (evidence). */
    Report(String command, String model, String data, Long seed, String method, Map<String, Object> params, long totalWeights,
           long nonzeroWeights, double sparsity, Metrics metrics, List<Layer> layers, Map<String, Double> timings,
           Provenance provenance, List<Epoch> history, List<String> charts, Evidence evidence) {
        this(command, model, data, seed, method, params, totalWeights, nonzeroWeights, sparsity, metrics, layers, timings,
                provenance, history, charts, evidence, Map.of());
    }

    /** The same report with one more command-specific section (replacing one of the same name). */
    Report with(String name, Object section) {
        Map<String, Object> s = new LinkedHashMap<>(sections);
        s.put(name, section);
        return new Report(command, model, data, seed, method, params, totalWeights, nonzeroWeights, sparsity, metrics, layers,
                timings, provenance, history, charts, evidence, s);
    }

    /** The sections, written by Jackson after the regular fields. */
    @JsonAnyGetter
    Map<String, Object> sectionsForJson() {
        return sections;
    }

    /**
     * MacKay's evidence of the model (docs/REPORTS.md, section {@code evidence}).
     *
     * @param likelihood          gaussian, bernoulli or categorical
     * @param hessian             exact, gauss-newton or kfac
     * @param classes             one entry per weight class
     * @param beta                the noise precision β (null for classification)
     * @param gamma               γ, the well-determined parameters
     * @param parameters          k, parameters of the model (pruned excluded)
     * @param targets             N_t
     * @param dataError           E_D at the weights (summed)
     * @param logEvidence         ln p(D | α, β)
     * @param logOccamFactor      −½ ln det A + Σ (k_c/2) ln α_c
     * @param symmetryTerm        Σ ln(2^M M!) over hidden layers
     * @param hyperparameterOccam Σ ½ ln(2/γ_c) + ½ ln(2/(N_t − γ))
     * @param modelLogEvidence    ln p(D | H): the sum of the three previous kinds of terms
     * @param loops               training/re-estimation loops run (null without --retrain)
     * @param converged           whether the hyperparameters settled
     * @param testCoverage        regression: fraction of test targets within ±2σ of the prediction (null otherwise)
     * @param meanPredictiveSd    regression: mean predictive standard deviation on the test set (null otherwise)
     */
    record Evidence(String likelihood, String hessian, List<WeightClass> classes, Double beta, double gamma, int parameters,
                    int targets, double dataError, double logEvidence, double logOccamFactor, double symmetryTerm,
                    double hyperparameterOccam, double modelLogEvidence, Integer loops, boolean converged,
                    Double testCoverage, Double meanPredictiveSd) {
        Evidence {
            classes = List.copyOf(classes);
        }
    }

    /** One weight class: name, parameters k_c, prior precision α_c, well-determined parameters γ_c. */
    record WeightClass(String name, int parameters, double alpha, double gamma) {
    }

    /**
     * Accuracies are fractions in [0, 1] (null for regression data, where no prediction is right or wrong);
     * losses are mean per-sample losses. Null where not measured.
     */
    record Metrics(Double trainAccuracy, Double testAccuracy, Double trainLoss, Double testLoss) {
        static Metrics of(Evaluation train, Evaluation test, boolean classification) {
            return new Metrics(accuracy(train.accuracy(), classification), accuracy(test.accuracy(), classification),
                    finite(train.loss()), finite(test.loss()));
        }
    }

    /** An accuracy for the report: null for regression data or when not finite. */
    static Double accuracy(double accuracy, boolean classification) {
        return classification ? finite(accuracy) : null;
    }

    /** One parameter tensor: PyTorch name and shape, non-zero count, fraction of zeros. */
    record Layer(String name, List<Integer> shape, long nonzero, double sparsity) {
    }

    /**
     * @param version            Surgeon version (jar manifest; "dev" from classes)
     * @param commit             git commit of the build, "unknown" when not known
     * @param kernels            the kernel provider's name (scalar, vector, openblas)
     * @param threads            threads the kernels were allowed
     * @param calibrationIndices indices of the training samples used for calibration; null when none were
     * @param dataDescription    where the data came from (files, or generator and seed)
     * @param created            when the report was made (ISO-8601, UTC)
     * @param java               the Java runtime version
     */
    record Provenance(String version, String commit, String kernels, int threads, List<Integer> calibrationIndices,
                      String dataDescription, String created, String java) {
    }

    /** The provenance of a report made now by this build with these kernels. */
    static Provenance provenance(Kernels kernels, String dataDescription, List<Integer> calibrationIndices) {
        return new Provenance(BuildInfo.version(), BuildInfo.commit(), kernels.name(), kernels.threads(), calibrationIndices,
                dataDescription, Instant.now().truncatedTo(ChronoUnit.SECONDS).toString(), Runtime.version().toString());
    }

    /** One training epoch (1-based), as in the table {@code surgeon train} prints. */
    record Epoch(int epoch, Double trainLoss, Double trainAccuracy, Double testLoss, Double testAccuracy,
                 Double learningRate, double seconds) {
    }

    /** Null for NaN and infinities, which JSON cannot hold. */
    static Double finite(double v) {
        return Double.isFinite(v) ? v : null;
    }

    /** The per-tensor entries of a network (non-zero = not exactly 0.0 or −0.0). */
    static List<Layer> layers(Network network) {
        float[] p = network.parameters();
        List<Layer> out = new ArrayList<>();
        for (ParameterTensor t : network.layout().tensors()) {
            long nonzero = 0;
            for (int q = t.offset(); q < t.end(); q++) {
                if (p[q] != 0f) {
                    nonzero++;
                }
            }
            out.add(new Layer(t.name(), Arrays.stream(t.shape()).boxed().toList(), nonzero,
                    t.length() == 0 ? 0 : 1 - (double) nonzero / t.length()));
        }
        return out;
    }

    static long nonzero(List<Layer> layers) {
        return layers.stream().mapToLong(Layer::nonzero).sum();
    }

    static double sparsity(long total, long nonzero) {
        return total == 0 ? 0 : 1 - (double) nonzero / total;
    }
}
