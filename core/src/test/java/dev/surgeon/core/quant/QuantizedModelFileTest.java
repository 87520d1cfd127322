package dev.surgeon.core.quant;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.surgeon.core.curvature.DataSource;
import dev.surgeon.core.io.ModelFile;
import dev.surgeon.core.io.ModelFileException;
import dev.surgeon.core.io.Provenance;
import dev.surgeon.core.io.SafeTensors;
import dev.surgeon.core.io.SavedModel;
import dev.surgeon.core.io.Tensor;
import dev.surgeon.core.nn.ArchitectureSpec;
import dev.surgeon.core.nn.Network;
import dev.surgeon.core.prune.ExactObs;
import dev.surgeon.core.prune.LayerReconstruction;
import dev.surgeon.core.prune.LayerReconstructionReport;
import dev.surgeon.kernels.Kernels;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Quantized (and pruned) layers saved in a model file: codes, scales, zeros and bits round-trip; lies are refused. */
class QuantizedModelFileTest {
    @TempDir
    Path dir;

    private LayerReconstructionReport compressed() {
        Kernels k = Kernels.scalar();
        Network net = Network.create(ArchitectureSpec.parse("in(8) dense(6) relu dense(4)"), 3, k);
        SplittableRandom r = new SplittableRandom(4);
        float[] x = new float[40 * 8];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) r.nextGaussian();
        }
        var data = dev.surgeon.core.data.Dataset.regression("random", new int[] {8}, x, 4, new float[40 * 4]);
        return LayerReconstruction.of(Obq.of(QuantizationGrid.Spec.symmetric(4)).afterPruning(ExactObs.nOfM(2, 4)))
                .layers("fc1.weight").kernels(k).run(net, DataSource.all(data, 40));
    }

    @Test
    void quantizedAndPrunedLayersRoundTrip() throws Exception {
        LayerReconstructionReport r = compressed();
        Path file = dir.resolve("q.safetensors");
        List<ModelFile.Quantization> stored = r.quantized().stream().map(QuantizedWeights::toStored).toList();
        ModelFile.write(file, r.network(), r.mask(), Provenance.unknown(), stored);
        SavedModel back = ModelFile.read(file, Kernels.scalar());
        assertArrayEquals(r.network().parameters(), back.network().parameters());
        assertEquals(r.mask().prunedCount(), back.mask().prunedCount());
        List<ModelFile.Quantization> q = ModelFile.readQuantization(file);
        assertEquals(1, q.size());
        assertEquals("fc1.weight", q.get(0).tensor());
        assertEquals(4, q.get(0).bits());
        assertTrue(q.get(0).symmetric());
        QuantizedWeights original = r.quantized().get(0);
        QuantizedWeights loaded = QuantizedWeights.fromStored(q.get(0), 8);
        assertArrayEquals(original.codes(), loaded.codes());
        assertArrayEquals(original.grid().scales(), loaded.grid().scales());
        assertArrayEquals(original.dequantize(), loaded.dequantize());
        try (SafeTensors st = SafeTensors.open(file)) {
            assertEquals("fc1.weight:4:symmetric", st.metadata().get(ModelFile.QUANTIZED_KEY));
        }
    }

    @Test
    void inconsistentQuantizationIsRefusedOnWriteAndRead() throws Exception {
        LayerReconstructionReport r = compressed();
        ModelFile.Quantization q = r.quantized().get(0).toStored();
        // A weight that is not its code's value cannot be written.
        Network changed = r.network().copy(Kernels.scalar());
        changed.parameters()[3] += 0.5f;
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ModelFile.write(
                dir.resolve("bad.safetensors"), changed, null, Provenance.unknown(), List.of(q)));
        assertTrue(e.getMessage().contains("dequantized"), e.getMessage());
        // Codes beyond 2^bits − 1.
        byte[] codes = q.codes().clone();
        codes[0] = (byte) 200;
        ModelFile.Quantization wide = new ModelFile.Quantization(q.tensor(), 4, true, codes, q.scale(), q.zero());
        assertThrows(IllegalArgumentException.class, () -> ModelFile.write(dir.resolve("bad2.safetensors"), r.network(),
                null, Provenance.unknown(), List.of(wide)));
        // A file whose stored weight disagrees with its codes is refused by readQuantization.
        Path file = dir.resolve("q.safetensors");
        ModelFile.write(file, r.network(), r.mask(), Provenance.unknown(), List.of(q));
        List<Tensor> tensors = new ArrayList<>();
        Map<String, String> meta;
        try (SafeTensors st = SafeTensors.open(file)) {
            meta = st.metadata();
            for (Tensor t : st.readAll()) {
                if (t.name().equals("fc1.weight.codes")) {
                    byte[] c = new byte[t.size()];
                    for (int i = 0; i < c.length; i++) {
                        c[i] = (byte) t.longAt(i);
                    }
                    c[5] = (byte) ((c[5] + 1) % 16);
                    t = Tensor.u8(t.name(), t.shape(), c);
                }
                tensors.add(t);
            }
        }
        Path lying = dir.resolve("lying.safetensors");
        SafeTensors.write(lying, tensors, meta);
        ModelFileException m = assertThrows(ModelFileException.class, () -> ModelFile.readQuantization(lying));
        assertTrue(m.getMessage().contains("inconsistent"), m.getMessage());
    }
}
