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
import java.util.Collections;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The safetensors format (Hugging Face): an 8-byte little-endian header length N, N bytes of UTF-8 JSON
 * mapping tensor names to {@code {"dtype", "shape", "data_offsets"}} plus an optional string→string
 * {@code "__metadata__"} map, then the raw little-endian row-major data. See docs/FORMATS.md.
 *
 * <p>Reading: {@link #open} validates the whole header against the file size before anything sized by the
 * file is allocated: header length within the file and under {@link #MAX_HEADER_BYTES}, a header that
 * starts with an opening brace, strict JSON without duplicate keys, known dtypes, non-negative dimensions,
 * {@code end − begin = product(shape) × size(dtype)}, and tensors that cover the data section exactly (no
 * hole, no overlap, nothing missing or left over). Any violation raises {@link SafeTensorsFormatException}
 * naming the file, the field and the value. The data section is then mapped (a {@link MemorySegment},
 * long-indexed), so files over 2 GB work; each tensor is copied out on {@link #read}. Readers accept any
 * alignment of the data section.
 *
 * <p>Writing: {@link #write} lays the tensors out in the given order, puts {@code __metadata__} first, pads
 * the header with spaces so the data starts at a multiple of 8, and writes through a temporary file that
 * is moved into place. F32, F64 and the integer and BOOL dtypes are written as they are; F16/BF16 tensors
 * (read from a file) are written widened to F32, which is exact.
 */
public final class SafeTensors implements AutoCloseable {
    /** Largest header accepted (100 MiB): far beyond any real model, small enough to refuse hostile files. */
    public static final long MAX_HEADER_BYTES = 100L << 20;
    /** The reserved header key of the string→string metadata map. */
    public static final String METADATA_KEY = "__metadata__";
    /** root object → tensor entry → shape/offset arrays is depth 3; allow a little more for precise errors. */
    private static final int MAX_JSON_DEPTH = 8;
    private static final Set<String> ENTRY_FIELDS = Set.of("dtype", "shape", "data_offsets");

    private record Entry(String name, DType dtype, long[] shape, long begin, long end) {
    }

    private final String file;
    private final Map<String, Entry> entries;
    private final Map<String, String> metadata;
    private final Arena arena;
    private final MemorySegment data;
    private final long maxElements;

    private SafeTensors(String file, Map<String, Entry> entries, Map<String, String> metadata, Arena arena,
                        MemorySegment data, long maxElements) {
        this.file = file;
        this.entries = entries;
        this.metadata = metadata;
        this.arena = arena;
        this.data = data;
        this.maxElements = maxElements;
    }

    /** Opens and validates a safetensors file; close it to unmap the data. */
    public static SafeTensors open(Path file) throws IOException {
        return open(file, MAX_HEADER_BYTES, Tensor.MAX_ELEMENTS);
    }

    /**
     * Opens with explicit limits (tests lower them to exercise the refusals on small files).
     *
     * @param maxHeaderBytes largest header length accepted
     * @param maxElements    largest tensor {@link #read} will copy into an array
     */
    static SafeTensors open(Path file, long maxHeaderBytes, long maxElements) throws IOException {
        String name = file.toString();
        TensorCodec.Problem problem = (field, value, what) -> error(name, field, value, what);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long fileSize = ch.size();
            if (fileSize < 8) {
                throw error(name, "file length", Long.toString(fileSize),
                        "shorter than the 8-byte header length field; the file is truncated or not safetensors");
            }
            ByteBuffer lengthField = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            TensorCodec.readFully(ch, lengthField, 0, problem);
            long headerLength = lengthField.getLong(0);
            if (Long.compareUnsigned(headerLength, fileSize - 8) > 0) {
                throw error(name, "header length", Long.toUnsignedString(headerLength),
                        "beyond the end of the file (" + (fileSize - 8) + " bytes after the length field); "
                                + "the file is truncated or not safetensors");
            }
            if (headerLength > maxHeaderBytes) {
                throw error(name, "header length", Long.toString(headerLength),
                        "larger than the " + maxHeaderBytes + "-byte cap on safetensors headers");
            }
            ByteBuffer headerBytes = ByteBuffer.allocate((int) headerLength);
            TensorCodec.readFully(ch, headerBytes, 8, problem);
            if (headerLength == 0 || headerBytes.get(0) != '{') {
                throw error(name, "header start", headerLength == 0 ? "(empty)" : describeByte(headerBytes.get(0)),
                        "the JSON header must begin with '{'");
            }
            Object root = parseJson(name, headerBytes);
            Map<String, String> metadata = new LinkedHashMap<>();
            Map<String, Entry> entries = parseEntries(name, root, metadata);
            long dataStart = 8 + headerLength;
            long dataLength = fileSize - dataStart;
            checkCoverage(name, entries, dataLength);
            Arena arena = Arena.ofShared();
            try {
                MemorySegment data = dataLength == 0 ? MemorySegment.ofArray(new byte[0])
                        : ch.map(FileChannel.MapMode.READ_ONLY, dataStart, dataLength, arena);
                return new SafeTensors(name, Collections.unmodifiableMap(entries), Collections.unmodifiableMap(metadata),
                        arena, data, maxElements);
            } catch (IOException | RuntimeException e) {
                arena.close();
                throw e;
            }
        }
    }

    private static Object parseJson(String file, ByteBuffer headerBytes) throws SafeTensorsFormatException {
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(headerBytes.rewind()).toString();
        } catch (CharacterCodingException e) {
            throw error(file, "header", "(bytes)", "not valid UTF-8: " + e.getMessage());
        }
        // Writers pad with spaces; strict JSON allows them as trailing whitespace.
        try {
            return Json.parse(text, MAX_JSON_DEPTH);
        } catch (Json.SyntaxException e) {
            int from = Math.max(0, e.offset() - 20);
            int to = Math.min(text.length(), e.offset() + 20);
            throw error(file, "header JSON near", Json.quote(text.substring(from, to)), e.getMessage());
        }
    }

    private static Map<String, Entry> parseEntries(String file, Object root, Map<String, String> metadata)
            throws SafeTensorsFormatException {
        if (!(root instanceof Map<?, ?> map)) {
            throw error(file, "header", "(not an object)", "the header must be a JSON object");
        }
        Map<String, Entry> entries = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : map.entrySet()) {
            String key = (String) e.getKey();
            Object value = e.getValue();
            if (key.equals(METADATA_KEY)) {
                if (!(value instanceof Map<?, ?> meta)) {
                    throw error(file, METADATA_KEY, String.valueOf(value), "must be an object of strings");
                }
                for (Map.Entry<?, ?> m : meta.entrySet()) {
                    if (!(m.getValue() instanceof String s)) {
                        throw error(file, METADATA_KEY + "." + m.getKey(), String.valueOf(m.getValue()),
                                "metadata values must be strings");
                    }
                    metadata.put((String) m.getKey(), s);
                }
                continue;
            }
            entries.put(key, parseEntry(file, key, value));
        }
        return entries;
    }

    private static Entry parseEntry(String file, String name, Object value) throws SafeTensorsFormatException {
        String where = "tensor " + Json.quote(name);
        if (!(value instanceof Map<?, ?> fields)) {
            throw error(file, where, String.valueOf(value), "a tensor entry must be an object with dtype, shape, data_offsets");
        }
        for (Object k : fields.keySet()) {
            if (!ENTRY_FIELDS.contains(k)) {
                throw error(file, where + " field", Json.quote((String) k), "unknown field; expected dtype, shape, data_offsets");
            }
        }
        for (String required : ENTRY_FIELDS) {
            if (!fields.containsKey(required)) {
                throw error(file, where + " " + required, "(missing)", "every tensor needs dtype, shape and data_offsets");
            }
        }
        Object dt = fields.get("dtype");
        DType dtype = dt instanceof String s ? DType.ofSafeTensorsName(s) : null;
        if (dtype == null) {
            throw error(file, where + " dtype", String.valueOf(dt), "unknown dtype; readable: " + Arrays.toString(DType.values()));
        }
        long[] shape = longArray(file, where + " shape", fields.get("shape"), -1);
        long[] offsets = longArray(file, where + " data_offsets", fields.get("data_offsets"), 2);
        long begin = offsets[0];
        long end = offsets[1];
        if (end < begin) {
            throw error(file, where + " data_offsets", Arrays.toString(offsets), "end before begin");
        }
        long count = Tensor.elementCount(shape);
        long expected = count > Long.MAX_VALUE / dtype.size() ? Long.MAX_VALUE : count * dtype.size();
        if (count == Long.MAX_VALUE || expected == Long.MAX_VALUE) {
            throw error(file, where + " shape", Arrays.toString(shape), "the byte size overflows 64 bits");
        }
        if (end - begin != expected) {
            throw error(file, where + " data_offsets", Arrays.toString(offsets), "end − begin = " + (end - begin)
                    + " but shape " + Arrays.toString(shape) + " of " + dtype + " needs " + count + " × " + dtype.size()
                    + " = " + expected + " bytes");
        }
        return new Entry(name, dtype, shape, begin, end);
    }

    /** A JSON array of non-negative integers (of the given length, unless -1). */
    private static long[] longArray(String file, String field, Object value, int length) throws SafeTensorsFormatException {
        if (!(value instanceof List<?> list) || length >= 0 && list.size() != length) {
            throw error(file, field, String.valueOf(value),
                    length >= 0 ? "expected an array of " + length + " non-negative integers"
                            : "expected an array of non-negative integers");
        }
        long[] out = new long[list.size()];
        for (int i = 0; i < out.length; i++) {
            if (!(list.get(i) instanceof Long v) || v < 0) {
                throw error(file, field, String.valueOf(value),
                        "element " + i + " (" + list.get(i) + ") is not a non-negative 64-bit integer");
            }
            out[i] = v;
        }
        return out;
    }

    private static void checkCoverage(String file, Map<String, Entry> entries, long dataLength)
            throws SafeTensorsFormatException {
        List<Entry> byOffset = new ArrayList<>(entries.values());
        byOffset.sort(Comparator.comparingLong(Entry::begin).thenComparingLong(Entry::end));
        long covered = 0;
        String previous = null;
        for (Entry e : byOffset) {
            String where = "tensor " + Json.quote(e.name()) + " data_offsets";
            String offsets = "[" + e.begin() + ", " + e.end() + "]";
            if (e.begin() > covered) {
                throw error(file, where, offsets, "leaves a hole: bytes [" + covered + ", " + e.begin() + ") belong to no tensor");
            }
            if (e.begin() < covered) {
                throw error(file, where, offsets, "overlaps tensor " + Json.quote(previous) + " which ends at " + covered);
            }
            if (e.end() > dataLength) {
                throw error(file, where, offsets, "ends beyond the data section of " + dataLength
                        + " bytes; the file is truncated or the shape is false");
            }
            covered = e.end();
            previous = e.name();
        }
        if (covered != dataLength) {
            throw error(file, "data section length", Long.toString(dataLength),
                    "the tensors cover only " + covered + " bytes; " + (dataLength - covered) + " bytes belong to no tensor");
        }
    }

    /** The {@code __metadata__} map (empty when the file has none). */
    public Map<String, String> metadata() {
        return metadata;
    }

    /** Tensor names in header order. */
    public List<String> names() {
        return List.copyOf(entries.keySet());
    }

    public boolean contains(String name) {
        return entries.containsKey(name);
    }

    /** The stored dtype of a tensor (without reading it). */
    public DType dtype(String name) {
        return entry(name).dtype();
    }

    /** The shape of a tensor (without reading it). */
    public long[] shape(String name) {
        return entry(name).shape().clone();
    }

    /** Copies one tensor out of the file. */
    public Tensor read(String name) throws IOException {
        Entry e = entry(name);
        return TensorCodec.decode(data, e.begin(), name, e.dtype(), e.shape(), maxElements,
                (field, value, problem) -> error(file, field, value, problem));
    }

    /** All tensors in header order. */
    public List<Tensor> readAll() throws IOException {
        List<Tensor> out = new ArrayList<>(entries.size());
        for (String n : entries.keySet()) {
            out.add(read(n));
        }
        return out;
    }

    private Entry entry(String name) {
        Entry e = entries.get(name);
        if (e == null) {
            throw new IllegalArgumentException(file + " has no tensor " + Json.quote(name) + "; it has " + entries.keySet());
        }
        return e;
    }

    /** Unmaps the data; tensors already read stay valid. */
    @Override
    public void close() {
        arena.close();
    }

    /**
     * Writes the tensors (in this order) and the metadata to {@code file}, replacing it.
     *
     * @throws IllegalArgumentException on duplicate tensor names or a tensor named {@code __metadata__}
     */
    public static void write(Path file, List<Tensor> tensors, Map<String, String> metadata) throws IOException {
        byte[] header = header(tensors, metadata);
        TensorCodec.writeAtomically(file, out -> {
            ByteBuffer length = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(0, header.length);
            TensorCodec.writeFully(length, out);
            TensorCodec.writeFully(ByteBuffer.wrap(header), out);
            for (Tensor t : tensors) {
                TensorCodec.encode(t, out);
            }
        });
    }

    /** The header bytes, padded with spaces so that 8 + length is a multiple of 8. */
    static byte[] header(List<Tensor> tensors, Map<String, String> metadata) {
        StringBuilder json = new StringBuilder("{");
        if (!metadata.isEmpty()) {
            json.append(Json.quote(METADATA_KEY)).append(":{");
            String sep = "";
            for (Map.Entry<String, String> m : metadata.entrySet()) {
                json.append(sep).append(Json.quote(m.getKey())).append(':').append(Json.quote(m.getValue()));
                sep = ",";
            }
            json.append('}');
        }
        Set<String> seen = new HashSet<>();
        long offset = 0;
        for (Tensor t : tensors) {
            if (t.name().equals(METADATA_KEY) || !seen.add(t.name())) {
                throw new IllegalArgumentException("tensor name " + Json.quote(t.name())
                        + (t.name().equals(METADATA_KEY) ? " is reserved" : " occurs twice"));
            }
            long bytes = TensorCodec.encodedBytes(t);
            json.append(json.length() > 1 ? "," : "").append(Json.quote(t.name()))
                    .append(":{\"dtype\":\"").append(TensorCodec.writtenType(t).name())
                    .append("\",\"shape\":").append(Arrays.toString(t.shape()).replace(" ", ""))
                    .append(",\"data_offsets\":[").append(offset).append(',').append(offset + bytes).append("]}");
            offset += bytes;
        }
        json.append('}');
        byte[] utf8 = json.toString().getBytes(StandardCharsets.UTF_8);
        int padded = (int) ((8L + utf8.length + 7) / 8 * 8 - 8);
        byte[] header = Arrays.copyOf(utf8, padded);
        Arrays.fill(header, utf8.length, padded, (byte) ' ');
        return header;
    }

    private static String describeByte(byte b) {
        return b >= 0x20 && b < 0x7F ? "'" + (char) b + "'" : String.format("0x%02x", b & 0xFF);
    }

    private static SafeTensorsFormatException error(String file, String field, String value, String problem) {
        return new SafeTensorsFormatException(file, field, value, problem);
    }

    @Override
    public String toString() {
        return file + " (" + entries.size() + " tensors)";
    }
}
