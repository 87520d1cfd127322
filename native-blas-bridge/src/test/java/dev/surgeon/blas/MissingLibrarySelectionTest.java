package dev.surgeon.blas;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.surgeon.kernels.Kernels;
import dev.surgeon.kernels.ProviderStatus;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Run by its own surefire execution, in a JVM started with {@code -Dsurgeon.blas.library} naming a file
 * that does not exist: the provider is listed as unavailable with the reason, {@code auto} selects the
 * best other provider, forcing {@code openblas} fails with the reason, and the kernels work.
 */
class MissingLibrarySelectionTest {
    static final String MISSING = "/nonexistent/libopenblas.so.0";

    @Test
    void aMissingLibraryLeavesTheSelectionToTheOtherProviders() {
        Assumptions.assumeTrue(MISSING.equals(System.getProperty("surgeon.blas.library")),
                "runs only in the missing-library surefire execution");
        ProviderStatus status = Kernels.providers().stream().filter(s -> s.name().equals("openblas")).findFirst()
                .orElseThrow(() -> new AssertionError("the service loader did not find the openblas provider"));
        assertFalse(status.available());
        assertTrue(status.reason().contains(MISSING), status.reason());

        Kernels selected = Kernels.get();
        assertNotEquals("openblas", selected.name());
        assertTrue(Kernels.providers().stream().filter(ProviderStatus::available)
                .allMatch(s -> s.priority() <= Kernels.providers().stream()
                        .filter(t -> t.name().equals(selected.name())).findFirst().orElseThrow().priority()),
                "auto picked the highest-priority available provider");
        float[] x = {1, 2, 3};
        assertTrue(selected.dot(3, x, 0, x, 0) == 14f);

        IllegalStateException e = assertThrows(IllegalStateException.class, () -> Kernels.named("openblas"));
        assertTrue(e.getMessage().contains(MISSING), e.getMessage());
    }
}
