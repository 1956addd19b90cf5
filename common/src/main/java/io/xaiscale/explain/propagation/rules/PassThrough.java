package io.xaiscale.explain.propagation.rules;

import ai.djl.ndarray.NDArray;
import io.xaiscale.explain.propagation.Rule;
import io.xaiscale.explain.propagation.Step;

/** Hands the signal on unchanged: LRP through ReLU and pointwise maps (each output has one input). */
public final class PassThrough implements Rule {
    public static final PassThrough INSTANCE = new PassThrough();

    @Override
    public NDArray backward(Step step, NDArray signal) {
        return signal;
    }
}
