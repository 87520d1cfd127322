package dev.surgeon.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * The training curves written beside a Markdown report of {@code surgeon train}: {@code STEM.loss.svg}
 * (training and test loss per epoch, log scale when positive) and {@code STEM.accuracy.svg} (training and
 * test accuracy in percent).
 */
final class TrainingCharts {
    private TrainingCharts() {
    }

    /** Writes both charts next to {@code report}; returns their file names relative to it. */
    static List<String> write(Path report, List<Report.Epoch> history) throws IOException {
        int n = history.size();
        double[] epoch = new double[n];
        double[] trainLoss = new double[n];
        double[] testLoss = new double[n];
        double[] trainAccuracy = new double[n];
        double[] testAccuracy = new double[n];
        for (int i = 0; i < n; i++) {
            Report.Epoch e = history.get(i);
            epoch[i] = e.epoch();
            trainLoss[i] = orNaN(e.trainLoss());
            testLoss[i] = orNaN(e.testLoss());
            trainAccuracy[i] = 100 * orNaN(e.trainAccuracy());
            testAccuracy[i] = 100 * orNaN(e.testAccuracy());
        }
        String stem = ReportFormat.stem(report);
        String lossFile = stem + ".loss.svg";
        String accuracyFile = stem + ".accuracy.svg";
        Path dir = report.toAbsolutePath().getParent();
        Charts.write(Charts.line("Loss per epoch", "epoch", "mean loss per sample",
                List.of(new Charts.Series("train", epoch, trainLoss), new Charts.Series("test", epoch, testLoss)), true),
                dir.resolve(lossFile));
        Charts.write(Charts.line("Accuracy per epoch", "epoch", "accuracy (%)",
                List.of(new Charts.Series("train", epoch, trainAccuracy), new Charts.Series("test", epoch, testAccuracy)), false),
                dir.resolve(accuracyFile));
        return List.of(lossFile, accuracyFile);
    }

    private static double orNaN(Double v) {
        return v == null ? Double.NaN : v;
    }
}
