package dev.surgeon.core.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class NpyTest {
    @TempDir
    Path dir;

    /*
     * Reference files written by NumPy 2.4.6 (np.save or np.lib.format.write_array with the version given),
     * as hex. They are the independent reference for the reader and, for the C-ordered f4 array, for the
     * writer's exact bytes.
     */
    /** np.save(np.arange(6, dtype='<f4').reshape(2, 3) / 4). */
    private static final String NUMPY_C_F4 = "934e554d5059010076007b276465736372273a20273c6634272c2027666f727472616e5f6f72646572273a2046616c73652c20277368617065273a2028322c2033292c207d202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020200a000000000000803e0000003f0000403f0000803f0000a03f";
    /** np.save(np.asfortranarray(np.arange(6, dtype='<i4').reshape(2, 3))). */
    private static final String NUMPY_FORTRAN_I4 = "934e554d5059010076007b276465736372273a20273c6934272c2027666f727472616e5f6f72646572273a20547275652c20277368617065273a2028322c2033292c207d20202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020200a000000000300000001000000040000000200000005000000";
    /** np.save(np.asfortranarray(np.arange(24, dtype='<i2').reshape(2, 3, 4))). */
    private static final String NUMPY_FORTRAN_3D_I2 = "934e554d5059010076007b276465736372273a20273c6932272c2027666f727472616e5f6f72646572273a20547275652c20277368617065273a2028322c20332c2034292c207d20202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020200a00000c00040010000800140001000d00050011000900150002000e00060012000a00160003000f00070013000b001700";
    /** write_array(np.array([1.5, -2.25], dtype='<f8'), version=(2, 0)). */
    private static final String NUMPY_V2_F8 = "934e554d50590200740000007b276465736372273a20273c6638272c2027666f727472616e5f6f72646572273a2046616c73652c20277368617065273a2028322c292c207d202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020200a000000000000f83f00000000000002c0";
    /** write_array(np.array([[1, 255]], dtype='|u1'), version=(3, 0)). */
    private static final String NUMPY_V3_U1 = "934e554d50590300740000007b276465736372273a20277c7531272c2027666f727472616e5f6f72646572273a2046616c73652c20277368617065273a2028312c2032292c207d20202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020200a01ff";
    /** np.save(np.array(-7, dtype='<i8')): a 0-d array, shape (). */
    private static final String NUMPY_SCALAR_I8 = "934e554d5059010076007b276465736372273a20273c6938272c2027666f727472616e5f6f72646572273a2046616c73652c20277368617065273a2028292c207d20202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020200af9ffffffffffffff";
    /** np.save(np.array([True, False, True])). */
    private static final String NUMPY_BOOL = "934e554d5059010076007b276465736372273a20277c6231272c2027666f727472616e5f6f72646572273a2046616c73652c20277368617065273a2028332c292c207d2020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020200a010001";
    /** np.save(np.array([1.0, 65504, 2**-24, -np.inf], dtype='<f2')). */
    private static final String NUMPY_F2 = "934e554d5059010076007b276465736372273a20273c6632272c2027666f727472616e5f6f72646572273a2046616c73652c20277368617065273a2028342c292c207d2020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020200a003cff7b010000fc";
    /** np.save(np.array([1.0], dtype='>f4')). */
    private static final String NUMPY_BIG_ENDIAN_F4 = "934e554d5059010076007b276465736372273a20273e6634272c2027666f727472616e5f6f72646572273a2046616c73652c20277368617065273a2028312c292c207d2020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020200a3f800000";

    private Path file(String name, byte[] content) throws Exception {
        return Files.write(dir.resolve(name), content);
    }

    @Test
    void readsNumPyFilesOfEveryHeaderVersion() throws Exception {
        Tensor c = Npy.read(file("c.npy", TestBytes.hex(NUMPY_C_F4)));
        assertEquals("c", c.name());
        assertEquals(DType.F32, c.dtype());
        assertArrayEquals(new long[]{2, 3}, c.shape());
        assertArrayEquals(new float[]{0f, 0.25f, 0.5f, 0.75f, 1f, 1.25f}, c.floats(), 0f);

        Tensor v2 = Npy.read(file("v2.npy", TestBytes.hex(NUMPY_V2_F8)));
        assertEquals(DType.F64, v2.dtype());
        assertArrayEquals(new double[]{1.5, -2.25}, v2.doubles(), 0.0);

        Tensor v3 = Npy.read(file("v3.npy", TestBytes.hex(NUMPY_V3_U1)));
        assertEquals(DType.U8, v3.dtype());
        assertArrayEquals(new long[]{1, 2}, v3.shape());
        assertArrayEquals(new long[]{1, 255}, v3.longs());

        Tensor scalar = Npy.read(file("s.npy", TestBytes.hex(NUMPY_SCALAR_I8)));
        assertEquals(0, scalar.rank());
        assertArrayEquals(new long[]{-7}, scalar.longs());

        assertArrayEquals(new boolean[]{true, false, true}, Npy.read(file("b.npy", TestBytes.hex(NUMPY_BOOL))).booleans());
        assertArrayEquals(new float[]{1f, 65504f, Math.scalb(1f, -24), Float.NEGATIVE_INFINITY},
                Npy.read(file("h.npy", TestBytes.hex(NUMPY_F2))).floats(), 0f);
    }

    @Test
    void fortranOrderedArraysAreTransposedIntoRowMajor() throws Exception {
        // np.arange(6).reshape(2, 3) in C order is 0..5 whatever the file's layout.
        Tensor t = Npy.read(file("f.npy", TestBytes.hex(NUMPY_FORTRAN_I4)));
        assertArrayEquals(new long[]{2, 3}, t.shape());
        assertArrayEquals(new long[]{0, 1, 2, 3, 4, 5}, t.longs());
        Tensor t3 = Npy.read(file("f3.npy", TestBytes.hex(NUMPY_FORTRAN_3D_I2)));
        assertArrayEquals(new long[]{2, 3, 4}, t3.shape());
        long[] expected = new long[24];
        for (int i = 0; i < 24; i++) {
            expected[i] = i;
        }
        assertArrayEquals(expected, t3.longs());
    }

    @Test
    void writerProducesTheSameBytesAsNumPy() throws Exception {
        Path p = dir.resolve("w.npy");
        Npy.write(p, Tensor.f32("w", new long[]{2, 3}, new float[]{0f, 0.25f, 0.5f, 0.75f, 1f, 1.25f}));
        assertArrayEquals(TestBytes.hex(NUMPY_C_F4), Files.readAllBytes(p));
    }

    static Stream<Tensor> writableTensors() {
        return Stream.of(
                Tensor.f32("f4", new long[]{3, 1, 2}, new float[]{1, -2, 3.5f, Float.NaN, Float.MIN_VALUE, -0f}),
                Tensor.f64("f8", new long[]{2}, new double[]{Math.E, -1e300}),
                Tensor.integers("i8", DType.I64, new long[]{2}, new long[]{Long.MIN_VALUE, 3}),
                Tensor.integers("i4", DType.I32, new long[]{1}, new long[]{-123456}),
                Tensor.integers("i2", DType.I16, new long[]{2}, new long[]{-2, 2}),
                Tensor.integers("i1", DType.I8, new long[]{2}, new long[]{-128, 127}),
                Tensor.u8("u1", new long[]{2, 2}, new byte[]{0, 1, (byte) 200, (byte) 255}),
                Tensor.bool("b1", new long[]{2}, new boolean[]{false, true}),
                Tensor.f32("scalar", new long[]{}, new float[]{9f}),
                Tensor.f32("empty", new long[]{4, 0}, new float[0]));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("writableTensors")
    void writtenFileReadsBackIdenticallyWithA64ByteAlignedHeader(Tensor t) throws Exception {
        Path p = dir.resolve(t.name() + ".npy");
        Npy.write(p, t);
        byte[] bytes = Files.readAllBytes(p);
        int headerLength = (bytes[8] & 0xFF) | (bytes[9] & 0xFF) << 8;
        assertEquals(0, (10 + headerLength) % 64);
        assertEquals('\n', bytes[10 + headerLength - 1]);
        Tensor r = Npy.read(p);
        assertEquals(t.name(), r.name());
        assertEquals(t.dtype(), r.dtype());
        assertArrayEquals(t.shape(), r.shape());
        if (t.isFloating()) {
            assertArrayEquals(t.doubles(), r.doubles(), 0.0);
        } else {
            assertArrayEquals(t.longs(), r.longs());
        }
    }

    private static byte[] npy(String dict, int dataBytes) {
        return new TestBytes().raw((byte) 0x93).utf8("NUMPY").raw((byte) 1, (byte) 0).le(dict.length(), 2).utf8(dict)
                .zeros(dataBytes).bytes();
    }

    static Stream<Arguments> malformedFiles() {
        String ok = "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }\n";
        return Stream.of(
                Arguments.of("big-endian", TestBytes.hex(NUMPY_BIG_ENDIAN_F4), "descr", "big-endian"),
                Arguments.of("object array", npy("{'descr': '|O', 'fortran_order': False, 'shape': (2,), }\n", 16), "descr", "pickled"),
                Arguments.of("structured dtype", npy("{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (2,), }\n", 8),
                        "descr", "structured"),
                Arguments.of("unsupported dtype", npy("{'descr': '<c8', 'fortran_order': False, 'shape': (2,), }\n", 16), "descr", "unsupported"),
                Arguments.of("too short", new byte[]{(byte) 0x93, 'N'}, "file length", "preamble"),
                Arguments.of("bad magic", new TestBytes().utf8("PK\u0003\u0004 zip file, not npy").bytes(), "magic", "not an .npy"),
                Arguments.of("version 4.0", new TestBytes().raw((byte) 0x93).utf8("NUMPY").raw((byte) 4, (byte) 0).le(0, 2).bytes(),
                        "version", "4.0"),
                Arguments.of("header length beyond the file", new TestBytes().raw((byte) 0x93).utf8("NUMPY").raw((byte) 2, (byte) 0)
                        .le(0xFFFFFFF0L, 4).bytes(), "header length", "4294967280"),
                Arguments.of("data truncated", npy(ok, 7), "shape", "has 7 data bytes"),
                Arguments.of("data left over", npy(ok, 9), "shape", "has 9 data bytes"),
                Arguments.of("10 GB shape", npy("{'descr': '<f4', 'fortran_order': False, 'shape': (50000, 50000), }\n", 8), "shape",
                        "2500000000 elements"),
                Arguments.of("overflowing shape", npy("{'descr': '<f4', 'fortran_order': False, 'shape': (4294967296, 4294967296), }\n", 8),
                        "shape", "more than 2^63"),
                Arguments.of("negative dimension", npy("{'descr': '<f4', 'fortran_order': False, 'shape': (-2,), }\n", 8), "header near",
                        "non-negative integer"),
                Arguments.of("(n) is not a tuple", npy("{'descr': '<f4', 'fortran_order': False, 'shape': (2), }\n", 8), "header near",
                        "(n,)"),
                Arguments.of("duplicate key", npy("{'descr': '<f4', 'descr': '<f4', 'fortran_order': False, 'shape': (2,), }\n", 8),
                        "header near", "duplicate key 'descr'"),
                Arguments.of("missing key", npy("{'descr': '<f4', 'shape': (2,), }\n", 8), "header key fortran_order", "(missing)"),
                Arguments.of("extra key", npy("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), 'x': True, }\n", 8), "header keys",
                        "[x]"),
                Arguments.of("fortran_order not a bool", npy("{'descr': '<f4', 'fortran_order': 'no', 'shape': (2,), }\n", 8),
                        "fortran_order", "no"),
                Arguments.of("not a dict", npy("['descr']\n", 8), "header near", "expected '{'"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformedFiles")
    void malformedFileIsRefusedWithATypedExceptionNamingFieldAndValue(String description, byte[] content, String field,
                                                                      String fragment) throws Exception {
        Path p = file("bad.npy", content);
        NpyFormatException e = assertThrows(NpyFormatException.class, () -> Npy.read(p));
        assertEquals(p.toString(), e.file());
        assertTrue(e.field().startsWith(field), description + ": field was " + e.field() + " in " + e.getMessage());
        assertTrue(e.getMessage().contains(fragment), description + ": " + e.getMessage());
    }

    @Test
    void headerOver64KiBIsWrittenAsVersion2() throws Exception {
        long[] shape = new long[25_000]; // "1, " per dimension: a 75 kB header
        java.util.Arrays.fill(shape, 1);
        Tensor t = Tensor.f32("wide", shape, new float[]{5f});
        byte[] header = Npy.header(t);
        assertEquals(2, header[6]);
        assertEquals(0, header.length % 64);
        Path p = dir.resolve("wide.npy");
        Npy.write(p, t);
        assertEquals(List.of(25_000, 5f), List.of(Npy.read(p).rank(), Npy.read(p).floats()[0]));
    }
}
