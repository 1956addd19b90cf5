package io.xaiscale.explain.cam;

import ai.djl.ndarray.NDArray;
import io.xaiscale.config.ParamReader;

/**
 * Grad-CAM++ (Chattopadhay et al. 2018): channel weights {@code w_k = sum_ij alpha_kij ReLU(g_kij)}
 * with {@code alpha = g^2 / (2 g^2 + sum_ab A_kab g^3)} (0 where the gradient is 0), the closed form
 * for an exponential of the logit.
 */
public final class GradCamPlusPlus extends GradientCam {
    public static final String NAME = "grad_cam_plus_plus";

    public GradCamPlusPlus(ParamReader p) {
        super(NAME, p);
    }

    @Override
    protected NDArray weights(NDArray acts, NDArray grads) {
        NDArray g2 = grads.square();
        NDArray g3 = g2.mul(grads);
        NDArray sumA = acts.sum(new int[] {3}, true).sum(new int[] {2}, true);
        NDArray den = g2.mul(2f).add(sumA.mul(g3));
        NDArray nonZero = grads.neq(0f).toType(grads.getDataType(), false);
        NDArray safe = den.add(den.eq(0f).toType(den.getDataType(), false));
        NDArray alpha = g2.div(safe).mul(nonZero);
        return alpha.mul(grads.maximum(0f)).sum(new int[] {3}).sum(new int[] {2});
    }
}
