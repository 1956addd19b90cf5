package io.xaiscale.explain.propagation;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;

/**
 * A convolution or dense layer {@code z = op(a, W) + b} as the engine sees it: BatchNorm that follows
 * a convolution is folded into {@code W} and {@code b} (the model's own weights are never changed).
 * Rules call {@link #apply} with modified weights (positive parts, gamma-raised weights, no bias).
 * The weight variants are computed once and kept with the layer, so no batch creates arrays in the
 * model's memory scope.
 */
public final class Affine extends Layer {
    private final boolean conv;
    private final NDArray weight;
    private final NDArray bias;
    private final Shape stride;
    private final Shape padding;
    private final Shape dilation;
    private final int groups;
    private NDArray positive;
    private NDArray negative;
    private NDArray positiveBias;
    private NDArray negativeBias;
    private NDArray zeroBias;

    private Affine(String name, boolean conv, NDArray weight, NDArray bias, Shape stride, Shape padding, Shape dilation, int groups) {
        super(Kind.LINEAR, name);
        this.conv = conv;
        this.weight = weight;
        this.bias = bias;
        this.stride = stride;
        this.padding = padding;
        this.dilation = dilation;
        this.groups = groups;
    }

    static Affine conv(String name, NDArray weight, NDArray bias, Shape stride, Shape padding, Shape dilation, int groups) {
        return new Affine(name, true, weight, bias, stride, padding, dilation, groups);
    }

    static Affine dense(String name, NDArray weight, NDArray bias) {
        return new Affine(name, false, weight, bias, null, null, null, 1);
    }

    /** Whether this is a convolution (else a dense layer). */
    public boolean isConv() {
        return conv;
    }

    private final java.util.Map<Double, NDArray> gammaWeights = new java.util.HashMap<>();
    private final java.util.Map<Double, NDArray> gammaBiases = new java.util.HashMap<>();

    public NDArray weight() {
        return weight;
    }

    public NDArray bias() {
        return bias;
    }

    /** {@code max(W, 0)}. */
    public synchronized NDArray positiveWeight() {
        if (positive == null) {
            positive = weight.maximum(0f);
        }
        return positive;
    }

    /** {@code min(W, 0)}. */
    public synchronized NDArray negativeWeight() {
        if (negative == null) {
            negative = weight.minimum(0f);
        }
        return negative;
    }

    public synchronized NDArray positiveBias() {
        if (positiveBias == null) {
            positiveBias = bias.maximum(0f);
        }
        return positiveBias;
    }

    public synchronized NDArray negativeBias() {
        if (negativeBias == null) {
            negativeBias = bias.minimum(0f);
        }
        return negativeBias;
    }

    /** {@code W + gamma max(W, 0)}: LRP-gamma's weights (the rule is linear in them), cached per gamma. */
    public synchronized NDArray gammaWeight(double gamma) {
        return gammaWeights.computeIfAbsent(gamma, g -> weight.add(positiveWeight().mul(g.floatValue())));
    }

    /** {@code b + gamma max(b, 0)}. */
    public synchronized NDArray gammaBias(double gamma) {
        return gammaBiases.computeIfAbsent(gamma, g -> bias.add(positiveBias().mul(g.floatValue())));
    }

    public synchronized NDArray zeroBias() {
        if (zeroBias == null) {
            zeroBias = bias.zerosLike();
        }
        return zeroBias;
    }

    /** {@code op(a, w) + b} with this layer's geometry (stride, padding) and the given weights. */
    public NDArray apply(NDArray a, NDArray w, NDArray b) {
        if (conv) {
            return Conv2d.conv2d(a, w, b, stride, padding, dilation, groups).singletonOrThrow();
        }
        return Linear.linear(a, w, b).singletonOrThrow();
    }

    @Override
    public NDArray forward(NDArray input) {
        return apply(input, weight, bias);
    }
}
