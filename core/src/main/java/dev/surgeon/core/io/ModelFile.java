package dev.surgeon.core.io;

import dev.surgeon.core.nn.ArchitectureSpec;
import dev.surgeon.core.nn.Mask;
import dev.surgeon.core.nn.Network;
import dev.surgeon.core.nn.ParameterLayout;
import dev.surgeon.core.nn.ParameterTensor;
import dev.surgeon.kernels.Kernels;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Surgeon's model file: a safetensors file (docs/FORMATS.md) holding every parameter tensor of a
 * {@link Network} as F32 under its PyTorch-style name and shape ({@code fc1.weight [out, in]},
 * {@code conv1.weight [out, in, kh, kw]}, {@code fc1.bias [out]}), in layout order, each pruned tensor
 * followed by its mask {@code name.mask} (U8, same shape, 1 = kept, 0 = pruned, as PyTorch's
 * {@code weight_mask}). The {@code __metadata__} map holds:
 * <ul>
 *   <li>{@code surgeon.format}: {@value #FORMAT_VERSION}, the version of this layout;</li>
 *   <li>{@code surgeon.arch}: the architecture spec ({@link ArchitectureSpec#toString()}, canonical form);</li>
 *   <li>{@code surgeon.masks}: the comma-separated names of the masked tensors (absent when none is);</li>
 *   <li>{@code surgeon.quantized}: for quantized weights ({@link #write(Path, Network, Mask, Provenance, List)}),
 *       comma-separated {@code name:bits:symmetric|asymmetric} entries; each such tensor is followed by
 *       {@code name.codes} (U8, its shape, 0..2^bits − 1), {@code name.scale} and {@code name.zero} (F32,
 *       [rows]), and its F32 values are exactly scale·(code − zero) computed in float, so readers that ignore the
 *       codes still load the quantized model ({@link #readQuantization} returns them);</li>
 *   <li>the {@link Provenance}: {@code surgeon.seed}, {@code surgeon.data}, {@code surgeon.version},
 *       {@code surgeon.commit}, {@code surgeon.created}, and free-form entries added by commands.</li>
 * </ul>
 *
 * <p>Reading validates everything before a network is returned, with typed exceptions that name the file:
 * tensors that do not fit the architecture are all listed at once ({@link TensorMismatchException}: missing
 * with the expected shape, unexpected, mis-shaped); a NaN or infinite weight is refused with the tensor and
 * its index, and so is a mask value other than 0/1 or a pruned weight that is not zero
 * ({@link ModelFileException}). Weights round-trip bit for bit.
 *
 * <p>{@link #importStateDict} reads a PyTorch {@code state_dict} saved with safetensors
 * ({@code safetensors.torch.save_file(model.state_dict(), path)}) given the architecture: tensors are
 * matched by exact name, else in layer order, else by a unique assignment of shapes (see there). F16, BF16
 * and F64 weights are converted to float.
 */
public final class ModelFile {
    /** The version of the layout described above; files of another version are refused. */
    public static final String FORMAT_VERSION = "1";
    public static final String FORMAT_KEY = "surgeon.format";
    public static final String ARCH_KEY = "surgeon.arch";
    public static final String MASKS_KEY = "surgeon.masks";
    /** Suffix of a mask tensor: {@code fc1.weight.mask} masks {@code fc1.weight}. */
    public static final String MASK_SUFFIX = ".mask";
    public static final String QUANTIZED_KEY = "surgeon.quantized";
    /** Suffixes of a quantized weight's codes, per-row scales and zero points. */
    public static final String CODES_SUFFIX = ".codes";
    public static final String SCALE_SUFFIX = ".scale";
    public static final String ZERO_SUFFIX = ".zero";
    /** Metadata keys owned by the file layout itself (not provenance). */
    static final Set<String> RESERVED_KEYS = Set.of(FORMAT_KEY, ARCH_KEY, MASKS_KEY, QUANTIZED_KEY);

    /**
     * The stored form of one quantized weight tensor (docs/FORMATS.md "Sparse and quantized weights"): weight
     * (i, j) = scale[i]·(codes[i·cols + j] − zero[i]) in float, codes unsigned 0..2^bits − 1.
     *
     * @param tensor    the weight tensor's name, e.g. {@code fc1.weight}
     * @param bits      2..8
     * @param symmetric whether the grid is symmetric (informational)
     * @param codes     one unsigned byte per weight, row-major
     * @param scale     per row (output channel)
     * @param zero      per row, an integer in [0, 2^bits − 1]
     */
    public record Quantization(String tensor, int bits, boolean symmetric, byte[] codes, float[] scale, float[] zero) {
        /** The dequantized value of weight q of row i. */
        public float value(int i, int q) {
            return scale[i] * (Byte.toUnsignedInt(codes[q]) - zero[i]);
        }
    }

    /** A tensor as described by the file header (nothing read yet). */
    record Stored(String name, DType dtype, long[] shape) {
        @Override
        public String toString() {
            return name + " " + dtype + Arrays.toString(shape);
        }
    }

    private ModelFile() {
    }

    /**
     * Writes the network's parameters, the mask (may be null) and the provenance to {@code file}, replacing
     * it (through a temporary file, so a failed write leaves no truncated model).
     *
     * @throws IllegalArgumentException if a parameter is NaN or infinite (a file that could not be read
     *                                  back), if the mask belongs to another layout, or if a pruned parameter
     *                                  is not zero
     */
    public static void write(Path file, Network network, Mask mask, Provenance provenance) throws IOException {
        write(file, network, mask, provenance, List.of());
    }

    /**
     * Writes a model whose listed weight tensors are quantized: each is followed by its codes, scales and zero
     * points (see the class documentation).
     *
     * @throws IllegalArgumentException additionally if a quantized tensor does not exist, has codes, scales or zeros
     *                                  of the wrong length, codes or zeros beyond 2^bits − 1, or a stored weight that is
     *                                  not exactly scale·(code − zero) (write the dequantized values into the network)
     */
    public static void write(Path file, Network network, Mask mask, Provenance provenance, List<Quantization> quantized)
            throws IOException {
        ParameterLayout layout = network.layout();
        Map<String, Quantization> byTensor = checkQuantization(file, network, quantized);
        float[] p = network.parameters();
        if (mask != null && mask.layout().size() != layout.size()) {
            throw new IllegalArgumentException("the mask covers " + mask.layout().size() + " parameters but the network has "
                    + layout.size());
        }
        List<Tensor> tensors = new ArrayList<>();
        List<String> masked = new ArrayList<>();
        for (ParameterTensor t : layout.tensors()) {
            long[] shape = Arrays.stream(t.shape()).asLongStream().toArray();
            for (int q = t.offset(); q < t.end(); q++) {
                if (!Float.isFinite(p[q])) {
                    throw new IllegalArgumentException("cannot save " + file + ": " + t.describe(q) + " = " + p[q]
                            + "; the weights must be finite (did training diverge? try a lower learning rate)");
                }
            }
            tensors.add(Tensor.f32(t.name(), shape, Arrays.copyOfRange(p, t.offset(), t.end())));
            if (mask != null && prunedIn(mask, t)) {
                byte[] keep = new byte[t.length()];
                for (int q = t.offset(); q < t.end(); q++) {
                    if (mask.isPruned(q) && p[q] != 0f) {
                        throw new IllegalArgumentException("cannot save " + file + ": " + t.describe(q) + " = " + p[q]
                                + " is pruned by the mask but not zero; apply the mask first");
                    }
                    keep[q - t.offset()] = (byte) (mask.isPruned(q) ? 0 : 1);
                }
                tensors.add(Tensor.u8(t.name() + MASK_SUFFIX, shape, keep));
                masked.add(t.name());
            }
            Quantization q = byTensor.get(t.name());
            if (q != null) {
                tensors.add(Tensor.u8(t.name() + CODES_SUFFIX, shape, q.codes()));
                tensors.add(Tensor.f32(t.name() + SCALE_SUFFIX, new long[] {t.rows()}, q.scale()));
                tensors.add(Tensor.f32(t.name() + ZERO_SUFFIX, new long[] {t.rows()}, q.zero()));
            }
        }
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put(FORMAT_KEY, FORMAT_VERSION);
        meta.put(ARCH_KEY, network.spec().toString());
        if (!masked.isEmpty()) {
            meta.put(MASKS_KEY, String.join(",", masked));
        }
        if (!byTensor.isEmpty()) {
            List<String> entries = new ArrayList<>();
            for (Quantization q : byTensor.values()) {
                entries.add(q.tensor() + ":" + q.bits() + ":" + (q.symmetric() ? "symmetric" : "asymmetric"));
            }
            meta.put(QUANTIZED_KEY, String.join(",", entries));
        }
        meta.putAll(provenance.toMetadata());
        SafeTensors.write(file, tensors, meta);
    }

    private static Map<String, Quantization> checkQuantization(Path file, Network network, List<Quantization> quantized) {
        Map<String, Quantization> byTensor = new LinkedHashMap<>();
        float[] p = network.parameters();
        for (Quantization q : quantized) {
            if (!network.layout().has(q.tensor())) {
                throw new IllegalArgumentException("cannot save " + file + ": no tensor " + q.tensor() + " to quantize");
            }
            ParameterTensor t = network.layout().tensor(q.tensor());
            String problem = quantizationProblem(q, t.rows(), t.length());
            if (problem != null) {
                throw new IllegalArgumentException("cannot save " + file + ": " + q.tensor() + " " + problem);
            }
            for (int i = 0; i < t.length(); i++) {
                int row = i / t.columns();
                if (Float.floatToIntBits(p[t.offset() + i]) != Float.floatToIntBits(q.value(row, i))) {
                    throw new IllegalArgumentException("cannot save " + file + ": " + t.describe(t.offset() + i) + " = "
                            + p[t.offset() + i] + " but its code gives " + q.value(row, i)
                            + "; write the dequantized values into the network first");
                }
            }
            if (byTensor.put(q.tensor(), q) != null) {
                throw new IllegalArgumentException("cannot save " + file + ": " + q.tensor() + " is quantized twice");
            }
        }
        return byTensor;
    }

    /** What is wrong with a quantization of a tensor of that many rows and values, or null. */
    private static String quantizationProblem(Quantization q, int rows, int length) {
        if (q.bits() < 2 || q.bits() > 8) {
            return "has " + q.bits() + " bits (2..8 are stored as U8 codes)";
        }
        if (q.codes().length != length || q.scale().length != rows || q.zero().length != rows) {
            return "needs " + length + " codes and " + rows + " scales and zeros, got " + q.codes().length + ", "
                    + q.scale().length + " and " + q.zero().length;
        }
        int maxq = (1 << q.bits()) - 1;
        for (int i = 0; i < length; i++) {
            if (Byte.toUnsignedInt(q.codes()[i]) > maxq) {
                return "code " + Byte.toUnsignedInt(q.codes()[i]) + " at element " + i + " exceeds 2^" + q.bits() + " − 1";
            }
        }
        for (int i = 0; i < rows; i++) {
            float z = q.zero()[i];
            if (!(q.scale()[i] > 0) || !Float.isFinite(q.scale()[i]) || !(z >= 0 && z <= maxq) || z != Math.rint(z)) {
                return "row " + i + " has scale " + q.scale()[i] + " (must be finite, > 0) and zero " + z
                        + " (must be an integer in [0, " + maxq + "])";
            }
        }
        return null;
    }

    /**
     * The quantized tensors of a Surgeon model file (empty when none is), checked against the stored weights.
     *
     * @throws ModelFileException if {@code surgeon.quantized} is malformed, names a tensor without codes, scales and
     *                            zeros of the right shapes, or a stored weight differs from scale·(code − zero)
     */
    public static List<Quantization> readQuantization(Path file) throws IOException {
        String name = file.toString();
        try (SafeTensors st = SafeTensors.open(file)) {
            String listed = st.metadata().get(QUANTIZED_KEY);
            List<Quantization> out = new ArrayList<>();
            if (listed == null || listed.isBlank()) {
                return out;
            }
            String key = SafeTensors.METADATA_KEY + "." + QUANTIZED_KEY;
            for (String entry : listed.split(",")) {
                String[] f = entry.strip().split(":");
                if (f.length != 3 || !f[2].equals("symmetric") && !f[2].equals("asymmetric")) {
                    throw new ModelFileException(name, key, listed, "entries must read name:bits:symmetric|asymmetric");
                }
                int bits;
                try {
                    bits = Integer.parseInt(f[1]);
                } catch (NumberFormatException e) {
                    throw new ModelFileException(name, key, listed, "'" + f[1] + "' is not a bit width");
                }
                String t = f[0];
                for (String suffix : new String[] {"", CODES_SUFFIX, SCALE_SUFFIX, ZERO_SUFFIX}) {
                    if (!st.contains(t + suffix)) {
                        throw new ModelFileException(name, key, listed, "lists " + t + " but the file has no tensor " + t + suffix);
                    }
                }
                Tensor values = st.read(t);
                Tensor codes = st.read(t + CODES_SUFFIX);
                Tensor scale = st.read(t + SCALE_SUFFIX);
                Tensor zero = st.read(t + ZERO_SUFFIX);
                long[] shape = values.shape();
                int rows = shape.length == 0 ? 1 : (int) shape[0];
                if (codes.dtype() != DType.U8 || !Arrays.equals(codes.shape(), shape)) {
                    throw new ModelFileException(name, "tensor " + t + CODES_SUFFIX, codes.dtype() + Arrays.toString(codes.shape()),
                            "codes must be U8 of the weight's shape " + Arrays.toString(shape));
                }
                byte[] c = new byte[codes.size()];
                for (int i = 0; i < c.length; i++) {
                    c[i] = (byte) codes.longAt(i);
                }
                Quantization q = new Quantization(t, bits, f[2].equals("symmetric"), c, scale.floats(), zero.floats());
                String problem = quantizationProblem(q, rows, values.size());
                if (problem != null || scale.dtype() != DType.F32 || zero.dtype() != DType.F32) {
                    throw new ModelFileException(name, "tensor " + t, entry, problem != null ? problem
                            : "scale and zero must be F32");
                }
                float[] v = values.floats();
                int cols = v.length / rows;
                for (int i = 0; i < v.length; i++) {
                    if (Float.floatToIntBits(v[i]) != Float.floatToIntBits(q.value(i / cols, i))) {
                        throw new ModelFileException(name, "tensor " + t + " element " + index(shape, i), Float.toString(v[i]),
                                "differs from its code's value " + q.value(i / cols, i) + "; the file is inconsistent");
                    }
                }
                out.add(q);
            }
            return out;
        }
    }

    private static boolean prunedIn(Mask mask, ParameterTensor t) {
        for (int q = t.offset(); q < t.end(); q++) {
            if (mask.isPruned(q)) {
                return true;
            }
        }
        return false;
    }

    /** Whether an open safetensors file is a Surgeon model file (its metadata names an architecture). */
    public static boolean isModelFile(SafeTensors file) {
        return file.metadata().containsKey(ARCH_KEY);
    }

    /**
     * Reads a Surgeon model file; the network computes with the given kernels.
     *
     * @throws ModelFileException        if the metadata has no readable architecture or another format version
     * @throws TensorMismatchException   listing every missing, unexpected and mis-shaped tensor
     * @throws SafeTensorsFormatException if the file is not valid safetensors
     */
    public static SavedModel read(Path file, Kernels kernels) throws IOException {
        String name = file.toString();
        try (SafeTensors st = SafeTensors.open(file)) {
            Map<String, String> meta = st.metadata();
            ArchitectureSpec spec = architecture(name, meta);
            ParameterLayout layout = ParameterLayout.of(spec);
            List<Stored> stored = stored(st);
            Map<String, String> identity = identity(stored);
            Problems problems = compare(stored, identity, layout);
            if (!problems.isEmpty()) {
                throw problems.exception(name, null);
            }
            checkMaskList(name, meta, stored, layout);
            return assemble(name, st, spec, kernels, identity, meta);
        }
    }

    /**
     * Imports a PyTorch {@code state_dict} saved with safetensors for the given architecture. Matching:
     * <ol>
     *   <li>by exact name, when the file's parameter names are exactly the architecture's ({@code fc1.weight},
     *       {@code conv1.bias}, …);</li>
     *   <li>else in layer order: tensors named {@code PREFIX.weight} / {@code PREFIX.bias} form one group per
     *       layer, groups sorted by prefix in natural order (numbers compared as numbers, so the
     *       {@code 0, 2, 10} of an {@code nn.Sequential} or {@code fc1, fc2} come out in layer order), mapped
     *       to the architecture's layers with parameters when the counts, the bias presence and every shape
     *       agree;</li>
     *   <li>else by shapes: when exactly one assignment of the groups to the layers makes every shape agree
     *       (e.g. {@code features.*} and {@code classifier.*} groups of a conv net).</li>
     * </ol>
     * Mask tensors ({@code NAME.mask}, U8 or BOOL) follow their weights. Anything else is an error listing
     * the missing, unexpected and mis-shaped tensors with the expected shapes.
     */
    public static ImportedModel importStateDict(Path file, ArchitectureSpec spec, Kernels kernels) throws IOException {
        String name = file.toString();
        try (SafeTensors st = SafeTensors.open(file)) {
            ParameterLayout layout = ParameterLayout.of(spec);
            List<Stored> stored = stored(st);
            Map<String, String> identity = identity(stored);
            Problems problems = compare(stored, identity, layout);
            ImportedModel.Matching matching = ImportedModel.Matching.BY_NAME;
            Map<String, String> mapping = identity;
            if (!problems.isEmpty()) {
                StateDictMapping m = StateDictMapping.find(stored, layout);
                if (m.mapping() == null) {
                    throw problems.exception(name, m.failure());
                }
                Problems mapped = compare(stored, m.mapping(), layout);
                if (!mapped.isEmpty()) {
                    throw mapped.exception(name, "The weights and biases were mapped " + m.matching().description()
                            + " but the remaining tensors do not fit.");
                }
                mapping = m.mapping();
                matching = m.matching();
            }
            SavedModel model = assemble(name, st, spec, kernels, mapping, st.metadata());
            List<ImportedModel.Match> matches = new ArrayList<>();
            Map<String, String> targetToSource = inverse(mapping);
            for (ParameterTensor t : layout.tensors()) {
                for (String target : new String[] {t.name(), t.name() + MASK_SUFFIX}) {
                    String source = targetToSource.get(target);
                    if (source != null) {
                        matches.add(ImportedModel.match(source, target, st.dtype(source), st.shape(source)));
                    }
                }
            }
            return new ImportedModel(model, matching, matches);
        }
    }

    private static ArchitectureSpec architecture(String file, Map<String, String> meta) throws ModelFileException {
        String version = meta.get(FORMAT_KEY);
        String arch = meta.get(ARCH_KEY);
        if (arch == null) {
            throw new ModelFileException(file, SafeTensors.METADATA_KEY + "." + ARCH_KEY, "(absent)",
                    "not a Surgeon model file (no architecture in its metadata); to use a PyTorch state_dict saved "
                            + "with safetensors, give its architecture (--arch SPEC) so that it is imported");
        }
        if (version != null && !version.equals(FORMAT_VERSION)) {
            throw new ModelFileException(file, SafeTensors.METADATA_KEY + "." + FORMAT_KEY, version,
                    "this Surgeon reads model format " + FORMAT_VERSION + "; the file was written by another version");
        }
        try {
            return ArchitectureSpec.parse(arch);
        } catch (IllegalArgumentException e) {
            throw new ModelFileException(file, SafeTensors.METADATA_KEY + "." + ARCH_KEY, arch,
                    "not a valid architecture: " + e.getMessage().replace('\n', ' '));
        }
    }

    private static List<Stored> stored(SafeTensors st) {
        List<Stored> out = new ArrayList<>();
        for (String n : st.names()) {
            out.add(new Stored(n, st.dtype(n), st.shape(n)));
        }
        return out;
    }

    /** Every file tensor under its own name. */
    private static Map<String, String> identity(List<Stored> stored) {
        Map<String, String> m = new LinkedHashMap<>();
        for (Stored s : stored) {
            m.put(s.name(), s.name());
        }
        return m;
    }

    /** Architecture name → file name. */
    private static Map<String, String> inverse(Map<String, String> mapping) {
        Map<String, String> m = new LinkedHashMap<>();
        mapping.forEach((source, target) -> m.put(target, source));
        return m;
    }

    /** What {@link #compare} found, each entry ready for the error message. */
    record Problems(List<String> missing, List<String> unexpected, List<String> misShaped) {
        boolean isEmpty() {
            return missing.isEmpty() && unexpected.isEmpty() && misShaped.isEmpty();
        }

        TensorMismatchException exception(String file, String note) {
            return new TensorMismatchException(file, missing, unexpected, misShaped, note);
        }
    }

    /**
     * Compares the file's tensors, renamed by {@code mapping} (file name → architecture name; unmapped
     * tensors keep their name), with the layout.
     */
    static Problems compare(List<Stored> stored, Map<String, String> mapping, ParameterLayout layout) {
        List<String> missing = new ArrayList<>();
        List<String> unexpected = new ArrayList<>();
        List<String> misShaped = new ArrayList<>();
        Set<String> found = new LinkedHashSet<>();
        for (Stored s : stored) {
            String target = mapping.getOrDefault(s.name(), s.name());
            String shown = target.equals(s.name()) ? s.name() : s.name() + " (as " + target + ")";
            String base = target.endsWith(MASK_SUFFIX) ? target.substring(0, target.length() - MASK_SUFFIX.length()) : null;
            if (layout.has(target)) {
                found.add(target);
                long[] expected = shapeOf(layout.tensor(target));
                if (!s.dtype().isFloating()) {
                    misShaped.add(shown + ": " + s.dtype() + Arrays.toString(s.shape())
                            + " in the file, expected a floating dtype (F32, F16, BF16 or F64)");
                } else if (!Arrays.equals(expected, s.shape())) {
                    misShaped.add(shown + ": " + Arrays.toString(s.shape()) + " in the file, expected "
                            + Arrays.toString(expected));
                }
            } else if (quantizedBase(target) != null && layout.has(quantizedBase(target))) {
                ParameterTensor t = layout.tensor(quantizedBase(target));
                boolean codes = target.endsWith(CODES_SUFFIX);
                long[] expected = codes ? shapeOf(t) : new long[] {t.rows()};
                DType dtype = codes ? DType.U8 : DType.F32;
                if (s.dtype() != dtype || !Arrays.equals(expected, s.shape())) {
                    misShaped.add(shown + ": " + s.dtype() + Arrays.toString(s.shape()) + " in the file, expected " + dtype
                            + Arrays.toString(expected));
                }
            } else if (base != null && layout.has(base)) {
                long[] expected = shapeOf(layout.tensor(base));
                if (s.dtype() != DType.U8 && s.dtype() != DType.BOOL || !Arrays.equals(expected, s.shape())) {
                    misShaped.add(shown + ": " + s.dtype() + Arrays.toString(s.shape()) + " in the file, expected a U8 or BOOL mask "
                            + Arrays.toString(expected));
                }
            } else {
                unexpected.add(s.toString());
            }
        }
        for (ParameterTensor t : layout.tensors()) {
            if (!found.contains(t.name())) {
                missing.add(t.name() + " " + Arrays.toString(t.shape()));
            }
        }
        return new Problems(missing, unexpected, misShaped);
    }

    /** The weight a {@code .codes}, {@code .scale} or {@code .zero} tensor belongs to, or null. */
    private static String quantizedBase(String name) {
        for (String suffix : new String[] {CODES_SUFFIX, SCALE_SUFFIX, ZERO_SUFFIX}) {
            if (name.endsWith(suffix)) {
                return name.substring(0, name.length() - suffix.length());
            }
        }
        return null;
    }

    static long[] shapeOf(ParameterTensor t) {
        return Arrays.stream(t.shape()).asLongStream().toArray();
    }

    /**
     * Reads the mapped tensors into a new network and mask, refusing non-finite weights, mask values other
     * than 0/1 and pruned weights that are not zero. {@code mapping} has been checked by {@link #compare}.
     */
    private static SavedModel assemble(String file, SafeTensors st, ArchitectureSpec spec, Kernels kernels,
                                       Map<String, String> mapping, Map<String, String> meta) throws IOException {
        Network network = Network.create(spec, 0, kernels);
        ParameterLayout layout = network.layout();
        float[] p = network.parameters();
        Map<String, String> targetToSource = inverse(mapping);
        Mask mask = null;
        for (ParameterTensor t : layout.tensors()) {
            Tensor values = st.read(targetToSource.get(t.name()));
            float[] v = values.floats();
            for (int i = 0; i < v.length; i++) {
                if (!Float.isFinite(v[i])) {
                    throw new ModelFileException(file, "tensor " + values.name() + " element " + index(values.shape(), i),
                            Float.toString(v[i]), "weights must be finite; the model was saved from a diverged run");
                }
            }
            System.arraycopy(v, 0, p, t.offset(), t.length());
        }
        for (ParameterTensor t : layout.tensors()) {
            String source = targetToSource.get(t.name() + MASK_SUFFIX);
            if (source == null) {
                continue;
            }
            Tensor m = st.read(source);
            if (mask == null) {
                mask = Mask.dense(layout);
            }
            for (int i = 0; i < t.length(); i++) {
                long keep = m.longAt(i);
                if (keep != 0 && keep != 1) {
                    throw new ModelFileException(file, "tensor " + source + " element " + index(m.shape(), i), Long.toString(keep),
                            "mask values must be 1 (kept) or 0 (pruned)");
                }
                int q = t.offset() + i;
                if (keep == 0) {
                    if (p[q] != 0f) {
                        throw new ModelFileException(file, "tensor " + targetToSource.get(t.name()) + " element "
                                        + index(m.shape(), i), Float.toString(p[q]),
                                "the weight is pruned by " + source + " but not zero; the file is inconsistent");
                    }
                    mask.prune(q);
                }
            }
        }
        return new SavedModel(network, mask, Provenance.fromMetadata(file, meta), meta);
    }

    /** {@code surgeon.masks}, when present, must name exactly the tensors that have a mask tensor. */
    private static void checkMaskList(String file, Map<String, String> meta, List<Stored> stored, ParameterLayout layout)
            throws ModelFileException {
        String listed = meta.get(MASKS_KEY);
        if (listed == null) {
            return;
        }
        Set<String> declared = new LinkedHashSet<>();
        for (String s : listed.split(",")) {
            if (!s.isBlank()) {
                declared.add(s.strip());
            }
        }
        Set<String> present = new LinkedHashSet<>();
        for (Stored s : stored) {
            String n = s.name();
            if (n.endsWith(MASK_SUFFIX) && layout.has(n.substring(0, n.length() - MASK_SUFFIX.length()))) {
                present.add(n.substring(0, n.length() - MASK_SUFFIX.length()));
            }
        }
        if (!declared.equals(present)) {
            throw new ModelFileException(file, SafeTensors.METADATA_KEY + "." + MASKS_KEY, listed,
                    "declares masks for " + declared + " but the file has mask tensors for " + present);
        }
    }

    /** Multi-index of flat element i in a row-major shape, e.g. {@code [3, 17]}. */
    static String index(long[] shape, int i) {
        long[] idx = new long[shape.length];
        long r = i;
        for (int d = shape.length - 1; d >= 0; d--) {
            idx[d] = shape[d] == 0 ? 0 : r % shape[d];
            r = shape[d] == 0 ? r : r / shape[d];
        }
        return Arrays.toString(idx);
    }
}
