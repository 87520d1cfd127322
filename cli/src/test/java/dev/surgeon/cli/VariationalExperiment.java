package dev.surgeon.cli;

import dev.surgeon.core.bayes.VariationalTraining;
import dev.surgeon.core.data.Datasets;
import dev.surgeon.core.data.Split;
import dev.surgeon.core.nn.ArchitectureSpec;
import dev.surgeon.core.nn.Loss;
import dev.surgeon.core.nn.Mask;
import dev.surgeon.core.nn.Network;
import dev.surgeon.core.optim.Adam;
import dev.surgeon.core.train.Evaluation;
import dev.surgeon.core.train.Trainer;
import dev.surgeon.kernels.Kernels;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Experiment driver (issue 10, not a test): Graves's variational training and signal-to-noise pruning (METHODS E2) on
 * a Fashion-MNIST 784-100-10 ReLU MLP, against magnitude pruning. Three networks from the same initial weights:
 * ordinary training (Adam), variational training (Adam on [m; ln σ²], Fisher σ² gradients, adaptive prior), and the
 * variational network pruned by magnitude of m. For every sparsity of a grid the test error without retraining,
 * and the largest sparsity whose test error stays within 0.5 percentage points of the unpruned network's.
 * <pre>
 * java ... dev.surgeon.cli.VariationalExperiment OUT_DIR [epochs] [initial σ] [FISHER|PATHWISE]
 * </pre>
 */
final class VariationalExperiment {
    private static final String SPEC = "in(784) dense(100) relu dense(10)";
    private static final double TOLERANCE = 0.005;

    private VariationalExperiment() {
    }

