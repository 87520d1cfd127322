package dev.surgeon.cli;

import dev.surgeon.core.bayes.FlatMinimumSearch;
import dev.surgeon.core.bayes.LiveStructure;
import dev.surgeon.core.curvature.Curvature;
import dev.surgeon.core.curvature.DataSource;
import dev.surgeon.core.curvature.Damping;
import dev.surgeon.core.curvature.DenseOperator;
import dev.surgeon.core.data.Split;
import dev.surgeon.core.data.SyntheticData;
import dev.surgeon.core.nn.ArchitectureSpec;
import dev.surgeon.core.nn.Loss;
import dev.surgeon.core.nn.Mask;
import dev.surgeon.core.nn.Network;
import dev.surgeon.core.optim.Sgd;
import dev.surgeon.core.train.Evaluation;
import dev.surgeon.core.train.Trainer;
import dev.surgeon.kernels.Kernels;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Experiment driver (issue 10, not a test): Flat Minimum Search against plain backprop, weight decay and OBS on a noisy
 * task with irrelevant inputs (METHODS E3): {@code synthetic:relevance}, 10 inputs of which two matter,
 * t = sin(πx₁) + x₂²/2 + N(0, 0.1²), 200 training points; a 10-10-1 tanh network, squared error (mse-mean, so the
 * noise floor of the loss is σ²/2 = 0.005), SGD with momentum, the same initial weights for all.
 * <ul>
 *   <li>backprop and weight decay (several values) train to the end, then the pruning rule FMS uses (constant units
 *       folded, weights whose removal changes the outputs by less than the threshold removed) is applied to them too,
 *       followed by the same retraining;</li>
 *   <li>FMS trains with λ adapted against E_tol = 0.006, then prunes and retrains;</li>
 *   <li>OBS (Hassibi and Stork) prunes the backprop network one weight at a time with the dense inverse Gauss-Newton
 *       matrix of the training loss (recomputed every 10 removals) and its correction δw, until the training loss
 *       would exceed E_tol. A minimal local use of the formula (METHODS 1.2, 1.4), since the pruning package is built
 *       elsewhere.</li>
 * </ul>
 * Reported: test RMSE, input lines, hidden units and parameters left.
 * <pre>
 * java ... dev.surgeon.cli.FlatMinimumExperiment OUT_DIR [epochs] [Δλ] [E_tol] [output threshold]
 * </pre>
 */
final class FlatMinimumExperiment {
    private static final String SPEC = "in(10) dense(10) tanh dense(1)";
    private static double TOLERABLE = 0.006;
    private static double OUTPUT_THRESHOLD = 0.01;
    private static final double ACTIVATION_THRESHOLD = 0.01;

    private FlatMinimumExperiment() {
    }

    public static void main(String[] args) throws IOException {
        Path out = Path.of(args[0]);
        int epochs = args.length > 1 ? Integer.parseInt(args[1]) : 1000;
        double step = args.length > 2 ? Double.parseDouble(args[2]) : 1e-6;
        TOLERABLE = args.length > 3 ? Double.parseDouble(args[3]) : TOLERABLE;
        OUTPUT_THRESHOLD = args.length > 4 ? Double.parseDouble(args[4]) : OUTPUT_THRESHOLD;
        Files.createDirectories(out);
        Kernels kernels = Kernels.get().withThreads(1);
        Split split = SyntheticData.relevance(200, 0.1, 1);
        Loss loss = Loss.named("mse-mean");
        try (PrintWriter md = new PrintWriter(Files.newBufferedWriter(out.resolve("flat-minimum.md")))) {
            md.printf(Locale.ROOT, "### Flat Minimum Search against backprop, weight decay and OBS%n%n%s. Network %s, mse-mean, SGD "
                    + "η = 0.05, μ = 0.9, batch 20, %d epochs, seed 1. Pruning rule for all but OBS: units and inputs with activation "
                    + "sd < %s folded into biases, weights with first-order RMS output change < %s removed, then 200 epochs of "
                    + "retraining with the mask. E_tol = %s; FMS Δλ = %s.%n%n", split.description(), SPEC, epochs,
                    ACTIVATION_THRESHOLD, OUTPUT_THRESHOLD, TOLERABLE, step);
            md.println("| method | train loss | test RMSE | inputs left | hidden units left | parameters left | test RMSE after pruning "
                    + "| inputs kept |");
            md.println("|---|---|---|---|---|---|---|---|");
            Network backprop = null;
            for (double wd : new double[] {0, 1e-4, 1e-3, 1e-2}) {
                Network net = Network.create(ArchitectureSpec.parse(SPEC), 1, kernels);
                Trainer.builder(net, loss, Sgd.momentum(0.05, 0.9).weightDecay(wd)).batchSize(20).epochs(epochs).seed(1).build()
                        .fit(split.train());
                if (wd == 0) {
                    backprop = net.copy(kernels);
                }
                row(md, wd == 0 ? "backprop" : "weight decay " + wd, net, loss, split, null);
            }
            Network fmsNet = Network.create(ArchitectureSpec.parse(SPEC), 1, kernels);
            FlatMinimumSearch fms = FlatMinimumSearch.builder(fmsNet, loss, Sgd.momentum(0.05, 0.9)).tolerableError(TOLERABLE)
                    .lambdaStep(step).seed(1).build();
            long start = System.nanoTime();
            fms.trainer().batchSize(20).epochs(epochs).build().fit(split.train());
            double seconds = (System.nanoTime() - start) / 1e9;
            row(md, "flat minimum search (λ = " + String.format(Locale.ROOT, "%.3g", fms.lambda()) + ")", fmsNet, loss, split, null);
            obs(md, backprop, loss, split);
            md.printf(Locale.ROOT, "%nFMS training took %.1f s for %d epochs (B(w, X) and its gradient: %d patterns × 1 output).%n",
                    seconds, epochs, split.train().size());
        }
    }

