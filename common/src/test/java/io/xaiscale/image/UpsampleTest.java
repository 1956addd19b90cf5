package io.xaiscale.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.xaiscale.explain.cam.LayerCam;
import java.util.Random;
import org.junit.jupiter.api.Test;

class UpsampleTest {

    /** libtorch's bilinear interpolation with half-pixel centres is the reference, up to float rounding. */
    @Test
    void equalsLibtorchsBilinearInterpolation() {
        Random r = new Random(5);
        int[][] sizes = {{7, 7, 224, 224}, {8, 8, 64, 64}, {3, 5, 17, 11}, {4, 4, 4, 9}};
        try (NDManager m = NDManager.newBaseManager()) {
            for (int[] s : sizes) {
                float[] maps = new float[2 * s[0] * s[1]];
                for (int i = 0; i < maps.length; i++) {
                    maps[i] = (float) r.nextGaussian();
                }
                float[] expected = LayerCam.upsampleOnDevice(m.create(maps, new Shape(2, s[0], s[1])), s[2], s[3])
                        .toFloatArray();
                assertArrayEquals(
                        expected,
                        Upsample.bilinear(maps, 2, s[0], s[1], s[2], s[3]),
                        1e-5f,
                        s[0] + "x" + s[1] + " to " + s[2] + "x" + s[3]);
            }
        }
    }

    /** By hand: a 1x2 row [0, 1] to 1x4 reads source x = -0.25 (clamped to 0), 0.25, 0.75, 1.25 (the last pixel). */
    @Test
    void halfPixelCentresByHand() {
        assertArrayEquals(
                new float[] {0f, 0.25f, 0.75f, 1f}, Upsample.bilinear(new float[] {0f, 1f}, 1, 1, 2, 1, 4), 0f);
        float[] same = {1f, 2f, 3f, 4f};
        float[] copy = Upsample.bilinear(same, 1, 2, 2, 2, 2);
        assertArrayEquals(same, copy, 0f);
        copy[0] = 9f;
        assertEquals(1f, same[0], "the same size gives a copy");
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> Upsample.bilinear(same, 2, 2, 2, 4, 4));
        assertEquals("Invalid maps: 4 values for 2 maps of 2x2", e.getMessage());
    }
}
