package dev.surgeon.core.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafeTensorsTest {
    @TempDir
    Path dir;

    private Path file(String name, byte[] content) throws Exception {
        return Files.write(dir.resolve(name), content);
    }

    @Test
    void everyWrittenDtypeRoundTripsBitForBitWithMetadata() throws Exception {
        float[] w = {1.5f, -0f, Float.MIN_VALUE, Float.MAX_VALUE, Float.NaN, Float.NEGATIVE_INFINITY};
        double[] d = {Math.PI, -1e-310, Double.MAX_VALUE};
        List<Tensor> tensors = List.of(
                Tensor.f32("fc1.weight", new long[]{2, 3}, w),
                Tensor.f64("curv", new long[]{3}, d),
                Tensor.integers("steps", DType.I64, new long[]{2}, new long[]{Long.MIN_VALUE, Long.MAX_VALUE}),
                Tensor.integers("i32", DType.I32, new long[]{2}, new long[]{Integer.MIN_VALUE, -1}),
                Tensor.integers("i16", DType.I16, new long[]{2}, new long[]{Short.MIN_VALUE, 12345}),
                Tensor.integers("codes", DType.I8, new long[]{3}, new long[]{-128, 0, 127}),
                Tensor.u8("u8", new long[]{2}, new byte[]{(byte) 255, 7}),
                Tensor.bool("fc1.weight.mask", new long[]{2, 3}, new boolean[]{true, false, true, true, false, false}),
                Tensor.f32("empty", new long[]{0, 5}, new float[0]),
                Tensor.f32("scalar", new long[]{}, new float[]{42f}));
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("architecture", "in(784) dense(300) relu dense(10)");
        meta.put("quotes \"and\" \\ newline\n", "unicode ∑ 😀 \u0001");
        Path p = dir.resolve("m.safetensors");
        SafeTensors.write(p, tensors, meta);

        try (SafeTensors st = SafeTensors.open(p)) {
            assertEquals(meta, st.metadata());
            assertEquals(tensors.stream().map(Tensor::name).toList(), st.names());
            for (Tensor t : tensors) {
                Tensor r = st.read(t.name());
                assertEquals(t.dtype(), r.dtype(), t.name());
                assertArrayEquals(t.shape(), r.shape(), t.name());
                assertEquals(t.size(), r.size());
                if (t.dtype() == DType.F32) {
                    for (int i = 0; i < t.size(); i++) {
                        assertEquals(Float.floatToRawIntBits(t.floats()[i]), Float.floatToRawIntBits(r.floats()[i]));
                    }
                } else if (t.dtype() == DType.F64) {
                    assertArrayEquals(t.doubles(), r.doubles(), 0.0);
                } else {
                    assertArrayEquals(t.longs(), r.longs(), t.name());
                }
            }
            assertArrayEquals(new boolean[]{true, false, true, true, false, false}, st.read("fc1.weight.mask").booleans());
            assertEquals(0, st.read("scalar").rank());
        }
    }

    @Test
    void headerIsPaddedWithSpacesSoDataStartsAtAMultipleOf8() throws Exception {
        for (int nameLength = 1; nameLength <= 9; nameLength++) {
            Path p = dir.resolve("pad" + nameLength);
            SafeTensors.write(p, List.of(Tensor.f32("x".repeat(nameLength), new long[]{1}, new float[]{1f})), Map.of());
            byte[] b = Files.readAllBytes(p);
            long n = 0;
            for (int k = 7; k >= 0; k--) {
                n = n << 8 | (b[k] & 0xFF);
            }
            assertEquals(0, (8 + n) % 8, "data offset for name length " + nameLength);
            String header = new String(b, 8, (int) n, StandardCharsets.UTF_8);
            assertTrue(header.startsWith("{\"x"), header);
            assertTrue(header.stripTrailing().endsWith("}"), header);
            assertTrue(header.substring(header.lastIndexOf('}') + 1).chars().allMatch(c -> c == ' '), header);
            assertEquals(8 + n + 4, b.length);
        }
    }

    /**
     * F16 and BF16 files built byte by byte (the writer never produces them). Expected values are exact
     * binary constants, so equality is exact: F16 0x0001 = 2^-24 (smallest subnormal), 0x03FF = 1023·2^-24
     * (largest subnormal), 0x0400 = 2^-14, 0x7BFF = 65504; BF16 0x0001 = 2^-133, 0x0080 = 2^-126,
     * 0x7F7F = (2 − 2^-7)·2^127, 0x3EAB = 0.333984375.
     */
    @Test
    void halfPrecisionFilesConvertToExactFloatsIncludingSubnormalsInfinitiesAndNaN() throws Exception {
        int[] f16 = {0x0000, 0x8000, 0x3C00, 0xC000, 0x0001, 0x03FF, 0x0400, 0x7BFF, 0x7C00, 0xFC00, 0x7E00, 0x3555};
        float[] f16Expected = {0f, -0f, 1f, -2f, Math.scalb(1f, -24), Math.scalb(1023f, -24), Math.scalb(1f, -14), 65504f,
                Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.NaN, 0.333251953125f};
        int[] bf16 = {0x3F80, 0xC040, 0x0001, 0x0080, 0x7F7F, 0x7F80, 0xFF80, 0x7FC0, 0x3EAB, 0x8000};
        float[] bf16Expected = {1f, -3f, Math.scalb(1f, -133), Math.scalb(1f, -126), Math.scalb(255f, 120),
                Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.NaN, 0.333984375f, -0f};
        TestBytes data = new TestBytes();
        for (int h : f16) {
            data.le(h, 2);
        }
        for (int h : bf16) {
            data.le(h, 2);
        }
        // An odd header length: the data section starts unaligned, which readers must accept.
        String header = "{\"h\":{\"dtype\":\"F16\",\"shape\":[3,4],\"data_offsets\":[0,24]},"
                + "\"b\":{\"dtype\":\"BF16\",\"shape\":[10],\"data_offsets\":[24,44]}}";
        assertTrue(header.length() % 8 != 0, "the data section must start unaligned");
        Path p = file("half.safetensors", TestBytes.safetensors(header, data.bytes()));
        try (SafeTensors st = SafeTensors.open(p)) {
            Tensor h = st.read("h");
            Tensor b = st.read("b");
            assertEquals(DType.F16, h.dtype());
            assertEquals(DType.BF16, b.dtype());
            for (int i = 0; i < f16.length; i++) {
                assertEquals(Float.floatToIntBits(f16Expected[i]), Float.floatToIntBits(h.floats()[i]), "F16 " + Integer.toHexString(f16[i]));
            }
            for (int i = 0; i < bf16.length; i++) {
                assertEquals(Float.floatToIntBits(bf16Expected[i]), Float.floatToIntBits(b.floats()[i]), "BF16 " + Integer.toHexString(bf16[i]));
            }
            // Written back they are widened to F32, which keeps every value.
            Path q = dir.resolve("widened.safetensors");
            SafeTensors.write(q, List.of(h, b), Map.of());
            try (SafeTensors w = SafeTensors.open(q)) {
                assertEquals(DType.F32, w.dtype("h"));
                assertArrayEquals(h.floats(), w.read("h").floats(), 0f);
                assertArrayEquals(b.floats(), w.read("b").floats(), 0f);
            }
        }
    }

    @Test
    void integerFilesBuiltByteByByteReadWithSignAndZeroExtension() throws Exception {
        TestBytes data = new TestBytes()
                .le(-2, 8).le(1L << 40, 8)        // I64
                .le(-5, 4).le(0x7FFFFFFF, 4)      // I32
                .le(-300, 2).le(300, 2)           // I16
                .le(-1, 1).le(100, 1)             // I8
                .le(200, 1).le(0, 1)              // U8
                .le(1, 1).le(0, 1);               // BOOL
        String header = "{\"__metadata__\":{\"format\":\"pt\"},"
                + "\"a\":{\"dtype\":\"I64\",\"shape\":[2],\"data_offsets\":[0,16]},"
                + "\"b\":{\"dtype\":\"I32\",\"shape\":[2],\"data_offsets\":[16,24]},"
                + "\"c\":{\"dtype\":\"I16\",\"shape\":[2],\"data_offsets\":[24,28]},"
                + "\"d\":{\"dtype\":\"I8\",\"shape\":[2],\"data_offsets\":[28,30]},"
                + "\"e\":{\"dtype\":\"U8\",\"shape\":[2],\"data_offsets\":[30,32]},"
                + "\"f\":{\"dtype\":\"BOOL\",\"shape\":[2],\"data_offsets\":[32,34]},"
                + "\"g\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[34,34]}}";
        try (SafeTensors st = SafeTensors.open(file("ints.safetensors", TestBytes.safetensors(header, data.bytes())))) {
            assertEquals(Map.of("format", "pt"), st.metadata());
            assertArrayEquals(new long[]{-2, 1L << 40}, st.read("a").longs());
            assertArrayEquals(new long[]{-5, Integer.MAX_VALUE}, st.read("b").longs());
            assertArrayEquals(new long[]{-300, 300}, st.read("c").longs());
            assertArrayEquals(new long[]{-1, 100}, st.read("d").longs());
            assertArrayEquals(new long[]{200, 0}, st.read("e").longs());
            assertArrayEquals(new boolean[]{true, false}, st.read("f").booleans());
            assertEquals(0, st.read("g").size());
        }
    }

    @Test
    void boolElementOtherThanZeroOrOneIsRefusedOnRead() throws Exception {
        String header = "{\"m\":{\"dtype\":\"BOOL\",\"shape\":[3],\"data_offsets\":[0,3]}}";
        try (SafeTensors st = SafeTensors.open(file("bool.safetensors", TestBytes.safetensors(header, new byte[]{1, 0, 2})))) {
            SafeTensorsFormatException e = assertThrows(SafeTensorsFormatException.class, () -> st.read("m"));
            assertTrue(e.getMessage().contains("element 2") && e.getMessage().contains("0 or 1"), e.getMessage());
        }
    }

    @Test
    void tensorLargerThanTheArrayCapIsRefusedWhileOthersStillRead() throws Exception {
        String header = "{\"big\":{\"dtype\":\"F32\",\"shape\":[20],\"data_offsets\":[0,80]},"
                + "\"small\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[80,88]}}";
        TestBytes data = new TestBytes().zeros(80).le(Float.floatToIntBits(3f), 4).le(Float.floatToIntBits(-1f), 4);
        Path p = file("cap.safetensors", TestBytes.safetensors(header, data.bytes()));
        try (SafeTensors st = SafeTensors.open(p, SafeTensors.MAX_HEADER_BYTES, 10)) {
            SafeTensorsFormatException e = assertThrows(SafeTensorsFormatException.class, () -> st.read("big"));
            assertTrue(e.getMessage().contains("do not fit one Java array"), e.getMessage());
            assertArrayEquals(new float[]{3f, -1f}, st.read("small").floats(), 0f);
        }
    }

    /**
     * A sparse file of just over 3 GB (no disk blocks are written for the hole): the tensor after the hole
     * sits beyond every int offset, so reading it exercises the long-indexed mapping; the 3 GB tensor itself
     * is refused because it cannot fit one Java array.
     */
    @Test
    void tensorBeyondTheFirst2GbOfASparseFileIsReadThroughTheMapping() throws Exception {
        assumeTrue(Files.getFileStore(dir).getUsableSpace() > (4L << 30),
                "skipped: the temporary directory has under 4 GB free, and a file system without sparse files would fill it");
        long hole = 3_000_000_000L;
        String header = "{\"hole\":{\"dtype\":\"U8\",\"shape\":[" + hole + "],\"data_offsets\":[0," + hole + "]},"
                + "\"tail\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[" + hole + "," + (hole + 8) + "]}}";
        byte[] head = TestBytes.safetensors(header, new byte[0]);
        Path p = dir.resolve("sparse.safetensors");
        try (RandomAccessFile raf = new RandomAccessFile(p.toFile(), "rw")) {
            raf.write(head);
            raf.seek(head.length + hole);
            raf.write(new TestBytes().le(Float.floatToIntBits(2.5f), 4).le(Float.floatToIntBits(-7f), 4).bytes());
        }
        try (SafeTensors st = SafeTensors.open(p)) {
            assertArrayEquals(new float[]{2.5f, -7f}, st.read("tail").floats(), 0f);
            assertThrows(SafeTensorsFormatException.class, () -> st.read("hole"));
        } finally {
            Files.delete(p);
        }
    }

    @Test
    void writerRefusesDuplicateAndReservedNames() {
        Tensor a = Tensor.f32("a", new long[]{1}, new float[]{1});
        assertThrows(IllegalArgumentException.class, () -> SafeTensors.write(dir.resolve("x"), List.of(a, a), Map.of()));
        assertThrows(IllegalArgumentException.class,
                () -> SafeTensors.write(dir.resolve("y"), List.of(a.renamed(SafeTensors.METADATA_KEY)), Map.of()));
        assertTrue(Files.notExists(dir.resolve("x")) && Files.notExists(dir.resolve("y")));
    }

    @Test
    void unknownTensorNameListsTheNamesPresent() throws Exception {
        Path p = dir.resolve("one.safetensors");
        SafeTensors.write(p, List.of(Tensor.f32("fc1.weight", new long[]{1}, new float[]{1})), Map.of());
        try (SafeTensors st = SafeTensors.open(p)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> st.read("fc2.weight"));
            assertTrue(e.getMessage().contains("fc1.weight"), e.getMessage());
        }
    }
}
