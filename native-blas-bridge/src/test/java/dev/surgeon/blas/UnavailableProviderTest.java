package dev.surgeon.blas;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.surgeon.kernels.KernelProvider;
import org.junit.jupiter.api.Test;

/**
 * A provider bound to a library that is missing, or that is not OpenBLAS, reports itself unavailable with
 * the reason and what to do, and never throws from {@code unavailableReason()}. (The JVM-wide selection
 * falling back is checked in a separate JVM by {@code MissingLibrarySelectionTest}, because the selection
 * is made once per JVM.)
 */
class UnavailableProviderTest {

    @Test
    void aMissingLibraryIsReportedWithItsNameAndTheInstallHint() {
        KernelProvider p = new OpenBlasProvider("libsurgeon-no-such-blas.so.0");
        String reason = p.unavailableReason();
        assertNotNull(reason);
        assertTrue(reason.contains("libsurgeon-no-such-blas.so.0"), reason);
        assertTrue(reason.contains("apt-get install libopenblas0-pthread"), reason);
        assertTrue(reason.contains("-Dsurgeon.blas.library"), reason);
        assertEquals("openblas", p.name());
        assertTrue(p.priority() > 20, "ranks above the Vector API provider");
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> p.create(1));
        assertTrue(e.getMessage().contains(reason), e.getMessage());
    }

    @Test
    void aLibraryWithoutTheBlasSymbolsIsReportedAsSuch() {
        KernelProvider p = new OpenBlasProvider("libm.so.6");
        String reason = p.unavailableReason();
        assertNotNull(reason);
        assertTrue(reason.contains("libm.so.6 does not export"), reason);
    }

    @Test
    void theConfiguredLibraryIsTriedByEveryDefaultName() {
        OpenBlasLibrary.Probe probe = OpenBlasLibrary.probe(java.util.List.of("libsurgeon-a.so", "libsurgeon-b.so"));
        assertTrue(probe.reason().contains("libsurgeon-a.so") && probe.reason().contains("libsurgeon-b.so"),
                probe.reason());
        assertEquals(java.util.List.of("libopenblas.so.0", "libopenblas.so"), OpenBlasLibrary.DEFAULT_NAMES);
    }
}
