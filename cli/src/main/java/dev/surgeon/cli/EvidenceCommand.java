package dev.surgeon.cli;

import dev.surgeon.core.bayes.EvidenceFramework;
import dev.surgeon.core.bayes.EvidenceTerms;
import dev.surgeon.core.bayes.Hyperparameters;
import dev.surgeon.core.bayes.LaplaceApproximation;
import dev.surgeon.core.bayes.Likelihood;
import dev.surgeon.core.bayes.WeightClasses;
import dev.surgeon.core.curvature.CurvatureTooLargeException;
import dev.surgeon.core.data.DataSpec;
import dev.surgeon.core.data.Dataset;
import dev.surgeon.core.data.Split;
import dev.surgeon.core.io.ModelFile;
import dev.surgeon.core.io.Provenance;
import dev.surgeon.core.io.SavedModel;
import dev.surgeon.core.nn.Layer;
import dev.surgeon.core.nn.LayerSpec;
import dev.surgeon.core.nn.Loss;
import dev.surgeon.core.nn.Network;
import dev.surgeon.core.train.Evaluation;
import dev.surgeon.kernels.Kernels;
import java.io.IOException;
import java.io.PrintWriter;
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
 * {@code surgeon evidence}: MacKay's evidence framework for a trained model (MacKay 1992; METHODS E1): the Laplace
 * approximation at its weights, the hyperparameters α_c and β re-estimated, the log evidence with its Occam
 * factor, the hidden-unit symmetry term and the hyperparameter Occam terms, and (regression) the predictive error
 * bars checked on the test set. A pruned model (its mask) is evaluated as the smaller model it is.
 */
@Command(name = "evidence",
        header = "MacKay's evidence of a model: α, β, γ, log evidence, error bars.",
        mixinStandardHelpOptions = true,
        usageHelpAutoWidth = true,
        sortOptions = false,
        description = {
                "MacKay's evidence framework for a trained model: the Laplace approximation A = βB + Σ α_c I_c at its weights "
                        + "(B: exact Hessian, Gauss-Newton or K-FAC of the summed data error), the prior precisions α_c per "
                        + "weight class and the noise precision β re-estimated (α_c = γ_c/2E_W, β = (N − γ)/2E_D), and the log "
                        + "evidence ln p(D|H) with its Occam factor. Regression uses the Gaussian likelihood (β estimated); "
                        + "classification the Bernoulli (one logit) or categorical (softmax) likelihood on the network's logits.",
                "Without --retrain the weights are kept and α, β iterated to self-consistency at them; with --retrain the "
                        + "network is retrained to the most probable weights of M(w) = βE_D + Σ α_c E_W^c between "
                        + "re-estimations (full-batch L-BFGS), as in MacKay's algorithm, and can be saved with --out.",
                ""},
        footerHeading = "%nExamples:%n",
        footer = {
                "  surgeon train --data synthetic:sine --arch 'in(1) dense(6) tanh dense(1)' --out s.safetensors",
                "  surgeon evidence --model s.safetensors --data synthetic:sine --retrain --report s-evidence.json",
                "  surgeon evidence --model m.safetensors --data synthetic:ripley --classes layer --hessian kfac"})
final class EvidenceCommand implements Callable<Integer> {
    /** {@code --hessian}. */
    enum HessianChoice implements Labeled {
        EXACT("exact", LaplaceApproximation.Hessian.EXACT),
        GAUSS_NEWTON("gauss-newton", LaplaceApproximation.Hessian.GAUSS_NEWTON),
        KFAC("kfac", LaplaceApproximation.Hessian.KFAC);

        private final String label;
        final LaplaceApproximation.Hessian kind;

        HessianChoice(String label, LaplaceApproximation.Hessian kind) {
            this.label = label;
            this.kind = kind;
        }

        @Override
        public String label() {
            return label;
        }

        static final class Converter implements ITypeConverter<HessianChoice> {
            @Override
            public HessianChoice convert(String value) {
                return Labeled.parse(HessianChoice.class, value, "Hessian");
            }
        }
    }

    /** {@code --classes}. */
    enum ClassChoice implements Labeled {
        SINGLE("single"), TENSOR("tensor"), LAYER("layer"), INPUT("input");

        private final String label;

        ClassChoice(String label) {
            this.label = label;
        }

        @Override
        public String label() {
            return label;
        }

        WeightClasses of(Network network) {
            return switch (this) {
                case SINGLE -> WeightClasses.single(network.layout());
                case TENSOR -> WeightClasses.perTensor(network.layout());
                case LAYER -> WeightClasses.perLayer(network.layout());
                case INPUT -> WeightClasses.inputRelevance(network);
            };
        }

