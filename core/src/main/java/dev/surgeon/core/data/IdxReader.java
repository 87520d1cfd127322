package dev.surgeon.core.data;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * Reader of IDX files (LeCun, Cortes and Burges, the MNIST database; also Fashion-MNIST): a magic of four
 * bytes {@code 0, 0, type, ndims}, each dimension as a big-endian int32, then the data in C order,
 * big-endian. Files may be gzip-compressed; compression is recognized by the gzip magic {@code 1f 8b}, never
 * by the file name.
 *
 * <p>Untrusted input: the dimensions are checked (positive count of dimensions, no negative dimension, a
 * product that fits a Java array) and, for a raw file, the byte count is compared with the file size before
 * anything is allocated. A gzip stream's decompressed size is unknown in advance, so its data is read into a
 * buffer that grows only as bytes actually arrive (never beyond what the header claims); a short or
 * over-long stream is refused. Violations raise {@link DataFormatException} naming file, field and value.
 */
public final class IdxReader {
    private static final int FIRST_CHUNK = 1 << 20;

    private IdxReader() {
    }

    /** Reads any IDX file (raw or gzip). */
    public static IdxArray read(Path file) throws IOException {
        String name = file.toString();
        try (InputStream raw = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
            raw.mark(2);
            boolean gzip = raw.read() == 0x1f && raw.read() == 0x8b;
            raw.reset();
            try (InputStream in = gzip ? new GZIPInputStream(raw, 1 << 16) : raw) {
                return read(in, name, gzip ? -1 : Files.size(file));
            } catch (ZipException | EOFException e) {
                throw new DataFormatException(name, "gzip stream", "(compressed data)", "corrupt or truncated: " + e.getMessage());
            }
        }
    }

    /**
     * @param size the raw file size, or -1 when the stream is decompressed (size unknown)
     */
    private static IdxArray read(InputStream in, String file, long size) throws IOException {
        byte[] magic = new byte[4];
        int got = in.readNBytes(magic, 0, 4);
        if (got < 4) {
            throw new DataFormatException(file, "file length", Integer.toString(got), "shorter than the 4-byte IDX magic");
        }
        String magicHex = String.format("0x%02x%02x%02x%02x", magic[0], magic[1], magic[2], magic[3]);
        if (magic[0] != 0 || magic[1] != 0) {
            throw new DataFormatException(file, "magic", magicHex, "an IDX file starts with two zero bytes (e.g. 0x00000803 for images)");
        }
        IdxArray.Type type = IdxArray.Type.ofCode(magic[2] & 0xFF);
        if (type == null) {
            throw new DataFormatException(file, "type code", String.format("0x%02x", magic[2] & 0xFF),
                    "unknown IDX element type; expected 0x08 u8, 0x09 i8, 0x0B i16, 0x0C i32, 0x0D f32 or 0x0E f64");
        }
        int ndims = magic[3] & 0xFF;
        if (ndims == 0) {
            throw new DataFormatException(file, "number of dimensions", "0", "an IDX array needs at least one dimension");
        }
        if (size >= 0 && size < 4 + 4L * ndims) {
            throw new DataFormatException(file, "file length", Long.toString(size),
                    "too short for the " + ndims + " dimensions the magic " + magicHex + " announces");
        }
        byte[] dimBytes = new byte[4 * ndims];
        if (in.readNBytes(dimBytes, 0, dimBytes.length) < dimBytes.length) {
            throw new DataFormatException(file, "dimensions", "(truncated)",
                    "the file ends inside the " + ndims + " dimensions the magic " + magicHex + " announces");
        }
        int[] dims = new int[ndims];
        long count = 1;
        for (int i = 0; i < ndims; i++) {
            dims[i] = (dimBytes[4 * i] & 0xFF) << 24 | (dimBytes[4 * i + 1] & 0xFF) << 16
                    | (dimBytes[4 * i + 2] & 0xFF) << 8 | (dimBytes[4 * i + 3] & 0xFF);
            if (dims[i] < 0) {
                throw new DataFormatException(file, "dimension " + i, Integer.toUnsignedString(dims[i]),
                        "larger than 2^31 − 1; not a valid IDX dimension");
            }
            // Saturating product: anything beyond the array limit is refused below anyway.
            count = dims[i] == 0 ? 0 : count > Integer.MAX_VALUE / dims[i] ? Integer.MAX_VALUE : count * dims[i];
        }
        long dataBytes = count * type.size();
        if (dataBytes > Integer.MAX_VALUE - 8) {
            throw new DataFormatException(file, "dimensions", Arrays.toString(dims),
                    count + " elements of " + type + " exceed what one Java array holds");
        }
        long header = 4 + 4L * ndims;
        if (size >= 0 && size - header != dataBytes) {
            throw new DataFormatException(file, "data length", Long.toString(size - header),
                    "dimensions " + Arrays.toString(dims) + " of " + type + " need " + dataBytes + " bytes"
                            + (size - header < dataBytes ? "; the file is truncated" : "; the file has trailing bytes"));
        }
        byte[] data = readExactly(in, (int) dataBytes, file, dims, type);
        return new IdxArray(type, dims, data);
    }

