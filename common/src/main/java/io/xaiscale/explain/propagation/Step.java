package io.xaiscale.explain.propagation;

import ai.djl.ndarray.NDArray;
import io.xaiscale.model.Autograd;
import java.util.function.UnaryOperator;

/**
 * What a {@link Rule} sees of the layer it is applied to: the layer, its neighbours, its input and
 * output on this batch, and (for reference-based methods) the same on the reference input.
 */
public final class Step {
    private final Walk walk;
    private final int index;
    private final Walk.Record record;
    private final Walk.Record reference;
    private final Walk top;

    Step(Walk walk, int index, Walk.Record record, Walk.Record reference, Walk top) {
        this.walk = walk;
        this.index = index;
        this.record = record;
        this.reference = reference;
        this.top = top;
    }

    public Layer layer() {
        return walk.layers().get(index);
    }

    /** The layer after this one in its walk, or null. */
    public Layer next() {
        return index + 1 < walk.layers().size() ? walk.layers().get(index + 1) : null;
    }

    /** The layer before this one in its walk, or null. */
    public Layer previous() {
        return index > 0 ? walk.layers().get(index - 1) : null;
    }

    /** Whether this is the first convolution or dense layer of the model (not inside a residual branch). */
    public boolean isFirstLinear() {
        return walk == top && index == top.firstLinear();
    }

    public NDArray input() {
        return record.inputs().get(index);
    }

    public NDArray output() {
        return record.output(index);
    }

    public NDArray referenceInput() {
        return reference.inputs().get(index);
    }

    public NDArray referenceOutput() {
        return reference.output(index);
    }

    /** The normalised images of the input range [0, 1] (bounds of the z^B rule), {@code [1, C, 1, 1]}. */
    public NDArray low() {
        return top.low();
    }

    public NDArray high() {
        return top.high();
    }

    /** Vector-Jacobian product: {@code d sum(f(x) * cotangent) / d x}. */
    public static NDArray vjp(UnaryOperator<NDArray> f, NDArray x, NDArray cotangent) {
        return Autograd.vjp(f, x, cotangent);
    }

    /** The plain chain rule through this layer, through the forward pass's graph when it was taped. */
    public NDArray chain(NDArray signal) {
        Autograd.Taped t = record.taped(index);
        return t != null ? t.vjp(signal) : vjp(layer()::forward, input(), signal);
    }

    /**
     * The chain rule through this layer at the reference input (DeepLIFT). A reference shared by the
     * batch (walked as one sample) routes every sample's signal the same way: through max pooling
     * whose windows tile the input, each window's signal is spread over the window and kept at the
     * reference's max (one product of the batch-of-one graph); elsewhere the reference is broadcast
     * to the batch for the product.
     */
    public NDArray referenceChain(NDArray signal) {
        Autograd.Taped t = reference.taped(index);
        NDArray at = referenceInput();
        if (at.getShape().get(0) != input().getShape().get(0)) {
            int window = layer().tilingWindow(at.getShape());
            if (window > 0 && t != null) {
                NDArray atMax = t.vjp(referenceOutput().onesLike());
                return signal.repeat(2, window).repeat(3, window).muli(atMax);
            }
            return vjp(layer()::forward, at.broadcast(input().getShape()), signal);
        }
        return t != null ? t.vjp(signal) : vjp(layer()::forward, at, signal);
    }
}
