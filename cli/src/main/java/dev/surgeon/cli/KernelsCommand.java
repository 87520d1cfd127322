package dev.surgeon.cli;

import dev.surgeon.kernels.Kernels;
import dev.surgeon.kernels.ProviderStatus;
import dev.surgeon.kernels.Trans;
import java.io.PrintWriter;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code surgeon kernels}: which kernel provider this JVM selected, what every provider reports, and a
 * short throughput check (sgemm and sdot) per available provider, measured one after the other in this
 * process so the figures are comparable with each other (not with other machines).
 */
@Command(name = "kernels",
        mixinStandardHelpOptions = true,
        description = {
                "Show the selected kernel provider (vector width, FMA, threads), every provider's availability,",
                "and a quick sgemm/sdot throughput check per available provider."})
final class KernelsCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--seconds", defaultValue = "3",
            description = "Seconds of throughput measurement per provider, split between sgemm and sdot (default: ${DEFAULT-VALUE}; 0 skips it).")
    double seconds;

    @Option(names = "--gemm-size", defaultValue = "512", description = "Square sgemm size n (default: ${DEFAULT-VALUE}).")
    int gemmSize;

    @Option(names = "--dot-size", defaultValue = "4096", description = "sdot length (default: ${DEFAULT-VALUE}).")
    int dotSize;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        Kernels selected = Kernels.get();
        out.printf("selected: %s%n", selected.description());
        out.printf("java: %s (%s), %d processors%n", Runtime.version(), System.getProperty("java.vm.name"),
                Runtime.getRuntime().availableProcessors());
        out.println();
        out.println("providers:");
        for (ProviderStatus s : Kernels.providers()) {
            out.printf("  %-9s priority %-3d %s%n", s.name(), s.priority(),
                    s.available() ? "available" : "unavailable: " + s.reason());
        }
        if (seconds <= 0) {
            return 0;
        }
        out.println();
        out.printf("throughput (%.1f s per provider, %d thread(s) each; sgemm n=%d, sdot n=%d):%n",
                seconds, selected.threads(), gemmSize, dotSize);
        out.printf("  %-9s %14s %14s%n", "provider", "sgemm GFLOP/s", "sdot GFLOP/s");
        for (ProviderStatus s : Kernels.providers()) {
            if (!s.available()) {
                continue;
            }
            Kernels k = Kernels.named(s.name());
            double gemm = gemmGflops(k, gemmSize, seconds / 2);
            double dot = dotGflops(k, dotSize, seconds / 2);
            out.printf(Locale.ROOT, "  %-9s %14.2f %14.2f%n", s.name(), gemm, dot);
            out.flush();
        }
        return 0;
    }

    private static double gemmGflops(Kernels k, int n, double seconds) {
        float[] a = random(n * n, 1);
        float[] b = random(n * n, 2);
        float[] c = new float[n * n];
        double flops = 2.0 * n * n * n;
        return measure(() -> k.gemm(Trans.N, Trans.N, n, n, n, 1f, a, 0, n, b, 0, n, 0f, c, 0, n), flops, seconds);
    }

    private static double dotGflops(Kernels k, int n, double seconds) {
        float[] x = random(n, 3);
        float[] y = random(n, 4);
        float[] sink = new float[1];
        return measure(() -> sink[0] += k.dot(n, x, 0, y, 0), 2.0 * n, seconds);
    }

    /** Runs the operation for the first third of the time to warm up the JIT, then counts calls. */
    private static double measure(Runnable op, double flopsPerCall, double seconds) {
        long warmEnd = System.nanoTime() + (long) (seconds / 3 * 1e9);
        while (System.nanoTime() < warmEnd) {
            op.run();
        }
        long start = System.nanoTime();
        long end = start + (long) (seconds * 2 / 3 * 1e9);
        long calls = 0;
        long now;
        do {
            op.run();
            calls++;
            now = System.nanoTime();
        } while (now < end);
        return calls * flopsPerCall / (now - start);
    }

    private static float[] random(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) (r.nextDouble() * 2 - 1);
        }
        return x;
    }
}
