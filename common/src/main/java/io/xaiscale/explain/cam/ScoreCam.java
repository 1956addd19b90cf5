package io.xaiscale.explain.cam;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import io.xaiscale.config.ParamReader;
import io.xaiscale.explain.Attribution;
import io.xaiscale.explain.Capabilities;
import io.xaiscale.explain.Cost;
import io.xaiscale.explain.Targets;
import io.xaiscale.model.Classifier;
import io.xaiscale.model.Scopes;

/**
 * Score-CAM (Wang et al. 2020): each activation map of the layer, upsampled and min-max normalised to
 * [0, 1], masks the input; the target-class probability of each masked input, softmaxed over the
 * channels, weights the maps: {@code ReLU(sum_k w_k A_k)}, upsampled. No gradients; one forward pass
 * per channel and image, run as one stack per image cut to the model's internal batch size.
 */
public final class ScoreCam extends LayerCam {
    public static final String NAME = "score_cam";

    public ScoreCam(ParamReader p) {
        super(NAME, p);
    }

    @Override
    public Capabilities capabilities() {
        return new Capabilities(false, false, true);
    }

    @Override
    public Cost cost(Classifier model) {
        return Cost.forwards(channels(model, layerFor(model)) + 1);
    }

    @Override
    protected Attribution compute(Classifier model, NDArray inputs, Targets targets) {
        NDArray logits = targets.isPredicted() ? model.logitsNoGrad(inputs) : null;
        int[] t = targets.from(logits);
        return attribution(model, coarse(model, inputs, t), t, logits);
    }

    /** Maps {@code [N, h, w]} at the layer's resolution. */
    private NDArray coarse(Classifier model, NDArray inputs, int[] targets) {
        String l = layerFor(model);
        NDArray acts = activations(model, inputs, l);
        int h = model.height();
        int w = model.width();
        NDList weights = new NDList();
        for (int i = 0; i < targets.length; i++) {
            int t = targets[i];
            NDArray image = inputs.get(i).expandDims(0); // [1, C, H, W]
            weights.add(Scopes.step(
                    acts.get(i),
                    inputs.getManager(),
                    a -> { // a: [K, h, w]
                        NDArray up = upsampleOnDevice(a, h, w); // [K, H, W]
                        NDArray lo = up.min(new int[] {2}, true).min(new int[] {1}, true);
                        NDArray range = up.max(new int[] {2}, true)
                                .max(new int[] {1}, true)
                                .sub(lo);
                        NDArray flat = range.eq(0f).toType(range.getDataType(), false);
                        NDArray masks =
                                up.sub(lo).div(range.add(flat)).mul(flat.neg().add(1f)); // [K, H, W] in [0, 1]
                        NDArray masked = masks.expandDims(1).mul(image); // [K, C, H, W]
                        return model.probabilities(masked)
                                .get(":, " + t)
                                .softmax(0)
                                .expandDims(0); // [1, K]
                    }));
        }
        NDArray wk = NDArrays.concat(weights, 0); // [N, K]
        return weighted(wk, acts).maximum(0f);
    }
}
