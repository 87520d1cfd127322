package dev.surgeon.kernels;

import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.ServiceLoader;

/**
 * Finds the {@link KernelProvider}s and chooses the JVM-wide default once. The only silent-looking
 * fallback in Surgeon lives here: under {@code auto}, a JVM started without the Vector module runs the
 * scalar provider and logs exactly one warning that names the missing flag.
 */
final class KernelSelection {
    static final String PROVIDER_PROPERTY = "surgeon.kernels";
    static final String THREADS_PROPERTY = "surgeon.threads";

    private static final System.Logger LOG = System.getLogger("dev.surgeon.kernels");

    private KernelSelection() {
    }

    /** All providers: the built-in ones first, then whatever the service loader adds, by name once each. */
    static List<KernelProvider> all() {
        return Providers.ALL;
    }

    static List<ProviderStatus> statuses() {
        List<ProviderStatus> out = new ArrayList<>();
        for (KernelProvider p : all()) {
            String reason = p.unavailableReason();
            out.add(new ProviderStatus(p.name(), p.priority(), reason == null, reason));
        }
        return out;
    }

    private static volatile Kernels selected;

    /**
     * The JVM-wide provider, chosen on first use. A failed choice (an unknown or unavailable provider
     * forced by {@code -Dsurgeon.kernels}) is not cached: every call throws the same
     * {@link IllegalStateException}, instead of the {@code ExceptionInInitializerError} followed by
     * {@code NoClassDefFoundError} that a failing class initializer would give.
     */
    static Kernels selected() {
        Kernels k = selected;
        if (k == null) {
            synchronized (KernelSelection.class) {
                k = selected;
                if (k == null) {
                    k = choose(System.getProperty(PROVIDER_PROPERTY));
                    selected = k;
                }
            }
        }
        return k;
    }

    static Kernels byName(String name) {
        for (KernelProvider p : all()) {
            if (p.name().equals(name)) {
                String reason = p.unavailableReason();
                if (reason != null) {
                    throw new IllegalStateException("kernel provider '" + name + "' is unavailable: " + reason);
                }
                return p.create(defaultThreads());
            }
        }
        throw new IllegalStateException("unknown kernel provider '" + name + "'; known: " + names());
    }

    static int defaultThreads() {
        String value = System.getProperty(THREADS_PROPERTY);
        int processors = Runtime.getRuntime().availableProcessors();
        if (value == null || value.isBlank()) {
            return processors;
        }
        try {
            int n = Integer.parseInt(value.trim());
            if (n < 1) {
                throw new NumberFormatException();
            }
            return n;
        } catch (NumberFormatException e) {
            throw new IllegalStateException("-D" + THREADS_PROPERTY + "=" + value
                    + " is not a positive integer");
        }
    }

    private static String names() {
        return all().stream().map(KernelProvider::name).toList().toString();
    }

    /**
     * The provider for a value of {@code -Dsurgeon.kernels} ({@code null} or blank: {@code auto}; case and
     * surrounding spaces ignored). Under {@code auto}, an unavailable Vector API provider is the one
     * fallback that is not an error, so it is logged as a warning with the provider's reason (for a JVM
     * without the module: the missing {@code --add-modules jdk.incubator.vector}).
     */
    static Kernels choose(String requested) {
        String name = requested == null || requested.isBlank() ? "auto" : requested.trim().toLowerCase(Locale.ROOT);
        if (!name.equals("auto")) {
            Kernels k = byName(name);
            LOG.log(Level.DEBUG, "kernels: {0} (forced by -D{1})", k.name(), PROVIDER_PROPERTY);
            return k;
        }
        KernelProvider best = null;
        String vectorReason = null;
        for (KernelProvider p : all()) {
            String reason = p.unavailableReason();
            if (p.name().equals("vector")) {
                vectorReason = reason;
            }
            if (reason == null && (best == null || p.priority() > best.priority())) {
                best = p;
            }
        }
        if (vectorReason != null) {
            LOG.log(Level.WARNING, "Vector API unavailable (" + vectorReason + "); Surgeon uses the "
                    + best.name() + " kernels" + (best.name().equals("scalar")
                    ? ", which can be many times slower."
                    : ", with scalar loops for the small operations it delegates."));
        }
        return best.create(defaultThreads());
    }

    private static final class Providers {
        static final List<KernelProvider> ALL = load();

        private static List<KernelProvider> load() {
            List<KernelProvider> list = new ArrayList<>();
            list.add(new ScalarProvider());
            list.add(new VectorProvider());
            for (ServiceLoader.Provider<KernelProvider> sp : ServiceLoader.load(KernelProvider.class).stream().toList()) {
                try {
                    KernelProvider p = sp.get();
                    if (list.stream().noneMatch(q -> q.name().equals(p.name()))) {
                        list.add(p);
                    }
                } catch (java.util.ServiceConfigurationError | LinkageError e) {
                    LOG.log(Level.WARNING, "ignoring kernel provider " + sp.type().getName() + ": " + e);
                }
            }
            list.sort(Comparator.comparingInt(KernelProvider::priority));
            return List.copyOf(list);
        }
    }
}
