package dev.surgeon.core.bayes;

import dev.surgeon.core.nn.Layer;
import dev.surgeon.core.nn.LayerSpec;
import dev.surgeon.core.nn.Network;
import dev.surgeon.core.nn.ParameterTensor;
import java.util.ArrayList;
import java.util.List;

/**
 * The hidden-unit symmetry term of MacKay's model comparison (MacKay 1992, "A practical Bayesian framework for
 * backpropagation networks"; METHODS E1): a network with M interchangeable hidden units has M! equivalent
 * posterior modes from permutations, and 2^M more from sign flips when the activation is odd, so the evidence
 * of the architecture is the evidence of one mode times 2^M M!. Per hidden layer (every layer with parameters
 * but the last):
 * <ul>
 *   <li>tanh: ln(2^M M!) (φ(−z) = −φ(z), absorbed by the outgoing weights);</li>
 *   <li>sigmoid: ln(2^M M!) when the next layer has a bias (σ(−z) = 1 − σ(z), absorbed by outgoing weights and
 *       the next bias), ln M! otherwise;</li>
 *   <li>anything else (ReLU, linear): ln M!.</li>
 * </ul>
 * Only live units count ({@link LiveStructure}, with the parameters of the {@link WeightClasses} in use): a unit
 * whose outgoing weights are all pruned is no unit of the model. The term only matters when the unit counts of
 * the compared models differ (E1 pitfall).
 * Notation: docs/NOTATION.md.
 */
public final class HiddenUnitSymmetry {
    private HiddenUnitSymmetry() {
    }

    /** Σ over hidden layers of ln(2^M M!) or ln M! (see the class documentation). */
    public static double logFactor(Network network, WeightClasses classes) {
        double sum = 0;
        for (HiddenLayer h : hiddenLayers(network, classes)) {
            sum += logFactorial(h.liveUnits()) + (h.signSymmetric() ? h.liveUnits() * Math.log(2) : 0);
        }
        return sum;
    }

    /** One hidden layer: its name, units, live units and whether its activation is sign-symmetric. */
    public record HiddenLayer(String name, int units, int liveUnits, boolean signSymmetric) {
    }

    /** The hidden layers of the network in order, live units counted by {@link LiveStructure}. */
    public static List<HiddenLayer> hiddenLayers(Network network, WeightClasses classes) {
        List<Layer> layers = network.layers();
        List<Integer> parametric = new ArrayList<>();
        for (Layer l : layers) {
            if (l.hasParameters()) {
                parametric.add(l.index());
            }
        }
        LiveStructure structure = LiveStructure.of(network, q -> classes.classOf(q) >= 0);
        List<HiddenLayer> out = new ArrayList<>();
        for (int p = 0; p + 1 < parametric.size(); p++) {
            Layer layer = layers.get(parametric.get(p));
            Layer next = layers.get(parametric.get(p + 1));
            boolean tanh = false;
            boolean sigmoid = false;
            for (int i = layer.index() + 1; i < next.index(); i++) {
                LayerSpec.Kind kind = layers.get(i).spec().kind();
                tanh |= kind == LayerSpec.Kind.TANH;
                sigmoid |= kind == LayerSpec.Kind.SIGMOID;
            }
            boolean nextBias = next.parameters().size() > 1;
            ParameterTensor weight = layer.parameters().get(0);
            String name = weight.name().substring(0, weight.name().indexOf('.'));
            out.add(new HiddenLayer(name, structure.totalUnits()[p], structure.units()[p], tanh || (sigmoid && nextBias)));
        }
        return out;
    }

    /** ln M! (exact sum; M is a unit count). */
    static double logFactorial(int m) {
        double s = 0;
        for (int i = 2; i <= m; i++) {
            s += Math.log(i);
        }
        return s;
    }
}
