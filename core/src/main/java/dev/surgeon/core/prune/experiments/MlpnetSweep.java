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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The MLPNet one-shot sweep (METHODS R6–R10, MLPNet protocol) on Fashion-MNIST: MLPNet (784-40-20-10, ReLU, no
 * biases, 32,360 weights) trained once, then pruned globally in one shot at each sparsity by each method, evaluated on
 * the 10,000 test images without fine-tuning, averaged over seeds (the seed drives the gradient and calibration samples;
 * magnitude does not depend on it). The targets are the orderings of "Transferable orderings for Fashion-MNIST": close to
 * dense up to ~70 %; from 80 % on CBS ≥ WoodFisher ≥ magnitude with widening gaps; diagonal Fisher far below at 95 %;
 * K-FAC between diagonal Fisher and WoodFisher.
 */
public final class MlpnetSweep {
    /** The settings of each method in the sweep (the presets' defaults unless listed). */
    public static final Map<String, Map<String, String>> METHODS = methods();

    private MlpnetSweep() {
    }

    private static Map<String, Map<String, String>> methods() {
        Map<String, Map<String, String>> m = new LinkedHashMap<>();
        m.put("magnitude", Map.of());
        m.put("diag-fisher", Map.of("gradients", "100", "damping", "1e-5"));
        m.put("kfac-obs", Map.of("calibration", "1000", "damping", "1e-3"));
        m.put("woodfisher", Map.of("gradients", "100", "damping", "1e-5", "blocks", "layer"));
        m.put("mfac", Map.of());
        m.put("cbs", Map.of("gradients", "1000", "damping", "1e-3"));
        return m;
    }

    /** The recipe of the dense MLPNet (the WoodFisher checkpoint's recipe is unknown; plain SGD for 25 epochs). */
    static final TrainedModels.Recipe RECIPE = new TrainedModels.Recipe("mlpnet", 25, 0.05, 0.9, 0, 64, true, 1);

    /**
     * @param data        a directory in the MNIST layout (Fashion-MNIST)
     * @param model       the cached dense model file (trained by {@link #RECIPE} when absent)
     * @param sparsities  global sparsities
     * @param methods     method names (keys of {@link #METHODS})
     * @param seeds       seeds per method and sparsity
     */
    public record Options(Path data, Path model, List<Double> sparsities, List<String> methods, List<Long> seeds) {
        public static Options defaults() {
            return new Options(Path.of(Datasets.FASHION_MNIST_PATH), Path.of("target/experiments/mlpnet-fashion-mnist.safetensors"),
                    List.of(0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.98), List.copyOf(METHODS.keySet()), List.of(0L, 1L, 2L, 3L, 4L));
        }
    }

    /**
     * @param dense     dense test accuracy
     * @param accuracy  method → sparsity index → test accuracy per seed
     * @param seconds   method → mean wall-clock seconds of one pruning run
     */
    public record Result(Options options, double dense, Map<String, double[][]> accuracy, Map<String, Double> seconds) {

        /** Mean test accuracy of a method at sparsity index i. */
        public double mean(String method, int i) {
            double s = 0;
            for (double a : accuracy.get(method)[i]) {
                s += a;
            }
            return s / accuracy.get(method)[i].length;
        }

        private double std(String method, int i) {
            double m = mean(method, i);
            double s = 0;
            double[] a = accuracy.get(method)[i];
            for (double x : a) {
                s += (x - m) * (x - m);
            }
            return a.length > 1 ? Math.sqrt(s / (a.length - 1)) : 0;
        }

        /** Mean ± std test accuracy (%) per method and sparsity, the seconds per run, and the ordering checks. */
        public String table() {
            StringBuilder b = new StringBuilder();
            b.append(String.format(Locale.ROOT, "MLPNet on Fashion-MNIST, dense test accuracy %.2f %% (%s); one-shot, no fine-tuning, "
                    + "%d seed(s) %s%n%n", 100 * dense, RECIPE, options.seeds().size(), options.seeds()));
            b.append("| method |");
            for (double s : options.sparsities()) {
                b.append(String.format(Locale.ROOT, " %.0f %% |", 100 * s));
            }
            b.append(" s/run |\n|---|");
            b.append("---|".repeat(options.sparsities().size())).append("---|\n");
            for (String m : options.methods()) {
                b.append("| ").append(m).append(" |");
                for (int i = 0; i < options.sparsities().size(); i++) {
                    b.append(String.format(Locale.ROOT, " %.2f ± %.2f |", 100 * mean(m, i), 100 * std(m, i)));
                }
                b.append(String.format(Locale.ROOT, " %.1f |%n", seconds.get(m)));
            }
            b.append('\n').append(orderings());
            return b.toString();
        }

