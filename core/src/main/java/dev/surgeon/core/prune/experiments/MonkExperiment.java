package dev.surgeon.core.prune.experiments;

import dev.surgeon.core.data.Dataset;
import dev.surgeon.core.data.MonkProblems;
import dev.surgeon.core.data.MonkReader;
import dev.surgeon.core.nn.Loss;
import dev.surgeon.core.nn.Network;
import dev.surgeon.core.nn.Reduction;
import dev.surgeon.core.optim.Sgd;
import dev.surgeon.core.prune.PruningContext;
import dev.surgeon.core.prune.PruningMethods;
import dev.surgeon.core.prune.PruningReport;
import dev.surgeon.core.prune.PruningRun;
import dev.surgeon.core.train.Trainer;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The MONK's problems with Optimal Brain Surgeon (Hassibi and Stork 1993; METHODS R2–R4): 17-3-1 (MONK-1, 58 weights)
 * and 17-2-1 (MONK-2, MONK-3, 39 weights) sigmoid networks with biases, trained by backpropagation with weight decay on
 * the summed squared error, then OBS with H rebuilt after every deletion removes weights (biases included, as in the
 * paper's counts) until the training accuracy would drop ({@code sparsity=auto}). Training sets are generated subsets
 * of the official sizes with a recorded seed ({@link MonkProblems#trainingSet}), or the official UCI files when given;
 * test sets are all 432 attribute combinations. Paper: 58 → 14, 39 → 15, 39 → 4 weights at unchanged accuracy.
 */
public final class MonkExperiment {
    private static final int[] PAPER_AFTER = {14, 15, 4};

    private MonkExperiment() {
    }

    /**
     * @param problem      1, 2 or 3
     * @param dataSeed     seed of the generated training subset (ignored with {@code trainFile})
     * @param trainFile    the official {@code monks-N.train} file, or null for a generated subset
     * @param netSeed      initialization and batch-order seed
     * @param epochs       training epochs
     * @param learningRate SGD η (momentum 0.9, batches of 1)
     * @param weightDecay  coupled L2 coefficient of the training
     * @param alpha        OBS's α
     */
    public record Options(int problem, long dataSeed, Path trainFile, long netSeed, int epochs, double learningRate,
                          double weightDecay, double alpha) {
        /** Weight decay 1e-4 (MONK-1, MONK-2) or 2e-3 (MONK-3, whose noisy labels should not be fitted). */
        public static Options defaults(int problem) {
            return new Options(problem, 0, null, 1, 1000, 0.05, problem == 3 ? 2e-3 : 1e-4, 1e-6);
        }
    }

    /**
     * @param data        where the training set came from
     * @param report      the OBS run's report (weights, accuracies, steps, notes)
     */
    public record Result(Options options, String data, PruningReport report) {
        public int weightsBefore() {
            return (int) report.nonzeroWeightsBefore();
        }

        public int weightsAfter() {
            return (int) report.nonzeroWeights();
        }

        /** One Markdown table row: problem, data, seeds, weights before → after (paper), train/test accuracy before → after. */
        public String row() {
            return String.format(Locale.ROOT, "| MONK-%d | %s | %d | %s | %d → %d (paper %s → %d) | %.1f → %.1f %% | %.1f → %.1f %% |",
                    options.problem(), data, options.netSeed(), options.weightDecay(), weightsBefore(), weightsAfter(),
                    options.problem() == 1 ? "58" : "39",
                    PAPER_AFTER[options.problem() - 1], 100 * report.before().trainAccuracy(), 100 * report.after().trainAccuracy(),
                    100 * report.before().testAccuracy(), 100 * report.after().testAccuracy());
        }
    }

    /** The table header matching {@link Result#row()}. */
    public static String header() {
        return "| problem | training set | net seed | weight decay | weights | train accuracy | test accuracy |\n"
                + "|---|---|---|---|---|---|---|";
    }

    /**
     * A trained MONK network before pruning.
     *
     * @param network     the trained network (17-3-1 or 17-2-1)
     * @param loss        the summed squared error it was trained with
     * @param train       the training set
     * @param test        all 432 attribute combinations
     * @param data        where the training set came from
     */
    public record Trained(Network network, Loss loss, Dataset train, Dataset test, String data) {
    }

    /** Generates (or reads) the training set and trains the network of problem {@code o.problem()} by the recipe. */
    public static Trained train(Options o) throws IOException {
        Dataset train;
        String description;
        if (o.trainFile() != null) {
            train = MonkReader.read(o.trainFile());
            description = "official " + o.trainFile().getFileName();
        } else {
            train = MonkProblems.trainingSet(o.problem(), o.dataSeed()).data();
            description = "generated (seed " + o.dataSeed() + ")";
        }
        Dataset test = MonkProblems.testSet(o.problem());
        Network net = Network.create(o.problem() == 1 ? "monk-3h" : "monk-2h", o.netSeed());
        Loss loss = Loss.meanSquaredError(Reduction.SUM);
        Trainer.builder(net, loss, Sgd.momentum(o.learningRate(), 0.9).weightDecay(o.weightDecay())).batchSize(1)
                .epochs(o.epochs()).seed(o.netSeed()).build().fit(train);
        return new Trained(net, loss, train, test, description);
    }

    public static Result run(Options o) throws IOException {
        Trained t = train(o);
        PruningContext ctx = PruningContext.builder(t.network(), t.loss(), t.train()).test(t.test()).seed(o.netSeed())
                .pruneBiases(true).build();
        PruningReport report = PruningRun.execute(ctx, PruningMethods.plan("obs", Map.of("sparsity", "auto",
                "prune_biases", "true", "alpha", Double.toString(o.alpha()), "measure_samples", "0")));
        return new Result(o, t.data(), report);
    }

    /**
     * Runs MONK-1, 2 and 3 with the defaults; arguments {@code key=value} override them for all problems
     * ({@code data-seed}, {@code net-seeds=1,2,3} (one row per seed), {@code epochs}, {@code lr}, {@code wd} — or
     * {@code wd-N} for problem N —, {@code alpha}, {@code problems=1,3}), and {@code train-N=PATH} gives the official
     * training file of problem N. Returns the table.
     */
    public static String run(Map<String, String> a) throws IOException {
        Arguments.check(a, "monk", "problems", "net-seeds", "data-seed", "epochs", "lr", "wd", "wd-*", "alpha", "train-*");
        StringBuilder b = new StringBuilder(header()).append('\n');
        for (long p : Arguments.longs(a, "problems", List.of(1L, 2L, 3L))) {
            int problem = (int) p;
            Options d = Options.defaults(problem);
            String file = a.get("train-" + problem);
            for (long netSeed : Arguments.longs(a, "net-seeds", List.of(d.netSeed()))) {
                Options o = new Options(problem, Arguments.integer(a, "data-seed", d.dataSeed()), file == null ? null : Path.of(file),
                        netSeed, Arguments.integer(a, "epochs", d.epochs()), Arguments.real(a, "lr", d.learningRate()),
                        Arguments.real(a, "wd-" + problem, Arguments.real(a, "wd", d.weightDecay())),
                        Arguments.real(a, "alpha", d.alpha()));
                b.append(run(o).row()).append('\n');
            }
        }
        return b.toString();
    }

    public static void main(String[] args) throws IOException {
        System.out.print(run(Arguments.parse(args)));
    }
}
