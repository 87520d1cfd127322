package dev.surgeon.cli;

import dev.surgeon.core.data.Datasets;
import dev.surgeon.kernels.Kernels;
import dev.surgeon.kernels.ProviderStatus;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code surgeon bench}: throughput of the kernels and of the training and pruning hot paths for every available kernel
 * provider, measured side by side in one run — the providers take turns within each round (the order rotates from
 * round to round, so drift of a shared, noisy machine hits all of them alike) — and reported as medians with the ratios
 * between providers. When python3 with PyTorch is installed, the same LeNet-300-100 training is timed with
 * {@code ../shared/bench/peer_torch.py} (next to the repository) and the ratio printed.
 */
@Command(name = "bench",
        header = "Benchmark the kernel providers side by side (kernels, training, pruning hot paths) and against PyTorch.",
        mixinStandardHelpOptions = true,
        usageHelpAutoWidth = true,
        sortOptions = false,
        description = {
                "Measures sgemm, sdot, dpotrf, a LeNet-300-100 training slice, ExactOBS eliminations and M-FAC products on every "
                        + "available kernel provider (scalar, vector, openblas), interleaving the providers within each round, "
                        + "and prints the median throughput of each and the ratios between them. With python3 and PyTorch "
                        + "installed (and Fashion-MNIST, which the peer script trains on), it also runs "
                        + "../shared/bench/peer_torch.py and prints our training speed over PyTorch's. A few minutes by "
                        + "default; JMH (./surgeon jmh) gives the finer measurements.",
                ""})
final class BenchCommand implements Callable<Integer> {
    private static final Pattern PEER_RATE = Pattern.compile("samples_per_s=(\\d+(?:\\.\\d+)?)");

    @Spec
    CommandSpec spec;

    @Option(names = "--quick", description = "Small sizes and short repetitions (for tests; the ratios are rough).")
    boolean quick;

    @Option(names = "--rounds", paramLabel = "R",
            description = "Rounds; each runs every provider once per workload (default 5; --quick 3). Medians are reported.")
    Integer rounds;

    @Option(names = "--rep-seconds", paramLabel = "S",
            description = "Target seconds of one timed repetition (default 0.2; --quick 0.01).")
    Double repSeconds;

    @Option(names = "--warmup-seconds", paramLabel = "S",
            description = "Warm-up per provider and workload before timing, at least 10 calls: the Vector API is only fast "
                    + "once C2 has compiled it (default 1.5; --quick 1.0: with 0.2 s the Vector API kernels were still "
                    + "interpreted, sgemm n=64 at 0.2 GFLOP/s instead of 74).")
    Double warmupSeconds;

    @Option(names = "--providers", paramLabel = "LIST", split = ",",
            description = "Providers to compare (default: every available one).")
    List<String> providers;

    @Option(names = "--no-peer", description = "Do not run the PyTorch peer even when it is installed.")
    boolean noPeer;

    @Option(names = "--python", paramLabel = "EXE",
            description = "The Python interpreter for the PyTorch peer (default: the first of python3 and /usr/bin/python3, "
                    + "the peer script's own interpreter, that can import torch; a pyenv or venv python3 often cannot).")
    String python;

    @Option(names = "--peer-script", paramLabel = "FILE",
            description = "The peer script (default: ../shared/bench/peer_torch.py relative to the repository root).")
    Path peerScript;

    @Mixin
    KernelOptions kernelOptions;

