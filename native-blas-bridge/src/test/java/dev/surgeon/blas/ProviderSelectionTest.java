package dev.surgeon.blas;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.surgeon.kernels.Kernels;
import dev.surgeon.kernels.ProviderStatus;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** In a JVM where OpenBLAS loads, the service loader finds the provider and {@code auto} selects it. */
class ProviderSelectionTest {

    @BeforeAll
    static void requireLibrary() {
        OpenBlasTestSupport.defaultKernels();
    }

    @Test
    void autoSelectsOpenBlasWhenItLoads() {
        ProviderStatus status = Kernels.providers().stream().filter(s -> s.name().equals("openblas")).findFirst()
                .orElseThrow(() -> new AssertionError("the service loader did not find the openblas provider"));
        assertTrue(status.available(), String.valueOf(status.reason()));
        assertEquals("openblas", Kernels.get().name());
    }

    @Test
    void namedKernelsDescribeTheLibraryAndHonourThreadBounds() {
        Kernels k = Kernels.named("openblas");
        assertInstanceOf(OpenBlasKernels.class, k);
        assertTrue(k.description().contains("OpenBLAS") && k.description().contains("libopenblas"), k.description());
        Kernels two = k.withThreads(2);
        assertEquals(2, two.threads());
        assertEquals(1, two.withThreads(1).threads());
        assertThrows(IllegalArgumentException.class, () -> k.withThreads(0));
    }
}
