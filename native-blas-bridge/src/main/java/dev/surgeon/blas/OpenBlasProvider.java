package dev.surgeon.blas;

import dev.surgeon.kernels.KernelProvider;
import dev.surgeon.kernels.Kernels;
import dev.surgeon.kernels.ProviderStatus;
import java.util.List;

/**
 * The {@code openblas} kernel provider: {@link OpenBlasKernels} on the system OpenBLAS. It ranks above the
 * Vector API provider, so {@code -Dsurgeon.kernels=auto} picks it whenever the library loads (the kernels
 * themselves hand tiny sizes to the Vector provider); {@code -Dsurgeon.kernels=openblas} forces it. When
 * the library, one of its symbols or native access is missing it reports why and changes nothing else.
 */
public final class OpenBlasProvider implements KernelProvider {
    static final String NAME = "openblas";

    /** Above the Vector API provider (20). */
    static final int PRIORITY = 30;

    private final List<String> names;
    private volatile OpenBlasLibrary.Probe probe;

    /** The provider for the library configured by {@code -Dsurgeon.blas.library} or the default sonames. */
    public OpenBlasProvider() {
        this.names = null;
    }

    /** A provider bound to one library name or path (tests probe bogus names in-process with it). */
    OpenBlasProvider(String library) {
        this.names = List.of(library);
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public int priority() {
        return PRIORITY;
    }

    @Override
    public String unavailableReason() {
        return probe().reason();
    }

    @Override
    public Kernels create(int threads) {
        String reason = unavailableReason();
        if (reason != null) {
            throw new IllegalStateException("openblas kernels unavailable: " + reason);
        }
        if (names != null && !names.equals(OpenBlasLibrary.configuredNames())) {
            throw new IllegalStateException("the OpenBLAS downcalls of this JVM are bound to "
                    + OpenBlasLibrary.configuredNames() + "; select " + names.getFirst() + " with -D"
                    + OpenBlasLibrary.LIBRARY_PROPERTY);
        }
        OpenBlasLibrary.Loaded lib = probe().loaded();
        return new OpenBlasKernels(threads, true, fallback(threads), lib.config() + ", " + lib.name());
    }

    private OpenBlasLibrary.Probe probe() {
        OpenBlasLibrary.Probe p = probe;
        if (p == null) {
            p = names == null ? OpenBlasLibrary.configured() : OpenBlasLibrary.probe(names);
            probe = p;
        }
        return p;
    }

    /** The highest-priority other provider that is available (the scalar one always is). */
    private static Kernels fallback(int threads) {
        ProviderStatus best = null;
        for (ProviderStatus s : Kernels.providers()) {
            if (s.available() && !s.name().equals(NAME) && (best == null || s.priority() > best.priority())) {
                best = s;
            }
        }
        Kernels k = best == null ? Kernels.scalar() : Kernels.named(best.name());
        return k.withThreads(threads);
    }
}
