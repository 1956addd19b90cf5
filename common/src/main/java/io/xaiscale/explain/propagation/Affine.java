package io.xaiscale.explain.propagation;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Supplier;

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

    private Affine(
            String name,
            boolean conv,
            NDArray weight,
            NDArray bias,
            Shape stride,
            Shape padding,
            Shape dilation,
            int groups) {
        super(Kind.LINEAR, name);
        this.conv = conv;
        this.weight = weight;
        this.bias = bias;
        this.stride = stride;
        this.padding = padding;
        this.dilation = dilation;
        this.groups = groups;
    }

    static Affine conv(
            String name, NDArray weight, NDArray bias, Shape stride, Shape padding, Shape dilation, int groups) {
        return new Affine(name, true, weight, bias, stride, padding, dilation, groups);
    }

    static Affine dense(String name, NDArray weight, NDArray bias) {
        return new Affine(name, false, weight, bias, null, null, null, 1);
    }

    /** Whether this is a convolution (else a dense layer). */
    public boolean isConv() {
        return conv;
    }

    private final Map<Double, NDArray> gammaWeights = new HashMap<>();
    private final Map<String, NDArray> stackedWeights = new HashMap<>();
    private final Map<Double, NDArray> gammaBiases = new HashMap<>();

    public NDArray weight() {
        return weight;
    }

    public NDArray bias() {
        return bias;
    }

    /** {@code max(W, 0)}. */
    public synchronized NDArray positiveWeight() {
        if (positive == null) {
            positive = kept(weight.maximum(0f));
        }
        return positive;
    }

    /** {@code min(W, 0)}. */
    public synchronized NDArray negativeWeight() {
        if (negative == null) {
            negative = kept(weight.minimum(0f));
        }
        return negative;
    }

    public synchronized NDArray positiveBias() {
        if (positiveBias == null) {
            positiveBias = kept(bias.maximum(0f));
        }
        return positiveBias;
    }

    public synchronized NDArray negativeBias() {
        if (negativeBias == null) {
            negativeBias = kept(bias.minimum(0f));
        }
        return negativeBias;
    }

    /** {@code W + gamma max(W, 0)}: LRP-gamma's weights (the rule is linear in them), cached per gamma. */
    public synchronized NDArray gammaWeight(double gamma) {
        return gammaWeights.computeIfAbsent(
                gamma, g -> kept(weight.add(positiveWeight().mul(g.floatValue()))));
    }

    /** {@code b + gamma max(b, 0)}. */
    public synchronized NDArray gammaBias(double gamma) {
        return gammaBiases.computeIfAbsent(
                gamma, g -> kept(bias.add(positiveBias().mul(g.floatValue()))));
    }

    public synchronized NDArray zeroBias() {
        if (zeroBias == null) {
            zeroBias = kept(bias.zerosLike());
        }
        return zeroBias;
    }

    /**
     * A cached derived weight lives as long as the model's weights: out of the propagation step's
     * scope it may have been first asked in (that scope frees everything else the step made).
     */
    private static NDArray kept(NDArray derived) {
        NDScope.unregister(derived);
        return derived;
    }

    /**
     * {@code [W_1 | W_2 | ...]} along the weights' input axis, cached under {@code key}: with
     * {@link #stack} it makes {@code sum_k op(a_k, W_k)} one op, {@code op(stack(a_1, a_2, ...), [W_1 | W_2 | ...])}.
     */
    public synchronized NDArray stackedWeight(String key, Supplier<NDArray[]> parts) {
        return stackedWeights.computeIfAbsent(key, k -> kept(NDArrays.concat(new NDList(parts.get()), 1)));
    }

    /**
     * Inputs side by side along the feature axis: a convolution's channels {@code [N, k C, ...]}, group
     * by group (each filter of a grouped convolution sees its group's channels of every input); a dense
     * layer's last axis ({@code [..., k D]}: its input may have token axes, as a transformer's). One
     * input is returned as it is.
     */
    public NDArray stack(NDArray... inputs) {
        if (inputs.length == 1) {
            return inputs[0];
        }
        if (!conv) {
            return NDArrays.concat(new NDList(inputs), -1);
        }
        Shape s = inputs[0].getShape();
        NDList grouped = new NDList();
        for (NDArray a : inputs) {
            grouped.add(a.reshape(perGroup(s, 1)));
        }
        return NDArrays.concat(grouped, 2).reshape(perChannel(s, inputs.length));
    }

    /** {@code sum_k r_k} of an array laid out as {@link #stack} lays out {@code k} inputs. */
    public NDArray unstackSum(NDArray stacked, int k) {
        if (k == 1) {
            return stacked;
        }
        Shape s = stacked.getShape();
        if (!conv) {
            long[] lead = s.slice(0, s.dimension() - 1).getShape();
            Shape parts = new Shape(concatDims(lead, new long[] {k, s.get(s.dimension() - 1) / k}));
            return stacked.reshape(parts).sum(new int[] {s.dimension() - 1});
        }
        long[] rest = s.slice(2).getShape();
        NDArray byPart =
                stacked.reshape(new Shape(concatDims(new long[] {s.get(0), groups, k, s.get(1) / k / groups}, rest)));
        return byPart.sum(new int[] {2}).reshape(new Shape(concatDims(new long[] {s.get(0), s.get(1) / k}, rest)));
    }

    private Shape perGroup(Shape s, int k) {
        return new Shape(concatDims(
                new long[] {s.get(0), groups, k * s.get(1) / groups}, s.slice(2).getShape()));
    }

    private static Shape perChannel(Shape s, int k) {
        return new Shape(
                concatDims(new long[] {s.get(0), k * s.get(1)}, s.slice(2).getShape()));
    }

    private static long[] concatDims(long[] head, long[] tail) {
        long[] out = Arrays.copyOf(head, head.length + tail.length);
        System.arraycopy(tail, 0, out, head.length, tail.length);
        return out;
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
