package dev.surgeon.kernels;

/**
 * A source of {@link Kernels}, discovered with {@link java.util.ServiceLoader} (declare it with
 * {@code provides dev.surgeon.kernels.KernelProvider with …} and in
 * {@code META-INF/services/dev.surgeon.kernels.KernelProvider}).
 *
 * <p>A provider must be cheap to construct and must not touch optional dependencies (incubator modules,
 * native libraries) before {@link #unavailableReason()} has confirmed they are present, so that a missing
 * dependency is reported instead of crashing the JVM's selection of a provider.
 */
public interface KernelProvider {

    /** Unique short name used by {@code -Dsurgeon.kernels=NAME}. */
    String name();

    /** Rank under {@code surgeon.kernels=auto}: the available provider with the highest priority wins. */
    int priority();

    /**
     * {@code null} when the provider can be used on this JVM, otherwise one line saying why not and what
     * to do about it (e.g. the JVM flag or system package that is missing).
     */
    String unavailableReason();

    /**
     * Creates an instance that uses at most {@code threads} threads per call.
     *
     * @throws IllegalStateException if the provider is unavailable
     */
    Kernels create(int threads);
}
