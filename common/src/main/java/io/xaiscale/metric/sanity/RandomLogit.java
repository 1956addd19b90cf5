package io.xaiscale.metric.sanity;

import ai.djl.ndarray.types.DataType;
import io.xaiscale.config.ParamReader;
import io.xaiscale.metric.EvalBatch;
import io.xaiscale.metric.similarity.MapComparison;
import io.xaiscale.util.Hashing;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Random logit (Sixt et al. 2020; Quantus's {@code RandomLogit}): the method explains each image for
 * a class drawn at random among the others (seeded by {@code seed} and the image's pixels), and the
 * map is compared with the stored one by SSIM on the maps' {@code relevance}. A method that explains
 * the class, not just the image, gives dissimilar maps: lower is better.
 */
public final class RandomLogit extends MapComparison {
    public static final String NAME = "random_logit";

    private final long seed;

    public RandomLogit(ParamReader p) {
        super(NAME, p, List.of("ssim"), false);
        this.seed = p.getLong("seed", 0L);
    }

    @Override
    public double[][] evaluateAll(EvalBatch b) {
        int n = b.size();
        int classes = b.model().numClasses();
        float[] pixels = b.inputs().toType(DataType.FLOAT32, false).toFloatArray();
        int per = pixels.length / n;
        int[] other = new int[n];
        for (int i = 0; i < n; i++) {
            SplittableRandom rnd =
                    new SplittableRandom(Hashing.seedOf(seed, Arrays.copyOfRange(pixels, i * per, (i + 1) * per)));
            int k = rnd.nextInt(classes - 1);
            other[i] = k >= b.targets()[i] ? k + 1 : k;
        }
        float[] flat = b.method()
                .attribute(b.model(), b.inputs(), other)
                .toType(DataType.FLOAT32, false)
                .toFloatArray();
        int hw = b.height() * b.width();
        float[][] maps = new float[n][];
        for (int i = 0; i < n; i++) {
            maps[i] = Arrays.copyOfRange(flat, i * hw, (i + 1) * hw);
        }
        return compare(b, maps);
    }
}
