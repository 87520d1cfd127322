package dev.surgeon.core.nn;

/**
 * Geometry shared by the pooling layers: k×k windows with stride s and no padding over every channel of an
 * NCHW batch; window (oy, ox) of a channel plane starts at input pixel (oy·s, ox·s).
 */
abstract class Pool2d extends Layer {
    final int channels;
    final int height;
    final int width;
    final int kernel;
    final int stride;
    final int outHeight;
    final int outWidth;

    Pool2d(int index, LayerSpec spec, Shape inShape, Shape outShape) {
        super(index, spec, inShape, outShape);
        this.channels = inShape.channels();
        this.height = inShape.height();
        this.width = inShape.width();
        this.kernel = spec.kernel();
        this.stride = spec.stride();
        this.outHeight = outShape.height();
        this.outWidth = outShape.width();
    }

    /** Index in the batch input array of the first pixel of window (oy, ox) of plane {@code bc} (= sample·C + c). */
    final int windowStart(int bc, int oy, int ox) {
        return bc * height * width + oy * stride * width + ox * stride;
    }
}
