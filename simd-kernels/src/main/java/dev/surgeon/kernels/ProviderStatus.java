package dev.surgeon.kernels;

/**
 * What {@link Kernels#providers()} knows about one provider.
 *
 * @param name      the provider's name
 * @param priority  its rank under {@code auto}
 * @param available whether it can be used on this JVM
 * @param reason    why it is unavailable ({@code null} when available)
 */
public record ProviderStatus(String name, int priority, boolean available, String reason) {
}
