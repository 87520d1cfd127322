package dev.surgeon.cli;

import dev.surgeon.core.curvature.GradientStorage;
import dev.surgeon.core.data.Batches;
import dev.surgeon.core.data.Dataset;
import dev.surgeon.core.data.Datasets;
import dev.surgeon.core.data.Split;
import dev.surgeon.core.nn.ArchitectureSpec;
import dev.surgeon.core.nn.Loss;
import dev.surgeon.core.nn.Network;
import dev.surgeon.core.optim.Adam;
import dev.surgeon.core.optim.Kfac;
import dev.surgeon.core.optim.Mfac;
import dev.surgeon.core.optim.Optimizer;
import dev.surgeon.core.optim.Sgd;
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
 * Experiment driver (issue 10, not a test): training curves of SGD with momentum, Adam, K-FAC and M-FAC on
 * Fashion-MNIST — loss on a fixed subset of the training set against iterations and against training wall time
 * (evaluation time excluded) — written as SVG charts, a Markdown table and a CSV of every point.
 * <pre>
 * java --add-modules jdk.incubator.vector -cp "cli/target/test-classes:cli/target/surgeon-cli.jar:cli/target/lib/*" \
 *     dev.surgeon.cli.OptimizerCurves lenet OUT_DIR [sgd,adam,kfac,kfac-kl,mfac@3] [epochs] [K-FAC share]
 * </pre>
 * Models: {@code lenet} (LeNet-300-100, softmax cross-entropy), {@code deep-autoencoder} (the paper's
 * 784-1000-500-250-30 and mirrored, logistic hidden units, linear code layer, binary cross-entropy of the pixel
 * intensities on logits) and {@code autoencoder} (784-256-64-16-64-256-784 with ReLU, the same loss; small enough
 * for quick runs). Batch 128, one seed, the same initial weights for every optimizer.
 */
final class OptimizerCurves {
    private static final int BATCH = 128;
    private static final int PROBE = 5000;
    private static final long SEED = 1;

    private OptimizerCurves() {
    }

    /** One measured point. */
    record Point(long iteration, double seconds, double loss) {
    }

