package dev.surgeon.cli;

import dev.surgeon.core.data.Dataset;
import dev.surgeon.core.data.Split;
import dev.surgeon.core.nn.ArchitectureSpec;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

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
        if (data.startsWith("synthetic:")) {
            return new TrainingDefaults(null, OptimizerChoice.ADAM, 1e-2, 32, 200, 0);
        }
        return new TrainingDefaults("lenet-300-100", OptimizerChoice.MOMENTUM, 0.05, 128, 10, 0);
    }

    /** The help footer of {@code surgeon train}: the table of defaults by data, notes, and examples (< 80 columns). */
    static String[] help() {
        List<String> lines = new ArrayList<>();
        String format = "  %-14s %-14s %-10s %-6s %-6s %-7s %s";
        lines.add(String.format(Locale.ROOT, format, "data", "arch", "optimizer", "lr", "batch", "epochs", "weight decay"));
        for (String data : new String[] {"xor", "monk-1", "monk-2", "monk-3", "fashion-mnist", "idx:DIR", "csv:...",
            "synthetic:..."}) {
            TrainingDefaults d = forData(data);
            lines.add(String.format(Locale.ROOT, format, data, d.architecture() == null ? "(see below)" : d.architecture(),
                    d.optimizer().label(), plain(d.learningRate()), d.batchSize(), d.epochs(), plain(d.weightDecay())));
        }
        lines.add("  csv, synthetic: in(F) dense(" + CSV_HIDDEN + ") relu dense(K); F inputs, K classes or");
        lines.add("  targets.");
        lines.add("  Another optimizer than the data's starts from its own default rate:");
        lines.add("  sgd, momentum, nesterov, adagrad, rmsprop 0.01; adadelta 1; adam, amsgrad,");
        lines.add("  adamw 0.001; adamax, nadam 0.002; lbfgs 1; kfac 1 (kl-clip 0.001);");
        lines.add("  mfac 0.001; natural-gradient 1. adamw's weight decay is 0.01 where the");
        lines.add("  data's is 0.");
        lines.add("  XOR: the 2-2-1 net has local minima; of seeds 0..19, seeds 1 and 5 end in");
        lines.add("  one (50 % accuracy). MONK-3 has 5 % label noise: about 97 % test accuracy.");
        lines.add("");
        lines.add("Examples:");
        lines.add("  surgeon train --data xor --out xor.safetensors");
        lines.add("  surgeon train --data monk-1 --seed 3 --out monk1.safetensors --report m1.md");
        lines.add("  surgeon train --data fashion-mnist --arch lenet-5 --optimizer adam \\");
        lines.add("      --epochs 5 --out lenet5.safetensors --report lenet5.json");
        lines.add("  surgeon train --data fashion-mnist --optimizer kfac --epochs 3 \\");
        lines.add("      --out k.safetensors");
        lines.add("  surgeon train --data fashion-mnist --variational --optimizer adam \\");
        lines.add("      --arch 'in(784) dense(100) relu dense(10)' --snr-prune 0.9 \\");
        lines.add("      --out v.safetensors");
        lines.add("  surgeon train --data synthetic:relevance --flat-minimum \\");
        lines.add("      --arch 'in(10) dense(10) tanh dense(1)' --tolerable-error 0.01 \\");
        lines.add("      --fms-prune 0.01 --out f.safetensors");
        return lines.toArray(String[]::new);
    }

    /** 0.0001 rather than 1.0E-4; 0 rather than 0.0. */
    private static String plain(double v) {
        return BigDecimal.valueOf(v).stripTrailingZeros().toPlainString();
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
