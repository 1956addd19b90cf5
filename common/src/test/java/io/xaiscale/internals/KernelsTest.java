package io.xaiscale.internals;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.xaiscale.TestModels;
import io.xaiscale.image.ImageCodec;
import io.xaiscale.model.Classifier;
import io.xaiscale.render.UnitGrid;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

class KernelsTest {

    /** A first layer's kernel is drawn as 0.5 + w / (2 max |w|), to 8 bits. */
    @Test
    void aKernelIsDrawnAroundMidGreyInClosedForm() throws Exception {
        float[] w = {0.2f, -0.4f, 0.1f, 0f, 0.4f, -0.2f, 0.3f, -0.1f, 0.05f};
        try (Classifier model = TestModels.filterNet(w, 3, 8, 8)) {
            Kernels.Weights k = Kernels.of(model, "conv");
            assertEquals(List.of(1, 1, 3, 3), List.of(k.out(), k.in(), k.kh(), k.kw()));
            assertArrayEquals(w, k.kernel(0, 0), 0f);
            List<UnitGrid.Tile> tiles = Kernels.tiles(k);
            assertEquals(1, tiles.size());
            BufferedImage img =
                    ImageIO.read(new ByteArrayInputStream(tiles.get(0).png()));
            for (int i = 0; i < 9; i++) {
                int expected = Math.round(255 * (0.5f + w[i] / 0.8f));
                assertEquals(expected, img.getRaster().getSample(i % 3, i / 3, 0), "pixel " + i);
            }
        }
    }

    @Test
    void theShippedCnnsKernelsAndActivationMapsAreTiledAndALayerWithoutKernelsIsRefused() throws Exception {
        try (Classifier model = Classifier.load(TestModels.shipped())) {
            Kernels.Weights first = Kernels.of(model, "conv1");
            assertEquals(List.of(16, 1, 3, 3), List.of(first.out(), first.in(), first.kh(), first.kw()));
            Kernels.Weights second = Kernels.of(model, "conv2");
            List<UnitGrid.Tile> rows = Kernels.tiles(second);
            assertEquals(32, rows.size());
            BufferedImage row =
                    ImageIO.read(new ByteArrayInputStream(rows.get(0).png()));
            assertEquals(List.of(16, 1), List.of(row.getWidth(), row.getHeight()), "one norm per input channel");
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Kernels.of(model, "relu1"));
            assertEquals(
                    "Layer relu1 of fmnist-loc-cnn@1 is not a convolution (valid: conv1, conv2, conv3)",
                    e.getMessage());
            float[] x = ImageCodec.toTensor(
                    Files.readAllBytes(TestModels.locate("data/sample/fmnist-loc-test-00000.png")), 1, 64, 64);
            List<UnitGrid.Tile> maps = Kernels.activations(model, x, "relu3");
            assertEquals(64, maps.size());
            BufferedImage map =
                    ImageIO.read(new ByteArrayInputStream(maps.get(0).png()));
            assertEquals(List.of(16, 16), List.of(map.getWidth(), map.getHeight()));
            BufferedImage grid = UnitGrid.of("relu3", maps, 8, 4);
            assertEquals(4 + 8 * (64 + 4), grid.getWidth());
        }
    }
}
