package dev.surgeon.cli;

import dev.surgeon.core.bayes.EvidenceFramework;
import dev.surgeon.core.bayes.EvidenceTerms;
import dev.surgeon.core.bayes.LaplaceApproximation;
import dev.surgeon.core.bayes.WeightClasses;
import dev.surgeon.core.data.Dataset;
import dev.surgeon.core.data.Split;
import dev.surgeon.core.data.SyntheticData;
import dev.surgeon.core.nn.ArchitectureSpec;
import dev.surgeon.core.nn.Loss;
import dev.surgeon.core.nn.Mask;
import dev.surgeon.core.nn.Network;
import dev.surgeon.core.nn.ParameterTensor;
import dev.surgeon.core.train.Evaluation;
import dev.surgeon.kernels.Kernels;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * Experiment driver (issue 10, not a test): MacKay's evidence framework (METHODS E1, R23) on
 * <ul>
 *   <li>{@code sine}: 1-D regression with known noise σ = 0.1 (60 points): γ ≤ k, β against 1/σ² = 100, the evidence
 *       of hidden sizes 1..20 against the test error;</li>
 *   <li>{@code robot-arm}: MacKay's task (200 points, σ = 0.05, β should approach 400);</li>
 *   <li>{@code ripley}: two-class classification (250 points), evidence against the test misclassification rate;</li>
 *   <li>{@code pruning}: a robot-arm network pruned by magnitude step by step, every variant retrained with its own
 *       α, β; the evidence as the stopping rule against the test error.</li>
 * </ul>
 * Every network is one tanh hidden layer, trained by the evidence loop itself (L-BFGS to the most probable weights,
 * MacKay re-estimation, per-tensor weight classes, exact dense Hessian). Several initial weights per size: the
 * evidence is compared per trained network and for the best-evidence network of each size. Spearman and Pearson
 * correlations between ln p(D|H) and the test error are printed (negative: more evidence, less error).
 * <pre>
 * java ... dev.surgeon.cli.EvidenceExperiment sine|robot-arm|ripley|pruning OUT_DIR [seeds]
 * </pre>
 */
final class EvidenceExperiment {
    private EvidenceExperiment() {
    }

    /** One trained network. */
    record Run(int hidden, long seed, int parameters, double gamma, double beta, double logEvidence, double modelLogEvidence,
               double symmetry, double trainError, double testError, boolean converged) {
        /** ln p(D|H) without the hidden-unit symmetry term. */
        double withoutSymmetry() {
            return modelLogEvidence - symmetry;
        }
    }

    public static void main(String[] args) throws IOException {
        String task = args[0];
        Path out = Path.of(args[1]);
        int seeds = args.length > 2 ? Integer.parseInt(args[2]) : 5;
        Files.createDirectories(out);
        try (PrintWriter md = new PrintWriter(Files.newBufferedWriter(out.resolve("evidence-" + task + ".md")))) {
            switch (task) {
                case "sine" -> sweep(md, out, task, SyntheticData.sine(60, 0.1, 1), new int[] {1, 2, 3, 4, 5, 6, 8, 10, 15, 20},
                        seeds, 0.1);
                case "robot-arm" -> sweep(md, out, task, SyntheticData.robotArm(200, 0.05, 1), new int[] {2, 4, 6, 8, 10, 12, 15, 20},
                        seeds, 0.05);
                case "ripley" -> sweep(md, out, task, SyntheticData.ripley(250, 1), new int[] {1, 2, 3, 4, 6, 8, 10, 15}, seeds,
                        Double.NaN);
                case "pruning" -> pruning(md, out, SyntheticData.robotArm(200, 0.05, 1));
                default -> throw new IllegalArgumentException("unknown task " + task);
            }
        }
    }

    static String spec(Dataset data, int hidden) {
        int outputs = data.isClassification() ? 1 : data.targetSize();
        return "in(" + data.inputSize() + ") dense(" + hidden + ") tanh dense(" + outputs + ")";
    }

