package dev.surgeon.core.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.surgeon.core.nn.ArchitectureSpec;
import dev.surgeon.core.nn.Mask;
import dev.surgeon.core.nn.Network;
import dev.surgeon.core.nn.ParameterTensor;
import dev.surgeon.kernels.Kernels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelFileTest {
    private static final Kernels K = Kernels.scalar();
    private static final String CONV = "in(1,6,6) conv(2,3) relu maxpool(2) flatten dense(3)";

    @TempDir
    Path dir;

    private static Network network(String spec, long seed) {
        return Network.create(ArchitectureSpec.parse(spec), seed, K);
    }

    private static Provenance provenance() {
        return new Provenance(42L, "xor: the 4 XOR patterns", "0.1.0", "abc1234", Instant.parse("2025-02-03T04:05:06Z"),
                Map.of("surgeon.train.optimizer", "adam"));
    }

    private static void assertSameBits(float[] expected, float[] actual) {
        assertEquals(expected.length, actual.length);
        for (int i = 0; i < expected.length; i++) {
            assertEquals(Float.floatToRawIntBits(expected[i]), Float.floatToRawIntBits(actual[i]), "parameter " + i);
        }
    }

    @Test
    void convNetWithMaskRoundTripsBitForBitWithItsMetadata() throws Exception {
        Network net = network(CONV, 5);
        float[] p = net.parameters();
        p[1] = -0f;                      // sign of zero must survive
        p[2] = Float.MIN_VALUE;          // subnormal
        p[3] = Float.MAX_VALUE;
        Mask mask = Mask.dense(net.layout());
        ParameterTensor fc1 = net.layout().tensor("fc1.weight");
        ParameterTensor bias = net.layout().tensor("conv1.bias");
        for (int q : new int[] {fc1.offset(), fc1.offset() + 7, fc1.end() - 1, bias.offset()}) {
            mask.prune(q);
        }
        mask.apply(p);
        Path file = dir.resolve("m.safetensors");
        ModelFile.write(file, net, mask, provenance());

        SavedModel back = ModelFile.read(file, K);
        assertSameBits(p, back.network().parameters());
        assertEquals(net.spec(), back.network().spec());
        assertEquals(mask, back.mask());
        assertEquals(provenance(), back.provenance());
        assertEquals("1", back.metadata().get("surgeon.format"));
        assertEquals(CONV, back.metadata().get("surgeon.arch"));
        assertEquals("conv1.bias,fc1.weight", back.metadata().get("surgeon.masks"));
        try (SafeTensors st = SafeTensors.open(file)) {
            assertEquals(List.of("conv1.weight", "conv1.bias", "conv1.bias.mask", "fc1.weight", "fc1.weight.mask", "fc1.bias"),
                    st.names());
            assertEquals(DType.F32, st.dtype("fc1.weight"));
            assertEquals(DType.U8, st.dtype("fc1.weight.mask"));
            assertArrayEquals(new long[] {3, 8}, st.shape("fc1.weight"));
            assertArrayEquals(new long[] {2, 1, 3, 3}, st.shape("conv1.weight"));
            Tensor m = st.read("fc1.weight.mask");
            assertEquals(0, m.longAt(0), "0 = pruned");
            assertEquals(1, m.longAt(1), "1 = kept");
        }
    }

    @Test
    void modelWithoutMaskReadsBackWithoutOneAndUnknownProvenanceStaysUnknown() throws Exception {
        Network net = network("xor", 1);
        Path file = dir.resolve("xor.safetensors");
        ModelFile.write(file, net, Mask.dense(net.layout()), Provenance.unknown());
        SavedModel back = ModelFile.read(file, K);
        assertNull(back.mask(), "a mask that prunes nothing writes no mask tensors");
        assertEquals(Provenance.unknown(), back.provenance());
        assertSameBits(net.parameters(), back.network().parameters());
    }

    @Test
    void writeRefusesWeightsThatCouldNotBeReadBack() {
        Network net = network("xor", 1);
        net.parameters()[5] = Float.NaN; // fc1.weight holds 0..3, fc1.bias 4..5
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ModelFile.write(dir.resolve("nan.safetensors"), net, null, Provenance.unknown()));
        assertTrue(e.getMessage().contains("fc1.bias[1] = NaN"), e.getMessage());
        assertTrue(!Files.exists(dir.resolve("nan.safetensors")));

        Network other = network("xor", 1);
        Mask mask = Mask.dense(other.layout());
        mask.prune(0); // not applied: the weight is still non-zero
        assertThrows(IllegalArgumentException.class,
                () -> ModelFile.write(dir.resolve("m.safetensors"), other, mask, Provenance.unknown()));
    }

    @Test
    void provenanceRefusesReservedKeysAsEntries() {
        assertThrows(IllegalArgumentException.class, () -> Provenance.unknown().with("surgeon.arch", "x"));
        assertThrows(IllegalArgumentException.class, () -> Provenance.unknown().with("surgeon.seed", "1"));
    }

    // ---------------------------------------------------------------------------------------------
    // The error table: each malformed model gives its typed exception naming the problem.

    /** The xor net's tensors as written, to be edited by each case. */
    private static Map<String, Tensor> xorTensors() {
        Map<String, Tensor> t = new LinkedHashMap<>();
        t.put("fc1.weight", Tensor.f32("fc1.weight", new long[] {2, 2}, new float[] {1, 2, 3, 4}));
        t.put("fc1.bias", Tensor.f32("fc1.bias", new long[] {2}, new float[] {5, 6}));
        t.put("fc2.weight", Tensor.f32("fc2.weight", new long[] {1, 2}, new float[] {7, 8}));
        t.put("fc2.bias", Tensor.f32("fc2.bias", new long[] {1}, new float[] {9}));
        return t;
    }

    private static Map<String, String> xorMetadata() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("surgeon.format", "1");
        m.put("surgeon.arch", "xor");
        return m;
    }

    private Path write(Map<String, Tensor> tensors, Map<String, String> metadata) throws Exception {
        Path file = Files.createTempFile(dir, "case", ".safetensors");
        SafeTensors.write(file, new ArrayList<>(tensors.values()), metadata);
        return file;
    }

    private <T extends Throwable> T readFails(Class<T> type, Map<String, Tensor> tensors, Map<String, String> metadata,
                                             String... fragments) throws Exception {
        Path file = write(tensors, metadata);
        T e = assertThrows(type, () -> ModelFile.read(file, K));
        for (String f : fragments) {
            assertTrue(e.getMessage().contains(f), "message lacks '" + f + "': " + e.getMessage());
        }
        assertTrue(e.getMessage().startsWith(file.toString()), "names the file: " + e.getMessage());
        return e;
    }

    @Test
    void theUntouchedCaseReads() throws Exception {
        SavedModel m = ModelFile.read(write(xorTensors(), xorMetadata()), K);
        assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6, 7, 8, 9}, m.network().parameters());
    }

    @Test
    void plainSafetensorsWithoutArchitectureIsNotAModelAndSaysHowToImport() throws Exception {
        readFails(ModelFileException.class, xorTensors(), Map.of("format", "pt"), "surgeon.arch", "--arch");
    }

    @Test
    void anotherFormatVersionIsRefused() throws Exception {
        Map<String, String> meta = xorMetadata();
        meta.put("surgeon.format", "2");
        readFails(ModelFileException.class, xorTensors(), meta, "surgeon.format = 2");
    }

    @Test
    void anUnreadableArchitectureIsRefused() throws Exception {
        Map<String, String> meta = xorMetadata();
        meta.put("surgeon.arch", "in(2) dense(2) softmax");
        readFails(ModelFileException.class, xorTensors(), meta, "unknown layer 'softmax'");
    }

    @Test
    void missingUnexpectedAndMisShapedTensorsAreListedAtOnce() throws Exception {
        Map<String, Tensor> t = xorTensors();
        t.remove("fc2.bias");
        t.put("fc1.weight", Tensor.f32("fc1.weight", new long[] {2, 1, 2}, new float[] {1, 2, 3, 4}));
        t.put("fc2.weight", Tensor.integers("fc2.weight", DType.I32, new long[] {1, 2}, new long[] {7, 8}));
        t.put("extra", Tensor.f32("extra", new long[] {3}, new float[3]));
        TensorMismatchException e = readFails(TensorMismatchException.class, t, xorMetadata(),
                "missing: fc2.bias [1]", "unexpected: extra F32[3]", "fc1.weight: [2, 1, 2] in the file, expected [2, 2]",
                "fc2.weight: I32[1, 2] in the file, expected a floating dtype");
        assertEquals(List.of("fc2.bias [1]"), e.missing());
        assertEquals(List.of("extra F32[3]"), e.unexpected());
        assertEquals(2, e.misShaped().size());
    }

    @Test
    void nonFiniteWeightsAreRefusedWithTheirIndex() throws Exception {
        for (float bad : new float[] {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY}) {
            Map<String, Tensor> t = xorTensors();
            t.put("fc1.weight", Tensor.f32("fc1.weight", new long[] {2, 2}, new float[] {1, 2, bad, 4}));
            readFails(ModelFileException.class, t, xorMetadata(), "fc1.weight element [1, 0] = " + bad, "finite");
        }
    }

    @Test
    void f64WeightsBeyondTheFloatRangeAreRefusedAsInfinite() throws Exception {
        Map<String, Tensor> t = xorTensors();
        t.put("fc2.bias", Tensor.f64("fc2.bias", new long[] {1}, new double[] {1e300}));
        readFails(ModelFileException.class, t, xorMetadata(), "fc2.bias element [0] = Infinity");
    }

    @Test
    void maskValuesOtherThanZeroOrOneAreRefused() throws Exception {
        Map<String, Tensor> t = xorTensors();
        t.put("fc1.weight.mask", Tensor.u8("fc1.weight.mask", new long[] {2, 2}, new byte[] {1, 1, 2, 1}));
        readFails(ModelFileException.class, t, xorMetadata(), "fc1.weight.mask element [1, 0] = 2");
    }

    @Test
    void aPrunedWeightThatIsNotZeroIsRefused() throws Exception {
        Map<String, Tensor> t = xorTensors();
        t.put("fc1.weight.mask", Tensor.u8("fc1.weight.mask", new long[] {2, 2}, new byte[] {1, 0, 1, 1}));
        readFails(ModelFileException.class, t, xorMetadata(), "fc1.weight element [0, 1] = 2.0", "pruned");
    }

    @Test
    void boolMasksAreReadAndMisShapedOrMisTypedMasksAreListed() throws Exception {
        Map<String, Tensor> t = xorTensors();
        t.put("fc1.weight", Tensor.f32("fc1.weight", new long[] {2, 2}, new float[] {1, 0, 3, 4}));
        t.put("fc1.weight.mask", Tensor.bool("fc1.weight.mask", new long[] {2, 2}, new boolean[] {true, false, true, true}));
        SavedModel m = ModelFile.read(write(t, xorMetadata()), K);
        assertEquals(1, m.mask().prunedCount());
        assertTrue(m.mask().isPruned(1));

        t.put("fc1.weight.mask", Tensor.u8("fc1.weight.mask", new long[] {4}, new byte[] {1, 0, 1, 1}));
        readFails(TensorMismatchException.class, t, xorMetadata(), "fc1.weight.mask: U8[4] in the file, expected a U8 or BOOL mask [2, 2]");
        t.put("fc1.weight.mask", Tensor.f32("fc1.weight.mask", new long[] {2, 2}, new float[] {1, 0, 1, 1}));
        readFails(TensorMismatchException.class, t, xorMetadata(), "fc1.weight.mask: F32[2, 2]");
    }

    @Test
    void theDeclaredMaskListMustMatchTheMaskTensors() throws Exception {
        Map<String, String> meta = xorMetadata();
        meta.put("surgeon.masks", "fc2.weight");
        readFails(ModelFileException.class, xorTensors(), meta, "surgeon.masks = fc2.weight", "declares masks for [fc2.weight]");
    }

    @Test
    void anUnreadableSeedIsRefused() throws Exception {
        Map<String, String> meta = xorMetadata();
        meta.put("surgeon.seed", "forty-two");
        readFails(ModelFileException.class, xorTensors(), meta, "surgeon.seed = forty-two");
    }

    // ---------------------------------------------------------------------------------------------
    // PyTorch state_dict import

    private Path stateDict(Map<String, Tensor> tensors) throws Exception {
        return write(tensors, Map.of("format", "pt"));
    }

    private static Tensor f32(String name, long[] shape, float... v) {
        return Tensor.f32(name, shape, v);
    }

    @Test
    void sequentialNamesAreMappedInLayerOrderAndTheMappingIsReported() throws Exception {
        // nn.Sequential(nn.Linear(2, 2), nn.Sigmoid(), nn.Linear(2, 1), nn.Sigmoid()).state_dict()
        Map<String, Tensor> t = new LinkedHashMap<>();
        t.put("2.bias", f32("2.bias", new long[] {1}, 9));
        t.put("0.weight", f32("0.weight", new long[] {2, 2}, 1, 2, 3, 4));
        t.put("2.weight", f32("2.weight", new long[] {1, 2}, 7, 8));
        t.put("0.bias", f32("0.bias", new long[] {2}, 5, 6));
        ImportedModel m = ModelFile.importStateDict(stateDict(t), ArchitectureSpec.preset("xor"), K);
        assertEquals(ImportedModel.Matching.BY_LAYER_ORDER, m.matching());
        assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6, 7, 8, 9}, m.model().network().parameters());
        assertEquals(List.of("0.weight -> fc1.weight F32[2, 2]", "0.bias -> fc1.bias F32[2]", "2.weight -> fc2.weight F32[1, 2]",
                "2.bias -> fc2.bias F32[1]"), m.matches().stream().map(Object::toString).toList());
        assertEquals("pt", m.model().provenance().entries().get("format"));
    }

    @Test
    void exactNamesMatchByNameAndMasksFollowTheirWeights() throws Exception {
        Map<String, Tensor> t = xorTensors();
        t.put("fc1.weight", f32("fc1.weight", new long[] {2, 2}, 0, 2, 3, 4));
        t.put("fc1.weight.mask", Tensor.u8("fc1.weight.mask", new long[] {2, 2}, new byte[] {0, 1, 1, 1}));
        ImportedModel m = ModelFile.importStateDict(stateDict(t), ArchitectureSpec.preset("xor"), K);
        assertEquals(ImportedModel.Matching.BY_NAME, m.matching());
        assertTrue(m.model().mask().isPruned(0));
        assertEquals(5, m.matches().size());
    }

    @Test
    void numberedNamesSortNaturallyNotAlphabetically() throws Exception {
        // Lexicographic order would put 10 before 5; the shapes differ per layer so only natural order fits.
        Map<String, Tensor> t = new LinkedHashMap<>();
        t.put("net.0.weight", f32("net.0.weight", new long[] {3, 2}, new float[6]));
        t.put("net.5.weight", f32("net.5.weight", new long[] {4, 3}, new float[12]));
        t.put("net.10.weight", f32("net.10.weight", new long[] {1, 4}, 1, 2, 3, 4));
        ImportedModel m = ModelFile.importStateDict(stateDict(t),
                ArchitectureSpec.parse("in(2) dense(3,bias=false) relu dense(4,bias=false) relu dense(1,bias=false)"), K);
        assertEquals(ImportedModel.Matching.BY_LAYER_ORDER, m.matching());
        assertEquals("net.10.weight", m.matches().get(2).source());
        assertEquals(4f, m.model().network().parameters()[6 + 12 + 3]);
    }

    @Test
    void convNetGroupsOutOfOrderAreMappedByTheirUniqueShapes() throws Exception {
        // A module with .features (conv) and .classifier (linear): natural order puts classifier first.
        float[] conv = new float[18];
        conv[0] = 0.5f;
        Map<String, Tensor> t = new LinkedHashMap<>();
        t.put("classifier.1.weight", f32("classifier.1.weight", new long[] {3, 8}, new float[24]));
        t.put("classifier.1.bias", f32("classifier.1.bias", new long[] {3}, 1, 2, 3));
        t.put("features.0.weight", f32("features.0.weight", new long[] {2, 1, 3, 3}, conv));
        t.put("features.0.bias", f32("features.0.bias", new long[] {2}, 0, 0));
        ImportedModel m = ModelFile.importStateDict(stateDict(t), ArchitectureSpec.parse(CONV), K);
        assertEquals(ImportedModel.Matching.BY_UNIQUE_SHAPES, m.matching());
        assertEquals("features.0.weight", m.matches().get(0).source());
        assertEquals("conv1.weight", m.matches().get(0).target());
        assertEquals(0.5f, m.model().network().parameters()[0]);
        float[] p = m.model().network().parameters();
        assertEquals(3f, p[p.length - 1]);
    }

    @Test
    void halfBfloatAndDoublePrecisionWeightsAreConverted() throws Exception {
        // fc1.weight F16, fc1.bias BF16 (hand-made bytes: the writer widens both to F32), fc2 F64.
        float[] w = {0.5f, -1.25f, 2f, 1024f};
        float[] b = {-3f, 0.375f};
        TestBytes data = new TestBytes();
        for (float v : w) {
            data.le(Float.floatToFloat16(v), 2);
        }
        for (float v : b) {
            data.le(Float.floatToRawIntBits(v) >>> 16, 2);
        }
        for (double v : new double[] {0.25, -0.125, 6}) {
            data.le(Double.doubleToRawLongBits(v), 8);
        }
        String header = "{\"0.weight\":{\"dtype\":\"F16\",\"shape\":[2,2],\"data_offsets\":[0,8]},"
                + "\"0.bias\":{\"dtype\":\"BF16\",\"shape\":[2],\"data_offsets\":[8,12]},"
                + "\"2.weight\":{\"dtype\":\"F64\",\"shape\":[1,2],\"data_offsets\":[12,28]},"
                + "\"2.bias\":{\"dtype\":\"F64\",\"shape\":[1],\"data_offsets\":[28,36]}}";
        Path file = Files.write(dir.resolve("half.safetensors"), TestBytes.safetensors(header, data.bytes()));
        ImportedModel m = ModelFile.importStateDict(file, ArchitectureSpec.preset("xor"), K);
        assertArrayEquals(new float[] {0.5f, -1.25f, 2f, 1024f, -3f, 0.375f, 0.25f, -0.125f, 6f}, m.model().network().parameters());
        assertEquals(DType.F16, m.matches().get(0).dtype());
    }

    @Test
    void importThatFitsNeitherByNameNorByOrderListsEverythingWithExpectedShapes() throws Exception {
        Map<String, Tensor> t = new LinkedHashMap<>();
        t.put("0.weight", f32("0.weight", new long[] {2, 3}, new float[6]));
        t.put("0.bias", f32("0.bias", new long[] {2}, 0, 0));
        t.put("2.weight", f32("2.weight", new long[] {1, 2}, 0, 0));
        Path file = stateDict(t);
        TensorMismatchException e = assertThrows(TensorMismatchException.class,
                () -> ModelFile.importStateDict(file, ArchitectureSpec.preset("xor"), K));
        assertEquals(4, e.missing().size());
        assertTrue(e.missing().contains("fc1.weight [2, 2]"), e.missing().toString());
        assertEquals(3, e.unexpected().size());
        String msg = e.getMessage();
        assertTrue(msg.contains("0.weight [2, 3] vs fc1.weight [2, 2]"), msg);
        assertTrue(msg.contains("group '2' has no bias but fc2 has one"), msg);
        assertTrue(msg.contains("no assignment"), msg);
    }

    @Test
    void groupCountsThatDifferAndForeignTensorsAreExplained() throws Exception {
        Map<String, Tensor> t = xorTensors();
        t.put("x.0.weight", f32("x.0.weight", new long[] {2, 2}, 1, 2, 3, 4));
        Path file = stateDict(t);
        TensorMismatchException e = assertThrows(TensorMismatchException.class,
                () -> ModelFile.importStateDict(file, ArchitectureSpec.preset("xor"), K));
        assertEquals(List.of("x.0.weight F32[2, 2]"), e.unexpected());
        assertTrue(e.getMessage().contains("the file has 3 weight/bias groups [fc1, fc2, x.0] but the architecture has 2 "
                + "layers with parameters [fc1, fc2]"), e.getMessage());

        Map<String, Tensor> bn = xorTensors();
        bn.put("bn.running_mean", f32("bn.running_mean", new long[] {2}, 0, 0));
        Path bnFile = stateDict(bn);
        TensorMismatchException e2 = assertThrows(TensorMismatchException.class,
                () -> ModelFile.importStateDict(bnFile, ArchitectureSpec.preset("xor"), K));
        assertEquals(List.of("bn.running_mean F32[2]"), e2.unexpected());
        assertTrue(e2.getMessage().contains("'bn.running_mean'"), e2.getMessage());
    }

    @Test
    void identicalLayerShapesWithUnorderedNamesAreAmbiguous() throws Exception {
        Map<String, Tensor> t = new LinkedHashMap<>();
        // Natural order puts the [5, 2] group "a" first, where it does not fit; by shape it must be fc4, but the
        // three [2, 2] groups fit fc1..fc3 in any of 6 ways.
        for (String n : new String[] {"b", "c", "d"}) {
            t.put(n + ".weight", f32(n + ".weight", new long[] {2, 2}, new float[4]));
        }
        t.put("a.weight", f32("a.weight", new long[] {5, 2}, new float[10]));
        Path file = stateDict(t);
        TensorMismatchException e = assertThrows(TensorMismatchException.class, () -> ModelFile.importStateDict(file,
                ArchitectureSpec.parse("in(2) dense(2,bias=false) dense(2,bias=false) dense(2,bias=false) dense(5,bias=false)"), K));
        assertTrue(e.getMessage().contains("several assignments"), e.getMessage());
    }

    @Test
    void naturalOrderComparesDigitRunsAsNumbers() {
        List<String> names = new ArrayList<>(List.of("10", "2", "fc10", "fc2", "layer.01", "layer.1", "a"));
        names.sort(StateDictMapping.NATURAL);
        assertEquals(List.of("2", "10", "a", "fc2", "fc10", "layer.01", "layer.1"), names);
    }
}