        /** The transferable orderings of METHODS R6–R10 checked on the means (where the methods were run). */
        public String orderings() {
            StringBuilder b = new StringBuilder("Orderings (METHODS, transferable to Fashion-MNIST):\n");
            List<String> m = options.methods();
            for (int i = 0; i < options.sparsities().size(); i++) {
                double s = options.sparsities().get(i);
                if (s >= 0.8 && m.contains("cbs") && m.contains("woodfisher") && m.contains("magnitude")) {
                    check(b, String.format(Locale.ROOT, "%.0f %%: CBS ≥ WoodFisher ≥ magnitude", 100 * s),
                            mean("cbs", i) >= mean("woodfisher", i) && mean("woodfisher", i) >= mean("magnitude", i));
                }
                if (s == 0.95 && m.contains("diag-fisher") && m.contains("kfac-obs") && m.contains("woodfisher")) {
                    check(b, "95 %: diagonal Fisher ≤ K-FAC-OBS ≤ WoodFisher",
                            mean("diag-fisher", i) <= mean("kfac-obs", i) && mean("kfac-obs", i) <= mean("woodfisher", i));
                }
                if (s <= 0.7) {
                    boolean close = true;
                    for (String x : m) {
                        close &= dense - mean(x, i) < 0.02;
                    }
                    check(b, String.format(Locale.ROOT, "%.0f %%: every method within 2 points of dense", 100 * s), close);
                }
            }
            return b.toString();
        }

        private static void check(StringBuilder b, String what, boolean ok) {
            b.append("- ").append(ok ? "holds" : "DOES NOT hold").append(": ").append(what).append('\n');
        }
    }

    /**
     * The settings of a sweep entry: a name of {@link #METHODS}, or {@code method[key=value;key=value]} for a variant,
     * e.g. {@code woodfisher[gradients=1000;damping=1e-4]}.
     */
    static Map<String, String> knobs(String entry) {
        int open = entry.indexOf('[');
        if (open < 0) {
            return METHODS.get(entry);
        }
        String method = entry.substring(0, open);
        Map<String, String> base = METHODS.get(method);
        if (base == null || !entry.endsWith("]")) {
            return null;
        }
        Map<String, String> k = new LinkedHashMap<>(base);
        for (String kv : entry.substring(open + 1, entry.length() - 1).split(";")) {
            String[] p = kv.split("=", 2);
            k.put(p[0].strip(), p[1].strip());
        }
        return k;
    }

    /** The preset name of a sweep entry. */
    static String method(String entry) {
        int open = entry.indexOf('[');
        return open < 0 ? entry : entry.substring(0, open);
    }

    public static Result run(Options o) throws IOException {
        Split split = Datasets.fashionMnist(o.data());
        Loss loss = Loss.softmaxCrossEntropy();
        Network dense = TrainedModels.trainOrLoad(o.model(), RECIPE, loss, split.train(), split.test());
        double denseAccuracy = Evaluation.of(dense, loss, split.test(), 1000).accuracy();
        Map<String, double[][]> acc = new LinkedHashMap<>();
        Map<String, Double> seconds = new LinkedHashMap<>();
        for (String method : o.methods()) {
            Map<String, String> knobs = knobs(method);
            if (knobs == null) {
                throw new IllegalArgumentException("unknown sweep method '" + method + "'; known: " + METHODS.keySet());
            }
            double[][] a = new double[o.sparsities().size()][o.seeds().size()];
            double total = 0;
            for (int i = 0; i < o.sparsities().size(); i++) {
                for (int j = 0; j < o.seeds().size(); j++) {
                    Network net = dense.copy(Kernels.get());
                    PruningContext ctx = PruningContext.builder(net, loss, split.train()).test(split.test()).seed(o.seeds().get(j))
                            .evaluationBatch(1000).build();
                    Map<String, String> k = new LinkedHashMap<>(knobs);
                    k.put("sparsity", Double.toString(o.sparsities().get(i)));
                    k.put("measure_samples", "0");
                    long t0 = System.nanoTime();
                    PruningReport r = PruningRun.execute(ctx, PruningMethods.plan(method(method), k));
                    total += (System.nanoTime() - t0) / 1e9;
                    a[i][j] = r.after().testAccuracy();
                }
            }
            acc.put(method, a);
            seconds.put(method, total / (o.sparsities().size() * o.seeds().size()));
        }
        return new Result(o, denseAccuracy, acc, seconds);
    }

    /**
     * Arguments {@code key=value}: {@code data=DIR}, {@code model=FILE}, {@code sparsities=0.5,0.9},
     * {@code methods=magnitude,cbs}, {@code seeds=0,1,2}.
     */
    public static String run(Map<String, String> a) throws IOException {
        Arguments.check(a, "mlpnet", "data", "model", "sparsities", "methods", "seeds");
        Options d = Options.defaults();
        Options o = new Options(Path.of(a.getOrDefault("data", d.data().toString())), Path.of(a.getOrDefault("model", d.model().toString())),
                Arguments.doubles(a, "sparsities", d.sparsities()),
                a.containsKey("methods") ? List.of(a.get("methods").split(",(?![^\\[]*\\])")) : d.methods(),
                Arguments.longs(a, "seeds", d.seeds()));
        return run(o).table();
    }

    public static void main(String[] args) throws IOException {
        System.out.print(run(Arguments.parse(args)));
    }
}
