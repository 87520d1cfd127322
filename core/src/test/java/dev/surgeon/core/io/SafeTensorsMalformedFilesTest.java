package dev.surgeon.core.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every malformed file gives a {@link SafeTensorsFormatException} from {@link SafeTensors#open} that names
 * the field and the offending value; none allocates by what the file claims (the claimed sizes here go up to
 * 2^63 bytes, so an allocation would fail with OutOfMemoryError instead of the expected exception).
 */
class SafeTensorsMalformedFilesTest {
    @TempDir
    Path dir;

    private static final String OK_ENTRY = "{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}";

    private static Arguments bad(String description, byte[] file, String field, String valueOrMessageFragment) {
        return Arguments.of(description, file, field, valueOrMessageFragment);
    }

    private static Arguments badHeader(String description, String header, int dataBytes, String field, String fragment) {
        return bad(description, TestBytes.safetensors(header, new byte[dataBytes]), field, fragment);
    }

    static Stream<Arguments> malformedFiles() {
        StringBuilder deep = new StringBuilder("{\"__metadata__\":");
        deep.append("[".repeat(100_000)).append("]".repeat(100_000)).append('}');
        return Stream.of(
                bad("empty file", new byte[0], "file length", "0"),
                bad("truncated inside the length field", new byte[]{5, 0, 0}, "file length", "3"),
                bad("header length beyond the file", new TestBytes().le(1000, 8).utf8("{}").bytes(), "header length", "1000"),
                bad("header length 2^64 − 1", new TestBytes().le(-1, 8).utf8("{}").bytes(), "header length", "18446744073709551615"),
                bad("header truncated mid-JSON", new TestBytes().le(20, 8).utf8("{\"a\":{\"dty").bytes(), "header length", "20"),
                badHeader("empty header", "", 0, "header start", "(empty)"),
                badHeader("header not starting with {", "[1,2]", 0, "header start", "'['"),
                badHeader("header starting with a space", " {}", 0, "header start", "' '"),
                badHeader("invalid JSON", "{\"a\":}", 0, "header JSON", "expected a value"),
                badHeader("garbage after the object", "{}x", 0, "header JSON", "after the JSON value"),
                bad("invalid UTF-8", new TestBytes().le(7, 8).utf8("{\"").raw((byte) 0xC3, (byte) 0x28).utf8("\":1}").bytes(),
                        "header", "not valid UTF-8"),
                badHeader("duplicate tensor names", "{\"a\":" + OK_ENTRY + ",\"a\":" + OK_ENTRY + "}", 8, "header JSON", "duplicate key \"a\""),
                badHeader("duplicate field inside an entry",
                        "{\"a\":{\"dtype\":\"F32\",\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", 8, "header JSON", "duplicate key \"dtype\""),
                badHeader("nesting 100000 deep", deep.toString(), 0, "header JSON", "nesting deeper than"),
                badHeader("unknown dtype", "{\"a\":{\"dtype\":\"F8_E4M3\",\"shape\":[2],\"data_offsets\":[0,2]}}", 2, "tensor \"a\" dtype", "F8_E4M3"),
                badHeader("dtype not a string", "{\"a\":{\"dtype\":4,\"shape\":[2],\"data_offsets\":[0,8]}}", 8, "tensor \"a\" dtype", "4"),
                badHeader("entry not an object", "{\"a\":[1]}", 0, "tensor \"a\"", "[1]"),
                badHeader("missing shape", "{\"a\":{\"dtype\":\"F32\",\"data_offsets\":[0,8]}}", 8, "tensor \"a\" shape", "(missing)"),
                badHeader("unknown field", "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8],\"strides\":[1]}}", 8,
                        "tensor \"a\" field", "\"strides\""),
                badHeader("negative dimension", "{\"a\":{\"dtype\":\"F32\",\"shape\":[-2],\"data_offsets\":[0,8]}}", 8, "tensor \"a\" shape", "-2"),
                badHeader("fractional dimension", "{\"a\":{\"dtype\":\"F32\",\"shape\":[1.5],\"data_offsets\":[0,8]}}", 8, "tensor \"a\" shape", "1.5"),
                badHeader("offset beyond 64 bits", "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,99999999999999999999]}}", 8,
                        "tensor \"a\" data_offsets", "99999999999999999999"),
                badHeader("three offsets", "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,4,8]}}", 8, "tensor \"a\" data_offsets", "[0, 4, 8]"),
                badHeader("end before begin", "{\"a\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[8,0]}}", 8, "tensor \"a\" data_offsets", "end before begin"),
                badHeader("wrong dtype size", "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,4]}}", 4, "tensor \"a\" data_offsets", "needs 2 × 4 = 8"),
                badHeader("F16 sized as F32", "{\"a\":{\"dtype\":\"F16\",\"shape\":[2],\"data_offsets\":[0,8]}}", 8, "tensor \"a\" data_offsets", "needs 2 × 2 = 4"),
                badHeader("10 GB shape with small offsets", "{\"a\":{\"dtype\":\"F32\",\"shape\":[50000,50000],\"data_offsets\":[0,8]}}", 8,
                        "tensor \"a\" data_offsets", "10000000000 bytes"),
                badHeader("10 GB shape with matching offsets in a small file",
                        "{\"a\":{\"dtype\":\"F32\",\"shape\":[50000,50000],\"data_offsets\":[0,10000000000]}}", 8,
                        "tensor \"a\" data_offsets", "ends beyond the data section of 8 bytes"),
                badHeader("shape whose byte size overflows", "{\"a\":{\"dtype\":\"F32\",\"shape\":[4294967296,4294967296],\"data_offsets\":[0,8]}}", 8,
                        "tensor \"a\" shape", "overflows"),
                badHeader("overlapping offsets", "{\"a\":" + OK_ENTRY + ",\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}", 12,
                        "tensor \"b\" data_offsets", "overlaps tensor \"a\""),
                badHeader("hole between tensors", "{\"a\":" + OK_ENTRY + ",\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[12,20]}}", 20,
                        "tensor \"b\" data_offsets", "hole"),
                badHeader("hole at the start", "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}", 12, "tensor \"a\" data_offsets", "[0, 4)"),
                badHeader("bytes after the last tensor", "{\"a\":" + OK_ENTRY + "}", 12, "data section length", "12"),
                badHeader("truncated data section", "{\"a\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]}}", 8,
                        "tensor \"a\" data_offsets", "ends beyond"),
                badHeader("metadata value not a string", "{\"__metadata__\":{\"epochs\":10}}", 0, "__metadata__.epochs", "strings"),
                badHeader("metadata not an object", "{\"__metadata__\":\"x\"}", 0, "__metadata__", "object of strings"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformedFiles")
    void malformedFileIsRefusedWithATypedExceptionNamingFieldAndValue(String description, byte[] content, String field,
                                                                      String fragment) throws Exception {
        Path p = dir.resolve("bad.safetensors");
        Files.write(p, content);
        SafeTensorsFormatException e = assertThrows(SafeTensorsFormatException.class, () -> SafeTensors.open(p).close());
        assertEquals(p.toString(), e.file());
        assertTrue(e.field().startsWith(field), description + ": field was " + e.field() + " in: " + e.getMessage());
        assertTrue(e.getMessage().contains(fragment), description + ": " + e.getMessage());
    }

    @ParameterizedTest(name = "header of {0} bytes over a {1}-byte cap")
    @CsvSource({"40, 39", "1000, 64"})
    void headerAboveTheCapIsRefusedBeforeItIsRead(int headerBytes, int cap) throws Exception {
        String header = "{" + " ".repeat(headerBytes - 2) + "}";
        Path p = dir.resolve("capped.safetensors");
        Files.write(p, TestBytes.safetensors(header, new byte[0]));
        SafeTensorsFormatException e = assertThrows(SafeTensorsFormatException.class,
                () -> SafeTensors.open(p, cap, Tensor.MAX_ELEMENTS).close());
        assertEquals("header length", e.field());
        assertTrue(e.getMessage().contains(cap + "-byte cap"), e.getMessage());
        SafeTensors.open(p, headerBytes, Tensor.MAX_ELEMENTS).close(); // exactly at the cap: accepted
    }
}