    /** Trains nothing more: measures, prunes with the FMS rule (or the given mask), retrains, measures again. */
    private static void row(PrintWriter md, String name, Network net, Loss loss, Split split, Mask given) {
        double train = Evaluation.of(net, loss, split.train(), 200).loss();
        double test = rmse(net, loss, split);
        FlatMinimumSearch.Pruning p = FlatMinimumSearch.prune(net, given, split.train(), OUTPUT_THRESHOLD, ACTIVATION_THRESHOLD);
        Trainer.builder(net, loss, Sgd.momentum(0.01, 0.9)).batchSize(20).epochs(200).seed(3).mask(p.mask()).build()
                .fit(split.train());
        LiveStructure s = p.structure();
        md.printf(Locale.ROOT, "| %s | %.5f | %.4f | %d / %d | %d / %d | %d / %d | %.4f | %s |%n", name, train, test, s.inputs(),
                s.totalInputs(), s.liveUnits(), s.totalUnits()[0], s.parameters(), net.parameterCount(), rmse(net, loss, split),
                keptInputs(net, p.mask()));
        md.flush();
        System.out.printf(Locale.ROOT, "%s: train %.5f, test RMSE %.4f, left %s%n", name, train, test, s);
    }

    /** The 1-based input lines with at least one unpruned first-layer weight (x₁ and x₂ are the relevant ones). */
    private static String keptInputs(Network net, Mask mask) {
        var w = net.layout().tensor("fc1.weight");
        StringBuilder b = new StringBuilder();
        for (int j = 0; j < w.columns(); j++) {
            for (int i = 0; i < w.rows(); i++) {
                if (!mask.isPruned(w.offset() + i * w.columns() + j)) {
                    b.append(b.length() == 0 ? "x" : ", x").append(j + 1);
                    break;
                }
            }
        }
        return b.toString();
    }

    private static double rmse(Network net, Loss loss, Split split) {
        return Math.sqrt(2 * Evaluation.of(net, loss, split.test(), 500).loss());
    }

    /**
     * OBS with single-weight removals: saliency w_q²/(2[H⁻¹]_qq), correction δw = −(w_q/[H⁻¹]_qq) H⁻¹e_q, inverse
     * downdate by eliminating q; H = Gauss-Newton of the training loss + 1e-4·I, rebuilt every 10 removals; stops
     * before the training loss exceeds E_tol.
     */
    private static void obs(PrintWriter md, Network net, Loss loss, Split split) {
        double before = Evaluation.of(net, loss, split.train(), 200).loss();
        double test = rmse(net, loss, split);
        Mask mask = Mask.dense(net.layout());
        int d = net.parameterCount();
        double[] work = new double[d];
        float[] w = net.parameters();
        double[] inverse = null;
        for (int removed = 0; removed < d - 1; removed++) {
            if (removed % 10 == 0) {
                DenseOperator h = Curvature.of(net, loss, DataSource.all(split.train(), 200)).denseGaussNewton(Damping.absolute(1e-4));
                inverse = h.inverse();
                for (int q : mask.prunedIndices()) {
                    net.kernels().eliminateCoordinate(d, q, inverse, 0, d, work, 0);
                }
            }
            int best = -1;
            double saliency = Double.POSITIVE_INFINITY;
            for (int q = 0; q < d; q++) {
                if (!mask.isPruned(q)) {
                    double s = (double) w[q] * w[q] / (2 * inverse[q * d + q]);
                    if (s < saliency) {
                        saliency = s;
                        best = q;
                    }
                }
            }
            float[] keep = w.clone();
            double scale = w[best] / inverse[best * d + best];
            for (int q = 0; q < d; q++) {
                w[q] -= (float) (scale * inverse[q * d + best]);
            }
            w[best] = 0f;
            mask.prune(best);
            mask.apply(w);
            if (Evaluation.of(net, loss, split.train(), 200).loss() > TOLERABLE) {
                System.arraycopy(keep, 0, w, 0, d);
                mask.restore(best);
                break;
            }
            net.kernels().eliminateCoordinate(d, best, inverse, 0, d, work, 0);
        }
        LiveStructure s = LiveStructure.of(net, mask);
        md.printf(Locale.ROOT, "| OBS on the backprop network (until the training loss exceeds E_tol) | %.5f | %.4f | %d / %d | %d / %d "
                        + "| %d / %d | %.4f | %s |%n", before, test, s.inputs(), s.totalInputs(), s.liveUnits(), s.totalUnits()[0],
                s.parameters(), d, rmse(net, loss, split), keptInputs(net, mask));
        System.out.printf(Locale.ROOT, "OBS: left %s, test RMSE %.4f%n", s, rmse(net, loss, split));
    }
}
