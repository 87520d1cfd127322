package dev.surgeon.core.prune;

/**
 * A layer cannot take the requested compression pattern, e.g. N:M ({@code keep=N,group=M}) on a layer whose input
 * count (d_col, or c_in for a convolution) is not divisible by M. The message names the layer and the fix.
 */
public final class LayerReconstructionPatternException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    private final String layer;

    public LayerReconstructionPatternException(String layer, String message) {
        super(message);
        this.layer = layer;
    }

    /** The layer that was refused. */
    public String layer() {
        return layer;
    }
}
