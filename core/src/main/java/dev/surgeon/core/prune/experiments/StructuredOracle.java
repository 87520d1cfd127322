package dev.surgeon.core.prune.experiments;

import dev.surgeon.core.curvature.DataSource;
import dev.surgeon.core.data.Dataset;
import dev.surgeon.core.data.Datasets;
import dev.surgeon.core.data.Split;
import dev.surgeon.core.nn.Loss;
import dev.surgeon.core.nn.Network;
import dev.surgeon.core.prune.PruningContext;
import dev.surgeon.core.prune.structured.GradientRedundancy;
import dev.surgeon.core.prune.structured.RemovalOracle;
import dev.surgeon.core.prune.structured.Structure;
import dev.surgeon.core.prune.structured.StructureKind;
import dev.surgeon.core.prune.structured.StructureScorer;
import dev.surgeon.core.prune.structured.StructuredMethods;
import dev.surgeon.core.prune.structured.Structures;
import dev.surgeon.core.prune.structured.Taylor2017;
import dev.surgeon.core.train.Evaluation;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Two checks on a trained LeNet (issue 9):
 * <ol>
 *   <li>METHODS R21: Spearman's rank correlation between each structured criterion and the remove-and-measure oracle
 *       |ΔL_s| (every hidden unit removed alone, loss measured), all on the same seeded subset of training samples;
 *       over all structures, filters only and neurons only.</li>
 *   <li>METHODS D5: the gradient-redundancy estimate per layer (effective rank of G_l at several τ) against the measured
 *       safe rate: the largest fraction of the layer's units (lowest Taylor scores first) removable alone, without
 *       fine-tuning, before the subset's accuracy drops by more than the tolerance.</li>
 * </ol>
 */
public final class StructuredOracle {
    private StructuredOracle() {
    }

