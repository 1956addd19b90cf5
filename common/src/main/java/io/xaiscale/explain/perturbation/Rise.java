package io.xaiscale.explain.perturbation;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.xaiscale.config.ParamReader;
import io.xaiscale.explain.Capabilities;
import io.xaiscale.explain.Cost;
import io.xaiscale.explain.Explainer;
import io.xaiscale.model.Chunks;
import io.xaiscale.model.Classifier;
import io.xaiscale.model.Scopes;
import java.util.Arrays;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;

/**
 * RISE (Petsiuk et al. 2018): {@code masks} random masks, each a grid of cells of {@code cell} pixels
 * kept with probability {@code keep}, upsampled bilinearly and shifted by a random offset below one
 * cell; the map is {@code sum_i p_target(x * M_i) M_i / (masks * keep)}. The masks depend only on
 * {@code seed} and the image size (the same for every image), so results do not depend on the batch.
 * Forward passes only, in chunks of the model's internal batch size.
 */
public final class Rise extends Explainer {
    public static final String NAME = "rise";

    private final int masks;
    private final int cell;
    private final double keep;
    private final long seed;
    private final Map<String, float[]> cache = new ConcurrentHashMap<>();

    public Rise(ParamReader p) {
        super(NAME, p);
        this.masks = p.getInt("masks", 1000, 1, 1_000_000);
        this.cell = p.getInt("cell", 8, 1, 4096);
        this.keep = p.getDouble("keep", 0.5, 0.0, true, 1.0);
        this.seed = p.getLong("seed", 0L);
    }

    @Override
    public Capabilities capabilities() {
        return Capabilities.BLACK_BOX;
    }

    @Override
    public Cost cost(Classifier model) {
        return Cost.forwards(masks);
    }

    /** The masks for an {@code h x w} image, {@code masks * h * w} values in [0, 1], mask-major. */
    float[] masks(int h, int w) {
        return cache.computeIfAbsent(h + "x" + w, k -> generate(h, w));
    }

    private float[] generate(int h, int w) {
        int gh = (h + cell - 1) / cell + 1;
        int gw = (w + cell - 1) / cell + 1;
        SplittableRandom rnd = new SplittableRandom(seed);
        float[] out = new float[masks * h * w];
        float[] grid = new float[gh * gw];
        for (int m = 0; m < masks; m++) {
            for (int g = 0; g < grid.length; g++) {
                grid[g] = rnd.nextDouble() < keep ? 1f : 0f;
            }
            int dy = rnd.nextInt(cell);
            int dx = rnd.nextInt(cell);
            for (int y = 0; y < h; y++) {
                double fy = Math.min(gh - 1.0, Math.max(0.0, (y + dy + 0.5) / cell - 0.5));
                int y0 = (int) fy;
                int y1 = Math.min(gh - 1, y0 + 1);
                double ty = fy - y0;
                for (int x = 0; x < w; x++) {
                    double fx = Math.min(gw - 1.0, Math.max(0.0, (x + dx + 0.5) / cell - 0.5));
                    int x0 = (int) fx;
                    int x1 = Math.min(gw - 1, x0 + 1);
                    double tx = fx - x0;
                    double v = (1 - ty) * ((1 - tx) * grid[y0 * gw + x0] + tx * grid[y0 * gw + x1])
                            + ty * ((1 - tx) * grid[y1 * gw + x0] + tx * grid[y1 * gw + x1]);
                    out[(m * h + y) * w + x] = (float) v;
                }
            }
        }
        return out;
    }

    @Override
    protected NDArray maps(Classifier model, NDArray inputs, int[] targets) {
        int h = model.height();
        int w = model.width();
        float[] all = masks(h, w);
        NDManager owner = inputs.getManager();
        NDList maps = new NDList();
        for (int i = 0; i < targets.length; i++) {
            int t = targets[i];
            maps.add(Scopes.step(
                    inputs.get(i).expandDims(0),
                    owner,
                    image -> { // [1, C, H, W]
                        NDArray sum = image.getManager().zeros(new Shape(h, w), image.getDataType());
                        for (Chunks.Range r : Chunks.of(masks, model.internalBatchSize())) {
                            int start = r.start();
                            int n = r.size();
                            float[] part = Arrays.copyOfRange(all, start * h * w, (start + n) * h * w);
                            NDArray m = image.getManager()
                                    .create(part, new Shape(n, 1, h, w))
                                    .toType(image.getDataType(), false);
                            sum = sum.add(Scopes.step(m, image.getManager(), mm -> {
                                NDArray scores =
                                        model.probabilities(mm.mul(image)).get(":, " + t); // [n]
                                return mm.squeeze(1)
                                        .mul(scores.reshape(n, 1, 1))
                                        .sum(new int[] {0});
                            }));
                        }
                        return sum.div((float) (masks * keep)).expandDims(0);
                    }));
        }
        return NDArrays.concat(maps, 0);
    }
}