    public static void main(String[] args) throws IOException {
        String model = args[0];
        Path out = Path.of(args[1]);
        List<String> names = List.of((args.length > 2 ? args[2] : "sgd,adam,kfac,mfac").split(","));
        double epochs = args.length > 3 ? Double.parseDouble(args[3]) : 10;
        Files.createDirectories(out);
        Kernels kernels = Kernels.get().withThreads(1);
        Split split = Datasets.fashionMnist();
        Dataset train = split.train();
        boolean autoencoder = model.contains("autoencoder");
        if (autoencoder) {
            train = Dataset.regression("fashion-mnist pixels", train.inputShape(), train.inputs(), train.inputSize(),
                    train.inputs());
        }
        String spec = switch (model) {
            case "autoencoder" -> "in(784) dense(256) relu dense(64) relu dense(16) dense(64) relu dense(256) relu dense(784)";
            case "deep-autoencoder" -> "in(784) dense(1000) sigmoid dense(500) sigmoid dense(250) sigmoid dense(30) "
                    + "dense(250) sigmoid dense(500) sigmoid dense(1000) sigmoid dense(784)";
            default -> "lenet-300-100";
        };
        Loss loss = autoencoder ? Loss.binaryCrossEntropy() : Loss.softmaxCrossEntropy();
        Dataset probe = train.subset(sample(train.size(), PROBE, 7), "training subset of " + PROBE);
        int perEpoch = (train.size() + BATCH - 1) / BATCH;
        int every = perEpoch / 5;
        try (PrintWriter csv = new PrintWriter(Files.newBufferedWriter(out.resolve(model + "-curves.csv")))) {
            csv.println("optimizer,iteration,seconds,loss");
            List<Charts.Series> byIteration = new ArrayList<>();
            List<Charts.Series> byTime = new ArrayList<>();
            java.util.Map<String, List<Point>> results = new java.util.LinkedHashMap<>();
            for (String entry : names) {
                // name@E trains this optimizer for E epochs instead of the common budget.
                String name = entry.contains("@") ? entry.substring(0, entry.indexOf('@')) : entry;
                Network net = Network.create(ArchitectureSpec.parse(spec), SEED, kernels);
                Optimizer opt = optimizer(name, net, kernels, autoencoder);
                long budget = entry.contains("@") ? Math.round(Double.parseDouble(entry.substring(entry.indexOf('@') + 1)) * perEpoch)
                        : Math.round(epochs * perEpoch * (name.startsWith("kfac") ? budgetShare(args) : 1));
                System.out.printf(Locale.ROOT, "%s: %s, %d iterations%n", name, opt, budget);
                List<Point> points;
                try {
                    points = run(net, loss, opt, train, probe, budget, every);
                } catch (ArithmeticException e) {
                    System.out.println("  diverged: " + e.getMessage());
                    continue;
                }
                double[] it = new double[points.size()];
                double[] sec = new double[points.size()];
                double[] l = new double[points.size()];
                for (int i = 0; i < points.size(); i++) {
                    Point p = points.get(i);
                    it[i] = p.iteration();
                    sec[i] = p.seconds();
                    l[i] = p.loss();
                    csv.printf(Locale.ROOT, "%s,%d,%.3f,%.6f%n", name, p.iteration(), p.seconds(), p.loss());
                }
                csv.flush();
                results.put(name, points);
                summary(out.resolve(model + "-curves.md"), model, results, perEpoch);
                byIteration.add(new Charts.Series(name, it, l));
                byTime.add(new Charts.Series(name, sec, l));
                Charts.write(Charts.line(model + ": training loss (" + PROBE + "-sample training subset)", "iteration",
                        "mean loss per sample", byIteration, true), out.resolve(model + "-loss-vs-iterations.svg"));
                Charts.write(Charts.line(model + ": training loss vs wall time (1 kernel thread)", "seconds of training",
                        "mean loss per sample", byTime, true), out.resolve(model + "-loss-vs-time.svg"));
            }
        }
    }

    /**
     * The table of the runs so far: iterations and training seconds run, final loss, and the first measured point at or
     * below the final loss of the first optimizer listed (the target), in iterations, epochs and seconds.
     */
    private static void summary(Path file, String model, java.util.Map<String, List<Point>> results, int perEpoch)
            throws IOException {
        List<Point> reference = results.values().iterator().next();
        double target = reference.get(reference.size() - 1).loss();
        String first = results.keySet().iterator().next();
        try (PrintWriter md = new PrintWriter(Files.newBufferedWriter(file))) {
            md.printf(Locale.ROOT, "Target: %s's final training-subset loss %.4f after %d iterations.%n%n", first, target,
                    reference.get(reference.size() - 1).iteration());
            md.println("| optimizer | iterations run | training s | s / iteration | final loss | iterations to target "
                    + "| epochs to target | share of the reference's iterations | s to target |");
            md.println("|---|---|---|---|---|---|---|---|---|");
            for (java.util.Map.Entry<String, List<Point>> e : results.entrySet()) {
                List<Point> p = e.getValue();
                Point last = p.get(p.size() - 1);
                Point hit = p.stream().filter(x -> x.iteration() > 0 && x.loss() <= target).findFirst().orElse(null);
                md.printf(Locale.ROOT, "| %s | %d | %.1f | %.4f | %.4f | %s | %s | %s | %s |%n", e.getKey(), last.iteration(),
                        last.seconds(), last.seconds() / Math.max(1, last.iteration()), last.loss(),
                        hit == null ? "not reached" : Long.toString(hit.iteration()),
                        hit == null ? "-" : String.format(Locale.ROOT, "%.2f", (double) hit.iteration() / perEpoch),
                        hit == null ? "-" : String.format(Locale.ROOT, "%.2f", (double) hit.iteration()
                                / reference.get(reference.size() - 1).iteration()),
                        hit == null ? "-" : String.format(Locale.ROOT, "%.1f", hit.seconds()));
            }
        }
    }