    /** Trains by the evidence loop; test error = RMSE (regression) or misclassification rate. */
    static Run train(Network net, Split split, Mask mask, int hidden, long seed) {
        EvidenceFramework.Result r = EvidenceFramework.builder(net, split.train()).classes(WeightClasses.perTensor(net.layout()))
                .hessian(LaplaceApproximation.Hessian.EXACT).mask(mask).loops(20).iterations(300).tolerance(1e-3).seed(seed)
                .build().run();
        EvidenceTerms e = r.evidence();
        boolean classification = split.train().isClassification();
        Loss loss = r.laplace().likelihood().loss();
        Evaluation train = Evaluation.of(net, loss, split.train(), 256);
        Evaluation test = Evaluation.of(net, loss, split.test(), 256);
        int outputs = net.outputSize();
        double trainError = classification ? 1 - train.accuracy() : Math.sqrt(2 * train.loss() / outputs);
        double testError = classification ? 1 - test.accuracy() : Math.sqrt(2 * test.loss() / outputs);
        return new Run(hidden, seed, e.parameters(), e.gamma(), r.hyperparameters().beta(), e.logEvidence(), e.modelLogEvidence(),
                e.symmetryTerm(), trainError, testError, r.converged());
    }

    private static void sweep(PrintWriter md, Path out, String task, Split split, int[] sizes, int seeds, double noise)
            throws IOException {
        Kernels kernels = Kernels.get().withThreads(1);
        boolean classification = split.train().isClassification();
        String errorName = classification ? "test error rate" : "test RMSE";
        md.printf(Locale.ROOT, "### Evidence vs hidden units: %s%n%n%s. One tanh hidden layer, %d initializations per size, "
                + "per-tensor α, exact Hessian.%n%n", task, split.description(), seeds);
        md.println("| hidden | k | seed | γ | β | ln p(D\\|α,β) | ln(2^M M!) | ln p(D\\|H) | train error | " + errorName
                + " | converged |");
        md.println("|---|---|---|---|---|---|---|---|---|---|---|");
        List<Run> runs = new ArrayList<>();
        List<Run> best = new ArrayList<>();
        List<Run> bestWithout = new ArrayList<>();
        for (int h : sizes) {
            Run top = null;
            Run topWithout = null;
            for (long seed = 0; seed < seeds; seed++) {
                Network net = Network.create(ArchitectureSpec.parse(spec(split.train(), h)), 100 * h + seed, kernels);
                Run r = train(net, split, null, h, seed);
                runs.add(r);
                if (top == null || r.modelLogEvidence() > top.modelLogEvidence()) {
                    top = r;
                }
                if (topWithout == null || r.withoutSymmetry() > topWithout.withoutSymmetry()) {
                    topWithout = r;
                }
                md.printf(Locale.ROOT, "| %d | %d | %d | %.2f | %s | %.2f | %.2f | %.2f | %.4f | %.4f | %s |%n", h, r.parameters(), seed,
                        r.gamma(), classification ? "-" : String.format(Locale.ROOT, "%.1f", r.beta()), r.logEvidence(), r.symmetry(),
                        r.modelLogEvidence(), r.trainError(), r.testError(), r.converged() ? "yes" : "no");
                md.flush();
                System.out.printf(Locale.ROOT, "%s h=%d seed=%d: γ %.2f of %d, β %.1f, ln p(D|H) %.2f, test %.4f%n", task, h, seed,
                        r.gamma(), r.parameters(), r.beta(), r.modelLogEvidence(), r.testError());
            }
            best.add(top);
            bestWithout.add(topWithout);
        }
        md.printf(Locale.ROOT, "%nBest-evidence network per size (by ln p(D|H), and by ln p(D|H) without the symmetry term):%n%n"
                + "| hidden | γ / k | β | ln p(D\\|H) | %s | ln p(D\\|H) − ln(2^M M!) | %s |%n|---|---|---|---|---|---|---|%n",
                errorName, errorName);
        for (int i = 0; i < best.size(); i++) {
            Run r = best.get(i);
            Run w = bestWithout.get(i);
            md.printf(Locale.ROOT, "| %d | %.1f / %d | %s | %.2f | %.4f | %.2f | %.4f |%n", r.hidden(), r.gamma(), r.parameters(),
                    classification ? "-" : String.format(Locale.ROOT, "%.1f", r.beta()), r.modelLogEvidence(), r.testError(),
                    w.withoutSymmetry(), w.testError());
        }
        boolean gammaBelowK = runs.stream().allMatch(r -> r.gamma() <= r.parameters() + 1e-9);
        md.printf(Locale.ROOT, "%nγ ≤ k in every run: %s.", gammaBelowK ? "yes" : "NO");
        if (!classification) {
            double meanBeta = best.stream().mapToDouble(Run::beta).average().orElse(Double.NaN);
            double bestBeta = bestWithout.stream().max(Comparator.comparingDouble(Run::withoutSymmetry)).orElseThrow().beta();
            md.printf(Locale.ROOT, " β: mean %.1f over the best networks per size, %.1f for the network with the largest evidence "
                    + "without the symmetry term, against 1/σ² = %.1f.", meanBeta, bestBeta, 1 / (noise * noise));
        }
        md.printf(Locale.ROOT, "%n%nCorrelations with the %s (negative: more evidence, less error):%n%n"
                + "| evidence | networks | Spearman | Pearson | chosen size (error) |%n|---|---|---|---|---|%n", errorName);
        correlation(md, "ln p(D\\|H), all networks", runs, Run::modelLogEvidence);
        correlation(md, "ln p(D\\|H), best per size", best, Run::modelLogEvidence);
        correlation(md, "ln p(D\\|H) − ln(2^M M!), all networks", runs, Run::withoutSymmetry);
        correlation(md, "ln p(D\\|H) − ln(2^M M!), best per size", bestWithout, Run::withoutSymmetry);
        md.printf(Locale.ROOT, "%nLowest %s: %d hidden units (%.4f).%n%n",
                errorName, runs.stream().min(Comparator.comparingDouble(Run::testError)).orElseThrow().hidden(),
                runs.stream().mapToDouble(Run::testError).min().orElseThrow());
        double[] hs = best.stream().mapToDouble(Run::hidden).toArray();
        Charts.write(Charts.line(task + ": evidence of the best network per size", "hidden units", "nats",
                List.of(new Charts.Series("ln p(D|H)", hs, best.stream().mapToDouble(Run::modelLogEvidence).toArray()),
                        new Charts.Series("ln p(D|H) without ln(2^M M!)", hs,
                                bestWithout.stream().mapToDouble(Run::withoutSymmetry).toArray())), false),
                out.resolve("evidence-" + task + ".svg"));
        Charts.write(Charts.line(task + ": test error of the best-evidence network per size", "hidden units", errorName,
                List.of(new Charts.Series("by ln p(D|H)", hs, best.stream().mapToDouble(Run::testError).toArray()),
                        new Charts.Series("by ln p(D|H) without ln(2^M M!)", hs,
                                bestWithout.stream().mapToDouble(Run::testError).toArray())), false),
                out.resolve("evidence-" + task + "-error.svg"));
    }

