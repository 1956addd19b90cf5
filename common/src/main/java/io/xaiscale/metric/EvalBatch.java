package io.xaiscale.metric;

import ai.djl.ndarray.NDArray;
import io.xaiscale.image.Box;
import io.xaiscale.model.Classifier;

/**
 * What a metric sees for N samples: the model, the pixel-space inputs {@code [N, C, H, W]}, each
 * sample's map (row-major {@code H x W}), target class and ground-truth box (null when unknown).
 * Metrics that only look at maps accept a null model and inputs.
 */
public record EvalBatch(Classifier model, NDArray inputs, float[][] maps, int[] targets, Box[] boxes, int height, int width) {

    public static EvalBatch of(Classifier model, NDArray inputs, float[][] maps, int[] targets, Box[] boxes) {
        return new EvalBatch(model, inputs, maps, targets, boxes, (int) inputs.getShape().get(2), (int) inputs.getShape().get(3));
    }

    /** A batch of maps only, for localisation metrics. */
    public static EvalBatch mapsOnly(float[][] maps, Box[] boxes, int height, int width) {
        return new EvalBatch(null, null, maps, new int[maps.length], boxes, height, width);
    }

    public int size() {
        return maps.length;
    }
}