    /** The K-FAC iteration budget as a fraction of the others' (args[4], default 0.4). */
    private static double budgetShare(String[] args) {
        return args.length > 4 ? Double.parseDouble(args[4]) : 0.4;
    }

    /**
     * An optimizer from {@code name[:arg…]}: {@code sgd[:η[:μ]]} (0.05, 0.9; autoencoder η 0.01), {@code adam[:η]}
     * (1e-3), {@code kfac[:λ₀[:λ_min]]} (the paper's rule, 1, 1e-2), {@code kfac-kl[:η[:λ[:κ]]]} (KL clipping,
     * 0.05, 1e-2, 1e-2, statistics every 10 steps, inverses every 100), {@code mfac[:η[:m[:λ]]]} (1e-3, 256, 1e-5).
     */
    static Optimizer optimizer(String name, Network net, Kernels kernels, boolean autoencoder) {
        String[] a = name.split(":");
        double[] v = new double[a.length];
        for (int i = 1; i < a.length; i++) {
            v[i] = Double.parseDouble(a[i]);
        }
        java.util.function.BiFunction<Integer, Double, Double> or = (i, def) -> i < a.length ? v[i] : def;
        return switch (a[0]) {
            case "sgd" -> Sgd.momentum(or.apply(1, autoencoder ? 0.01 : 0.05), or.apply(2, 0.9));
            case "adam" -> new Adam(or.apply(1, 1e-3));
            case "kfac" -> Kfac.paper(net, or.apply(1, 1.0)).minimumDamping(or.apply(2, 1e-2)).seed(3).build();
            case "kfac-kl" -> Kfac.klClip(net).learningRate(or.apply(1, 0.05)).damping(or.apply(2, 1e-2))
                    .klClip(or.apply(3, 1e-2)).seed(3).build();
            case "mfac" -> new Mfac(or.apply(1, 1e-3), (int) (double) or.apply(2, 256.0), or.apply(3, 1e-5), 0, 0,
                    GradientStorage.FLOAT, kernels);
            default -> throw new IllegalArgumentException("unknown optimizer " + name);
        };
    }

    /** Trains for {@code budget} iterations, measuring the probe loss every {@code every} iterations. */
    static List<Point> run(Network net, Loss loss, Optimizer opt, Dataset train, Dataset probe, long budget, int every) {
        Trainer trainer = Trainer.builder(net, loss, opt).batchSize(BATCH).seed(SEED).build();
        Batches batches = new Batches(train.size(), BATCH, SEED, true, false);
        int[] order = new int[train.size()];
        List<Point> points = new ArrayList<>();
        points.add(new Point(0, 0, Evaluation.of(net, loss, probe, 500).loss()));
        long iteration = 0;
        double seconds = 0;
        for (int epoch = 0; iteration < budget; epoch++) {
            batches.epochOrder(epoch, order);
            for (int b = 0; b < batches.count() && iteration < budget; b++) {
                long start = System.nanoTime();
                trainer.workspace().load(train, order, b * BATCH, batches.batchLength(b));
                trainer.step();
                seconds += (System.nanoTime() - start) / 1e9;
                iteration++;
                if (iteration % every == 0 || iteration == budget) {
                    double l = Evaluation.of(net, loss, probe, 500).loss();
                    points.add(new Point(iteration, seconds, l));
                    System.out.printf(Locale.ROOT, "  %6d it  %8.1f s  loss %.5f%n", iteration, seconds, l);
                    if (!Double.isFinite(l)) {
                        return points;
                    }
                }
            }
        }
        return points;
    }

    /** {@code count} distinct indices of {@code [0, n)}, seeded (a partial Fisher–Yates shuffle), sorted. */
    static int[] sample(int n, int count, long seed) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) {
            p[i] = i;
        }
        java.util.SplittableRandom r = new java.util.SplittableRandom(seed);
        for (int i = 0; i < count; i++) {
            int j = i + r.nextInt(n - i);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        int[] s = java.util.Arrays.copyOf(p, count);
        java.util.Arrays.sort(s);
        return s;
    }
}