    private static void correlation(PrintWriter md, String name, List<Run> runs, java.util.function.ToDoubleFunction<Run> evidence) {
        double[] e = runs.stream().mapToDouble(evidence).toArray();
        double[] err = runs.stream().mapToDouble(Run::testError).toArray();
        Run chosen = runs.stream().max(Comparator.comparingDouble(evidence)).orElseThrow();
        md.printf(Locale.ROOT, "| %s | %d | %.3f | %.3f | %d (%.4f) |%n", name, runs.size(), spearman(e, err), pearson(e, err),
                chosen.hidden(), chosen.testError());
    }

    /**
     * A 2-12-2 robot-arm network trained by the evidence loop, then pruned by weight magnitude, 6 weights per step,
     * each pruned model retrained with its own α, β; the evidence of every variant against its test error.
     */
    private static void pruning(PrintWriter md, Path out, Split split) throws IOException {
        Kernels kernels = Kernels.get().withThreads(1);
        Network net = Network.create(ArchitectureSpec.parse(spec(split.train(), 12)), 7, kernels);
        Mask mask = Mask.dense(net.layout());
        md.printf(Locale.ROOT, "### Evidence as a stopping rule for pruning%n%n%s; 2-12-2 tanh network, magnitude pruning of 6 "
                + "weights (not biases) per step, each variant retrained by the evidence loop.%n%n", split.description());
        md.println("| step | weights left | k | γ | β | ln p(D\\|H) | test RMSE |");
        md.println("|---|---|---|---|---|---|---|");
        List<double[]> rows = new ArrayList<>();
        int weights = 0;
        for (ParameterTensor t : net.layout().tensors()) {
            weights += t.role() == ParameterTensor.Role.WEIGHT ? t.length() : 0;
        }
        for (int step = 0; ; step++) {
            Run r = train(net, split, step == 0 ? null : mask, 12, 0);
            int left = weights - mask.prunedCount();
            rows.add(new double[] {step, left, r.modelLogEvidence(), r.testError()});
            md.printf(Locale.ROOT, "| %d | %d | %d | %.2f | %.1f | %.2f | %.4f |%n", step, left, r.parameters(), r.gamma(), r.beta(),
                    r.modelLogEvidence(), r.testError());
            md.flush();
            System.out.printf(Locale.ROOT, "pruning step %d: %d weights, ln p(D|H) %.2f, test RMSE %.4f%n", step, left,
                    r.modelLogEvidence(), r.testError());
            if (left <= 8) {
                break;
            }
            float[] w = net.parameters();
            Integer[] order = new Integer[w.length];
            Arrays.setAll(order, i -> i);
            Arrays.sort(order, Comparator.comparingDouble(q -> Math.abs(w[q])));
            int pruned = 0;
            for (int q : order) {
                if (pruned == 6) {
                    break;
                }
                if (!mask.isPruned(q) && net.layout().tensorAt(q).role() == ParameterTensor.Role.WEIGHT) {
                    mask.prune(q);
                    pruned++;
                }
            }
            mask.apply(w);
        }
        double[] left = rows.stream().mapToDouble(r -> r[1]).toArray();
        double[] evidence = rows.stream().mapToDouble(r -> r[2]).toArray();
        double[] error = rows.stream().mapToDouble(r -> r[3]).toArray();
        int bestEvidence = argmax(evidence);
        int bestError = argmin(error);
        md.printf(Locale.ROOT, "%nThe evidence peaks at step %d (%d weights, test RMSE %.4f); the lowest test RMSE is at step %d "
                        + "(%d weights, %.4f). Spearman(ln p(D|H), test RMSE) = %.3f over the %d variants.%n%n", bestEvidence,
                (int) left[bestEvidence], error[bestEvidence], bestError, (int) left[bestError], error[bestError],
                spearman(evidence, error), rows.size());
        Charts.write(Charts.line("robot arm: evidence of pruned variants", "weights left", "ln p(D|H)",
                List.of(new Charts.Series("ln p(D|H)", left, evidence)), false), out.resolve("evidence-pruning.svg"));
        Charts.write(Charts.line("robot arm: test RMSE of pruned variants", "weights left", "test RMSE",
                List.of(new Charts.Series("test RMSE", left, error)), false), out.resolve("evidence-pruning-error.svg"));
    }

