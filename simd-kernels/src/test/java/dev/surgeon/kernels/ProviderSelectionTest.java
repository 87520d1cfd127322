package dev.surgeon.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

/**
 * Which provider this JVM selects and how selection can be steered: {@code auto} picks the vector provider
 * because the build starts test JVMs with {@code --add-modules jdk.incubator.vector} (so a missing flag
 * fails the build instead of silently testing scalar code), {@code -Dsurgeon.kernels} forces a provider,
 * unknown or unavailable providers are clear {@link IllegalStateException}s, thread bounds are checked.
 * Forcing through the real system property is checked in child JVMs ({@link SelectionProbe}), because
 * the default is chosen once per JVM.
 */
class ProviderSelectionTest {

    @Test
    void autoSelectsTheVectorProviderBecauseTheBuildAddsTheModule() {
        String forced = System.getProperty(KernelSelection.PROVIDER_PROPERTY);
        assumeTrue(forced == null || forced.isBlank() || forced.trim().equalsIgnoreCase("auto"),
                "-Dsurgeon.kernels=" + forced + " forces a provider in this JVM");
        assertTrue(JvmFeatures.vectorModulePresent(), "the test JVM was started without "
                + "--add-modules jdk.incubator.vector: check the surefire argLine (surgeon.jvm.flags)");
        assertEquals("vector", Kernels.get().name(),
                () -> "auto did not select the Vector API provider; providers: " + Kernels.providers());
        assertSame(Kernels.get(), Kernels.get(), "the default is chosen once per JVM");
    }

    @Test
    void autoChoosesTheAvailableProviderWithTheHighestPriority() {
        ProviderStatus best = Kernels.providers().stream().filter(ProviderStatus::available)
                .max(Comparator.comparingInt(ProviderStatus::priority)).orElseThrow();
        assertEquals(best.name(), KernelSelection.choose("auto").name());
        assertEquals(best.name(), KernelSelection.choose(null).name(), "an unset property means auto");
        assertEquals(best.name(), KernelSelection.choose(" ").name(), "an empty property means auto");
    }

    @Test
    void forcingAProviderByNameIgnoresCaseAndSpaces() {
        assertEquals("scalar", KernelSelection.choose("scalar").name());
        assertEquals("scalar", KernelSelection.choose(" Scalar ").name());
        assertEquals("scalar", Kernels.named("scalar").name());
        assertTrue(Kernels.scalar() instanceof ScalarKernels, "Kernels.scalar() is the reference");
        assertEquals(1, Kernels.scalar().threads(), "the reference is single-threaded");
    }

    @Test
    void unknownProviderNamesAreAClearIllegalStateException() {
        for (IllegalStateException e : List.of(
                assertThrows(IllegalStateException.class, () -> Kernels.named("simd")),
                assertThrows(IllegalStateException.class, () -> KernelSelection.choose("simd")))) {
            assertTrue(e.getMessage().contains("unknown kernel provider 'simd'"), e.getMessage());
            assertTrue(e.getMessage().contains("scalar") && e.getMessage().contains("vector"),
                    "the message lists the known providers: " + e.getMessage());
        }
    }

    @Test
    void providersListScalarAndVectorWithTheirAvailabilityAndReasons() {
        List<ProviderStatus> all = Kernels.providers();
        ProviderStatus scalar = find(all, "scalar");
        ProviderStatus vector = find(all, "vector");
        assertTrue(scalar.available(), "the scalar provider is always available");
        assertTrue(vector.priority() > scalar.priority(), "auto prefers vector over scalar");
        for (ProviderStatus s : all) {
            if (s.available()) {
                assertNull(s.reason(), s.name() + " is available but carries a reason");
            } else {
                assertNotNull(s.reason(), s.name() + " is unavailable without a reason");
                assertTrue(!s.reason().isBlank(), s.name() + " is unavailable with a blank reason");
                IllegalStateException e = assertThrows(IllegalStateException.class, () -> Kernels.named(s.name()));
                assertTrue(e.getMessage().contains(s.reason()), "Kernels.named gives the reason: " + e.getMessage());
            }
        }
        assertEquals(all.size(), all.stream().map(ProviderStatus::name).distinct().count(), "names are unique");
    }

    @Test
    void withThreadsRejectsZeroForEveryAvailableProvider() {
        for (ProviderStatus s : Kernels.providers()) {
            if (s.available()) {
                Kernels k = Kernels.named(s.name());
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> k.withThreads(0),
                        s.name() + ".withThreads(0)");
                assertTrue(e.getMessage() != null && e.getMessage().contains("0"), "gives the value: " + e.getMessage());
            }
        }
    }

    @Test
    void threadsPropertyMustBeAPositiveInteger() {
        String saved = System.getProperty(KernelSelection.THREADS_PROPERTY);
        try {
            System.setProperty(KernelSelection.THREADS_PROPERTY, "3");
            assertEquals(3, KernelSelection.defaultThreads());
            System.clearProperty(KernelSelection.THREADS_PROPERTY);
            assertEquals(Runtime.getRuntime().availableProcessors(), KernelSelection.defaultThreads());
            for (String bad : new String[] {"0", "-2", "two"}) {
                System.setProperty(KernelSelection.THREADS_PROPERTY, bad);
                IllegalStateException e = assertThrows(IllegalStateException.class, KernelSelection::defaultThreads);
                assertTrue(e.getMessage().contains("-Dsurgeon.threads=" + bad), e.getMessage());
            }
        } finally {
            if (saved == null) {
                System.clearProperty(KernelSelection.THREADS_PROPERTY);
            } else {
                System.setProperty(KernelSelection.THREADS_PROPERTY, saved);
            }
        }
    }

    @Test
    void systemPropertyForcesTheProviderOfKernelsGet() throws Exception {
        String out = probe(true, "-Dsurgeon.kernels=scalar", "-Dsurgeon.threads=1");
        assertEquals("get 1: scalar threads=1\nget 2: scalar threads=1", out);
    }

    @Test
    void forcingAnUnavailableProviderThrowsIllegalStateExceptionWithItsReasonOnEveryCall() throws Exception {
        String out = probe(false, "-Dsurgeon.kernels=vector");
        String[] lines = out.split("\n");
        assertEquals(2, lines.length, out);
        for (String line : lines) {
            assertTrue(line.contains("java.lang.IllegalStateException: kernel provider 'vector' is unavailable")
                    && line.contains("--add-modules jdk.incubator.vector"), "Kernels.get() said: " + line);
        }
    }

    private static ProviderStatus find(List<ProviderStatus> all, String name) {
        return all.stream().filter(s -> s.name().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("provider '" + name + "' is not listed: " + all));
    }

    /** Runs {@link SelectionProbe} in a child JVM (with or without the Vector module) and returns its output. */
    private static String probe(boolean vectorModule, String... properties)
            throws IOException, InterruptedException, URISyntaxException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        if (vectorModule) {
            cmd.add("--add-modules");
            cmd.add("jdk.incubator.vector");
        }
        cmd.addAll(List.of(properties));
        cmd.add("-cp");
        cmd.add(location(Kernels.class) + java.io.File.pathSeparator + location(SelectionProbe.class));
        cmd.add(SelectionProbe.class.getName());
        Process process = new ProcessBuilder(cmd).redirectErrorStream(false).start();
        process.getOutputStream().close();
        String stdout = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String stderr = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), "probe JVM did not finish");
        assertEquals(0, process.exitValue(), "probe JVM failed: " + stderr);
        return stdout.strip().replace("\r", "");
    }

    private static String location(Class<?> c) throws URISyntaxException {
        return Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
    }
}
