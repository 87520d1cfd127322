package dev.surgeon.core.prune.structured;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.surgeon.core.data.Dataset;
import dev.surgeon.core.io.ModelFile;
import dev.surgeon.core.io.Provenance;
import dev.surgeon.core.io.SavedModel;
import dev.surgeon.core.nn.ArchitectureSpec;
import dev.surgeon.core.nn.Mask;
import dev.surgeon.core.nn.Network;
import dev.surgeon.core.nn.Workspace;
import dev.surgeon.core.prune.Flops;
import dev.surgeon.kernels.Kernels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ShrinkTest {

    private static float[] outputs(Network net, Dataset data) {
        Workspace ws = net.workspace(data.size());
        ws.load(data, 0, data.size());
        return net.forward(ws, false).clone();
    }

    /** Removes a seeded random ~40 % of the structures (at least one per layer stays). */
    private static Structures removeSome(Network net, long seed) {
        Structures st = Structures.of(net, StructureKind.ALL);
        Mask mask = Mask.dense(net.layout());
        SplittableRandom r = new SplittableRandom(seed);
        for (int j = 0; j < st.linkCount(); j++) {
            for (Structure s : st.ofLink(j)) {
                if (s.unit() > 0 && r.nextDouble() < 0.4) {
                    st.remove(s, mask);
                }
            }
        }
        return st;
    }

    @ParameterizedTest
    @ValueSource(strings = {Nets.MLP, Nets.CONV_CONV, Nets.CONV_DENSE, Nets.SIGMOID})
    void shrunkNetworkComputesExactlyWhatTheMaskedNetworkComputes(String spec) {
        Network net = Nets.network(spec, 3);
        Structures st = removeSome(net, 11);
        int[] widths = st.widths();
        Network small = net.shrink();
        Dataset data = Nets.data(net, 9, 5);
        // Scalar kernels sum every dot product in index order and the skipped terms are exact zeros: bit-identical.
        assertArrayEquals(outputs(net, data), outputs(small, data), spec);
        assertTrue(small.parameterCount() < net.parameterCount(), "something was removed");
        assertEquals(st.parameters(widths), small.parameterCount(), "parameter count from the widths");
        assertEquals(st.macs(widths), Flops.dense(small), "multiply-adds from the widths vs Flops of the shrunk net");
        assertEquals(Flops.dense(net), st.macs(st.fullWidths()), "dense multiply-adds");
        Structures after = Structures.of(small, StructureKind.ALL);
        assertArrayEquals(widths, after.widths(), "widths of the shrunk spec");
    }

    @Test
    void multiplyAddsOfLenet5MatchAHandCount() {
        Network net = Network.create(ArchitectureSpec.preset("lenet-5"), 0, Kernels.scalar());
        Structures st = Structures.of(net, StructureKind.ALL);
        // conv1 20·1·25·24·24, conv2 50·20·25·8·8, fc1 500·(50·4·4), fc2 10·500
        assertEquals(288_000 + 1_600_000 + 400_000 + 5_000, st.macs(st.fullWidths()));
        // widths 10, 25, 250: conv1 10·25·576, conv2 25·10·25·64, fc1 250·(25·16), fc2 10·250
        assertEquals(144_000 + 400_000 + 100_000 + 2_500, st.macs(new int[] {10, 25, 250}));
        // parameters: conv1 10·25 + 10, conv2 25·250 + 25, fc1 250·400 + 250, fc2 10·250 + 10
        assertEquals(260 + 6_275 + 100_250 + 2_510, st.parameters(new int[] {10, 25, 250}));
    }

    @Test
    void aUnitWithZeroRowAndBiasIsRemovedBeforeReluButNotBeforeSigmoid() {
        Network relu = Nets.network(Nets.MLP, 4);
        Structures st = Structures.of(relu, StructureKind.ALL);
        Structure s = st.ofLink(0).get(2);
        for (int q : s.incoming()) {
            relu.parameters()[q] = 0f;
        }
        Network small = relu.shrink();
        assertEquals(4, small.spec().layers().get(0).units(), "relu(0) = 0 feeds nothing: removed");
        Dataset data = Nets.data(relu, 7, 2);
        assertArrayEquals(outputs(relu, data), outputs(small, data));

        Network sig = Nets.network(Nets.SIGMOID, 4);
        Structures ss = Structures.of(sig, StructureKind.ALL);
        for (int q : ss.ofLink(0).get(1).incoming()) {
            sig.parameters()[q] = 0f;
        }
        assertEquals(sig.spec(), sig.shrink().spec(), "sigmoid(0) = 0.5 still feeds the next layer: kept");
    }

    @Test
    void shrunkNetworkSavesAndReloadsAsAnOrdinaryModelFile(@TempDir Path dir) throws Exception {
        Network net = Nets.network(Nets.CONV_DENSE, 8);
        removeSome(net, 3);
        Network small = net.shrink();
        Path file = dir.resolve("small.safetensors");
        ModelFile.write(file, small, null, Provenance.unknown());
        assertTrue(Files.size(file) > 0);
        SavedModel back = ModelFile.read(file, Kernels.scalar());
        assertEquals(small.spec(), back.network().spec());
        assertNotEquals(net.spec(), back.network().spec());
        assertArrayEquals(small.parameters(), back.network().parameters());
        Dataset data = Nets.data(net, 5, 1);
        assertArrayEquals(outputs(net, data), outputs(back.network(), data));
    }

    @Test
    void filtersOnlyLeavesDenseWidthsAlone() {
        Network net = Nets.network(Nets.CONV_DENSE, 2);
        Structures st = Structures.of(net, StructureKind.FILTERS);
        assertEquals(4, st.size(), "the 4 filters of conv1 (fc1's neurons are not filters)");
        assertEquals(6, Structures.of(net, StructureKind.NEURONS).size());
        // conv1 channel c feeds fc1 columns c·16 … c·16 + 15 of all 6 rows
        Structure s = st.get(1);
        assertEquals(6 * 16, s.outgoing().length);
        assertEquals(16, s.positions());
        assertEquals(net.layout().tensor("fc1.weight").offset() + 16, s.outgoing()[0]);
    }
}
