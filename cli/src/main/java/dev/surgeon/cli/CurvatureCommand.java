package dev.surgeon.cli;

import dev.surgeon.core.curvature.Curvature;
import dev.surgeon.core.curvature.CurvatureOperator;
import dev.surgeon.core.curvature.DataSource;
import dev.surgeon.core.curvature.Damping;
import dev.surgeon.core.curvature.DenseInverseMethod;
import dev.surgeon.core.curvature.Gradients;
import dev.surgeon.core.curvature.spectrum.Hutchinson;
import dev.surgeon.core.curvature.spectrum.Lanczos;
import dev.surgeon.core.curvature.spectrum.PowerIteration;
import dev.surgeon.core.curvature.spectrum.SpectralDensity;
import dev.surgeon.core.data.DataSpec;
import dev.surgeon.core.data.Dataset;
import dev.surgeon.core.io.SavedModel;
import dev.surgeon.core.nn.ArchitectureSpec;
import dev.surgeon.core.nn.Loss;
import dev.surgeon.core.nn.Network;
import dev.surgeon.kernels.Kernels;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code surgeon curvature}: the spectrum of a model's curvature at its weights, matrix-free where the operator allows
 * (METHODS A10–A12, PyHessian's estimators): the top eigenvalues by power iteration with deflation or by Lanczos,
 * Hutchinson's trace, and the spectral density by stochastic Lanczos quadrature, drawn as a chart beside the report.
 */
@Command(name = "curvature",
        header = "Curvature spectrum of a model: top eigenvalues, trace, spectral density.",
        mixinStandardHelpOptions = true,
        usageHelpAutoWidth = true,
        sortOptions = false,
        description = {
                "Estimates the spectrum of the Hessian (or Gauss-Newton, Fisher) of the model's loss over training samples, "
                        + "at the model's weights: the top eigenvalues (power iteration with deflation, or Lanczos), the trace "
                        + "(Hutchinson, Rademacher probes, PyHessian's stopping rule) and the eigenvalue density (stochastic "
                        + "Lanczos quadrature). With --report FILE.md|.json|.csv and --density, the density chart is written "
                        + "beside the report as FILE-stem.density.svg.",
                ""},
        footerHeading = "%nExamples:%n",
        footer = {
                "  surgeon curvature --model xor.safetensors --data xor --top-eigenvalues 3 --trace",
                "  surgeon curvature --model mlpnet.safetensors --data fashion-mnist --samples 1000 --density --report spectrum.md"})
final class CurvatureCommand implements Callable<Integer> {
    /** The curvature matrices this command can analyse. */
    enum Operator implements Labeled {
        HESSIAN("hessian", "Hessian (matrix-free, R-operator products)"),
        GGN("ggn", "generalized Gauss-Newton (matrix-free, JᵀΛJ products)"),
        FISHER("fisher", "empirical Fisher (dense d × d from per-sample gradients)"),
        TRUE_FISHER("true-fisher", "true Fisher (dense d × d, sampled targets)");

        private final String label;
        private final String description;

        Operator(String label, String description) {
            this.label = label;
            this.description = description;
        }

        @Override
        public String label() {
            return label;
        }

        String description() {
            return description;
        }

        static final class Converter implements ITypeConverter<Operator> {
            @Override
            public Operator convert(String value) {
                return Labeled.parse(Operator.class, value, "operator");
            }
        }
    }

    @Spec
    CommandSpec spec;

    @Option(names = "--model", required = true, paramLabel = "FILE",
            description = "The model file (.safetensors written by surgeon; with --arch, a PyTorch state_dict).")
    Path model;

    @Option(names = "--data", required = true, paramLabel = "DATA", converter = Converters.Data.class,
            description = "The data whose training set defines the loss: " + DataSpec.FORMS + ".")
    DataSpec data;

    @Option(names = "--arch", paramLabel = "SPEC|PRESET", converter = Converters.Architecture.class,
            description = "Import the file as a PyTorch state_dict for this architecture (as in eval).")
    ArchitectureSpec arch;

    @Option(names = "--loss", paramLabel = "LOSS", converter = LossChoice.Converter.class, defaultValue = "auto",
            description = "auto|mse|mse-sum|ce|bce; auto: the loss recorded in the model. Default: ${DEFAULT-VALUE}.")
    LossChoice loss;

    @Option(names = "--operator", paramLabel = "OP", converter = Operator.Converter.class, defaultValue = "hessian",
            description = "hessian|ggn|fisher|true-fisher. The Fisher matrices are formed densely (d² doubles; refused "
                    + "with the alternatives when too large). Default: ${DEFAULT-VALUE}.")
    Operator operator;

    @Option(names = "--samples", paramLabel = "N", defaultValue = "1000",
            description = "Training samples of the loss (a seeded subset; all when the set is smaller). Default: ${DEFAULT-VALUE}.")
    int samples;

    @Option(names = "--batch-size", paramLabel = "B", defaultValue = "250",
            description = "Samples per pass (does not change the results beyond rounding). Default: ${DEFAULT-VALUE}.")
    int batchSize;

    @Option(names = "--top-eigenvalues", paramLabel = "K", defaultValue = "1",
            description = "Number of largest-magnitude eigenvalues to compute (0: none). Default: ${DEFAULT-VALUE}.")
    int topEigenvalues;

    @Option(names = "--eigen-method", paramLabel = "power|lanczos", defaultValue = "power",
            description = "power: power iteration with deflation (PyHessian: at most 100 iterations, relative tolerance 1e-3); "
                    + "lanczos: the K largest Ritz values of --lanczos-steps Lanczos steps. Default: ${DEFAULT-VALUE}.")
    String eigenMethod;

    @Option(names = "--trace", description = "Estimate the trace (Hutchinson, at most --trace-probes probes).")
    boolean trace;

    @Option(names = "--trace-probes", paramLabel = "P", defaultValue = "" + Hutchinson.DEFAULT_MAX_PROBES,
            description = "Most Rademacher probes of the trace (stops earlier at a relative change < 1e-3). Default: ${DEFAULT-VALUE}.")
    int traceProbes;

    @Option(names = "--density", description = "Estimate the eigenvalue density (stochastic Lanczos quadrature).")
    boolean density;

    @Option(names = "--lanczos-steps", paramLabel = "M", defaultValue = "" + Lanczos.DEFAULT_STEPS,
            description = "Lanczos steps per probe (at most d). Default: ${DEFAULT-VALUE}.")
    int lanczosSteps;

    @Option(names = "--density-probes", paramLabel = "P", defaultValue = "1",
            description = "Lanczos runs averaged in the density (PyHessian: 1). Default: ${DEFAULT-VALUE}.")
    int densityProbes;

    @Option(names = "--seed", paramLabel = "S", defaultValue = "0",
            description = "Seed of the sample subset, the probes and the start vectors. Default: ${DEFAULT-VALUE}.")
    long seed;

    @Mixin
    KernelOptions kernelOptions;

    @Option(names = "--report", paramLabel = "FILE", converter = ReportFormat.PathConverter.class,
            description = "Also write the results: .json, .md or .csv; with --density the chart FILE-stem.density.svg beside it.")
    Path report;

    @Override
    public Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        check();
        Timings timings = new Timings();
        Kernels kernels = kernelOptions.kernels();
        Workload loaded = Workload.load(model, arch, data, null, loss, kernels, out, timings);
        SavedModel saved = loaded.saved();
        Network network = loaded.network();
        Loss lossFunction = loaded.loss();
        Dataset train = loaded.split().train();
        int n = Math.min(samples, train.size());
        DataSource source = n == train.size() ? DataSource.all(train, batchSize) : DataSource.sample(train, n, batchSize, seed);
        ConsoleProgress progress = ConsoleProgress.forStderr();
        Curvature c = Curvature.of(network, lossFunction, source).seed(seed);
        CurvatureOperator op = switch (operator) {
            case HESSIAN -> c.hessian();
            case GGN -> c.gaussNewton();
            case FISHER -> c.progress(progress).dense(Gradients.empiricalFisher(), Damping.none(), DenseInverseMethod.CHOLESKY);
            case TRUE_FISHER -> c.progress(progress).dense(Gradients.trueFisher(), Damping.none(), DenseInverseMethod.CHOLESKY);
        };
        timings.lap("operator");
        int d = op.dim();
        out.printf(Locale.ROOT, "model: %s: %s%n", model, network.spec());
        out.printf(Locale.ROOT, "loss: %s over %d training samples of %s%s%n", lossFunction.name(), n, data.text(),
                n < train.size() ? " (seeded subset, seed " + seed + ")" : "");
        out.printf(Locale.ROOT, "operator: %s, d = %d%n", operator.description(), d);

        Map<String, Object> results = new LinkedHashMap<>();
        if (topEigenvalues > 0) {
            int k = Math.min(topEigenvalues, d);
            List<Map<String, Object>> values = new ArrayList<>();
            if (eigenMethod.equals("power")) {
                progress.note("power iteration: " + k + " eigenvalue(s)");
                PowerIteration.Result r = PowerIteration.topEigenvalues(op, k, seed);
                out.printf(Locale.ROOT, "top eigenvalues (power iteration with deflation, at most %d iterations, tolerance %s):%n",
                        PowerIteration.DEFAULT_MAX_ITERATIONS, PowerIteration.DEFAULT_TOLERANCE);
                for (int j = 0; j < k; j++) {
                    out.printf(Locale.ROOT, "  λ%d = %.6g  (%d iterations%s)%n", j + 1, r.values()[j], r.iterations()[j],
                            r.converged()[j] ? "" : ", NOT converged");
                    Map<String, Object> e = new LinkedHashMap<>();
                    e.put("value", r.values()[j]);
                    e.put("iterations", r.iterations()[j]);
                    e.put("converged", r.converged()[j]);
                    values.add(e);
                }
            } else {
                progress.note("Lanczos: " + Math.min(lanczosSteps, d) + " steps");
                double[] ritz = Lanczos.ritzValues(op, lanczosSteps, seed);
                out.printf(Locale.ROOT, "top eigenvalues (largest Ritz values of %d Lanczos steps):%n", ritz.length);
                for (int j = 0; j < Math.min(k, ritz.length); j++) {
                    double v = ritz[ritz.length - 1 - j];
                    out.printf(Locale.ROOT, "  λ%d = %.6g%n", j + 1, v);
                    values.add(Map.of("value", v));
                }
            }
            results.put("eigenvalues", values);
            timings.lap("eigenvalues");
        }
        if (trace) {
            progress.note("Hutchinson trace: at most " + traceProbes + " probes");
            Hutchinson.Trace t = Hutchinson.trace(op, seed, traceProbes, Hutchinson.DEFAULT_TOLERANCE);
            out.printf(Locale.ROOT, "trace (Hutchinson, %d probes%s): %.6g%n", t.probes(), t.converged() ? ", converged" : ", NOT converged",
                    t.value());
            results.put("trace", Map.of("value", t.value(), "probes", t.probes(), "converged", t.converged()));
            timings.lap("trace");
        }
        String chart = null;
        if (density) {
            progress.note("stochastic Lanczos quadrature: " + densityProbes + " probe(s) of " + Math.min(lanczosSteps, d) + " steps");
            SpectralDensity sd = Lanczos.density(op, lanczosSteps, densityProbes, seed);
            double[] range = sd.range();
            out.printf(Locale.ROOT, "density (stochastic Lanczos quadrature, %d probe(s) × %d steps): eigenvalues in [%.6g, %.6g], "
                    + "trace estimate %.6g%n", sd.probes(), sd.nodes(0).length, range[0], range[1], sd.trace());
            double[][] bins = massPerBin(sd, range, 10);
            for (int b = 0; b < bins[0].length; b++) {
                out.printf(Locale.ROOT, "  [%11.4g, %11.4g)  %5.1f %%  %s%n", bins[0][b], bins[1][b], 100 * bins[2][b],
                        "#".repeat((int) Math.round(40 * bins[2][b])));
            }
            // PyHessian widens the kernel with the spectrum's spread: σ² = 1e-5 · max(1, λmax − λmin).
            double sigmaSquared = SpectralDensity.DEFAULT_SIGMA_SQUARED * Math.max(1, range[1] - range[0]);
            double pad = Math.max(1e-3, 0.05 * (range[1] - range[0])) + 3 * Math.sqrt(sigmaSquared);
            double[] grid = new double[2000];
            for (int g = 0; g < grid.length; g++) {
                grid[g] = range[0] - pad + (range[1] - range[0] + 2 * pad) * g / (grid.length - 1);
            }
            double[] phi = sd.evaluate(grid, sigmaSquared);
            Map<String, Object> dens = new LinkedHashMap<>();
            dens.put("probes", sd.probes());
            dens.put("steps", sd.nodes(0).length);
            dens.put("min", range[0]);
            dens.put("max", range[1]);
            dens.put("trace", sd.trace());
            dens.put("sigma_squared", sigmaSquared);
            List<double[]> nodes = new ArrayList<>();
            List<double[]> weights = new ArrayList<>();
            for (int p = 0; p < sd.probes(); p++) {
                nodes.add(sd.nodes(p));
                weights.add(sd.weights(p));
            }
            dens.put("ritz_values", nodes);
            dens.put("weights", weights);
            timings.lap("density");
            if (report != null) {
                chart = ReportFormat.stem(report) + ".density.svg";
                Charts.write(Charts.density("Eigenvalue density of the " + operator.label() + " (" + network.spec() + ")",
                        "eigenvalue", "density", grid, phi, true), report.toAbsolutePath().getParent().resolve(chart));
                dens.put("chart", chart);
                out.println("chart: " + report.toAbsolutePath().getParent().resolve(chart));
            }
            results.put("density", dens);
        }
        if (report != null) {
            writeReport(network, lossFunction, n, d, results, timings.withTotal(), kernels, loaded, chart);
            out.println("report: " + report);
        }
        out.flush();
        return ExitCodes.OK;
    }

    private void check() {
        if (samples < 1 || batchSize < 1) {
            throw new UserException(ExitCodes.USAGE, "--samples and --batch-size must be >= 1");
        }
        if (topEigenvalues < 0 || traceProbes < 1 || lanczosSteps < 1 || densityProbes < 1) {
            throw new UserException(ExitCodes.USAGE, "--top-eigenvalues must be >= 0; --trace-probes, --lanczos-steps and "
                    + "--density-probes >= 1");
        }
        if (!eigenMethod.equals("power") && !eigenMethod.equals("lanczos")) {
            throw new UserException(ExitCodes.USAGE, "--eigen-method must be power or lanczos, got '" + eigenMethod + "'");
        }
        if (topEigenvalues == 0 && !trace && !density) {
            throw new UserException(ExitCodes.USAGE, "nothing to compute: give --top-eigenvalues K, --trace or --density");
        }
    }

    /** Quadrature mass (averaged over probes) in {@code count} equal bins over [lo, hi]: {lower edges, upper edges, mass}. */
    static double[][] massPerBin(SpectralDensity sd, double[] range, int count) {
        double lo = range[0];
        double width = (range[1] - range[0]) / count;
        double[][] out = new double[3][count];
        for (int b = 0; b < count; b++) {
            out[0][b] = lo + b * width;
            out[1][b] = lo + (b + 1) * width;
        }
        for (int p = 0; p < sd.probes(); p++) {
            double[] nodes = sd.nodes(p);
            double[] weights = sd.weights(p);
            for (int k = 0; k < nodes.length; k++) {
                int b = width > 0 ? (int) Math.min(count - 1, Math.floor((nodes[k] - lo) / width)) : 0;
                out[2][b] += weights[k] / sd.probes();
            }
        }
        return out;
    }

    private void writeReport(Network network, Loss lossFunction, int n, int d, Map<String, Object> results,
                             Map<String, Double> seconds, Kernels kernels, Workload loaded, String chart)
            throws IOException {
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("operator", operator.label());
        params.put("loss", lossFunction.name());
        params.put("samples", n);
        params.put("batch_size", batchSize);
        params.put("top_eigenvalues", topEigenvalues);
        params.put("eigen_method", eigenMethod);
        params.put("trace", trace);
        params.put("trace_probes", traceProbes);
        params.put("density", density);
        params.put("lanczos_steps", lanczosSteps);
        params.put("density_probes", densityProbes);
        Map<String, Object> tree = new LinkedHashMap<>();
        tree.put("command", "curvature");
        tree.put("model", model.toString());
        tree.put("data", data.text());
        tree.put("seed", seed);
        tree.put("arch", network.spec().toString());
        tree.put("params", params);
        tree.put("dimension", d);
        tree.putAll(results);
        tree.put("timings", seconds);
        tree.put("provenance", Report.provenance(kernels, loaded.split().description(), null));
        Path parent = report.toAbsolutePath().getParent();
        Files.createDirectories(parent);
        String text = switch (ReportFormat.of(report)) {
            case JSON -> ReportWriter.JSON.writeValueAsString(tree) + "\n";
            case CSV -> ReportWriter.csv(ReportWriter.JSON.valueToTree(tree));
            case MARKDOWN -> markdown(tree, chart);
        };
        Files.writeString(report, text, StandardCharsets.UTF_8);
    }

    @SuppressWarnings("unchecked")
    private String markdown(Map<String, Object> tree, String chart) {
        StringBuilder b = new StringBuilder("# surgeon curvature: ").append(model).append("\n\n");
        b.append("| field | value |\n|---|---|\n");
        b.append("| model | ").append(tree.get("arch")).append(" |\n");
        b.append("| data | ").append(data.text()).append(" |\n");
        for (Map.Entry<String, Object> e : ((Map<String, Object>) tree.get("params")).entrySet()) {
            b.append("| ").append(e.getKey()).append(" | ").append(e.getValue()).append(" |\n");
        }
        b.append("| dimension | ").append(tree.get("dimension")).append(" |\n");
        if (tree.containsKey("eigenvalues")) {
            b.append("\n## Top eigenvalues\n\n| k | eigenvalue |\n|---|---|\n");
            List<Map<String, Object>> values = (List<Map<String, Object>>) tree.get("eigenvalues");
            for (int j = 0; j < values.size(); j++) {
                b.append(String.format(Locale.ROOT, "| %d | %.6g |%n", j + 1, (Double) values.get(j).get("value")));
            }
        }
        if (tree.containsKey("trace")) {
            Map<String, Object> t = (Map<String, Object>) tree.get("trace");
            b.append(String.format(Locale.ROOT, "%n## Trace%n%n%.6g (Hutchinson, %s probes, converged: %s)%n", (Double) t.get("value"),
                    t.get("probes"), t.get("converged")));
        }
        if (tree.containsKey("density")) {
            Map<String, Object> dn = (Map<String, Object>) tree.get("density");
            b.append(String.format(Locale.ROOT, "%n## Spectral density%n%nEigenvalues in [%.6g, %.6g]; trace estimate %.6g.%n",
                    (Double) dn.get("min"), (Double) dn.get("max"), (Double) dn.get("trace")));
            if (chart != null) {
                b.append("\n![").append(chart).append("](").append(chart).append(")\n");
            }
        }
        return b.toString();
    }
}
