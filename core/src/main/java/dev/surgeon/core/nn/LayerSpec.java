package dev.surgeon.core.nn;

/**
 * One layer of an {@link ArchitectureSpec}, as written in the one-line spec. Only the fields meaningful for
 * the {@link Kind} are used; the others hold their defaults. {@link #toString()} is the canonical spelling
 * (options printed only when they differ from the default), which {@link ArchitectureSpec#parse} reads back.
 *
 * @param kind    the layer type
 * @param units   dense: output units; conv: output channels (filters); 0 otherwise
 * @param kernel  conv and pools: square kernel size; 0 otherwise
 * @param stride  conv: default 1; pools: default = kernel; 0 otherwise
 * @param padding conv: zero padding on every side, default 0; 0 otherwise
 * @param bias    dense and conv: whether the layer has a bias (default true); false otherwise
 * @param rate    dropout: probability of zeroing a value, in [0, 1); 0 otherwise
 */
public record LayerSpec(Kind kind, int units, int kernel, int stride, int padding, boolean bias, double rate) {

    /** Layer types and their spec keywords. */
    public enum Kind {
        DENSE("dense"), CONV("conv"), MAXPOOL("maxpool"), AVGPOOL("avgpool"), FLATTEN("flatten"),
        RELU("relu"), TANH("tanh"), SIGMOID("sigmoid"), DROPOUT("dropout");

        private final String keyword;

        Kind(String keyword) {
            this.keyword = keyword;
        }

        /** The word used in the spec. */
        public String keyword() {
            return keyword;
        }

        /** Whether layers of this kind own weights (and possibly a bias). */
        public boolean hasParameters() {
            return this == DENSE || this == CONV;
        }
    }

    public LayerSpec {
        switch (kind) {
            case DENSE -> require(units >= 1, "dense needs at least 1 unit, got " + units);
            case CONV -> {
                require(units >= 1, "conv needs at least 1 output channel, got " + units);
                require(kernel >= 1, "conv kernel size must be >= 1, got " + kernel);
                require(stride >= 1, "conv stride must be >= 1, got " + stride);
                require(padding >= 0, "conv padding must be >= 0, got " + padding);
            }
            case MAXPOOL, AVGPOOL -> {
                require(kernel >= 1, kind.keyword + " size must be >= 1, got " + kernel);
                require(stride >= 1, kind.keyword + " stride must be >= 1, got " + stride);
            }
            case DROPOUT -> require(rate >= 0 && rate < 1, "dropout probability must be in [0, 1), got " + rate);
            default -> { }
        }
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }

    public static LayerSpec dense(int units, boolean bias) {
        return new LayerSpec(Kind.DENSE, units, 0, 0, 0, bias, 0);
    }

    public static LayerSpec conv(int filters, int kernel, int stride, int padding, boolean bias) {
        return new LayerSpec(Kind.CONV, filters, kernel, stride, padding, bias, 0);
    }

    public static LayerSpec maxPool(int kernel, int stride) {
        return new LayerSpec(Kind.MAXPOOL, 0, kernel, stride, 0, false, 0);
    }

    public static LayerSpec avgPool(int kernel, int stride) {
        return new LayerSpec(Kind.AVGPOOL, 0, kernel, stride, 0, false, 0);
    }

    public static LayerSpec flatten() {
        return new LayerSpec(Kind.FLATTEN, 0, 0, 0, 0, false, 0);
    }

    public static LayerSpec relu() {
        return new LayerSpec(Kind.RELU, 0, 0, 0, 0, false, 0);
    }

    public static LayerSpec tanh() {
        return new LayerSpec(Kind.TANH, 0, 0, 0, 0, false, 0);
    }

    public static LayerSpec sigmoid() {
        return new LayerSpec(Kind.SIGMOID, 0, 0, 0, 0, false, 0);
    }

    public static LayerSpec dropout(double rate) {
        return new LayerSpec(Kind.DROPOUT, 0, 0, 0, 0, false, rate);
    }

    /**
     * The output shape of this layer for the given input shape.
     *
     * @throws IllegalArgumentException naming the mismatch (e.g. a dense layer on an image input)
     */
    public Shape outputShape(Shape in) {
        return switch (kind) {
            case DENSE -> {
                if (!in.isFlat()) {
                    throw new IllegalArgumentException("dense needs a flat input but gets " + in
                            + "; insert 'flatten' before it");
                }
                yield Shape.of(units);
            }
            case CONV -> {
                requireImage(in);
                int oh = convolvedSize(in.height(), kernel, stride, padding);
                int ow = convolvedSize(in.width(), kernel, stride, padding);
                if (oh < 1 || ow < 1) {
                    throw new IllegalArgumentException("conv kernel " + kernel + " (padding " + padding
                            + ") does not fit the " + in.height() + "x" + in.width() + " input");
                }
                yield Shape.of(units, oh, ow);
            }
            case MAXPOOL, AVGPOOL -> {
                requireImage(in);
                int oh = convolvedSize(in.height(), kernel, stride, 0);
                int ow = convolvedSize(in.width(), kernel, stride, 0);
                if (oh < 1 || ow < 1) {
                    throw new IllegalArgumentException(kind.keyword + " window " + kernel + " does not fit the "
                            + in.height() + "x" + in.width() + " input");
                }
                yield Shape.of(in.channels(), oh, ow);
            }
            case FLATTEN -> Shape.of(in.size());
            default -> in;
        };
    }

    private void requireImage(Shape in) {
        if (in.isFlat()) {
            throw new IllegalArgumentException(kind.keyword + " needs a [channels, height, width] input but gets "
                    + in + "; declare the input as in(c,h,w)");
        }
    }

    /** Output length along one axis: floor((n + 2·padding − kernel) / stride) + 1 (PyTorch's rule). */
    static int convolvedSize(int n, int kernel, int stride, int padding) {
        int span = n + 2 * padding - kernel;
        return span < 0 ? 0 : span / stride + 1;
    }

    @Override
    public String toString() {
        String k = kind.keyword;
        return switch (kind) {
            case DENSE -> k + "(" + units + (bias ? "" : ",bias=false") + ")";
            case CONV -> k + "(" + units + "," + kernel + (stride != 1 ? ",stride=" + stride : "")
                    + (padding != 0 ? ",pad=" + padding : "") + (bias ? "" : ",bias=false") + ")";
            case MAXPOOL, AVGPOOL -> k + "(" + kernel + (stride != kernel ? ",stride=" + stride : "") + ")";
            case DROPOUT -> k + "(" + rate + ")";
            default -> k;
        };
    }
}
