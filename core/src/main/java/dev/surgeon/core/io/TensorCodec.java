package dev.surgeon.core.io;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;

/**
 * Little-endian, row-major tensor data as shared by safetensors and npy: decoding from a (possibly mapped,
 * possibly larger than 2 GB) {@link MemorySegment} into a {@link Tensor}, and encoding a tensor onto a
 * channel in bounded chunks. F16 uses {@link Float#float16ToFloat}; BF16 is the upper half of a binary32,
 * so its conversion is a 16-bit shift, exact for every value including subnormals, infinities and NaN.
 */
final class TensorCodec {
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfDouble F64 = ValueLayout.JAVA_DOUBLE_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort I16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final int CHUNK_BYTES = 1 << 16;

    /** Builds the format's own typed exception for a problem found while decoding. */
    @FunctionalInterface
    interface Problem {
        FileFormatException at(String field, String value, String problem);
    }

    private TensorCodec() {
    }

    /**
     * Decodes {@code product(shape)} elements of {@code dtype} starting at byte {@code offset} of
     * {@code data}. The caller has already checked that the bytes lie inside {@code data}; this method
     * refuses only what cannot fit in Java arrays ({@code maxElements}) and BOOL bytes other than 0/1.
     */
    static Tensor decode(MemorySegment data, long offset, String name, DType dtype, long[] shape, long maxElements,
                         Problem problem) throws FileFormatException {
        long n = Tensor.elementCount(shape);
        long maxForType = dtype.isFloating() ? maxElements : Math.min(maxElements, Tensor.MAX_ELEMENTS / dtype.size());
        if (n > maxForType) {
            throw problem.at("tensor " + Json.quote(name) + " shape", Arrays.toString(shape),
                    n + " elements of " + dtype + " do not fit one Java array (at most " + maxForType
                            + "); read a smaller tensor or split it");
        }
        int count = (int) n;
        switch (dtype) {
            case F32 -> {
                float[] f = new float[count];
                MemorySegment.copy(data, F32, offset, f, 0, count);
                return Tensor.decoded(name, dtype, shape, f, null, null);
            }
            case F64 -> {
                double[] d = new double[count];
                MemorySegment.copy(data, F64, offset, d, 0, count);
                return Tensor.decoded(name, dtype, shape, null, d, null);
            }
            case F16, BF16 -> {
                float[] f = new float[count];
                boolean brain = dtype == DType.BF16;
                for (int i = 0; i < count; i++) {
                    short h = data.get(I16, offset + 2L * i);
                    f[i] = brain ? Float.intBitsToFloat(h << 16) : Float.float16ToFloat(h);
                }
                return Tensor.decoded(name, dtype, shape, f, null, null);
            }
            default -> {
                byte[] b = new byte[count * dtype.size()];
                MemorySegment.copy(data, ValueLayout.JAVA_BYTE, offset, b, 0, b.length);
                if (dtype == DType.BOOL) {
                    for (int i = 0; i < b.length; i++) {
                        if (b[i] != 0 && b[i] != 1) {
                            throw problem.at("tensor " + Json.quote(name) + " element " + i, Integer.toString(b[i] & 0xFF),
                                    "a BOOL element must be 0 or 1");
                        }
                    }
                }
                return Tensor.decoded(name, dtype, shape, null, null, b);
            }
        }
    }

    /** Number of bytes {@link #encode} writes for {@code t} (F16/BF16 tensors are written as F32). */
    static long encodedBytes(Tensor t) {
        return (long) t.size() * writtenType(t).size();
    }

    /** The dtype a tensor is written as: its own, except F16/BF16 which are widened to F32 (exact). */
    static DType writtenType(Tensor t) {
        return t.dtype() == DType.F16 || t.dtype() == DType.BF16 ? DType.F32 : t.dtype();
    }

    /** Writes the tensor's elements little-endian, row-major, through a bounded buffer. */
    static void encode(Tensor t, WritableByteChannel out) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(CHUNK_BYTES).order(ByteOrder.LITTLE_ENDIAN);
        float[] f = t.floatStorage();
        double[] d = t.doubleStorage();
        byte[] b = t.byteStorage();
        if (f != null) {
            for (float v : f) {
                if (buf.remaining() < 4) {
                    drain(buf, out);
                }
                buf.putFloat(v);
            }
        } else if (d != null) {
            for (double v : d) {
                if (buf.remaining() < 8) {
                    drain(buf, out);
                }
                buf.putDouble(v);
            }
        } else {
            for (int off = 0; off < b.length; off += CHUNK_BYTES) {
                drain(buf, out);
                buf.put(b, off, Math.min(CHUNK_BYTES, b.length - off));
            }
        }
        drain(buf, out);
    }

    /** Fills {@code dst} from {@code ch} starting at {@code position}; a short file is a format error. */
    static void readFully(FileChannel ch, ByteBuffer dst, long position, Problem problem) throws IOException {
        long pos = position;
        while (dst.hasRemaining()) {
            int n = ch.read(dst, pos);
            if (n < 0) {
                throw problem.at("file length", Long.toString(ch.size()), "the file ended inside the header");
            }
            pos += n;
        }
    }

    /** Writes all remaining bytes of {@code buf}. */
    static void writeFully(ByteBuffer buf, WritableByteChannel out) throws IOException {
        while (buf.hasRemaining()) {
            out.write(buf);
        }
    }

    /** Body of a file write. */
    @FunctionalInterface
    interface ChannelWriter {
        void write(FileChannel out) throws IOException;
    }

    /**
     * Writes {@code target} through a temporary file in the same directory, then moves it into place, so a
     * failed or interrupted write never leaves a truncated model file under the target name.
     */
    static void writeAtomically(Path target, ChannelWriter body) throws IOException {
        Path dir = target.toAbsolutePath().getParent();
        Path tmp = Files.createTempFile(dir, "." + target.getFileName(), ".tmp");
        try {
            try (FileChannel out = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                body.write(out);
            }
            try {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    private static void drain(ByteBuffer buf, WritableByteChannel out) throws IOException {
        buf.flip();
        writeFully(buf, out);
        buf.clear();
    }
}
