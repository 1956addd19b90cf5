package io.xaiscale.explain.perturbation;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.xaiscale.config.ParamReader;
import io.xaiscale.explain.Attribution;
import io.xaiscale.explain.Capabilities;
import io.xaiscale.explain.Cost;
import io.xaiscale.explain.Explainer;
import io.xaiscale.explain.Targets;
import io.xaiscale.model.Classifier;
import io.xaiscale.model.Scopes;
import java.util.ArrayList;
import java.util.List;

/**
 * Occlusion (Zeiler & Fergus 2014): a {@code window x window} patch of value {@code fill} slides with
 * {@code stride} (the last window of each row and column is aligned to the border so every pixel is
 * covered); a pixel's relevance is the mean drop of the target logit over the windows that cover it.
 * Forward passes only; the occluded copies of an image go through the model as one stack, cut into
 * chunks of the model's internal batch size.
 */
public final class Occlusion extends Explainer {
    public static final String NAME = "occlusion";

    private final int window;
    private final int stride;
    private final double fill;

    public Occlusion(ParamReader p) {
        super(NAME, p);
        this.window = p.getInt("window", 8, 1, 4096);
        this.stride = p.getInt("stride", 4, 1, 4096);
        this.fill = p.getDouble("fill", 0.0, 0.0, false, 1.0);
    }

    @Override
    public Capabilities capabilities() {
        return Capabilities.BLACK_BOX;
    }

    @Override
    public Cost cost(Classifier model) {
        return Cost.forwards(passesPerImage(model.height(), model.width()));
    }

    /** Window origins along an axis of length {@code size}, the last one flush with the border. */
    static List<Integer> origins(int size, int window, int stride) {
        if (window > size) {
            throw new IllegalArgumentException(
                    "Invalid window for occlusion: " + window + " (must be <= image side " + size + ")");
        }
        List<Integer> out = new ArrayList<>();
        for (int o = 0; o + window <= size; o += stride) {
            out.add(o);
        }
        if (out.get(out.size() - 1) + window < size) {
            out.add(size - window);
        }
        return out;
    }

    /** Number of model passes per image (windows plus the unoccluded pass). */
    public int passesPerImage(int height, int width) {
        return origins(height, window, stride).size()
                        * origins(width, window, stride).size()
                + 1;
    }

    /** The unoccluded pass chooses the predicted class: no separate prediction pass. */
    @Override
    protected Attribution compute(Classifier model, NDArray inputs, Targets targets) {
        NDArray baseLogits = model.logitsNoGrad(inputs);
        int[] t = targets.from(baseLogits);
        return new Attribution(occlude(model, inputs, t, baseLogits), t, baseLogits);
    }

    private NDArray occlude(Classifier model, NDArray inputs, int[] targets, NDArray baseLogits) {
        int h = model.height();
        int w = model.width();
        NDManager m = inputs.getManager();
        List<Integer> ys = origins(h, window, stride);
        List<Integer> xs = origins(w, window, stride);
        int p = ys.size() * xs.size();
        float[] maskData = new float[p * h * w];
        int k = 0;
        for (int y0 : ys) {
            for (int x0 : xs) {
                for (int y = y0; y < y0 + window; y++) {
                    for (int x = x0; x < x0 + window; x++) {
                        maskData[k * h * w + y * w + x] = 1f;
                    }
                }
                k++;
            }
        }
        NDArray masks = m.create(maskData, new Shape(p, 1, h, w));
        NDArray keep = masks.neg().add(1f);
        NDArray fillTerm = masks.mul((float) fill);
        NDArray counts = masks.sum(new int[] {0}).squeeze(0); // [H, W], >= 1 everywhere
        NDList maps = new NDList();
        for (int i = 0; i < targets.length; i++) {
            int t = targets[i];
            float base = baseLogits.getFloat(i, t);
            maps.add(Scopes.step(
                    inputs.get(i).expandDims(0),
                    m,
                    xi -> { // xi: [1, C, H, W]
                        NDArray occluded = xi.mul(keep).add(fillTerm); // [P, C, H, W]
                        NDArray drops = model.logitsNoGrad(occluded)
                                .get(":, " + t)
                                .neg()
                                .add(base); // [P]
                        return drops.reshape(p, 1, 1)
                                .mul(masks.squeeze(1))
                                .sum(new int[] {0})
                                .div(counts)
                                .expandDims(0);
                    }));
        }
        return NDArrays.concat(maps, 0);
    }
}
