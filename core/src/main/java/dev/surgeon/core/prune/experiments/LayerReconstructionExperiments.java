package dev.surgeon.core.prune.experiments;

import dev.surgeon.core.curvature.Curvature;
import dev.surgeon.core.curvature.DataSource;
import dev.surgeon.core.curvature.Damping;
import dev.surgeon.core.curvature.LayerwiseHessian;
import dev.surgeon.core.data.Dataset;
import dev.surgeon.core.data.Datasets;
import dev.surgeon.core.data.Split;
import dev.surgeon.core.io.ModelFile;
import dev.surgeon.core.io.Npy;
import dev.surgeon.core.io.Provenance;
import dev.surgeon.core.io.Tensor;
import dev.surgeon.core.nn.ArchitectureSpec;
import dev.surgeon.core.nn.Layer;
import dev.surgeon.core.nn.LayerStatistics;
import dev.surgeon.core.nn.Loss;
import dev.surgeon.core.nn.Network;
import dev.surgeon.core.nn.ParameterTensor;
import dev.surgeon.core.nn.Workspace;
import dev.surgeon.core.optim.Sgd;
import dev.surgeon.core.progress.Progress;
import dev.surgeon.core.prune.ExactObs;
import dev.surgeon.core.prune.ExactObsTraces;
import dev.surgeon.core.prune.LayerErrorDatabase;
import dev.surgeon.core.prune.LayerReconstruction;
import dev.surgeon.core.prune.LayerReconstructionProblem;
import dev.surgeon.core.prune.LayerReconstructionReport;
import dev.surgeon.core.prune.LayerReconstructionResult;
import dev.surgeon.core.prune.Pattern;
import dev.surgeon.core.prune.SparseGpt;
import dev.surgeon.core.prune.SpdyAllocation;
import dev.surgeon.core.quant.Obq;
import dev.surgeon.core.quant.QuantizationGrid;
import dev.surgeon.core.train.Evaluation;
import dev.surgeon.core.train.Trainer;
import dev.surgeon.kernels.Kernels;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The layer-wise compression experiments of issue 6 (METHODS R15, R17, R20 and the ExactOBS timing target), on
 * networks trained briefly on Fashion-MNIST. Run from the repository root after
 * {@code ./surgeon mvn -B -q -pl core -am package -DskipTests}:
 * <pre>
 *   java --add-modules jdk.incubator.vector -cp core/target/classes:simd-kernels/target/classes \
 *       dev.surgeon.core.prune.experiments.LayerReconstructionExperiments MODE [--provider scalar|vector|auto]
 *       [--threads N] [--models DIR] [--out DIR]
 * </pre>
 * Modes: {@code identity} (R15), {@code blocksize} (R17), {@code ordering} (R20), {@code timing} (ExactOBS on the
 * 784 × 300 layer with 2048 samples at 90 %, exporting H and W as .npy for bench/exactobs_numpy.py),
 * {@code allocation} (OBC's error database + dynamic program vs uniform sparsity), {@code all}.
 * Trained models are cached in {@code --models} (default /tmp/surgeon-layer-experiments): LeNet-300-100 and
 * MLPNet, 2 epochs of SGD with momentum (lr 0.05, momentum 0.9, batch 128, seed 1).
 */
public final class LayerReconstructionExperiments {
    private static final Loss LOSS = Loss.named("cross-entropy");
    private static final double[] SPARSITIES = {0.5, 0.6, 0.7, 0.8, 0.9};

    private final Kernels kernels;
    private final int rowThreads;
    private final Path models;
    private final Path out;
    private final Split data;

    private LayerReconstructionExperiments(Kernels kernels, int rowThreads, Path models, Path out) throws IOException {
        this.kernels = kernels;
        this.rowThreads = rowThreads;
        this.models = models;
        this.out = out;
        this.data = Datasets.fashionMnist();
    }

    public static void main(String[] args) throws IOException {
        String mode = args.length > 0 ? args[0] : "all";
        String provider = "auto";
        int threads = 1;
        Path models = Path.of("/tmp/surgeon-layer-experiments");
        Path out = Path.of("/tmp/surgeon-exactobs-bench");
        for (int i = 1; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--provider" -> provider = args[i + 1];
                case "--threads" -> threads = Integer.parseInt(args[i + 1]);
                case "--models" -> models = Path.of(args[i + 1]);
                case "--out" -> out = Path.of(args[i + 1]);
                default -> throw new IllegalArgumentException("unknown option " + args[i]
                        + "; use --provider, --threads, --models, --out");
            }
        }
        Kernels k = (provider.equals("auto") ? Kernels.get() : Kernels.named(provider)).withThreads(threads);
        System.out.printf(Locale.ROOT, "kernels: %s; ExactOBS rows on %d thread(s)%n", k.description(), threads);
        LayerReconstructionExperiments e = new LayerReconstructionExperiments(k, threads, models, out);
        switch (mode) {
            case "identity" -> e.identity();
            case "blocksize" -> e.blockSize();
            case "ordering" -> e.ordering();
            case "timing" -> e.timing();
            case "allocation" -> e.allocation();
            case "all" -> {
                e.identity();
                e.blockSize();
                e.ordering();
                e.timing();
                e.allocation();
            }
            default -> throw new IllegalArgumentException("unknown mode " + mode
                    + "; use identity, blocksize, ordering, timing, allocation, all");
        }
    }

    /** A LeNet-300-100 or MLPNet trained for 2 epochs on Fashion-MNIST, cached as a model file. */
    private Network trained(String preset) throws IOException {
        Files.createDirectories(models);
        Path file = models.resolve(preset + ".safetensors");
        if (Files.exists(file)) {
            return ModelFile.read(file, kernels).network();
        }
        Network net = Network.create(ArchitectureSpec.parse(preset), 1, kernels);
        long t0 = System.nanoTime();
        Trainer.builder(net, LOSS, Sgd.momentum(0.05, 0.9)).batchSize(128).epochs(2).seed(1).build().fit(data.train());
        Evaluation ev = Evaluation.of(net, LOSS, data.test(), 1000);
        System.out.printf(Locale.ROOT, "trained %s: 2 epochs in %.1f s, test accuracy %.4f%n", preset,
                (System.nanoTime() - t0) * 1e-9, ev.accuracy());
        ModelFile.write(file, net, null, new Provenance(1L, data.train().name(), null, null, null, java.util.Map.of()));
        return net;
    }

    private DataSource calibration(int samples) {
        return DataSource.sample(data.train(), samples, 128, 7);
    }

    private static List<ParameterTensor> weights(Network net) {
        List<ParameterTensor> w = new ArrayList<>();
        for (Layer l : net.layers()) {
            if (l.hasParameters()) {
                w.add(l.parameters().get(0));
            }
        }
        return w;
    }

    private static double[] doubles(Network net, ParameterTensor w) {
        double[] d = new double[w.length()];
        for (int q = 0; q < d.length; q++) {
            d[q] = net.parameters()[w.offset() + q];
        }
        return d;
    }

    private List<LayerReconstructionProblem> problems(Network net, DataSource calib, Damping damping) {
        List<LayerwiseHessian> hs = Curvature.of(net, LOSS, calib).layerwiseHessians(damping);
        List<ParameterTensor> ws = weights(net);
        List<LayerReconstructionProblem> p = new ArrayList<>();
        for (int l = 0; l < ws.size(); l++) {
            ParameterTensor w = ws.get(l);
            p.add(LayerReconstructionProblem.dense(w.name(), doubles(net, w), w.rows(), w.columns(), hs.get(l)));
        }
        return p;
    }

    /** The calibration inputs X of every dense layer, N × d_col row-major floats, for the direct error. */
    private static List<float[]> inputs(Network net, DataSource calib) {
        List<ParameterTensor> ws = weights(net);
        List<float[]> xs = new ArrayList<>();
        for (ParameterTensor w : ws) {
            xs.add(new float[calib.size() * w.columns()]);
        }
        Workspace workspace = net.workspace(calib.batchSize());
        for (int b = 0; b < calib.batchCount(); b++) {
            calib.load(workspace, b);
            net.forward(workspace, false);
            List<LayerStatistics> views = net.layerInputs(workspace);
            for (int l = 0; l < views.size(); l++) {
                LayerStatistics v = views.get(l);
                int d = v.inputColumns();
                for (int r = 0; r < v.rows(); r++) {
                    for (int j = 0; j < d; j++) {
                        xs.get(l)[(b * calib.batchSize() + r) * d + j] = v.input(r, j);
                    }
                }
            }
        }
        return xs;
    }

    /** (1/N)‖(W − Ŵ)X‖_F² straight from X, in double. */
    private static double directError(double[] w, double[] what, float[] x, int rows, int cols, int n) {
        double sum = 0;
        double[] e = new double[w.length];
        for (int q = 0; q < e.length; q++) {
            e[q] = w[q] - what[q];
        }
        for (int s = 0; s < n; s++) {
            for (int i = 0; i < rows; i++) {
                double dot = 0;
                for (int j = 0; j < cols; j++) {
                    dot += e[i * cols + j] * x[s * cols + j];
                }
                sum += dot * dot;
            }
        }
        return sum / n;
    }

    /** R15: Σ recorded losses vs (1/N)‖(W − Ŵ)X‖² from X, no damping requested, float64. */
    void identity() throws IOException {
        System.out.println("\n## R15 exactness identity (LeNet-300-100, 1024 calibration samples, Damping.none())");
        Network net = trained("lenet-300-100");
        DataSource calib = calibration(1024);
        List<LayerReconstructionProblem> problems = problems(net, calib, Damping.none());
        List<float[]> xs = inputs(net, calib);
        System.out.println("| layer | method | λ used | Σ losses | (1/N)‖(W−Ŵ)X‖² from X | relative difference |");
        System.out.println("|---|---|---:|---:|---:|---:|");
        for (int l = 0; l < problems.size(); l++) {
            LayerReconstructionProblem p = problems.get(l);
            List<LayerReconstructionResult> results = new ArrayList<>();
            ExactObsTraces t = ExactObs.unstructured(0.5).traces(p, kernels, Progress.NONE);
            results.add(t.atSparsity(0.5));
            results.add(t.atSparsity(0.9));
            results.add(ExactObs.nOfM(2, 4).compress(p, kernels, Progress.NONE));
            results.add(ExactObs.of(new Pattern.Blocks(4), 0.5).compress(p, kernels, Progress.NONE));
            results.add(Obq.of(QuantizationGrid.Spec.asymmetric(4)).compress(p, kernels, Progress.NONE));
            for (LayerReconstructionResult r : results) {
                double direct = directError(p.weights(), r.weights(), xs.get(l), p.rows(), p.cols(), calib.size());
                System.out.printf(Locale.ROOT, "| %s | %s | %.3g | %.12g | %.12g | %.2e |%n", p.layer(), r.method(),
                        r.damping().used(), r.predictedLoss(), direct, Math.abs(r.predictedLoss() - direct) / direct);
            }
        }
    }

    /** R17: SparseGPT with a fixed mask at several block sizes. */
    void blockSize() throws IOException {
        System.out.println("\n## R17 SparseGPT block-size independence (fixed 60 % magnitude mask, p_damp 0.01)");
        Network net = trained("lenet-300-100");
        List<LayerReconstructionProblem> problems = problems(net, calibration(1024), Damping.relative(0.01));
        System.out.println("| layer | block sizes | max |Ŵ_B − Ŵ_128| | max |Ŵ| | relative error at B = 128 |");
        System.out.println("|---|---|---:|---:|---:|");
        for (LayerReconstructionProblem p : problems) {
            boolean[] mask = magnitudeMask(p.weights(), 0.6);
            LayerReconstructionResult ref = SparseGpt.unstructured(0.6).compressWithMask(p, mask, kernels);
            double diff = 0;
            int[] sizes = {1, 7, 32, p.cols()};
            for (int b : sizes) {
                LayerReconstructionResult r = SparseGpt.unstructured(0.6).withBlockSize(b).compressWithMask(p, mask, kernels);
                for (int q = 0; q < r.weights().length; q++) {
                    diff = Math.max(diff, Math.abs(r.weights()[q] - ref.weights()[q]));
                }
            }
            double max = Arrays.stream(ref.weights()).map(Math::abs).max().orElse(0);
            System.out.printf(Locale.ROOT, "| %s | %s vs 128 | %.2e | %.3g | %.4g |%n", p.layer(), Arrays.toString(sizes),
                    diff, max, ref.relativeError());
        }
    }

    /** Per-layer magnitude mask: the ⌈s·size⌉ smallest |w| (ties: lower index). */
    static boolean[] magnitudeMask(double[] w, double s) {
        int k = (int) Math.ceil(s * w.length - 1e-9);
        Integer[] idx = new Integer[w.length];
        for (int q = 0; q < idx.length; q++) {
            idx[q] = q;
        }
        Arrays.sort(idx, (a, b) -> {
            int c = Double.compare(Math.abs(w[a]), Math.abs(w[b]));
            return c != 0 ? c : Integer.compare(a, b);
        });
        boolean[] mask = new boolean[w.length];
        for (int q = 0; q < k; q++) {
            mask[idx[q]] = true;
        }
        return mask;
    }

    /** R20: magnitude > magnitude + OBS update > SparseGPT ≥ ExactOBS in relative reconstruction error. */
    void ordering() throws IOException {
        for (String preset : new String[] {"lenet-300-100", "mlpnet"}) {
            Network net = trained(preset);
            DataSource calib = calibration(1024);
            System.out.println("\n## R20 ordering on " + preset + " (1024 calibration samples, H damped 0.01·mean diag for "
                    + "all methods; relative error (1/N)‖(W−Ŵ)X‖²/(1/N)‖WX‖² with the undamped H)");
            System.out.println("| layer | sparsity | magnitude (M) | magnitude + OBS update (U) | SparseGPT (S) | ExactOBS (E) | "
                    + "observed order |");
            System.out.println("|---|---:|---:|---:|---:|---:|---|");
            for (LayerReconstructionProblem p : problems(net, calib, Damping.relative(0.01))) {
                ExactObsTraces t = ExactObs.unstructured(0.5).traces(p, kernels, Progress.NONE);
                for (double s : SPARSITIES) {
                    boolean[] mask = magnitudeMask(p.weights(), s);
                    double[] masked = p.weights().clone();
                    for (int q = 0; q < masked.length; q++) {
                        if (mask[q]) {
                            masked[q] = 0;
                        }
                    }
                    double energy = p.energy(kernels);
                    double mag = p.reconstructionError(masked, kernels) / energy;
                    double magObs = ExactObs.reconstruct(p, mask, kernels).relativeError();
                    double sgpt = SparseGpt.unstructured(s).compress(p, kernels, Progress.NONE).relativeError();
                    double obs = t.atSparsity(s).relativeError();
                    System.out.printf(Locale.ROOT, "| %s | %.0f%% | %.4g | %.4g | %.4g | %.4g | %s |%n", p.layer(), 100 * s,
                            mag, magObs, sgpt, obs, order(new String[] {"M", "U", "S", "E"}, new double[] {mag, magObs, sgpt, obs}));
                }
            }
            // Whole network, one-shot vs sequential SparseGPT and ExactOBS at 70 %: test accuracy.
            Evaluation dense = Evaluation.of(net, LOSS, data.test(), 1000);
            System.out.printf(Locale.ROOT, "%n%s dense test accuracy %.4f; whole network at 70 %% (all layers):%n", preset,
                    dense.accuracy());
            System.out.println("| method | inputs | test accuracy | Σ relative errors |");
            System.out.println("|---|---|---:|---:|");
            for (boolean sequential : new boolean[] {false, true}) {
                for (var m : List.of(SparseGpt.unstructured(0.7), ExactObs.unstructured(0.7))) {
                    LayerReconstructionReport r = LayerReconstruction.of(m).damping(Damping.relative(0.01))
                            .sequential(sequential).kernels(kernels).run(net, calib);
                    double acc = Evaluation.of(r.network(), LOSS, data.test(), 1000).accuracy();
                    double rel = r.layers().stream().mapToDouble(LayerReconstructionResult::relativeError).sum();
                    System.out.printf(Locale.ROOT, "| %s | %s | %.4f | %.4g |%n", m.name(),
                            sequential ? "sequential" : "one-shot", acc, rel);
                }
            }
        }
    }

    /** Non-uniform allocation (error database + DP over parameters) vs the same sparsity in every layer. */
    void allocation() throws IOException {
        Network net = trained("lenet-300-100");
        DataSource calib = calibration(1024);
        long t0 = System.nanoTime();
        LayerErrorDatabase db = LayerErrorDatabase.exactObs(net, calib, LOSS, Damping.relative(0.01), kernels, Progress.NONE);
        System.out.printf(Locale.ROOT, "%n## Non-uniform allocation on lenet-300-100 (ExactOBS database, %d levels per layer, "
                + "built in %.1f s; dense calibration loss %.4f, test accuracy %.4f)%n", db.layers().get(0).levels().size(),
                (System.nanoTime() - t0) * 1e-9, db.denseLoss(), Evaluation.of(net, LOSS, data.test(), 1000).accuracy());
        System.out.println("| target sparsity | allocation | fc1 / fc2 / fc3 sparsity | Σ err_l (calibration loss increase) "
                + "| calibration loss | test accuracy |");
        System.out.println("|---:|---|---|---:|---:|---:|");
        Dataset calibSet = calib.dataset().subset(calib.indices(), "calibration");
        for (double s : new double[] {0.8, 0.9, 0.95}) {
            LayerReconstructionReport uniform = LayerReconstruction.of(ExactObs.unstructured(s))
                    .damping(Damping.relative(0.01)).kernels(kernels).run(net, calib);
            SpdyAllocation dp = SpdyAllocation.forSparsity(db, s);
            LayerReconstructionReport allocated = db.assemble(dp);
            for (LayerReconstructionReport r : List.of(uniform, allocated)) {
                double loss = Evaluation.of(r.network(), LOSS, calibSet, 1000).loss();
                double acc = Evaluation.of(r.network(), LOSS, data.test(), 1000).accuracy();
                double[] sparsity = r == uniform
                        ? r.layers().stream().mapToDouble(LayerReconstructionResult::sparsity).toArray() : dp.sparsities();
                String perLayer = Arrays.stream(sparsity).mapToObj(x -> String.format(Locale.ROOT, "%.3f", x))
                        .reduce((x, y) -> x + " / " + y).orElse("");
                System.out.printf(Locale.ROOT, "| %.0f%% | %s | %s | %s | %.4f | %.4f |%n", 100 * s,
                        r == uniform ? "uniform ExactOBS" : "DP over the database (parameters, 10000 buckets)", perLayer,
                        r == uniform ? "n/a" : String.format(Locale.ROOT, "%.4g", dp.error()), loss, acc);
            }
        }
    }

    /** The labels sorted by decreasing error, e.g. "M > U > S > E". */
    private static String order(String[] labels, double[] errors) {
        Integer[] idx = {0, 1, 2, 3};
        Arrays.sort(idx, (a, b) -> Double.compare(errors[b], errors[a]));
        StringBuilder b = new StringBuilder(labels[idx[0]]);
        for (int i = 1; i < idx.length; i++) {
            b.append(" > ").append(labels[idx[i]]);
        }
        return b.toString();
    }

    /** ExactOBS on fc1 of LeNet-300-100 (784 × 300) with 2048 calibration samples at 90 %; exports H and W. */
    void timing() throws IOException {
        System.out.println("\n## ExactOBS timing: fc1 of LeNet-300-100 (300 × 784), 2048 calibration samples, 90 %, "
                + "H damped 0.01·mean diag, rows on " + rowThreads + " thread(s)");
        Network net = trained("lenet-300-100");
        LayerReconstructionProblem p = problems(net, calibration(2048), Damping.relative(0.01)).get(0);
        Files.createDirectories(out);
        double[] h = p.hessian().rowHessian().toDense();
        double[] w0 = p.startingWeights();
        Npy.write(out.resolve("H.npy"), Tensor.f64("H", new long[] {p.cols(), p.cols()}, h));
        Npy.write(out.resolve("W.npy"), Tensor.f64("W", new long[] {p.rows(), p.cols()}, w0));
        for (int run = 0; run < 3; run++) {
            long t0 = System.nanoTime();
            ExactObsTraces t = ExactObs.unstructured(0.9).withRowThreads(rowThreads).traces(p, kernels, Progress.NONE);
            long t1 = System.nanoTime();
            LayerReconstructionResult r = t.atSparsity(0.9);
            long t2 = System.nanoTime();
            System.out.printf(Locale.ROOT, "run %d: greedy traces %.2f s, selection + replay %.2f s, total %.2f s; "
                    + "Σ losses %.10g, relative error %.5g%n", run, (t1 - t0) * 1e-9, (t2 - t1) * 1e-9, (t2 - t0) * 1e-9,
                    r.predictedLoss(), r.relativeError());
            if (run == 0) {
                Npy.write(out.resolve("W_hat_java.npy"), Tensor.f64("W_hat", new long[] {p.rows(), p.cols()}, r.weights()));
            }
        }
        System.out.println("exported H.npy, W.npy, W_hat_java.npy to " + out);
    }
}
