package dev.surgeon.core.prune.structured;

/**
 * {@link NextLayerReconstruction} could not refit a layer: its inputs on the calibration data were not finite (the
 * network or the data produced NaN or ±∞). The network and mask are left as they were before the call; the message
 * names the layer and the fix.
 */
public final class ReconstructionFailedException extends ArithmeticException {
    private static final long serialVersionUID = 1L;

    private final String layer;

    ReconstructionFailedException(String layer, String message) {
        super(message);
        this.layer = layer;
    }

    /** The layer whose refit failed. */
    public String layer() {
        return layer;
    }
}
