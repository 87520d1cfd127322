package dev.surgeon.cli;

import dev.surgeon.kernels.Kernels;
import picocli.CommandLine.Option;

/** The {@code --threads} option shared by the commands that compute: it bounds the kernel provider's threads. */
final class KernelOptions {
    @Option(names = "--threads", paramLabel = "N", defaultValue = "0",
            description = "Threads the kernels may use (default: 0 = the provider's own default, all processors). "
                    + "With 1 thread a run is bit-for-bit reproducible.")
    int threads;

    /** The selected provider ({@link Kernels#get()}, chosen by -Dsurgeon.kernels), bounded to --threads. */
    Kernels kernels() {
        return Options.kernels(threads);
    }
}
