package io.xaiscale.explain.perturbation;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import io.xaiscale.config.ParamReader;
import io.xaiscale.explain.Capabilities;
import io.xaiscale.explain.Explainer;
import io.xaiscale.model.Classifier;
import io.xaiscale.model.Scopes;
import io.xaiscale.util.Hashing;
import java.util.SplittableRandom;

/**
 * A method that gives each region of an image one value from the model's outputs on coalitions of
 * regions ({@link Coalitions}), every pixel carrying its region's value (as Captum's feature masks
 * do). Each image runs in a native-memory scope of its own, its randomness seeded by {@code seed}
 * and its own pixels, so a batch equals its images one by one.
 */
abstract class RegionExplainer extends Explainer {
    protected final Coalitions.Regions regions;
    protected final String fill;
    protected final long seed;

    RegionExplainer(String name, ParamReader p, int defaultSegments, boolean recordSlic) {
        super(name, p);
        this.regions = Coalitions.Regions.read(p, defaultSegments, recordSlic);
        this.fill = p.getChoice("fill", "zero", Coalitions.FILLS);
        this.seed = p.getLong("seed", 0L);
    }

    @Override
    public Capabilities capabilities() {
        return Capabilities.BLACK_BOX;
    }

    /**
     * The value of each of the {@code count} regions of {@code image} ({@code [1, C, H, W]}) for class
     * {@code target}.
     */
    protected abstract double[] perRegion(
            Classifier model, NDArray image, NDArray filler, int[] label, int count, int target, SplittableRandom rnd);

    @Override
    protected final NDArray maps(Classifier model, NDArray inputs, int[] targets) {
        int c = model.channels();
        int h = model.height();
        int w = model.width();
        NDManager owner = inputs.getManager();
        NDList maps = new NDList();
        for (int i = 0; i < targets.length; i++) {
            int t = targets[i];
            maps.add(Scopes.step(inputs.get(i).expandDims(0), owner, image -> {
                float[] pixels = image.toType(DataType.FLOAT32, false).toFloatArray();
                int[] label = regions.of(pixels, c, h, w);
                NDArray filler = Coalitions.filler(image, fill, h, w);
                SplittableRandom rnd = new SplittableRandom(Hashing.seedOf(seed, pixels));
                double[] values = perRegion(model, image, filler, label, Coalitions.count(label), t, rnd);
                return Coalitions.paint(image.getManager(), values, label, h, w, image.getDataType());
            }));
        }
        return NDArrays.concat(maps, 0);
    }
}