    public static void main(String[] args) throws IOException {
        Path out = Path.of(args[0]);
        int epochs = args.length > 1 ? Integer.parseInt(args[1]) : 10;
        double sigma = args.length > 2 ? Double.parseDouble(args[2]) : 0.01;
        VariationalTraining.VarianceGradient estimator = args.length > 3
                ? VariationalTraining.VarianceGradient.valueOf(args[3]) : VariationalTraining.VarianceGradient.FISHER;
        Files.createDirectories(out);
        Kernels kernels = Kernels.get().withThreads(1);
        Split split = Datasets.fashionMnist();
        Loss loss = Loss.softmaxCrossEntropy();

        Network plain = Network.create(ArchitectureSpec.parse(SPEC), 1, kernels);
        long start = System.nanoTime();
        Trainer.builder(plain, loss, new Adam(1e-3)).batchSize(128).epochs(epochs).seed(2).build().fit(split.train());
        double plainSeconds = (System.nanoTime() - start) / 1e9;

        Network variational = Network.create(ArchitectureSpec.parse(SPEC), 1, kernels);
        VariationalTraining vt = VariationalTraining.builder(variational, loss, new Adam(1e-3), split.train().size()).seed(2)
                .initialSigma(sigma).estimator(estimator).build();
        start = System.nanoTime();
        vt.trainer().batchSize(128).epochs(epochs).build().fit(split.train());
        double variationalSeconds = (System.nanoTime() - start) / 1e9;
        float[] mean = vt.mean();

        double[] sparsities = new double[90];
        for (int i = 0; i < sparsities.length; i++) {
            sparsities[i] = 0.1 + 0.01 * i;
        }
        double plainDense = error(plain, loss, split, null);
        double variationalDense = error(variational, loss, split, null);
        double[][] errors = new double[3][sparsities.length];
        for (int i = 0; i < sparsities.length; i++) {
            errors[0][i] = error(plain, loss, split, VariationalTraining.magnitudeMask(plain, sparsities[i]));
            errors[1][i] = error(variational, loss, split, vt.signalToNoiseMask(sparsities[i]));
            System.arraycopy(mean, 0, variational.parameters(), 0, mean.length);
            errors[2][i] = error(variational, loss, split, VariationalTraining.magnitudeMask(variational, sparsities[i]));
            System.arraycopy(mean, 0, variational.parameters(), 0, mean.length);
        }
        String[] names = {"ordinary training, magnitude pruning", "variational, signal-to-noise pruning",
            "variational, magnitude pruning of m"};
        double[] dense = {plainDense, variationalDense, variationalDense};
        try (PrintWriter md = new PrintWriter(Files.newBufferedWriter(out.resolve("variational.md")))) {
            md.printf(Locale.ROOT, "### Graves 2011: signal-to-noise pruning on Fashion-MNIST%n%n%s, ReLU, softmax cross-entropy, Adam "
                    + "η = 1e-3, batch 128, %d epochs, seed 2; variational: initial σ = %s, adaptive prior, Fisher σ² gradients, "
                    + "L_C counted once per epoch. Test error without retraining after pruning weights (biases kept).%n%n",
                    SPEC, epochs, sigma, estimator == VariationalTraining.VarianceGradient.FISHER ? "Fisher (Graves)" : "pathwise");
            md.printf(Locale.ROOT, "Training time: ordinary %.1f s, variational %.1f s (%.2f×). Variational: L_C = %.0f nats, prior "
                    + "N(%.4f, %.5f).%n%n", plainSeconds, variationalSeconds, variationalSeconds / plainSeconds, vt.complexityCost(),
                    vt.priorMean(), vt.priorVariance());
            md.println("| sparsity | " + String.join(" | ", names) + " |");
            md.println("|---|---|---|---|");
            md.printf(Locale.ROOT, "| 0 (dense) | %.2f %% | %.2f %% | %.2f %% |%n", 100 * dense[0], 100 * dense[1], 100 * dense[2]);
            for (int i = 0; i < sparsities.length; i++) {
                if (i % 10 == 0 || sparsities[i] >= 0.895 || errors[0][i] <= dense[0] + TOLERANCE
                        && (i + 1 == sparsities.length || errors[0][i + 1] > dense[0] + TOLERANCE)) {
                    md.printf(Locale.ROOT, "| %.1f %% | %.2f %% | %.2f %% | %.2f %% |%n", 100 * sparsities[i], 100 * errors[0][i],
                            100 * errors[1][i], 100 * errors[2][i]);
                }
            }
            md.printf(Locale.ROOT, "%nLargest fraction of weights removable with the test error within %.1f points of the "
                    + "unpruned network's:%n%n", 100 * TOLERANCE);
            for (int m = 0; m < 3; m++) {
                double best = 0;
                for (int i = 0; i < sparsities.length; i++) {
                    if (errors[m][i] <= dense[m] + TOLERANCE) {
                        best = Math.max(best, sparsities[i]);
                    }
                }
                md.printf(Locale.ROOT, "- %s: %.1f %% (unpruned %.2f %%)%n", names[m], 100 * best, 100 * dense[m]);
            }
        }
        List<Charts.Series> series = new ArrayList<>();
        double[] percent = new double[sparsities.length];
        for (int i = 0; i < percent.length; i++) {
            percent[i] = 100 * sparsities[i];
        }
        for (int m = 0; m < 3; m++) {
            double[] e = new double[sparsities.length];
            for (int i = 0; i < e.length; i++) {
                e[i] = 100 * errors[m][i];
            }
            series.add(new Charts.Series(names[m], percent, e));
        }
        Charts.write(Charts.line("Fashion-MNIST 784-100-10: test error after pruning (no retraining)", "sparsity of the weights (%)",
                "test error (%)", series, true), out.resolve("variational-pruning.svg"));
    }

    /** Test error with the mask applied to a copy of the weights (the network is restored). */
    private static double error(Network net, Loss loss, Split split, Mask mask) {
        float[] keep = net.parameters().clone();
        if (mask != null) {
            mask.apply(net.parameters());
        }
        double e = 1 - Evaluation.of(net, loss, split.test(), 500).accuracy();
        System.arraycopy(keep, 0, net.parameters(), 0, keep.length);
        return e;
    }
}