    public static String run(Map<String, String> a) throws IOException {
        Arguments.check(a, "structured-oracle", "net", "data", "model", "dense-epochs", "samples", "taus", "tolerance", "seed");
        String netName = a.getOrDefault("net", "lenet-5");
        int samples = Arguments.integer(a, "samples", 1000);
        List<Double> taus = Arguments.doubles(a, "taus", List.of(0.01, 0.05, 0.1));
        double tolerance = Arguments.real(a, "tolerance", 0.01);
        long seed = Arguments.integer(a, "seed", 0L);
        Split split = Datasets.fashionMnist(Path.of(a.getOrDefault("data", Datasets.FASHION_MNIST_PATH)));
        Loss loss = Loss.softmaxCrossEntropy();
        Network net = StructuredLenet.dense(a, netName, split, loss);
        Dataset subset = split.train().subset(DataSource.sample(split.train(), samples, samples, seed ^ 0x4F7261636C65L).indices(),
                "Fashion-MNIST train subset");
        PruningContext ctx = PruningContext.builder(net, loss, subset).seed(seed).evaluationBatch(1000).build();
        Structures st = Structures.of(net, StructureKind.ALL);
        StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT, "%s on Fashion-MNIST, %d structures, %d seeded training samples (seed %d) for every "
                + "criterion and the oracle%n%n", netName, st.size(), samples, seed));
        long t0 = System.nanoTime();
        double[] oracle = RemovalOracle.lossChanges(st, loss, subset, 1000);
        double oracleSeconds = (System.nanoTime() - t0) / 1e9;
        double[] magnitude = new double[oracle.length];
        for (int i = 0; i < oracle.length; i++) {
            magnitude[i] = Math.abs(oracle[i]);
        }
        b.append(String.format(Locale.ROOT, "oracle: %.1f s; Spearman correlation with |ΔL_s|%n%n", oracleSeconds));
        b.append("| criterion | all | filters | neurons | seconds |\n|---|---|---|---|---|\n");
        for (String m : List.of("filter-norm", "taylor", "taylor-fo", "taylor-so", "sosp-h", "sosp-i", "kfac-obs")) {
            StructureScorer scorer = StructuredMethods.plan(m, Map.of("calibration", "0")).scorer();
            long t1 = System.nanoTime();
            double[] scores = scorer.score(ctx, st);
            double seconds = (System.nanoTime() - t1) / 1e9;
            b.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %.1f |%n", m, cell(RemovalOracle.spearman(scores, magnitude)),
                    cell(part(st, scores, magnitude, true)), cell(part(st, scores, magnitude, false)), seconds));
        }
        b.append(String.format(Locale.ROOT, "%nGradient redundancy (G_l rows: %d samples) vs the measured safe rate (accuracy drop "
                + "<= %.1f points on the subset, no fine-tuning)%n%n", samples, 100 * tolerance));
        b.append("| layer | units |");
        for (double tau : taus) {
            b.append(String.format(Locale.ROOT, " rank τ=%s | estimated ρ τ=%s |", tau, tau));
        }
        b.append(" measured safe rate |\n|---|---|");
        b.append("---|---|".repeat(taus.size())).append("---|\n");
        List<GradientRedundancy.Estimate> estimates = new ArrayList<>();
        for (double tau : taus) {
            estimates.add(new GradientRedundancy(0, 100, tau).estimate(ctx, st));
        }
        double[] taylor = new Taylor2017(0, 100, 0).score(ctx, st);
        double base = Evaluation.of(net, loss, subset, 1000).accuracy();
        for (int j = 0; j < st.linkCount(); j++) {
            b.append("| ").append(st.layerName(j)).append(" | ").append(st.ofLink(j).size()).append(" |");
            for (GradientRedundancy.Estimate e : estimates) {
                GradientRedundancy.LayerEstimate le = e.layers().get(j);
                b.append(String.format(Locale.ROOT, " %d | %.3f |", le.rank(), le.redundancy()));
            }
            b.append(String.format(Locale.ROOT, " %.3f |%n", safeRate(st, j, taylor, net, loss, subset, base, tolerance)));
        }
        for (GradientRedundancy.Estimate e : estimates) {
            b.append(String.format(Locale.ROOT, "%nτ = %s: estimated maximum compression %.3f", e.tau(), e.maximumCompression()));
        }
        return b.append('\n').toString();
    }

    /** Largest fraction (steps of 1/20) of layer j's units removable alone, lowest scores first, within the tolerance. */
    private static double safeRate(Structures st, int j, double[] scores, Network net, Loss loss, Dataset data, double base,
                                   double tolerance) {
        List<Structure> order = new ArrayList<>(st.ofLink(j));
        order.sort(Comparator.comparingDouble(s -> scores[s.index()]));
        float[] saved = net.parameters().clone();
        double safe = 0;
        for (int step = 1; step < 20; step++) {
            int k = (int) Math.round(step / 20.0 * order.size());
            System.arraycopy(saved, 0, net.parameters(), 0, saved.length);
            for (int i = 0; i < k; i++) {
                for (int q : order.get(i).outgoing()) {
                    net.parameters()[q] = 0f;
                }
            }
            if (Evaluation.of(net, loss, data, 1000).accuracy() < base - tolerance) {
                break;
            }
            safe = (double) k / order.size();
        }
        System.arraycopy(saved, 0, net.parameters(), 0, saved.length);
        return safe;
    }

    /** A correlation to three decimals, or "–" when it is undefined (fewer than two structures of that kind). */
    private static String cell(double rho) {
        return Double.isNaN(rho) ? "–" : String.format(Locale.ROOT, "%.3f", rho);
    }

    private static double part(Structures st, double[] scores, double[] oracle, boolean filters) {
        List<Integer> idx = new ArrayList<>();
        for (Structure s : st.all()) {
            boolean conv = st.network().layers().get(s.layer()).spec().kind() == dev.surgeon.core.nn.LayerSpec.Kind.CONV;
            if (conv == filters) {
                idx.add(s.index());
            }
        }
        if (idx.size() < 2) {
            return Double.NaN;
        }
        double[] x = new double[idx.size()];
        double[] y = new double[idx.size()];
        for (int i = 0; i < x.length; i++) {
            x[i] = scores[idx.get(i)];
            y[i] = oracle[idx.get(i)];
        }
        return RemovalOracle.spearman(x, y);
    }

    public static void main(String[] args) throws IOException {
        System.out.print(run(Arguments.parse(args)));
    }
}