    private static byte[] readExactly(InputStream in, int expected, String file, int[] dims, IdxArray.Type type)
            throws IOException {
        byte[] buf = new byte[Math.min(expected, FIRST_CHUNK)];
        int n = 0;
        while (n < expected) {
            if (n == buf.length) {
                buf = Arrays.copyOf(buf, (int) Math.min(expected, 2L * buf.length));
            }
            int r = in.read(buf, n, buf.length - n);
            if (r < 0) {
                throw new DataFormatException(file, "data length", Integer.toString(n),
                        "dimensions " + Arrays.toString(dims) + " of " + type + " need " + expected + " bytes; the data is truncated");
            }
            n += r;
        }
        if (in.read() >= 0) {
            throw new DataFormatException(file, "data length", "more than " + expected,
                    "dimensions " + Arrays.toString(dims) + " of " + type + " need exactly " + expected + " bytes; trailing data");
        }
        return buf;
    }

    /**
     * A classification dataset from an image file and a label file (MNIST layout). U8 images become
     * {@code pixel / 255} in [0, 1]; other element types keep their values. Input shape: {@code [1, h, w]}
     * for a rank-3 file (one channel, as convolutions expect), the trailing dimensions otherwise.
     *
     * @param numClasses number of classes, or 0 to use the largest label + 1
     */
    public static Dataset readDataset(String name, Path images, Path labels, int numClasses) throws IOException {
        IdxArray img = read(images);
        IdxArray lab = read(labels);
        int[] d = img.dims();
        if (lab.dims().length != 1 || !lab.type().isInteger()) {
            throw new DataFormatException(labels.toString(), "labels", lab.toString(), "a label file is a 1-dimensional integer array");
        }
        if (lab.dims()[0] != d[0]) {
            throw new DataFormatException(labels.toString(), "label count", Integer.toString(lab.dims()[0]),
                    images + " has " + d[0] + " images");
        }
        int[] y = lab.toInts();
        int max = -1;
        for (int i = 0; i < y.length; i++) {
            if (y[i] < 0 || numClasses > 0 && y[i] >= numClasses) {
                throw new DataFormatException(labels.toString(), "label " + i, Integer.toString(y[i]),
                        numClasses > 0 ? "outside [0, " + numClasses + ")" : "labels must be non-negative");
            }
            max = Math.max(max, y[i]);
        }
        for (int i = 1; i < d.length; i++) {
            if (d[i] == 0) {
                throw new DataFormatException(images.toString(), "dimension " + i, "0", "an image dimension must be positive");
            }
        }
        int[] shape = d.length == 3 ? new int[]{1, d[1], d[2]}
                : d.length == 1 ? new int[]{1} : Arrays.copyOfRange(d, 1, d.length);
        float[] x = img.type() == IdxArray.Type.U8 ? img.toUnitFloats() : img.toFloats();
        return Dataset.classification(name, shape, x, y, numClasses > 0 ? numClasses : Math.max(2, max + 1));
    }
}
