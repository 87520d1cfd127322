package dev.surgeon.cli;

import dev.surgeon.core.data.Dataset;
import dev.surgeon.core.nn.ArchitectureSpec;
import dev.surgeon.core.nn.LayerSpec;
import dev.surgeon.core.nn.Loss;
import java.util.List;
import picocli.CommandLine.ITypeConverter;

/**
 * The {@code --loss} option. {@code auto} picks by the data and the network's last layer:
 * <ul>
 *   <li>regression targets: {@code mse} (½‖f − t‖² averaged over the batch);</li>
 *   <li>a sigmoid or tanh output layer: {@code mse-sum} (squared error summed over the batch, the backprop
 *       setting of the XOR and MONK experiments);</li>
 *   <li>one linear output and two classes: {@code bce} (binary cross-entropy on the logit);</li>
 *   <li>otherwise: {@code ce} (softmax cross-entropy on the logits, averaged over the batch).</li>
 * </ul>
 */
enum LossChoice implements Labeled {
    AUTO("auto", null),
    MSE("mse", "mse-mean"),
    MSE_SUM("mse-sum", "mse-sum"),
    CE("ce", "cross-entropy-mean"),
    BCE("bce", "bce-mean");

    private final String label;
    private final String lossName;

    LossChoice(String label, String lossName) {
        this.label = label;
        this.lossName = lossName;
    }

    @Override
    public String label() {
        return label;
    }

    /** The loss for this network and data ({@code auto} resolved as in the class documentation). */
    Loss resolve(ArchitectureSpec spec, Dataset data) {
        return Loss.named(this == AUTO ? automatic(spec, data).lossName : lossName);
    }

    static LossChoice automatic(ArchitectureSpec spec, Dataset data) {
        if (!data.isClassification()) {
            return MSE;
        }
        List<LayerSpec> layers = spec.layers();
        LayerSpec.Kind last = layers.isEmpty() ? null : layers.get(layers.size() - 1).kind();
        if (last == LayerSpec.Kind.SIGMOID || last == LayerSpec.Kind.TANH) {
            return MSE_SUM;
        }
        return spec.outputShape().size() == 1 ? BCE : CE;
    }

    /** The choice whose loss has this {@link Loss#name()} (for models that recorded their loss), or null. */
    static LossChoice ofLossName(String name) {
        for (LossChoice c : values()) {
            if (name.equals(c.lossName)) {
                return c;
            }
        }
        return null;
    }

    static final class Converter implements ITypeConverter<LossChoice> {
        @Override
        public LossChoice convert(String value) {
            return Labeled.parse(LossChoice.class, value, "loss");
        }
    }
}
