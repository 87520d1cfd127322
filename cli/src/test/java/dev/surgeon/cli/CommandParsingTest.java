package dev.surgeon.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParseResult;

/** picocli parsing of every subcommand: defaults, help texts, and bad values (exit 2, one line). */
class CommandParsingTest {

    private static Object parse(String... args) {
        ParseResult r = new CommandLine(new SurgeonCommand()).parseArgs(args);
        return r.subcommand().commandSpec().userObject();
    }

    @Test
    void trainDefaultsLeaveDataDependentKnobsUnsetAndDocumentTheRest() {
        TrainCommand t = (TrainCommand) parse("train", "--data", "xor", "--out", "m.safetensors");
        assertEquals("xor", t.data.text());
        assertEquals(Path.of("m.safetensors"), t.out);
        assertNull(t.arch);
        assertNull(t.epochs);
        assertNull(t.optimizer);
        assertNull(t.learningRate);
        assertNull(t.momentum);
        assertNull(t.weightDecay);
        assertNull(t.batchSize);
        assertNull(t.patience);
        assertNull(t.report);
        assertEquals(ScheduleSpec.CONSTANT, t.schedule);
        assertEquals(LossChoice.AUTO, t.loss);
        assertEquals(0, t.seed);
        assertEquals(0, t.kernelOptions.threads);
        assertEquals(0, t.printEvery);
    }

    @Test
    void trainParsesEveryOption() {
        TrainCommand t = (TrainCommand) parse("train", "--data", "monk-2", "--arch", "monk-2h", "--epochs", "7", "--optimizer",
                "adamw", "--lr", "0.003", "--weight-decay", "0.1", "--batch-size", "16", "--schedule", "cosine:0.0001",
                "--loss", "bce", "--early-stopping", "3", "--threads", "1", "--seed", "9", "--out", "x.safetensors",
                "--report", "r.md", "--print-every", "2");
        assertEquals("in(17) dense(2) sigmoid dense(1) sigmoid", t.arch.toString());
        assertEquals(7, t.epochs);
        assertEquals(OptimizerChoice.ADAMW, t.optimizer);
        assertEquals(0.003, t.learningRate);
        assertEquals(0.1, t.weightDecay);
        assertEquals(16, t.batchSize);
        assertEquals(ScheduleSpec.Kind.COSINE, t.schedule.kind());
        assertEquals(1e-4, t.schedule.minimum());
        assertEquals(LossChoice.BCE, t.loss);
        assertEquals(3, t.patience);
        assertEquals(1, t.kernelOptions.threads);
        assertEquals(9, t.seed);
        assertEquals(Path.of("r.md"), t.report);
        assertEquals(2, t.printEvery);
    }

    @Test
    void evalAndInspectDefaults() {
        EvalCommand e = (EvalCommand) parse("eval", "--model", "m.safetensors", "--data", "monk-1");
        assertEquals(Path.of("m.safetensors"), e.model);
        assertEquals(EvalCommand.DEFAULT_BATCH, e.batchSize);
        assertEquals(LossChoice.AUTO, e.loss);
        assertNull(e.seed, "default: the seed recorded in the model");
        assertNull(e.arch);
        assertNull(e.report);
        InspectCommand i = (InspectCommand) parse("inspect", "some.safetensors");
        assertEquals(Path.of("some.safetensors"), i.file);
    }

