package io.xaiscale.render;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.xaiscale.image.Box;
import java.awt.image.BufferedImage;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Signed overlays keep evidence for and against apart; magnitude overlays are the literature's jet. */
class OverlayTest {
    @Test
    void theDivergingMapIsRedForBlueAgainstAndWhiteAtZero() {
        assertEquals(0xff0000, Colormap.diverging(1));
        assertEquals(0x0000ff, Colormap.diverging(-1));
        assertEquals(0xffffff, Colormap.diverging(0));
        assertEquals(0xff0000, Colormap.diverging(7), "clamped");
        assertArrayEquals(
                new float[] {1f, -1f, 0.5f, 0f},
                Overlay.normaliseSigned(new float[] {2f, -2f, 1f, 0f}),
                "scaled by the 99th percentile of |map|, signs kept");
        assertThrows(IllegalArgumentException.class, () -> Overlay.Colors.parse("rainbow"));
    }

    @Test
    void aSignedTileShowsTheImageWhereTheMapIsZeroAndColourWhereItIsNot() {
        float[] grey = new float[4 * 4];
        Arrays.fill(grey, 0.5f);
        float[] map = new float[16];
        map[0] = 1f; // for
        map[15] = -1f; // against
        BufferedImage img = Overlay.grid(
                "t",
                grey,
                4,
                4,
                List.of(new Box(0, 0, 2, 2)),
                List.of(new Overlay.Tile("m", map)),
                1,
                Overlay.Colors.SIGNED);
        // the first map tile: x from 4 + (4 + 4), y from two title rows (28)
        int x0 = 12;
        int y0 = 28;
        assertEquals(0x808080, img.getRGB(x0 + 1, y0) & 0xffffff, "no relevance: the image itself");
        int red = img.getRGB(x0, y0) & 0xffffff;
        int blue = img.getRGB(x0 + 3, y0 + 3) & 0xffffff;
        assertEquals(true, ((red >> 16) & 0xff) > 200 && (red & 0xff) < 100, Integer.toHexString(red));
        assertEquals(true, (blue & 0xff) > 200 && ((blue >> 16) & 0xff) < 100, Integer.toHexString(blue));
    }

    @Test
    void autoColoursASignedMapOnTheDivergingScaleAndANonNegativeOneAsJet() {
        float[] signed = {1f, -1f, 0f, 0f};
        float[] cam = {1f, 0.5f, 0f, 0f};
        assertEquals(Overlay.Colors.SIGNED, Overlay.Colors.AUTO.of(signed));
        assertEquals(Overlay.Colors.MAGNITUDE, Overlay.Colors.AUTO.of(cam));
        assertEquals(Overlay.Colors.SIGNED, Overlay.Colors.SIGNED.of(cam), "a fixed choice stays");
        float[] grey = new float[4];
        BufferedImage img = Overlay.grid(
                "t",
                grey,
                2,
                2,
                List.of(),
                List.of(new Overlay.Tile("signed", signed), new Overlay.Tile("cam", cam)),
                1,
                Overlay.Colors.AUTO);
        // tiles at x = 4 + (2 + 4) * k, from y = 28; the map's zero pixel: the signed tile shows the
        // (black) image, the jet tile half-blends jet's dark blue over it
        assertEquals(0x000000, img.getRGB(10 + 0, 28 + 1) & 0xffffff, "signed: no relevance, no colour");
        int jet = img.getRGB(16 + 0, 28 + 1) & 0xffffff;
        assertTrue((jet & 0xff) > 0 && (jet >> 8) == 0, "jet's dark blue at zero: " + Integer.toHexString(jet));
    }
}
