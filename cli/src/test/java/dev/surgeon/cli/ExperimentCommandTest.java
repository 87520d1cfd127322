package dev.surgeon.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** {@code surgeon experiment}: the list, a tiny run, and user mistakes as usage errors on one line. */
class ExperimentCommandTest {

    @Test
    void withoutANameTheExperimentsAreListedWithTheirArguments() {
        Cli.Result r = Cli.run("experiment");
        assertEquals(ExitCodes.OK, r.exit(), r.toString());
        for (String name : new String[] {"xor", "monk", "mlpnet", "lenet"}) {
            assertTrue(r.out().contains(name + " "), r.out());
        }
        assertTrue(r.out().contains("arguments: nets=100"), r.out());
    }

    @Test
    void aTinyXorRunPrintsItsTable() {
        Cli.Result r = Cli.run("experiment", "xor", "nets=3", "epochs=3000");
        assertEquals(ExitCodes.OK, r.exit(), r.toString());
        assertTrue(r.out().contains("| OBS | 3 / 3 | 100.0 % |"), r.out());
    }

    @Test
    void unknownExperimentsAndBadArgumentsAreUsageErrors() {
        for (String[] args : new String[][] {{"experiment", "cifar"}, {"experiment", "xor", "nets"}, {"experiment", "xor", "nets=many"},
                {"experiment", "xor", "depth=3"}}) {
            Cli.Result r = Cli.run(args);
            assertEquals(ExitCodes.USAGE, r.exit(), r.toString());
            assertEquals(1, r.errLines(), r.err());
        }
        assertTrue(Cli.run("experiment", "xor", "depth=3").err().contains("arguments: nets, seed"));
    }
}
