package dev.surgeon.core.io;

import dev.surgeon.core.nn.Mask;
import dev.surgeon.core.nn.Network;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A model read from a file.
 *
 * @param network    the network with the stored weights
 * @param mask       the pruning mask stored beside the weights, or null when the file has no mask tensors
 * @param provenance where the model came from
 * @param metadata   the file's whole {@code __metadata__} map, in file order
 */
public record SavedModel(Network network, Mask mask, Provenance provenance, Map<String, String> metadata) {
    public SavedModel {
        metadata = Collections.unmodifiableMap(new LinkedHashMap<>(metadata));
    }
}
