package dev.surgeon.core.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class IdxReaderTest {
    @TempDir
    Path dir;

    /** An IDX file written independently of the reader: magic, big-endian int32 dims, then the payload. */
    static byte[] idx(int typeCode, int[] dims, byte[] payload) {
        try {
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            DataOutputStream out = new DataOutputStream(b); // big-endian, as IDX
            out.write(new byte[]{0, 0, (byte) typeCode, (byte) dims.length});
            for (int d : dims) {
                out.writeInt(d);
            }
            out.write(payload);
            return b.toByteArray();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    static byte[] gzip(byte[] raw) {
        try {
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            try (GZIPOutputStream g = new GZIPOutputStream(b)) {
                g.write(raw);
            }
            return b.toByteArray();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private Path file(String name, byte[] content) throws IOException {
        return Files.write(dir.resolve(name), content);
    }

    private static final byte[] PIXELS = {0, (byte) 255, 51, 102, 1, 2, 3, 4, (byte) 128, 0, 0, 0};

    @Test
    void rawAndGzipFilesReadIdenticallyWhateverTheirNames() throws Exception {
        byte[] raw = idx(0x08, new int[]{3, 2, 2}, PIXELS);
        // The names lie on purpose: detection must use the gzip magic 1f 8b, not the suffix.
        IdxArray fromRaw = IdxReader.read(file("images.gz", raw));
        IdxArray fromGzip = IdxReader.read(file("images.idx", gzip(raw)));
        assertEquals(IdxArray.Type.U8, fromRaw.type());
        assertArrayEquals(new int[]{3, 2, 2}, fromRaw.dims());
        assertArrayEquals(fromRaw.toFloats(), fromGzip.toFloats(), 0f);
        assertArrayEquals(fromRaw.dims(), fromGzip.dims());
    }

    @Test
    void u8ImagesBecomePixelOver255AndLabelsInts() throws Exception {
        Path images = file("img", gzip(idx(0x08, new int[]{3, 2, 2}, PIXELS)));
        Path labels = file("lab", idx(0x08, new int[]{3}, new byte[]{2, 0, 1}));
        Dataset d = IdxReader.readDataset("tiny", images, labels, 0);
        assertEquals(3, d.size());
        assertArrayEquals(new int[]{1, 2, 2}, d.inputShape());
        assertEquals(3, d.numClasses());
        assertArrayEquals(new int[]{2, 0, 1}, d.labels());
        float[] x = d.inputs();
        for (int i = 0; i < PIXELS.length; i++) {
            assertEquals((PIXELS[i] & 0xFF) / 255f, x[i], 0f, "pixel " + i);
        }
        assertEquals(1f, x[1], 0f);
        assertEquals(0.2f, x[2], 0f); // 51/255 rounds to the float nearest 0.2
    }

    @Test
    void everyElementTypeDecodesBigEndian() throws Exception {
        assertArrayEquals(new int[]{-1, 127}, IdxReader.read(file("i8", idx(0x09, new int[]{2}, new byte[]{-1, 127}))).toInts());
        assertArrayEquals(new int[]{-300, 258}, IdxReader.read(file("i16", idx(0x0B, new int[]{2},
                new byte[]{(byte) 0xFE, (byte) 0xD4, 1, 2}))).toInts());
        assertArrayEquals(new int[]{-70000}, IdxReader.read(file("i32", idx(0x0C, new int[]{1},
                new byte[]{(byte) 0xFF, (byte) 0xFE, (byte) 0xEE, (byte) 0x90}))).toInts());
        IdxArray f32 = IdxReader.read(file("f32", idx(0x0D, new int[]{1, 1}, new byte[]{0x3F, (byte) 0xC0, 0, 0})));
        assertArrayEquals(new float[]{1.5f}, f32.toFloats(), 0f);
        IdxArray f64 = IdxReader.read(file("f64", idx(0x0E, new int[]{1}, new byte[]{(byte) 0xC0, 2, 0, 0, 0, 0, 0, 0})));
        assertEquals(-2.25, f64.valueAt(0), 0.0);
        assertThrows(IllegalStateException.class, f64::toInts);
        Dataset d = IdxReader.readDataset("f32 inputs", dir.resolve("f32"), file("l1", idx(0x08, new int[]{1}, new byte[]{1})), 2);
        assertArrayEquals(new int[]{1}, d.inputShape());
        assertEquals(1.5f, d.inputs()[0], 0f); // non-u8 images keep their values
    }

    static Stream<Arguments> malformedFiles() {
        byte[] ok = idx(0x08, new int[]{2, 2}, new byte[4]);
        byte[] corruptGzip = gzip(ok);
        corruptGzip[corruptGzip.length - 6] ^= 0x55; // inside the CRC-32 trailer
        return Stream.of(
                Arguments.of("empty", new byte[0], "file length"),
                Arguments.of("nonzero first magic byte", new byte[]{1, 0, 8, 1, 0, 0, 0, 0}, "magic"),
                Arguments.of("unknown type code", idx(0x0A, new int[]{1}, new byte[1]), "type code"),
                Arguments.of("zero dimensions", new byte[]{0, 0, 8, 0}, "number of dimensions"),
                Arguments.of("truncated dimensions", new byte[]{0, 0, 8, 3, 0, 0, 0, 1}, "file length"),
                Arguments.of("dimension beyond 2^31", idx(0x08, new int[]{0x80000000}, new byte[0]), "dimension 0"),
                Arguments.of("claim beyond one array", idx(0x0D, new int[]{60000, 60000}, new byte[16]), "dimensions"),
                Arguments.of("truncated data", Arrays.copyOf(ok, ok.length - 1), "data length"),
                Arguments.of("trailing data", Arrays.copyOf(ok, ok.length + 1), "data length"),
                Arguments.of("gzip claiming 1e9 bytes with 4", gzip(idx(0x08, new int[]{1_000_000_000}, new byte[4])), "data length"),
                Arguments.of("gzip with trailing data", gzip(Arrays.copyOf(ok, ok.length + 3)), "data length"),
                Arguments.of("gzip truncated", Arrays.copyOf(gzip(ok), 15), "gzip stream"),
                Arguments.of("gzip with a corrupt trailer", corruptGzip, "gzip stream"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformedFiles")
    void malformedFileIsRefusedNamingTheField(String description, byte[] content, String field) throws Exception {
        Path p = file("bad", content);
        DataFormatException e = assertThrows(DataFormatException.class, () -> IdxReader.read(p));
        assertEquals(p.toString(), e.file());
        assertEquals(field, e.field(), description + ": " + e.getMessage());
    }

    @Test
    void labelFileMustMatchTheImagesAndTheClassCount() throws Exception {
        Path images = file("img", idx(0x08, new int[]{3, 2, 2}, PIXELS));
        DataFormatException count = assertThrows(DataFormatException.class, () ->
                IdxReader.readDataset("x", images, file("l2", idx(0x08, new int[]{2}, new byte[]{0, 1})), 0));
        assertEquals("label count", count.field());
        DataFormatException range = assertThrows(DataFormatException.class, () ->
                IdxReader.readDataset("x", images, file("l3", idx(0x08, new int[]{3}, new byte[]{0, 1, 10})), 10));
        assertTrue(range.getMessage().contains("label 2 = 10"), range.getMessage());
    }
}
