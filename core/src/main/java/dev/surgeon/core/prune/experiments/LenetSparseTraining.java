package dev.surgeon.core.prune.experiments;

import dev.surgeon.core.data.Datasets;
import dev.surgeon.core.data.Split;
import dev.surgeon.core.nn.Loss;
import dev.surgeon.core.nn.Network;
import dev.surgeon.core.prune.PruningContext;
import dev.surgeon.core.prune.PruningMethods;
import dev.surgeon.core.prune.PruningReport;
import dev.surgeon.core.prune.PruningRun;
import dev.surgeon.core.train.Evaluation;
import dev.surgeon.kernels.Kernels;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * LeNet-300-100 on Fashion-MNIST (METHODS R11, R13): SNIP (prune at initialization by connection sensitivity, then
 * train the sparse net from a fresh initialization; B11) and Han et al.'s iterative magnitude pruning with retraining
 * (B1) at 90, 95 and 98 % sparsity, against the dense network. Short budgets: SNIP trains as many epochs as the dense
 * net (SGD, lr 0.1 cosine-annealed instead of the paper's step decay, momentum 0.9, weight decay 5e-4, batch 100); Han
 * starts from the dense net and takes {@code hanRounds} geometric rounds with {@code hanEpochs} epoch(s) of fine-tuning
 * between rounds and after the last (lr 0.01 = 1/10 of a 0.1 training rate, momentum 0.9). MNIST targets (R11, R13):
 * SNIP 1.6 / 2.4 % error at 95 / 98 % (dense 1.7 %), Han 1.59 % at 92 % (dense 1.64 %); on Fashion-MNIST the
 * transferable target is the shape: both close to dense at 90 %, degrading towards 98 %.
 */
public final class LenetSparseTraining {
    static final TrainedModels.Recipe RECIPE = new TrainedModels.Recipe("lenet-300-100", 10, 0.05, 0.9, 5e-4, 64, true, 1);

    private LenetSparseTraining() {
    }

    /**
     * @param data       MNIST-layout directory
     * @param model      cached dense model
     * @param sparsities targets
     * @param snipEpochs training epochs of the SNIP networks
     * @param hanRounds  pruning rounds of Han's schedule
     * @param hanEpochs  fine-tuning epochs between rounds and after the last
     * @param seed       run seed
     */
    public record Options(Path data, Path model, List<Double> sparsities, int snipEpochs, int hanRounds, int hanEpochs, long seed) {
        public static Options defaults() {
            return new Options(Path.of(Datasets.FASHION_MNIST_PATH), Path.of("target/experiments/lenet-300-100-fashion-mnist.safetensors"),
                    List.of(0.9, 0.95, 0.98), RECIPE.epochs(), 4, 1, 0);
        }
    }

    /** One row: method, sparsity, test accuracy, seconds. */
    public record Row(String method, double sparsity, double testAccuracy, double seconds) {
    }

    public record Result(Options options, double dense, List<Row> rows) {
        public String table() {
            StringBuilder b = new StringBuilder();
            b.append(String.format(Locale.ROOT, "LeNet-300-100 on Fashion-MNIST, dense test accuracy %.2f %% (%s)%n", 100 * dense, RECIPE));
            b.append(String.format(Locale.ROOT, "SNIP: %d epochs from a fresh initialization (SGD lr 0.1 cosine, momentum 0.9, wd 5e-4, "
                    + "batch 100); Han: %d rounds, %d epoch(s) of fine-tuning after each (SGD lr 0.01, momentum 0.9)%n%n",
                    options.snipEpochs(), options.hanRounds(), options.hanEpochs()));
            b.append("| method | sparsity | test accuracy | Δ vs dense | seconds |\n|---|---|---|---|---|\n");
            for (Row r : rows) {
                b.append(String.format(Locale.ROOT, "| %s | %.0f %% | %.2f %% | %+.2f | %.0f |%n", r.method(), 100 * r.sparsity(),
                        100 * r.testAccuracy(), 100 * (r.testAccuracy() - dense), r.seconds()));
            }
            return b.toString();
        }
    }

    public static Result run(Options o) throws IOException {
        Split split = Datasets.fashionMnist(o.data());
        Loss loss = Loss.softmaxCrossEntropy();
        Network dense = TrainedModels.trainOrLoad(o.model(), RECIPE, loss, split.train(), split.test());
        double denseAccuracy = Evaluation.of(dense, loss, split.test(), 1000).accuracy();
        List<Row> rows = new ArrayList<>();
        for (double s : o.sparsities()) {
            Map<String, String> snip = new LinkedHashMap<>();
            snip.put("sparsity", Double.toString(s));
            snip.put("retrain_epochs", Integer.toString(o.snipEpochs()));
            snip.put("finetune_cosine", "true");
            snip.put("measure_samples", "0");
            rows.add(prune("snip", snip, dense, split, loss, o.seed(), s));
            Map<String, String> han = new LinkedHashMap<>();
            han.put("sparsity", Double.toString(s));
            han.put("rounds", Integer.toString(o.hanRounds()));
            han.put("finetune_epochs", Integer.toString(o.hanEpochs()));
            han.put("retrain_epochs", Integer.toString(o.hanEpochs()));
            han.put("measure_samples", "0");
            rows.add(prune("han", han, dense, split, loss, o.seed(), s));
        }
        return new Result(o, denseAccuracy, rows);
    }

    private static Row prune(String method, Map<String, String> knobs, Network dense, Split split, Loss loss, long seed, double s) {
        Network net = dense.copy(Kernels.get());
        PruningContext ctx = PruningContext.builder(net, loss, split.train()).test(split.test()).seed(seed).evaluationBatch(1000).build();
        long t0 = System.nanoTime();
        PruningReport r = PruningRun.execute(ctx, PruningMethods.plan(method, knobs));
        return new Row(method, s, r.after().testAccuracy(), (System.nanoTime() - t0) / 1e9);
    }

    /** Arguments {@code key=value}: data, model, sparsities, snip-epochs, han-rounds, han-epochs, seed. */
    public static String run(Map<String, String> a) throws IOException {
        Arguments.check(a, "lenet", "data", "model", "sparsities", "snip-epochs", "han-rounds", "han-epochs", "seed");
        Options d = Options.defaults();
        Options o = new Options(Path.of(a.getOrDefault("data", d.data().toString())), Path.of(a.getOrDefault("model", d.model().toString())),
                Arguments.doubles(a, "sparsities", d.sparsities()), Arguments.integer(a, "snip-epochs", d.snipEpochs()),
                Arguments.integer(a, "han-rounds", d.hanRounds()), Arguments.integer(a, "han-epochs", d.hanEpochs()),
                Arguments.integer(a, "seed", d.seed()));
        return run(o).table();
    }

    public static void main(String[] args) throws IOException {
        System.out.print(run(Arguments.parse(args)));
    }
}
