package dev.surgeon.kernels;

import dev.surgeon.kernels.parity.VectorParityTest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * The documented fallback, in a JVM started WITHOUT {@code --add-modules jdk.incubator.vector} (the
 * {@code scalar-fallback} surefire execution, which runs this class alone): {@code auto} selects the scalar
 * provider, the vector provider explains which flag is missing, exactly one warning naming the flag is
 * logged however often the provider is asked for, and the kernels compute.
 *
 * <p>The warning is captured where {@link System.Logger} delivers it by default: the JDK's logging
 * backend ({@code java.util.logging}, logger {@code dev.surgeon.kernels}). The handler is attached before
 * anything touches the kernel selection, and this class is the only one in its JVM.
 */
@EnabledIfSystemProperty(named = VectorParityTest.EXPECT_FALLBACK, matches = "true")
class ScalarFallbackTest {
    private static final String FLAG = "--add-modules jdk.incubator.vector";
    private static final List<LogRecord> RECORDS = Collections.synchronizedList(new ArrayList<>());
    /** Held strongly: java.util.logging keeps loggers only weakly. */
    private static Logger kernelsLogger;
    private static Kernels first;

    @BeforeAll
    static void selectTheDefaultProviderSeveralTimes() {
        kernelsLogger = Logger.getLogger("dev.surgeon.kernels");
        kernelsLogger.addHandler(new Handler() {
            @Override
            public void publish(LogRecord r) {
                RECORDS.add(r);
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        });
        first = Kernels.get();
        for (int i = 0; i < 3; i++) {
            assertSame(first, Kernels.get(), "the default provider is chosen once");
            Kernels.providers();
        }
    }

    @Test
    void vectorModuleIsAbsentFromThisJvm() {
        assertTrue(ModuleLayer.boot().findModule("jdk.incubator.vector").isEmpty(),
                "the scalar-fallback execution must run without " + FLAG);
    }

    @Test
    void autoFallsBackToTheScalarProvider() {
        assertEquals("scalar", first.name());
        assertTrue(first instanceof ScalarKernels, first.getClass().getName());
    }

    @Test
    void vectorProviderReportsTheMissingFlag() {
        ProviderStatus vector = Kernels.providers().stream().filter(s -> s.name().equals("vector")).findFirst()
                .orElseThrow(() -> new AssertionError("vector provider not listed: " + Kernels.providers()));
        assertTrue(!vector.available() && vector.reason().contains(FLAG), "reason: " + vector.reason());
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> Kernels.named("vector"));
        assertTrue(e.getMessage().contains(FLAG), e.getMessage());
    }

    @Test
    void exactlyOneWarningNamesTheFlag() {
        List<String> warnings = new ArrayList<>();
        synchronized (RECORDS) {
            for (LogRecord r : RECORDS) {
                if (r.getLevel().intValue() >= Level.WARNING.intValue()) {
                    warnings.add(new SimpleFormatter().formatMessage(r));
                }
            }
        }
        assertEquals(1, warnings.size(), "warnings logged by dev.surgeon.kernels: " + warnings);
        assertTrue(warnings.get(0).contains(FLAG), "the warning names the flag: " + warnings.get(0));
    }

    @Test
    void theFallbackComputes() {
        float[] a = {1, 2, 3, 4, 5, 6};          // 2×3
        float[] b = {1, 0, 0, 1, 2, -1};         // 3×2
        float[] c = new float[4];
        first.gemm(Trans.N, Trans.N, 2, 2, 3, 1f, a, 0, 3, b, 0, 2, 0f, c, 0, 2);
        assertEquals(List.of(7f, -1f, 16f, -1f), List.of(c[0], c[1], c[2], c[3]), "exact small-integer product");
        double[] x = {3, 4};
        assertEquals(5.0, first.nrm2(2, x, 0));
    }
}