    private static int argmax(double[] a) {
        int best = 0;
        for (int i = 1; i < a.length; i++) {
            if (a[i] > a[best]) {
                best = i;
            }
        }
        return best;
    }

    private static int argmin(double[] a) {
        int best = 0;
        for (int i = 1; i < a.length; i++) {
            if (a[i] < a[best]) {
                best = i;
            }
        }
        return best;
    }

    static double pearson(double[] x, double[] y) {
        double mx = Arrays.stream(x).average().orElse(0);
        double my = Arrays.stream(y).average().orElse(0);
        double sxy = 0;
        double sxx = 0;
        double syy = 0;
        for (int i = 0; i < x.length; i++) {
            sxy += (x[i] - mx) * (y[i] - my);
            sxx += (x[i] - mx) * (x[i] - mx);
            syy += (y[i] - my) * (y[i] - my);
        }
        return sxy / Math.sqrt(sxx * syy);
    }

    /** Pearson correlation of the ranks (average ranks for ties). */
    static double spearman(double[] x, double[] y) {
        return pearson(ranks(x), ranks(y));
    }

    private static double[] ranks(double[] v) {
        Integer[] order = new Integer[v.length];
        Arrays.setAll(order, i -> i);
        Arrays.sort(order, Comparator.comparingDouble(i -> v[i]));
        double[] r = new double[v.length];
        for (int i = 0; i < v.length; ) {
            int j = i;
            while (j + 1 < v.length && v[order[j + 1]] == v[order[i]]) {
                j++;
            }
            for (int k = i; k <= j; k++) {
                r[order[k]] = (i + j) / 2.0;
            }
            i = j + 1;
        }
        return r;
    }
}
