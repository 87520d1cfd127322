package dev.surgeon.core.io;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;

/** Byte-level builders for hand-made test files (independent of the writers under test). */
final class TestBytes {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    /** Appends {@code value} as {@code width} little-endian bytes. */
    TestBytes le(long value, int width) {
        for (int k = 0; k < width; k++) {
            out.write((int) (value >>> (8 * k)));
        }
        return this;
    }

    TestBytes raw(byte... bytes) {
        out.writeBytes(bytes);
        return this;
    }

    TestBytes utf8(String s) {
        return raw(s.getBytes(StandardCharsets.UTF_8));
    }

    TestBytes zeros(int n) {
        return raw(new byte[n]);
    }

    byte[] bytes() {
        return out.toByteArray();
    }

    /** A safetensors file: header length, the header exactly as given (no padding), then the data. */
    static byte[] safetensors(String header, byte[] data) {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        return new TestBytes().le(h.length, 8).raw(h).raw(data).bytes();
    }

    static byte[] hex(String hex) {
        return HexFormat.of().parseHex(hex);
    }
}