    /** Median throughputs: workload → provider → units per second. */
    record Result(List<String> providers, Map<String, Map<String, Double>> medians, Map<String, String> units) {
    }

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        kernelOptions.kernels(); // validates --threads
        int r = rounds != null ? rounds : quick ? 3 : 5;
        double rep = repSeconds != null ? repSeconds : quick ? 0.01 : 0.2;
        double warmup = warmupSeconds != null ? warmupSeconds : quick ? 1.0 : 1.5;
        if (r < 1 || !(rep > 0) || !(warmup >= 0)) {
            throw new UserException(ExitCodes.USAGE, "--rounds must be >= 1, --rep-seconds > 0 and --warmup-seconds >= 0");
        }
        List<String> names = new ArrayList<>();
        List<Kernels> kernels = new ArrayList<>();
        for (ProviderStatus s : Kernels.providers()) {
            if (providers != null && !providers.contains(s.name())) {
                continue;
            }
            if (!s.available()) {
                out.printf("%s: unavailable (%s)%n", s.name(), s.reason());
                continue;
            }
            Kernels k = Kernels.named(s.name());
            kernels.add(kernelOptions.threads > 0 ? k.withThreads(kernelOptions.threads) : k);
            names.add(s.name());
        }
        if (providers != null) {
            for (String p : providers) {
                if (Kernels.providers().stream().noneMatch(s -> s.name().equals(p))) {
                    throw new UserException(ExitCodes.USAGE, "unknown provider '" + p + "'; known: "
                            + String.join(", ", Kernels.providers().stream().map(ProviderStatus::name).toList()));
                }
            }
        }
        if (kernels.isEmpty()) {
            throw new UserException(ExitCodes.USAGE, "no available provider to measure");
        }
        out.printf(Locale.ROOT, "providers: %s%n", String.join(", ", kernels.stream().map(Kernels::description).toList()));
        out.printf(Locale.ROOT, "method: %d rounds, providers interleaved within each round (rotating order), repetitions of "
                + "about %.2f s after a warm-up of %.1f s; medians of the rounds%n%n", r, rep, warmup);
        out.flush();
        ConsoleProgress progress = ConsoleProgress.forStderr();
        List<BenchWorkload> workloads = BenchWorkload.defaults(quick);
        Result result = measure(workloads, names, kernels, r, rep, warmup, progress);
        out.print(table(result));
        out.flush();
        if (noPeer) {
            out.println("\nPyTorch peer: skipped (--no-peer).");
        } else {
            peer(out, result, names, kernels, progress);
        }
        out.flush();
        return ExitCodes.OK;
    }

    static Result measure(List<BenchWorkload> workloads, List<String> names, List<Kernels> kernels, int rounds, double rep,
                          double warmup, ConsoleProgress progress) {
        Map<String, Map<String, Double>> medians = new LinkedHashMap<>();
        Map<String, String> units = new LinkedHashMap<>();
        int p = kernels.size();
        progress.start("bench", (long) workloads.size() * p * (rounds + 1));
        try {
            for (BenchWorkload w : workloads) {
                Runnable[] ops = new Runnable[p];
                int[] calls = new int[p];
                for (int i = 0; i < p; i++) {
                    ops[i] = w.setup().apply(kernels.get(i));
                    calls[i] = calibrate(ops[i], rep, warmup);
                    progress.advance(1);
                }
                double[][] rates = new double[p][rounds];
                for (int round = 0; round < rounds; round++) {
                    for (int j = 0; j < p; j++) {
                        int i = (j + round) % p;
                        long t0 = System.nanoTime();
                        for (int c = 0; c < calls[i]; c++) {
                            ops[i].run();
                        }
                        rates[i][round] = calls[i] * w.work() / ((System.nanoTime() - t0) / 1e9);
                        progress.advance(1);
                    }
                }
                Map<String, Double> m = new LinkedHashMap<>();
                for (int i = 0; i < p; i++) {
                    m.put(names.get(i), median(rates[i]));
                }
                medians.put(w.name(), m);
                units.put(w.name(), w.unit());
            }
        } finally {
            progress.finish();
        }
        return new Result(names, medians, units);
    }

    /**
     * Warms the operation up (JIT) for at least 10 calls and {@code warmup} seconds, then times a few calls to choose
     * the calls per repetition.
     */
    private static int calibrate(Runnable op, double rep, double warmup) {
        long start = System.nanoTime();
        int n = 0;
        while (n < 10 || System.nanoTime() - start < warmup * 1e9) {
            op.run();
            n++;
        }
        start = System.nanoTime();
        n = 0;
        while (n < 3 || System.nanoTime() - start < rep * 1e9) {
            op.run();
            n++;
        }
        double perCall = (System.nanoTime() - start) / 1e9 / n;
        return (int) Math.max(1, Math.ceil(rep / perCall));
    }

    static double median(double[] values) {
        double[] v = values.clone();
        Arrays.sort(v);
        int n = v.length;
        return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
    }

    /** The medians per provider, then every ratio b/a for providers a before b in the list. */
    static String table(Result r) {
        List<String> header = new ArrayList<>(List.of("workload", "unit"));
        header.addAll(r.providers());
        List<int[]> pairs = new ArrayList<>();
        for (int a = 0; a < r.providers().size(); a++) {
            for (int b = a + 1; b < r.providers().size(); b++) {
                pairs.add(new int[] {a, b});
                header.add(r.providers().get(b) + "/" + r.providers().get(a));
            }
        }
        List<List<String>> rows = new ArrayList<>();
        rows.add(header);
        for (Map.Entry<String, Map<String, Double>> e : r.medians().entrySet()) {
            List<String> row = new ArrayList<>(List.of(e.getKey(), r.units().get(e.getKey())));
            for (String p : r.providers()) {
                row.add(rate(e.getValue().get(p)));
            }
            for (int[] pair : pairs) {
                double ratio = e.getValue().get(r.providers().get(pair[1])) / e.getValue().get(r.providers().get(pair[0]));
                row.add(String.format(Locale.ROOT, "%.2f×", ratio));
            }
            rows.add(row);
        }
        int[] width = new int[header.size()];
        for (List<String> row : rows) {
            for (int c = 0; c < width.length; c++) {
                width[c] = Math.max(width[c], row.get(c).length());
            }
        }
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < rows.size(); i++) {
            b.append('|');
            for (int c = 0; c < width.length; c++) {
                String v = rows.get(i).get(c);
                String fill = " ".repeat(width[c] - v.length());
                b.append(' ').append(c < 2 ? v + fill : fill + v).append(" |");
            }
            b.append('\n');
            if (i == 0) {
                b.append('|');
                for (int c = 0; c < width.length; c++) {
                    b.append(c < 2 ? "-".repeat(width[c] + 2) + "|" : "-".repeat(width[c] + 1) + ":|");
                }
                b.append('\n');
            }
        }
        return b.toString();
    }

    private static String rate(double v) {
        return v >= 1000 ? String.format(Locale.ROOT, "%.0f", v) : String.format(Locale.ROOT, "%.3g", v);
    }

    // ------------------------------------------------------------------------------------------------
    // PyTorch peer

    private void peer(PrintWriter out, Result result, List<String> names, List<Kernels> kernels, ConsoleProgress progress)
            throws IOException, InterruptedException {
        Path script = peerScript != null ? peerScript : repositoryRoot() == null ? null
                : repositoryRoot().resolve("../shared/bench/peer_torch.py").normalize();
        if (script == null || !Files.isRegularFile(script)) {
            out.println("\nPyTorch peer: not run, the peer script " + (script == null ? "../shared/bench/peer_torch.py" : script)
                    + " is not there (give it with --peer-script).");
            return;
        }
        String interpreter = torchInterpreter();
        if (interpreter == null) {
            out.println("\nPyTorch peer: not installed (" + (python != null ? python : "neither python3 nor /usr/bin/python3")
                    + " can import torch; on Debian: apt-get install python3-torch).");
            return;
        }
        if (!Files.isDirectory(Path.of(Datasets.FASHION_MNIST_PATH))) {
            out.println("\nPyTorch peer: not run, it trains on Fashion-MNIST, which is not installed (apt-get install "
                    + "dataset-fashion-mnist).");
            return;
        }
        // PyTorch gets the threads of the selected provider (or --threads), the setting of a normal Surgeon run.
        int threads = kernelOptions.threads > 0 ? kernelOptions.threads : Kernels.get().threads();
        List<String> command = List.of(interpreter, script.toString(), "--arch", "lenet-300-100", "--threads", Integer.toString(threads),
                "--epochs", "1");
        progress.note("PyTorch peer: " + String.join(" ", command));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(600, TimeUnit.SECONDS) || p.exitValue() != 0) {
            out.println("\nPyTorch peer: failed (" + String.join(" ", command) + "):\n" + text.strip());
            return;
        }
        Matcher m = PEER_RATE.matcher(text);
        if (!m.find()) {
            out.println("\nPyTorch peer: no samples_per_s in its output:\n" + text.strip());
            return;
        }
        double torch = Double.parseDouble(m.group(1));
        String workload = result.medians().keySet().stream().filter(k -> k.startsWith("LeNet-300-100")).findFirst().orElseThrow();
        out.printf(Locale.ROOT, "%nPyTorch peer (%s, %d thread(s), one Fashion-MNIST epoch, batch 128): %.0f samples/s%n",
                script.getFileName(), threads, torch);
        for (int i = 0; i < names.size(); i++) {
            double ours = result.medians().get(workload).get(names.get(i));
            out.printf(Locale.ROOT, "  Surgeon %-9s (%d thread(s)) %8.0f samples/s = %.2f× PyTorch%n", names.get(i),
                    kernels.get(i).threads(), ours, ours / torch);
        }
        out.println("  (our slice: synthetic images through the same net, batch size and optimizer; PyTorch: a real epoch)");
    }

    /** The interpreter to run the peer with: --python, else the first candidate that imports torch; null if none. */
    private String torchInterpreter() {
        for (String candidate : python != null ? List.of(python) : List.of("python3", "/usr/bin/python3")) {
            if (importsTorch(candidate)) {
                return candidate;
            }
        }
        return null;
    }

    private static boolean importsTorch(String interpreter) {
        try {
            Process p = new ProcessBuilder(interpreter, "-c", "import torch").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(120, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /**
     * The repository root: the CLI runs from {@code ROOT/cli/target/surgeon-cli.jar} (the launcher) or
     * {@code ROOT/cli/target/classes} (tests); null when it runs from elsewhere.
     */
    static Path repositoryRoot() {
        try {
            Path location = Path.of(BenchCommand.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            Path target = location.getParent();
            if (target == null || !target.getFileName().toString().equals("target") || target.getParent() == null) {
                return null;
            }
            return target.getParent().getParent();
        } catch (URISyntaxException | SecurityException | NullPointerException e) {
            return null;
        }
    }
}
