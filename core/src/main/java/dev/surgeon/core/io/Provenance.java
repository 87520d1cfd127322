package dev.surgeon.core.io;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Where a model came from, stored as strings in the safetensors {@code __metadata__} map of a model file:
 * {@code surgeon.seed}, {@code surgeon.data}, {@code surgeon.version}, {@code surgeon.commit},
 * {@code surgeon.created} (ISO-8601, UTC), plus free-form {@link #entries()} that commands add (for example
 * {@code surgeon.train.optimizer} or a pruning method and its sparsity). Absent facts are null.
 *
 * @param seed    the seed that initialized the network and ordered its data, or null if unknown
 * @param data    the data argument the model was made with (e.g. {@code monk-1}), or null
 * @param version the Surgeon version that wrote the file, or null
 * @param commit  the git commit of that Surgeon build ("unknown" when it was not known), or null
 * @param created when the file was written, or null
 * @param entries further key/value pairs, in insertion order (keys other than the reserved ones)
 */
public record Provenance(Long seed, String data, String version, String commit, Instant created,
                         Map<String, String> entries) {
    static final String SEED = "surgeon.seed";
    static final String DATA = "surgeon.data";
    static final String VERSION = "surgeon.version";
    static final String COMMIT = "surgeon.commit";
    static final String CREATED = "surgeon.created";
    private static final Set<String> KEYS = Set.of(SEED, DATA, VERSION, COMMIT, CREATED);

    public Provenance {
        entries = Collections.unmodifiableMap(new LinkedHashMap<>(entries));
        for (String k : entries.keySet()) {
            if (KEYS.contains(k) || ModelFile.RESERVED_KEYS.contains(k)) {
                throw new IllegalArgumentException("'" + k + "' is a reserved model-file key; it cannot be a free-form entry");
            }
        }
    }

    /** Nothing known. */
    public static Provenance unknown() {
        return new Provenance(null, null, null, null, null, Map.of());
    }

    /** A model made now (to the second) by this Surgeon build from the given seed and data. */
    public static Provenance of(long seed, String data, String version, String commit) {
        return new Provenance(seed, data, version, commit, Instant.now().truncatedTo(ChronoUnit.SECONDS), Map.of());
    }

    /** This provenance with one more free-form entry (replacing an entry of the same key). */
    public Provenance with(String key, String value) {
        Map<String, String> m = new LinkedHashMap<>(entries);
        m.put(key, value);
        return new Provenance(seed, data, version, commit, created, m);
    }

    /** The metadata entries of this provenance: the known facts first, then the free-form entries. */
    public Map<String, String> toMetadata() {
        Map<String, String> m = new LinkedHashMap<>();
        if (seed != null) {
            m.put(SEED, Long.toString(seed));
        }
        putIfPresent(m, DATA, data);
        putIfPresent(m, VERSION, version);
        putIfPresent(m, COMMIT, commit);
        if (created != null) {
            m.put(CREATED, created.toString());
        }
        m.putAll(entries);
        return m;
    }

    private static void putIfPresent(Map<String, String> m, String key, String value) {
        if (value != null) {
            m.put(key, value);
        }
    }

    /**
     * Reads the provenance keys of a metadata map; every other key except the model file's reserved ones
     * ({@link ModelFile#RESERVED_KEYS}) becomes a free-form entry.
     *
     * @throws ModelFileException if {@code surgeon.seed} is not an integer or {@code surgeon.created} not an
     *                            ISO-8601 instant
     */
    static Provenance fromMetadata(String file, Map<String, String> metadata) throws ModelFileException {
        Long seed = null;
        String s = metadata.get(SEED);
        if (s != null) {
            try {
                seed = Long.parseLong(s);
            } catch (NumberFormatException e) {
                throw new ModelFileException(file, SafeTensors.METADATA_KEY + "." + SEED, s, "not an integer seed");
            }
        }
        Instant created = null;
        String c = metadata.get(CREATED);
        if (c != null) {
            try {
                created = Instant.parse(c);
            } catch (DateTimeParseException e) {
                throw new ModelFileException(file, SafeTensors.METADATA_KEY + "." + CREATED, c,
                        "not an ISO-8601 instant such as 2025-01-31T12:00:00Z");
            }
        }
        Map<String, String> entries = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : metadata.entrySet()) {
            if (!KEYS.contains(e.getKey()) && !ModelFile.RESERVED_KEYS.contains(e.getKey())) {
                entries.put(e.getKey(), e.getValue());
            }
        }
        return new Provenance(seed, metadata.get(DATA), metadata.get(VERSION), metadata.get(COMMIT), created, entries);
    }
}
