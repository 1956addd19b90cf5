package io.xaiscale.metric.faithfulness;

import java.util.SplittableRandom;

/** Test access to ROAD's imputation. */
public final class RoadTestAccess {
    private RoadTestAccess() {}

    public static float[] impute(float[] image, boolean[] gone, int h, int w, double noise, long seed) {
        return Road.impute(image, gone, h, w, "solve", noise, new SplittableRandom(seed));
    }
}
