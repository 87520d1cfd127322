package dev.surgeon.core.io;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * NumPy's {@code .npy} format (NEP 1 and numpy.lib.format): the magic {@code \x93NUMPY}, a major and a
 * minor version byte, the header length (2 bytes little-endian for v1.0, 4 bytes for v2.0 and v3.0), a
 * Python dict literal {@code {'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }} (Latin-1, UTF-8
 * for v3.0) padded with spaces and a final newline, then the raw data. See docs/FORMATS.md.
 *
 * <p>Read: descriptors {@code <f8 <f4 <f2 <i8 <i4 <i2 |i1 |u1 |b1} (a 1-byte type in any byte-order
 * spelling). Big-endian multi-byte types and object arrays ({@code |O}, pickled Python objects) are refused,
 * as are structured dtypes. {@code fortran_order: True} arrays are transposed into row-major order on read,
 * so a tensor is always C-ordered. Everything is checked against the file size before anything is
 * allocated; violations raise {@link NpyFormatException} naming the file, field and value. Data is mapped,
 * so files over 2 GB work as long as the array fits Java arrays.
 *
 * <p>Write: v1.0 (v2.0 when the header would exceed 65535 bytes), C order, header padded so the data starts
 * at a multiple of 64. F16/BF16 tensors are written widened to {@code <f4} (NumPy has no bfloat16).
 */
public final class Npy {
    /** Largest header accepted (NumPy itself refuses headers over 10000 bytes by default). */
    public static final int MAX_HEADER_BYTES = 1 << 20;
    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    private static final int ALIGNMENT = 64;

    private Npy() {
    }

    /** Reads an .npy file; the tensor is named after the file without its {@code .npy} suffix. */
    public static Tensor read(Path file) throws IOException {
        String name = file.toString();
        TensorCodec.Problem problem = (field, value, what) -> error(name, field, value, what);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long fileSize = ch.size();
            if (fileSize < 10) {
                throw error(name, "file length", Long.toString(fileSize), "shorter than the 10-byte .npy preamble");
            }
            ByteBuffer preamble = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN);
            preamble.limit((int) Math.min(12, fileSize));
            TensorCodec.readFully(ch, preamble, 0, problem);
            for (int i = 0; i < MAGIC.length; i++) {
                if (preamble.get(i) != MAGIC[i]) {
                    throw error(name, "magic", hex(preamble, 6), "not an .npy file (expected 93 4e 55 4d 50 59 = \\x93NUMPY)");
                }
            }
            int major = preamble.get(6) & 0xFF;
            int minor = preamble.get(7) & 0xFF;
            if (major < 1 || major > 3 || minor != 0) {
                throw error(name, "version", major + "." + minor, "supported versions are 1.0, 2.0 and 3.0");
            }
            int prefix = major == 1 ? 10 : 12;
            if (fileSize < prefix) {
                throw error(name, "file length", Long.toString(fileSize), "shorter than the " + prefix + "-byte v" + major + " preamble");
            }
            long headerLength = major == 1 ? preamble.getShort(8) & 0xFFFFL : preamble.getInt(8) & 0xFFFFFFFFL;
            if (headerLength > fileSize - prefix) {
                throw error(name, "header length", Long.toString(headerLength),
                        "beyond the end of the file (" + (fileSize - prefix) + " bytes after the preamble); truncated?");
            }
            if (headerLength > MAX_HEADER_BYTES) {
                throw error(name, "header length", Long.toString(headerLength), "larger than the " + MAX_HEADER_BYTES + "-byte cap");
            }
            ByteBuffer headerBytes = ByteBuffer.allocate((int) headerLength);
            TensorCodec.readFully(ch, headerBytes, prefix, problem);
            String header = decodeHeader(name, headerBytes.flip(), major);
            Map<String, Object> dict = new HeaderParser(name, header).dict();
            DType dtype = dtype(name, dict.get("descr"));
            if (!(dict.get("fortran_order") instanceof Boolean fortran)) {
                throw error(name, "fortran_order", String.valueOf(dict.get("fortran_order")), "must be True or False");
            }
            if (!(dict.get("shape") instanceof long[] shape)) {
                throw error(name, "shape", String.valueOf(dict.get("shape")), "must be a tuple of non-negative integers");
            }
            long count = Tensor.elementCount(shape);
            long dataStart = prefix + headerLength;
            long dataLength = fileSize - dataStart;
            if (count == Long.MAX_VALUE || count > Long.MAX_VALUE / dtype.size() || count * dtype.size() != dataLength) {
                throw error(name, "shape", Arrays.toString(shape), "needs " + (count == Long.MAX_VALUE ? "more than 2^63" : count)
                        + " elements of " + dtype.size() + " bytes but the file has " + dataLength + " data bytes");
            }
            String tensorName = file.getFileName().toString().replaceFirst("\\.npy$", "");
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment data = dataLength == 0 ? MemorySegment.ofArray(new byte[0])
                        : ch.map(FileChannel.MapMode.READ_ONLY, dataStart, dataLength, arena);
                // A Fortran-ordered array of shape s is the C-ordered array of reversed(s), transposed.
                long[] stored = fortran ? reversed(shape) : shape;
                Tensor t = TensorCodec.decode(data, 0, tensorName, dtype, stored, Tensor.MAX_ELEMENTS,
                        problem);
                return fortran ? reverseAxes(t, shape) : t;
            }
        }
    }

    private static String decodeHeader(String file, ByteBuffer bytes, int major) throws NpyFormatException {
        if (major < 3) {
            return StandardCharsets.ISO_8859_1.decode(bytes).toString();
        }
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(bytes).toString();
        } catch (CharacterCodingException e) {
            throw error(file, "header", "(bytes)", "a v3.0 header must be UTF-8: " + e.getMessage());
        }
    }

    private static DType dtype(String file, Object descr) throws NpyFormatException {
        if (!(descr instanceof String d)) {
            throw error(file, "descr", String.valueOf(descr),
                    descr instanceof List<?> ? "structured dtypes are not supported; save plain arrays"
                            : "must be a type string such as '<f4'");
        }
        if (d.length() >= 2 && (d.charAt(1) == 'O' || d.charAt(0) == 'O')) {
            throw error(file, "descr", Json.quote(d), "object arrays hold pickled Python objects and are refused; "
                    + "save a numeric array");
        }
        if (d.length() == 3) {
            String code = d.substring(1);
            char order = d.charAt(0);
            for (DType t : DType.values()) {
                if (t.npyDescr() != null && t.npyDescr().substring(1).equals(code)) {
                    boolean littleOrAny = order == '<' || (t.size() == 1 && (order == '|' || order == '>' || order == '='));
                    if (littleOrAny) {
                        return t;
                    }
                    if (order == '>') {
                        throw error(file, "descr", Json.quote(d), "big-endian data is not read; convert it first with "
                                + "a.astype('<" + code + "')");
                    }
                    throw error(file, "descr", Json.quote(d), "byte order '" + order + "' is ambiguous or invalid; "
                            + "expected '<" + code + "'");
                }
            }
        }
        throw error(file, "descr", Json.quote(d), "unsupported dtype; readable: <f8 <f4 <f2 <i8 <i4 <i2 |i1 |u1 |b1");
    }

    private static long[] reversed(long[] shape) {
        long[] r = new long[shape.length];
        for (int i = 0; i < shape.length; i++) {
            r[i] = shape[shape.length - 1 - i];
        }
        return r;
    }

    /**
     * Transposes {@code t} (C-ordered with shape reversed(shape)) into a C-ordered tensor of {@code shape}:
     * element (i0, …, ik) of the result is element (ik, …, i0) of {@code t}.
     */
    private static Tensor reverseAxes(Tensor t, long[] shape) {
        int n = t.size();
        int rank = shape.length;
        int[] src = new int[n];
        // Walk the result in C order with an odometer; the source offset has stride prod(shape[0..j)) on axis j.
        long[] stride = new long[rank];
        long s = 1;
        for (int j = 0; j < rank; j++) {
            stride[j] = s;
            s *= shape[j];
        }
        int[] index = new int[rank];
        long offset = 0;
        for (int i = 0; i < n; i++) {
            src[i] = (int) offset;
            for (int j = rank - 1; j >= 0; j--) {
                index[j]++;
                offset += stride[j];
                if (index[j] < shape[j]) {
                    break;
                }
                offset -= stride[j] * index[j];
                index[j] = 0;
            }
        }
        float[] f = t.floatStorage();
        double[] d = t.doubleStorage();
        byte[] b = t.byteStorage();
        if (f != null) {
            float[] out = new float[n];
            for (int i = 0; i < n; i++) {
                out[i] = f[src[i]];
            }
            return Tensor.decoded(t.name(), t.dtype(), shape, out, null, null);
        }
        if (d != null) {
            double[] out = new double[n];
            for (int i = 0; i < n; i++) {
                out[i] = d[src[i]];
            }
            return Tensor.decoded(t.name(), t.dtype(), shape, null, out, null);
        }
        int w = t.dtype().size();
        byte[] out = new byte[b.length];
        for (int i = 0; i < n; i++) {
            System.arraycopy(b, src[i] * w, out, i * w, w);
        }
        return Tensor.decoded(t.name(), t.dtype(), shape, null, null, out);
    }

    /** Writes {@code t} to {@code file} (C order), replacing it. */
    public static void write(Path file, Tensor t) throws IOException {
        byte[] header = header(t);
        TensorCodec.writeAtomically(file, out -> {
            TensorCodec.writeFully(ByteBuffer.wrap(header), out);
            TensorCodec.encode(t, out);
        });
    }

    /** Preamble and header of {@code t}, padded with spaces and a newline to a multiple of 64 bytes. */
    static byte[] header(Tensor t) {
        long[] shape = t.shape();
        StringBuilder tuple = new StringBuilder("(");
        for (int i = 0; i < shape.length; i++) {
            tuple.append(i > 0 ? ", " : "").append(shape[i]);
        }
        tuple.append(shape.length == 1 ? ",)" : ")");
        String dict = "{'descr': '" + TensorCodec.writtenType(t).npyDescr() + "', 'fortran_order': False, 'shape': "
                + tuple + ", }";
        int prefix = 10;
        int total = (prefix + dict.length() + 1 + ALIGNMENT - 1) / ALIGNMENT * ALIGNMENT;
        if (total - prefix > 0xFFFF) {
            prefix = 12; // v2.0: the header length no longer fits 2 bytes
            total = (prefix + dict.length() + 1 + ALIGNMENT - 1) / ALIGNMENT * ALIGNMENT;
        }
        int headerLength = total - prefix;
        ByteBuffer b = ByteBuffer.allocate(total).order(ByteOrder.LITTLE_ENDIAN);
        b.put(MAGIC).put((byte) (prefix == 10 ? 1 : 2)).put((byte) 0);
        if (prefix == 10) {
            b.putShort((short) headerLength);
        } else {
            b.putInt(headerLength);
        }
        b.put(dict.getBytes(StandardCharsets.ISO_8859_1));
        while (b.position() < total - 1) {
            b.put((byte) ' ');
        }
        b.put((byte) '\n');
        return b.array();
    }

    private static String hex(ByteBuffer b, int n) {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < Math.min(n, b.limit()); i++) {
            s.append(i > 0 ? " " : "").append(String.format("%02x", b.get(i) & 0xFF));
        }
        return s.toString();
    }

    private static NpyFormatException error(String file, String field, String value, String problem) {
        return new NpyFormatException(file, field, value, problem);
    }

    /**
     * The header's Python dict literal: string keys, values that are strings, True/False, or tuples of
     * non-negative integers (returned as {@code long[]}); a list value is kept as a list only so that a
     * structured dtype can be named in the error.
     */
    private static final class HeaderParser {
        private final String file;
        private final String text;
        private int pos;

        HeaderParser(String file, String text) {
            this.file = file;
            this.text = text;
        }

        Map<String, Object> dict() throws NpyFormatException {
            Map<String, Object> map = new LinkedHashMap<>();
            skipSpace();
            expect('{');
            while (true) {
                skipSpace();
                if (peek() == '}') {
                    pos++;
                    break;
                }
                String key = string();
                skipSpace();
                expect(':');
                skipSpace();
                Object value = value();
                if (map.put(key, value) != null) {
                    throw fail("duplicate key '" + key + "'");
                }
                skipSpace();
                if (peek() == ',') {
                    pos++;
                } else if (peek() != '}') {
                    throw fail("expected ',' or '}'");
                }
            }
            skipSpace();
            if (pos != text.length()) {
                throw fail("unexpected text after the dict");
            }
            for (String required : List.of("descr", "fortran_order", "shape")) {
                if (!map.containsKey(required)) {
                    throw error(file, "header key " + required, "(missing)", "an .npy header needs descr, fortran_order and shape");
                }
            }
            if (map.size() != 3) {
                List<Object> extra = new ArrayList<>(map.keySet());
                extra.removeAll(List.of("descr", "fortran_order", "shape"));
                throw error(file, "header keys", extra.toString(), "unknown keys; expected only descr, fortran_order, shape");
            }
            return map;
        }

        private Object value() throws NpyFormatException {
            char c = peek();
            if (c == '\'' || c == '"') {
                return string();
            }
            if (text.startsWith("True", pos)) {
                pos += 4;
                return Boolean.TRUE;
            }
            if (text.startsWith("False", pos)) {
                pos += 5;
                return Boolean.FALSE;
            }
            if (c == '(') {
                return tuple();
            }
            if (c == '[') {
                // Structured dtype: a list of field tuples. Skip to its end only to report it.
                int depth = 0;
                do {
                    char d = peek();
                    if (d == '\uFFFF') {
                        throw fail("unterminated list");
                    }
                    depth += d == '[' ? 1 : d == ']' ? -1 : 0;
                    pos++;
                } while (depth > 0);
                return List.of("structured");
            }
            throw fail("expected a string, True, False or a tuple");
        }

        private long[] tuple() throws NpyFormatException {
            pos++;
            List<Long> dims = new ArrayList<>();
            boolean trailingComma = false;
            while (true) {
                skipSpace();
                if (peek() == ')') {
                    pos++;
                    break;
                }
                int start = pos;
                while (peek() >= '0' && peek() <= '9') {
                    pos++;
                }
                if (pos == start) {
                    throw fail("expected a non-negative integer in the shape");
                }
                if (pos - start > 18) {
                    throw fail("dimension " + text.substring(start, pos) + " is too large");
                }
                dims.add(Long.parseLong(text.substring(start, pos)));
                if (peek() == 'L') {
                    pos++; // Python 2 long suffix written by old NumPy versions
                }
                skipSpace();
                trailingComma = peek() == ',';
                if (trailingComma) {
                    pos++;
                } else if (peek() != ')') {
                    throw fail("expected ',' or ')' in the shape");
                }
            }
            if (dims.size() == 1 && !trailingComma) {
                throw fail("(n) is not a tuple; a 1-dimensional shape is written (n,)");
            }
            long[] shape = new long[dims.size()];
            for (int i = 0; i < shape.length; i++) {
                shape[i] = dims.get(i);
            }
            return shape;
        }

        private String string() throws NpyFormatException {
            char quote = peek();
            if (quote != '\'' && quote != '"') {
                throw fail("expected a quoted string");
            }
            int end = text.indexOf(quote, pos + 1);
            if (end < 0) {
                throw fail("unterminated string");
            }
            String s = text.substring(pos + 1, end);
            if (s.indexOf('\\') >= 0) {
                throw fail("escapes are not expected in an .npy header string");
            }
            pos = end + 1;
            return s;
        }

        private void expect(char c) throws NpyFormatException {
            if (peek() != c) {
                throw fail("expected '" + c + "'");
            }
            pos++;
        }

        private char peek() {
            return pos < text.length() ? text.charAt(pos) : '\uFFFF';
        }

        private void skipSpace() {
            while (pos < text.length() && (text.charAt(pos) == ' ' || text.charAt(pos) == '\n'
                    || text.charAt(pos) == '\t' || text.charAt(pos) == '\r')) {
                pos++;
            }
        }

        private NpyFormatException fail(String problem) {
            int from = Math.max(0, pos - 20);
            int to = Math.min(text.length(), pos + 20);
            return error(file, "header near character " + pos, Json.quote(text.substring(from, to)), problem);
        }
    }
}