        static final class Converter implements ITypeConverter<ClassChoice> {
            @Override
            public ClassChoice convert(String value) {
                return Labeled.parse(ClassChoice.class, value, "weight classes");
            }
        }
    }

    @Spec
    CommandSpec spec;

    @Option(names = "--model", required = true, paramLabel = "FILE", description = "The model file (.safetensors written by surgeon).")
    Path model;

    @Option(names = "--data", required = true, paramLabel = "DATA", converter = Converters.Data.class,
            description = "The data: " + DataSpec.FORMS + ". The evidence is computed on the training set.")
    DataSpec data;

    @Option(names = "--hessian", paramLabel = "KIND", converter = HessianChoice.Converter.class, defaultValue = "exact",
            description = "exact|gauss-newton|kfac: the curvature B of the data error. exact and gauss-newton are dense "
                    + "(k × k, small networks); kfac needs --classes layer or single and no mask. Default: ${DEFAULT-VALUE}.")
    HessianChoice hessian;

    @Option(names = "--classes", paramLabel = "CLASSES", converter = ClassChoice.Converter.class, defaultValue = "tensor",
            description = "single|tensor|layer|input: weight classes with their own α (tensor: MacKay's weights and biases "
                    + "per layer; input: one class per input line, automatic relevance determination). Default: ${DEFAULT-VALUE}.")
    ClassChoice classes;

    @Option(names = "--retrain", description = "Alternate retraining to the most probable weights and re-estimation. Default: off (the "
                    + "weights are kept).")
    boolean retrain;

    @Option(names = "--loops", paramLabel = "N", defaultValue = "10",
            description = "--retrain: training/re-estimation loops (default ${DEFAULT-VALUE}).")
    int loops;

    @Option(names = "--iterations", paramLabel = "N", defaultValue = "500",
            description = "--retrain: L-BFGS iterations per training (default ${DEFAULT-VALUE}).")
    int iterations;

    @Option(names = "--reestimations", paramLabel = "N", defaultValue = "100",
            description = "Without --retrain: re-estimation steps at the fixed weights (default ${DEFAULT-VALUE}; stops "
                    + "earlier when α and β change by less than 1e-6).")
    int reestimations;

    @Option(names = "--alpha", paramLabel = "ALPHA", defaultValue = "0.01",
            description = "Initial α of every class (default ${DEFAULT-VALUE}).")
    double initialAlpha;

    @Option(names = "--beta", paramLabel = "BETA",
            description = "Initial β (regression). Default: 1 / variance of the training targets.")
    Double initialBeta;

    @Option(names = "--seed", paramLabel = "S",
            description = "Seed of generated data and of K-FAC's sampled labels. Default: the seed recorded in the model.")
    Long seed;

    @Option(names = "--out", paramLabel = "FILE", description = "--retrain: save the retrained model here. Default: not saved.")
    Path out;

    @Mixin
    KernelOptions kernelOptions;

    @Option(names = "--report", paramLabel = "FILE", converter = ReportFormat.PathConverter.class,
            description = "Also write a report: .json (docs/REPORTS.md, section evidence), .md or .csv.")
    Path report;

