package dev.surgeon.cli;

import dev.surgeon.core.data.Split;
import dev.surgeon.core.nn.Network;

/** Checks that data can feed a network before any work starts; a mismatch is bad input (exit 3). */
final class Compatibility {
    private Compatibility() {
    }

    static void check(Network network, Split split, String dataArgument) {
        try {
            var ws = network.workspace(1);
            ws.checkCompatible(split.train());
            ws.checkCompatible(split.test());
        } catch (IllegalArgumentException e) {
            throw new UserException(ExitCodes.INPUT, "the data '" + dataArgument + "' does not fit the network: " + e.getMessage());
        }
    }
}