    @Test
    void everyOptionOfTheNewCommandsStatesItsDefaultOrIsRequired() {
        CommandLine root = new CommandLine(new SurgeonCommand());
        for (String name : List.of("train", "eval", "inspect", "evidence")) {
            for (OptionSpec o : root.getSubcommands().get(name).getCommandSpec().options()) {
                if (o.usageHelp() || o.versionHelp() || o.required() || o.longestName().equals("--verbose")
                        || o.longestName().equals("--report") || o.longestName().equals("--arch") && name.equals("eval")) {
                    continue;
                }
                String d = String.join(" ", o.description()).toLowerCase(Locale.ROOT);
                assertTrue(d.contains("default"), name + " " + o.longestName() + " does not state its default: " + d);
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"train", "eval", "inspect", "evidence"})
    void helpReadsLikeDocumentation(String command) {
        Cli.Result r = Cli.run(command, "--help");
        assertEquals(0, r.exit(), r.toString());
        assertTrue(r.out().contains("Usage: surgeon " + command), r.out());
        assertTrue(r.out().contains("Examples:"), r.out());
    }

    @Test
    void trainHelpShowsTheDefaultsTableAndResolvedDefaultValues() {
        String out = Cli.run("train", "--help").out().replaceAll("\\s+", " ");
        assertTrue(out.contains("Defaults by data"), out);
        assertTrue(out.contains("monk-3 monk-2h momentum 0.1 8 300 0.01"), out);
        assertTrue(out.contains("monk-1 monk-3h momentum 0.1 8 500 0.0001"), out);
        assertTrue(out.contains("Default: constant."), out);
        assertTrue(out.contains("Default: auto."), out);
        assertTrue(out.contains("Default: 0."), out);
        assertTrue(!out.contains("${DEFAULT-VALUE}"), out);
    }

    @Test
    void topLevelHelpListsTheCommandsAndTheExitCodes() {
        Cli.Result r = Cli.run("--help");
        assertEquals(0, r.exit());
        for (String s : List.of("train", "eval", "inspect", "kernels", "Exit codes:", "3   bad input")) {
            assertTrue(r.out().contains(s), "missing '" + s + "' in\n" + r.out());
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "train --data xor --out m.safetensors --optimizer foo | unknown optimizer 'foo'; one of sgd|momentum|nesterov",
            "train --data xor --out m.safetensors --loss hinge | unknown loss 'hinge'; one of auto|mse|mse-sum|ce|bce",
            "train --data xor --out m.safetensors --schedule step:0 | SIZE must be >= 1",
            "train --data xor --out m.safetensors --schedule linear | unknown schedule 'linear'",
            "train --data nonsense --out m.safetensors | Valid forms: fashion-mnist",
            "train --data xor --out m.safetensors --arch in(2)_dense(x) | architecture spec 'in(2) dense(x)', column 13: expected an integer",
            "train --data xor --out m.safetensors --report r.txt | must end in .json, .md or .csv",
            "train --data xor --out m.safetensors --epochs many | '--epochs'",
            "train --data xor | Missing required option: '--out=FILE'",
            "train --data xor --out m.safetensors --bogus | Unknown option: '--bogus'",
            "eval --data xor | Missing required option: '--model=FILE'",
            "inspect | Missing required parameter: 'FILE'",
    })
    void badValuesExitWithUsageErrorOnOneLine(String args, String fragment) {
        // Arguments are separated by blanks; '_' stands for a blank inside one argument.
        String[] argv = java.util.Arrays.stream(args.strip().split(" +")).map(a -> a.replace('_', ' ')).toArray(String[]::new);
        Cli.Result r = Cli.run(argv);
        assertEquals(ExitCodes.USAGE, r.exit(), r.toString());
        assertTrue(r.err().contains(fragment), "stderr lacks '" + fragment + "':\n" + r.err());
        assertEquals(1, r.errLines(), "one line:\n" + r.err());
    }

    @Test
    void optionCombinationsThatMakeNoSenseAreUsageErrors() {
        Cli.Result r = Cli.run("train", "--data", "xor", "--out", "m.safetensors", "--optimizer", "adam", "--momentum", "0.5");
        assertEquals(ExitCodes.USAGE, r.exit(), r.toString());
        assertTrue(r.err().contains("--momentum applies to momentum, nesterov"), r.err());
        assertEquals(1, r.errLines(), r.err());

        r = Cli.run("train", "--data", "xor", "--out", "m.safetensors", "--optimizer", "lbfgs", "--schedule", "cosine");
        assertEquals(ExitCodes.USAGE, r.exit(), r.toString());
        r = Cli.run("train", "--data", "xor", "--out", "m.safetensors", "--epochs", "0");
        assertEquals(ExitCodes.USAGE, r.exit(), r.toString());
        r = Cli.run("train", "--data", "xor", "--out", "m.safetensors", "--threads", "-1");
        assertEquals(ExitCodes.USAGE, r.exit(), r.toString());
    }
}