    @Override
    public Integer call() throws IOException {
        PrintWriter stdout = spec.commandLine().getOut();
        if (loops < 1 || iterations < 1 || reestimations < 1) {
            throw new UserException(ExitCodes.USAGE, "--loops, --iterations and --reestimations must be >= 1");
        }
        if (!(initialAlpha > 0) || (initialBeta != null && !(initialBeta > 0))) {
            throw new UserException(ExitCodes.USAGE, "--alpha and --beta must be > 0");
        }
        if (out != null && !retrain) {
            throw new UserException(ExitCodes.USAGE, "--out saves the retrained model; give --retrain");
        }
        Timings timings = new Timings();
        Kernels kernels = kernelOptions.kernels();
        ModelLoader.WithData loaded = ModelLoader.loadWithData(model, null, kernels, stdout, data, seed, timings);
        SavedModel saved = loaded.model();
        Network network = saved.network();
        long dataSeed = loaded.dataSeed();
        Split split = loaded.split();
        Dataset train = split.train();
        Likelihood likelihood = likelihood(network, train);
        WeightClasses classes = this.classes.of(network);
        if (saved.mask() != null) {
            classes = classes.masked(saved.mask());
        }
        double beta = !likelihood.hasNoisePrecision() ? 1 : initialBeta != null ? initialBeta : 1 / EvidenceFramework.targetVariance(train);
        Hyperparameters h0 = Hyperparameters.uniform(classes.size(), initialAlpha, beta);

        stdout.printf(Locale.ROOT, "model: %s: %s (%d parameters in the model)%n", model, network.spec(), classes.parameterCount());
        stdout.printf(Locale.ROOT, "data: %s%n", split.description());
        stdout.printf(Locale.ROOT, "likelihood: %s; Hessian: %s; classes: %s%n", likelihood.name().toLowerCase(Locale.ROOT),
                hessian.label(), classes);
        stdout.flush();

        Hyperparameters h;
        LaplaceApproximation laplace;
        Integer loopsRun = null;
        boolean converged;
        try {
            if (retrain) {
                EvidenceFramework.Result r = EvidenceFramework.builder(network, train).likelihood(likelihood).classes(classes)
                        .hessian(hessian.kind).mask(saved.mask()).initial(h0).loops(loops).iterations(iterations).seed(dataSeed)
                        .build().run();
                h = r.hyperparameters();
                laplace = r.laplace();
                loopsRun = r.loops().size();
                converged = r.converged();
                for (EvidenceFramework.Loop l : r.loops()) {
                    stdout.printf(Locale.ROOT, "loop %2d: M(w) %.4f, γ %.2f, ln p(D|α,β) %.3f, β %.4g → %.4g%n", l.loop(), l.objective(),
                            l.evidence().gamma(), l.evidence().logEvidence(), l.used().beta(), l.next().beta());
                }
            } else {
                laplace = LaplaceApproximation.at(network, train, likelihood, classes, hessian.kind, dataSeed);
                h = laplace.reestimate(h0, reestimations, 1e-6);
                converged = settled(laplace, h);
            }
        } catch (CurvatureTooLargeException e) {
            throw new UserException(ExitCodes.INPUT, e.getMessage() + "; use --hessian kfac (with --classes layer)");
        } catch (IllegalArgumentException e) {
            throw new UserException(ExitCodes.USAGE, e.getMessage());
        }
        timings.lap("evidence");
        EvidenceTerms terms = laplace.evidence(h);

        Double coverage = null;
        Double meanSd = null;
        if (likelihood.hasNoisePrecision()) {
            double[] var = laplace.predictiveVariance(h, split.test());
            double[] f = LaplaceApproximation.outputs(network, split.test());
            float[] t = split.test().targets();
            int within = 0;
            double sd = 0;
            for (int i = 0; i < var.length; i++) {
                double s = Math.sqrt(var[i]);
                sd += s;
                if (Math.abs(f[i] - t[i]) <= 2 * s) {
                    within++;
                }
            }
            coverage = (double) within / var.length;
            meanSd = sd / var.length;
        }
        timings.lap("error_bars");

        Loss metricLoss = likelihood.loss();
        Evaluation trainEval = Evaluation.of(network, metricLoss, train, 256);
        Evaluation testEval = Evaluation.of(network, metricLoss, split.test(), 256);
        boolean classification = train.isClassification();
        Report.Metrics metrics = Report.Metrics.of(trainEval, testEval, classification);
        timings.lap("evaluate");

        print(stdout, classes, h, terms, likelihood, coverage, meanSd, metrics);
        if (retrain && out != null) {
            ModelFile.write(out, network, saved.mask(), Provenance.of(dataSeed, data.text(), BuildInfo.version(), BuildInfo.commit())
                    .with("surgeon.train.loss", metricLoss.name())
                    .with("surgeon.evidence.log_evidence", Double.toString(terms.modelLogEvidence())));
            stdout.printf(Locale.ROOT, "saved %s%n", out);
        }
        if (report != null) {
            List<Report.WeightClass> wc = new ArrayList<>();
            double[] gamma = terms.gammaPerClass();
            for (int c = 0; c < classes.size(); c++) {
                wc.add(new Report.WeightClass(classes.name(c), classes.count(c), h.alpha(c), gamma[c]));
            }
            Report.Evidence ev = new Report.Evidence(likelihood.name().toLowerCase(Locale.ROOT), hessian.label(), wc,
                    likelihood.hasNoisePrecision() ? h.beta() : null, terms.gamma(), terms.parameters(), terms.targets(),
                    laplace.dataError(), terms.logEvidence(), terms.logOccamFactor(), terms.symmetryTerm(),
                    terms.hyperparameterOccam(), terms.modelLogEvidence(), loopsRun, converged, coverage, meanSd);
            List<Report.Layer> layers = Report.layers(network);
            long nonzero = Report.nonzero(layers);
            Report r = new Report("evidence", model.toString(), data.text(), dataSeed, "mackay", params(network, metricLoss, classes,
                    kernels), network.parameterCount(), nonzero, Report.sparsity(network.parameterCount(), nonzero), metrics, layers,
                    timings.withTotal(), Report.provenance(kernels, split.description(), null), null, null, ev);
            ReportWriter.write(r, report);
            stdout.printf(Locale.ROOT, "report: %s%n", report);
        }
        stdout.flush();
        return ExitCodes.OK;
    }

