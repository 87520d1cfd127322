package dev.surgeon.kernels.parity;

import dev.surgeon.kernels.*;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIf;

/**
 * The Vector API provider through the whole parity suite, once bound to one thread and once to two (the
 * blocked kernels split work across threads above some size, and the suite's larger shapes cross that).
 *
 * <p>The build always starts test JVMs with {@code --add-modules jdk.incubator.vector}, so an unavailable
 * vector provider is a real defect (missing flag, class that fails to load), not a reason to skip: it fails
 * here once, with the provider's own reason, and the two suites are disabled rather than failing thousands
 * of times. Only the scalar-fallback execution ({@code -Dsurgeon.test.expectFallback=true}) may lack it.
 */
public class VectorParityTest {
    public static final String EXPECT_FALLBACK = "surgeon.test.expectFallback";

    /** Whether the vector provider can be created in this JVM (condition of the nested suites). */
    static boolean vectorAvailable() {
        ProviderStatus s = status();
        return s != null && s.available();
    }

    private static ProviderStatus status() {
        return Kernels.providers().stream().filter(s -> s.name().equals("vector")).findFirst().orElse(null);
    }

    @Test
    void vectorProviderIsAvailableInThisJvm() {
        assumeFalse(Boolean.getBoolean(EXPECT_FALLBACK), "this JVM runs without the Vector module on purpose");
        ProviderStatus s = status();
        assertNotNull(s, "no provider named 'vector' is registered; providers: " + Kernels.providers());
        assertTrue(s.available(), "the Vector API provider is unavailable although the build runs tests with "
                + "--add-modules jdk.incubator.vector, so its parity suites cannot run: " + s.reason());
    }

    @Nested
    @EnabledIf("dev.surgeon.kernels.parity.VectorParityTest#vectorAvailable")
    class OneThread extends ProviderParityTest {
        @Override
        protected Kernels candidate() {
            return Kernels.named("vector").withThreads(1);
        }
    }

    @Nested
    @EnabledIf("dev.surgeon.kernels.parity.VectorParityTest#vectorAvailable")
    class TwoThreads extends ProviderParityTest {
        @Override
        protected Kernels candidate() {
            return Kernels.named("vector").withThreads(2);
        }
    }
}
