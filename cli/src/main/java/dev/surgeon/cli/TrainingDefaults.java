package dev.surgeon.cli;

import dev.surgeon.core.data.Dataset;
import dev.surgeon.core.data.Split;
import dev.surgeon.core.nn.ArchitectureSpec;

/**
 * What {@code surgeon train} uses for the options not given, by data set (the table in {@code --help}).
 * The small problems follow the classic backprop setting of the OBS experiments (sigmoid nets, summed
 * squared error, SGD with momentum); images get LeNet-300-100 with SGD-momentum on cross-entropy.
 *
 * @param architecture the network, or null for CSV data (then derived from the data's shape)
 * @param optimizer    the optimizer
 * @param learningRate η for that optimizer (another optimizer gets its own default rate)
 * @param batchSize    samples per step
 * @param epochs       passes over the training set
 * @param weightDecay  L2 weight decay (MONK: as in the OBS paper's training by backprop with weight decay)
 */
record TrainingDefaults(String architecture, OptimizerChoice optimizer, double learningRate, int batchSize, int epochs,
                        double weightDecay) {

    /** Hidden units of the network derived for CSV data: {@code in(F) dense(32) relu dense(K)}. */
    static final int CSV_HIDDEN = 32;

    /** The defaults for a data argument ({@link dev.surgeon.core.data.DataSpec#text()}). */
    static TrainingDefaults forData(String data) {
        if (data.equals("xor")) {
            return new TrainingDefaults("xor", OptimizerChoice.MOMENTUM, 0.5, 4, 1000, 0);
        }
        if (data.startsWith("monk-1")) {
            return new TrainingDefaults("monk-3h", OptimizerChoice.MOMENTUM, 0.1, 8, 500, 1e-4);
        }
        if (data.startsWith("monk-2")) {
            return new TrainingDefaults("monk-2h", OptimizerChoice.MOMENTUM, 0.1, 8, 500, 1e-4);
        }
        if (data.startsWith("monk-3")) {
            // 5 % label noise: stronger decay keeps the net from fitting the flipped labels (test ≈ 97 %).
            return new TrainingDefaults("monk-2h", OptimizerChoice.MOMENTUM, 0.1, 8, 300, 1e-2);
        }
        if (data.startsWith("csv:")) {
            return new TrainingDefaults(null, OptimizerChoice.ADAM, 1e-3, 32, 50, 0);
        }
        return new TrainingDefaults("lenet-300-100", OptimizerChoice.MOMENTUM, 0.05, 128, 10, 0);
    }

    /** The default network for the data: the preset above, or for CSV data one derived from its shape. */
    ArchitectureSpec architectureFor(Split split) {
        if (architecture != null) {
            return ArchitectureSpec.parse(architecture);
        }
        Dataset train = split.train();
        int outputs = train.isClassification() ? train.numClasses() : train.targetSize();
        return ArchitectureSpec.parse("in(" + train.inputSize() + ") dense(" + CSV_HIDDEN + ") relu dense(" + outputs + ")");
    }
}