    /** The likelihood for the data; classification needs logits (a dense last layer). */
    private static Likelihood likelihood(Network network, Dataset train) {
        Likelihood l = Likelihood.of(network, train);
        List<Layer> layers = network.layers();
        if (l != Likelihood.GAUSSIAN && layers.get(layers.size() - 1).spec().kind() != LayerSpec.Kind.DENSE) {
            throw new UserException(ExitCodes.INPUT, "the classification likelihood of the evidence framework acts on logits, "
                    + "but " + network.spec() + " ends with " + layers.get(layers.size() - 1).spec()
                    + "; train a network whose last layer is dense (binary cross-entropy or softmax on its outputs)");
        }
        return l;
    }

    private static boolean settled(LaplaceApproximation laplace, Hyperparameters h) {
        Hyperparameters next = laplace.reestimate(h);
        boolean s = Math.abs(next.beta() - h.beta()) <= 1e-6 * h.beta();
        for (int c = 0; c < h.classes(); c++) {
            s &= Math.abs(next.alpha(c) - h.alpha(c)) <= 1e-6 * h.alpha(c);
        }
        return s;
    }

    private static void print(PrintWriter out, WeightClasses classes, Hyperparameters h, EvidenceTerms terms, Likelihood likelihood,
                              Double coverage, Double meanSd, Report.Metrics metrics) {
        out.println();
        out.printf(Locale.ROOT, "%-16s %8s %12s %8s%n", "weight class", "k_c", "α_c", "γ_c");
        double[] gamma = terms.gammaPerClass();
        for (int c = 0; c < classes.size(); c++) {
            out.printf(Locale.ROOT, "%-16s %8d %12.4g %8.2f%n", classes.name(c), classes.count(c), h.alpha(c), gamma[c]);
        }
        out.println();
        if (likelihood.hasNoisePrecision()) {
            out.printf(Locale.ROOT, "β = %.4g (noise σ = %.4g)%n", h.beta(), 1 / Math.sqrt(h.beta()));
        }
        out.printf(Locale.ROOT, "γ = %.2f well-determined of k = %d parameters; N_t = %d targets%n", terms.gamma(), terms.parameters(),
                terms.targets());
        out.printf(Locale.ROOT, "ln p(D|α,β) = %.3f  (data %.3f, prior %.3f, −½ ln det A %.3f, α terms %.3f, noise terms %.3f)%n",
                terms.logEvidence(), terms.dataTerm(), terms.priorTerm(), -0.5 * terms.logDetA(), terms.alphaTerm(), terms.noiseTerm());
        out.printf(Locale.ROOT, "ln Occam factor = %.3f; ln(2^M M!) = %.3f; hyperparameter Occam terms = %.3f%n",
                terms.logOccamFactor(), terms.symmetryTerm(), terms.hyperparameterOccam());
        out.printf(Locale.ROOT, "ln p(D|H) = %.3f%n", terms.modelLogEvidence());
        if (coverage != null) {
            out.printf(Locale.ROOT, "error bars: mean predictive σ %.4g; %.1f %% of test targets within ±2σ%n", meanSd,
                    100 * coverage);
        }
        out.printf(Locale.ROOT, "train loss %s, test loss %s%s%n", EpochTable.loss(metrics.trainLoss()), EpochTable.loss(metrics.testLoss()),
                metrics.testAccuracy() == null ? "" : ", test accuracy " + EpochTable.percent(metrics.testAccuracy()));
    }

    private Map<String, Object> params(Network network, Loss loss, WeightClasses classes, Kernels kernels) {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("arch", network.spec().toString());
        p.put("loss", loss.name());
        p.put("hessian", hessian.label());
        p.put("classes", this.classes.label());
        p.put("parameters", classes.parameterCount());
        p.put("retrain", retrain);
        p.put("loops", retrain ? loops : null);
        p.put("iterations", retrain ? iterations : null);
        p.put("reestimations", retrain ? null : reestimations);
        p.put("initial_alpha", initialAlpha);
        p.put("initial_beta", initialBeta);
        p.put("threads", kernels.threads());
        return p;
    }
}
