package dev.surgeon.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** picocli parsing of demo, curvature and bench: options bound to their fields, defaults, help, bad values. */
class DemoCurvatureBenchParsingTest {
    private static CommandLine.ParseResult parse(String... args) {
        return new CommandLine(new SurgeonCommand()).parseArgs(args);
    }

    @SuppressWarnings("unchecked")
    private static <T> T command(CommandLine.ParseResult r) {
        return (T) r.subcommand().commandSpec().userObject();
    }

    @Test
    void demoOptionsAndDefaults() {
        DemoCommand d = command(parse("demo"));
        assertEquals(1, d.seed);
        assertFalse(d.quick || d.noFashionMnist);
        assertEquals(Path.of("/usr/share/datasets/fashion-mnist"), d.fashionMnist);
        d = command(parse("demo", "--seed", "7", "--quick", "--no-fashion-mnist", "--report", "r.csv"));
        assertEquals(7, d.seed);
        assertTrue(d.quick && d.noFashionMnist);
        assertEquals(Path.of("r.csv"), d.report);
    }

    @Test
    void curvatureOptionsAndDefaults() {
        CurvatureCommand c = command(parse("curvature", "--model", "m.safetensors", "--data", "xor"));
        assertEquals(CurvatureCommand.Operator.HESSIAN, c.operator);
        assertEquals(1, c.topEigenvalues);
        assertEquals("power", c.eigenMethod);
        assertFalse(c.trace || c.density);
        c = command(parse("curvature", "--model", "m.safetensors", "--data", "monk-1", "--operator", "ggn", "--top-eigenvalues", "5",
                "--trace", "--density", "--lanczos-steps", "50", "--density-probes", "3", "--samples", "200", "--report", "s.md"));
        assertEquals(CurvatureCommand.Operator.GGN, c.operator);
        assertEquals(5, c.topEigenvalues);
        assertTrue(c.trace && c.density);
        assertEquals(50, c.lanczosSteps);
        assertEquals(3, c.densityProbes);
        assertEquals(200, c.samples);
        assertEquals(CurvatureCommand.Operator.TRUE_FISHER,
                ((CurvatureCommand) command(parse("curvature", "--model", "m", "--data", "xor", "--operator", "true-fisher"))).operator);
    }

    @Test
    void benchOptionsAndDefaults() {
        BenchCommand b = command(parse("bench"));
        assertFalse(b.quick || b.noPeer);
        assertNull(b.python, "unset: the first of python3 and /usr/bin/python3 that imports torch");
        b = command(parse("bench", "--quick", "--rounds", "9", "--providers", "scalar,vector", "--no-peer", "--threads", "1"));
        assertTrue(b.quick && b.noPeer);
        assertEquals(9, b.rounds);
        assertEquals(java.util.List.of("scalar", "vector"), b.providers);
        assertEquals(1, b.kernelOptions.threads);
    }

    @Test
    void helpWorksAndBadValuesAreOneLineUsageErrors() {
        for (String c : new String[] {"demo", "curvature", "bench"}) {
            Cli.Result r = Cli.run(c, "--help");
            assertEquals(ExitCodes.OK, r.exit(), r.toString());
            assertTrue(r.out().contains("Usage: surgeon " + c), r.out());
        }
        for (String[] args : new String[][] {{"demo", "--seed", "x"}, {"demo", "--frobnicate"}, {"curvature", "--data", "xor"},
                {"curvature", "--model", "m", "--data", "cifar"}, {"curvature", "--model", "m", "--data", "xor", "--operator", "x"},
                {"bench", "--rounds", "many"}}) {
            Cli.Result r = Cli.run(args);
            assertEquals(ExitCodes.USAGE, r.exit(), r.toString());
            assertEquals(1, r.errLines(), r.err());
        }
    }
}
