package io.xaiscale.explain.region;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.xaiscale.TestModels;
import io.xaiscale.explain.Explainers;
import io.xaiscale.model.Classifier;
import java.util.List;
import org.junit.jupiter.api.Test;

/** XRAI's greedy region selection on hand-made segments with known gains, and on a model with a known hot region. */
class XraiTest {
    static final float[] ATTR = {5, 5, 5, 1, 3, 0, 0, 0, -2, -2};
    static final List<int[]> MASKS = List.of(
            new int[] {0, 1, 2}, // A: gain 5
            new int[] {3, 4}, // B: gain 2
            new int[] {0, 1, 2, 3, 4}, // C: gain 3.8
            new int[] {5, 6, 7, 8, 9}, // D: gain -0.8
            new int[] {8, 9}, // E: gain -2
            new int[] {4}); // F: gain 3

    @Test
    void eachPixelGetsTheGainOfTheRegionThatAddedIt() {
        // A (5); then F (3) beats B and C (2 each); then B adds pixel 3 alone (1) before C (tie, first);
        // C and E add nothing more and are dropped; D adds the rest at -0.8
        assertArrayEquals(
                new float[] {5, 5, 5, 1, 3, -0.8f, -0.8f, -0.8f, -0.8f, -0.8f}, Xrai.rank(ATTR, MASKS, 1), 1e-6f);
    }

    @Test
    void regionsAddingTooFewPixelsAreDroppedAndWhatNoneAddedGetsItsMean() {
        // min 3 pixels: B, E, F never qualify, C adds only 2 after A; pixels 3 and 4 get their mean, 2
        assertArrayEquals(
                new float[] {5, 5, 5, 2, 2, -0.8f, -0.8f, -0.8f, -0.8f, -0.8f}, Xrai.rank(ATTR, MASKS, 3), 1e-6f);
    }

    @Test
    void onAModelThatLooksAtOneQuadrantTheTopRegionsAreThere() {
        int side = 16;
        float[] weights = new float[2 * side * side];
        for (int y = 0; y < side; y++) {
            for (int x = 0; x < side; x++) {
                // class 1 looks at the top-left quadrant, a little at the rest
                weights[side * side + y * side + x] = y < side / 2 && x < side / 2 ? 1f : 0.05f;
            }
        }
        float[] image = new float[side * side];
        for (int p = 0; p < image.length; p++) {
            image[p] = 0.5f + 0.01f * (p % 7);
        }
        try (Classifier linear = TestModels.linear(weights, new float[2], 1, side, side);
                NDManager m = NDManager.newBaseManager()) {
            float[] map = Explainers.fromString(
                            "xrai[base=gradient_x_input,segments=16,scales=2,min_pixels=4,dilation=0]")
                    .attribute(linear, m.create(image, new Shape(1, 1, side, side)), new int[] {1})
                    .toFloatArray();
            double inside = 0;
            double outside = 0;
            int best = 0;
            for (int p = 0; p < map.length; p++) {
                boolean in = p / side < side / 2 && p % side < side / 2;
                if (in) {
                    inside += map[p] / (side * side / 4.0);
                } else {
                    outside += map[p] / (side * side * 3 / 4.0);
                }
                best = map[p] > map[best] ? p : best;
            }
            assertTrue(inside > 5 * outside, "mean inside " + inside + " vs outside " + outside);
            assertTrue(best / side < side / 2 && best % side < side / 2, "the top pixel is in the quadrant: " + best);
        }
    }
}
