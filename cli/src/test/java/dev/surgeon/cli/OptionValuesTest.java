package dev.surgeon.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.surgeon.core.data.Dataset;
import dev.surgeon.core.data.XorData;
import dev.surgeon.core.nn.ArchitectureSpec;
import dev.surgeon.core.optim.LearningRateSchedule;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import picocli.CommandLine.TypeConversionException;

/** The small value types behind the options: schedules, losses, optimizers, defaults, report formats, the table. */
class OptionValuesTest {

    @Test
    void schedulesParseToTheirCanonicalFormAndBack() {
        for (String s : new String[] {"constant", "step:10", "step:5:0.5", "cosine", "cosine:0.001"}) {
            ScheduleSpec spec = ScheduleSpec.parse(s);
            assertEquals(spec, ScheduleSpec.parse(spec.toString()), s);
        }
        assertEquals("step:10:0.1", ScheduleSpec.parse("step:10").toString());
        for (String bad : new String[] {"step", "step:x", "step:0", "step:2:-1", "cosine:-1", "cosine:1:2", "constant:1", ""}) {
            assertThrows(TypeConversionException.class, () -> ScheduleSpec.parse(bad), bad);
        }
    }

    @Test
    void schedulesGiveTheDocumentedRates() {
        LearningRateSchedule step = ScheduleSpec.parse("step:2:0.5").create(0.1, 10);
        assertEquals(0.1, step.rate(1), 1e-15);
        assertEquals(0.05, step.rate(2), 1e-15);
        LearningRateSchedule cosine = ScheduleSpec.parse("cosine").create(0.1, 10);
        assertEquals(0.1, cosine.rate(0), 1e-15);
        assertEquals(0.05, cosine.rate(5), 1e-12, "half-way down over all epochs");
    }

    @Test
    void autoLossFollowsTheDataAndTheOutputLayer() {
        Dataset xor = XorData.dataset();
        assertEquals(LossChoice.MSE_SUM, LossChoice.automatic(ArchitectureSpec.preset("xor"), xor), "sigmoid output");
        assertEquals(LossChoice.BCE, LossChoice.automatic(ArchitectureSpec.parse("in(2) dense(2) relu dense(1)"), xor));
        assertEquals(LossChoice.CE, LossChoice.automatic(ArchitectureSpec.parse("in(2) dense(2)"), xor));
        Dataset regression = Dataset.regression("r", new int[] {2}, new float[4], 1, new float[2]);
        assertEquals(LossChoice.MSE, LossChoice.automatic(ArchitectureSpec.parse("in(2) dense(1) sigmoid"), regression));
        assertEquals("cross-entropy-mean", LossChoice.CE.resolve(null, null).name());
        assertEquals(LossChoice.MSE_SUM, LossChoice.ofLossName("mse-sum"));
        assertNull(LossChoice.ofLossName("hinge"));
    }

    @Test
    void labelsAreUniqueAndParseBack() {
        for (OptimizerChoice o : OptimizerChoice.values()) {
            assertEquals(o, new OptimizerChoice.Converter().convert(o.label()));
        }
        for (LossChoice l : LossChoice.values()) {
            assertEquals(l, new LossChoice.Converter().convert(l.label()));
        }
        TypeConversionException e = assertThrows(TypeConversionException.class, () -> new OptimizerChoice.Converter().convert("ADAM"));
        assertTrue(e.getMessage().contains("sgd|momentum|nesterov|adagrad|rmsprop|adadelta|adam|adamax|nadam|amsgrad|adamw|lbfgs"));
    }

    @Test
    void optimizersGetTheirRateMomentumAndDecay() {
        var m = OptimizerChoice.MOMENTUM.firstOrder(0.3, 0.8, 0.01);
        assertEquals(0.3, m.learningRate());
        assertEquals(0.01, m.weightDecay());
        assertFalse(m.isWeightDecayDecoupled());
        var w = OptimizerChoice.ADAMW.firstOrder(1e-3, 0, 0.05);
        assertTrue(w.isWeightDecayDecoupled());
        assertEquals(0.05, w.weightDecay());
        assertEquals(2e-3, OptimizerChoice.NADAM.firstOrder(2e-3, 0, 0).learningRate());
        assertThrows(IllegalStateException.class, () -> OptimizerChoice.LBFGS.firstOrder(1, 0, 0));
        var net = dev.surgeon.core.nn.Network.create("xor", 1);
        SecondOrderOptions none = new SecondOrderOptions();
        assertTrue(OptimizerChoice.KFAC.create(1, 0, 0, net, none, 1) instanceof dev.surgeon.core.optim.Kfac k
                && k.rescaling() == dev.surgeon.core.optim.Kfac.Rescaling.QUADRATIC_MODEL && k.damping() == 1.0);
        var mfac = (dev.surgeon.core.optim.Mfac) OptimizerChoice.MFAC.create(1e-3, 0, 0, net, none, 1);
        assertEquals(1024, mfac.window());
        assertEquals(1e-5, mfac.damping());
    }

    @Test
    void defaultsByDataPickTheDocumentedNetworks() {
        assertEquals("xor", TrainingDefaults.forData("xor").architecture());
        assertEquals("monk-3h", TrainingDefaults.forData("monk-1:/data/monks-1.train").architecture());
        assertEquals("monk-2h", TrainingDefaults.forData("monk-3").architecture());
        assertEquals(0.01, TrainingDefaults.forData("monk-3").weightDecay());
        assertEquals("lenet-300-100", TrainingDefaults.forData("idx:/x").architecture());
        Dataset data = Dataset.classification("c", new int[] {5}, new float[15], new int[] {0, 1, 2}, 3);
        assertEquals("in(5) dense(32) relu dense(3)", TrainingDefaults.forData("csv:f.csv:label=y")
                .architectureFor(new dev.surgeon.core.data.Split(data, data, "c")).toString());
    }

    @Test
    void reportFormatsComeFromTheExtension() {
        assertEquals(ReportFormat.JSON, ReportFormat.of(Path.of("a/b.json")));
        assertEquals(ReportFormat.MARKDOWN, ReportFormat.of(Path.of("run.MD")));
        assertEquals(ReportFormat.CSV, ReportFormat.of(Path.of("x.csv")));
        assertNull(ReportFormat.of(Path.of("x.txt")));
        assertNull(ReportFormat.of(Path.of(".json")));
        assertEquals("run", ReportFormat.stem(Path.of("dir/run.md")));
    }

    @Test
    void theEpochTableShowsAboutTwentyRowsPlusFirstAndLast() {
        assertEquals(1, EpochTable.interval(20, 0));
        assertEquals(2, EpochTable.interval(21, 0));
        assertEquals(50, EpochTable.interval(1000, 0));
        assertEquals(7, EpochTable.interval(1000, 7));
        int shown = 0;
        for (int e = 1; e <= 1000; e++) {
            shown += EpochTable.shows(e, 50, e == 1000) ? 1 : 0;
        }
        assertEquals(21, shown);
        assertTrue(EpochTable.shows(37, 50, true), "the last epoch run (early stop) is shown");
        assertEquals("-", EpochTable.loss(null));
        assertEquals("12.50 %", EpochTable.percent(0.125));
    }
}
