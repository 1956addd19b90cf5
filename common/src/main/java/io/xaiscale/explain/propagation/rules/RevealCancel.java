package io.xaiscale.explain.propagation.rules;

import ai.djl.ndarray.NDArray;
import io.xaiscale.explain.propagation.Affine;
import io.xaiscale.explain.propagation.Layer;
import io.xaiscale.explain.propagation.Rule;
import io.xaiscale.explain.propagation.Step;

/**
 * DeepLIFT's RevealCancel rule for a linear layer followed by a ReLU (Shrikumar et al. 2017): the
 * pre-activation difference is split into the sum of positive and of negative contributions
 * {@code dx+ = W+ da+ + W- da-}, {@code dx- = W- da+ + W+ da-}; the ReLU gets separate multipliers
 * {@code m+ = dy+ / dx+}, {@code m- = dy- / dx-} with
 * {@code dy+ = (f(x0 + dx+) - f(x0) + f(x0 + dx- + dx+) - f(x0 + dx-)) / 2} (and symmetrically), and
 * each input contribution is carried back with the multiplier of its sign. Sums to
 * {@code f(x) - f(x_ref)} exactly, like Rescale. Applied on the linear layer; the ReLU after it then
 * passes the signal through ({@link #RELU}).
 */
public final class RevealCancel implements Rule {
    public static final RevealCancel INSTANCE = new RevealCancel();

    /** The ReLU half: the linear layer before it has already applied the ReLU's multipliers. */
    public static final Rule RELU = (step, signal) -> {
        if (step.previous() instanceof Affine) {
            return signal;
        }
        return Rescale.INSTANCE.backward(step, signal);
    };

    /** Whether {@code step} is a linear layer whose ReLU this rule handles. */
    public static boolean applies(Step step) {
        return step.layer() instanceof Affine
                && step.next() != null
                && step.next().kind() == Layer.Kind.RELU;
    }

    @Override
    public NDArray backward(Step step, NDArray signal) {
        Affine layer = (Affine) step.layer();
        NDArray da = step.input().sub(step.referenceInput());
        NDArray dap = da.maximum(0f);
        NDArray dan = da.minimum(0f);
        NDArray wp = layer.positiveWeight();
        NDArray wn = layer.negativeWeight();
        NDArray zero = layer.zeroBias();
        NDArray dxp = layer.apply(dap, wp, zero).add(layer.apply(dan, wn, zero));
        NDArray dxn = layer.apply(dap, wn, zero).add(layer.apply(dan, wp, zero));
        NDArray x0 = step.referenceOutput();
        NDArray dyp = relu(x0.add(dxp))
                .sub(relu(x0))
                .add(relu(x0.add(dxn).add(dxp)))
                .sub(relu(x0.add(dxn)))
                .mul(0.5f);
        NDArray dyn = relu(x0.add(dxn))
                .sub(relu(x0))
                .add(relu(x0.add(dxp).add(dxn)))
                .sub(relu(x0.add(dxp)))
                .mul(0.5f);
        NDArray gp = signal.mul(Stable.divide(dyp, dxp, 0));
        NDArray gn = signal.mul(Stable.divide(dyn, dxn, 0));
        // contributions w_ij da_i are positive for (w+, da+) and (w-, da-)
        NDArray fromPositiveInputs = vjp(layer, wp, da, gp).add(vjp(layer, wn, da, gn));
        NDArray fromNegativeInputs = vjp(layer, wn, da, gp).add(vjp(layer, wp, da, gn));
        NDArray pos = Stable.positive(da);
        NDArray neg = Stable.positive(da.neg());
        NDArray rest = pos.add(neg).neg().add(1f);
        NDArray plain = vjp(layer, layer.weight(), da, gp.add(gn).mul(0.5f));
        return pos.mul(fromPositiveInputs).add(neg.mul(fromNegativeInputs)).add(rest.mul(plain));
    }

    private static NDArray vjp(Affine layer, NDArray w, NDArray at, NDArray cotangent) {
        return Step.vjp(v -> layer.apply(v, w, layer.zeroBias()), at, cotangent);
    }

    private static NDArray relu(NDArray x) {
        return x.maximum(0f);
    }
}
