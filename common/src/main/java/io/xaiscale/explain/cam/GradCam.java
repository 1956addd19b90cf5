package io.xaiscale.explain.cam;

import ai.djl.ndarray.NDArray;
import io.xaiscale.config.ParamReader;

/**
 * Grad-CAM (Selvaraju et al. 2017): {@code ReLU(sum_k w_k A_k)} with {@code w_k} the spatial mean of
 * {@code d logit_target / d A_k}, upsampled bilinearly to the input size.
 */
public final class GradCam extends GradientCam {
    public static final String NAME = "grad_cam";

    public GradCam(ParamReader p) {
        super(NAME, p);
    }

    @Override
    protected NDArray weights(NDArray acts, NDArray grads) {
        return spatialMean(grads);
    }
}
