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

    /** A full method spec wraps over lines at its commas and brackets; nothing of it is cut. */
    @Test
    void aLongTitleWrapsWhole() {
        BufferedImage probe = new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB);
        java.awt.Graphics2D g = probe.createGraphics();
        g.setFont(new java.awt.Font(java.awt.Font.SANS_SERIF, java.awt.Font.PLAIN, 11));
        java.awt.FontMetrics fm = g.getFontMetrics();
        String spec = "smoothgrad[base=integrated_gradients[steps=8],samples=8,sigma=0.15]";
        List<String> lines = Overlay.wrap(spec, 128, fm);
        assertTrue(lines.size() >= 2, lines.toString());
        assertEquals(spec, String.join("", lines), "every character kept, in order");
        for (String l : lines) {
            assertTrue(fm.stringWidth(l) <= 128, l);
        }
        assertTrue(lines.get(0).endsWith("[") || lines.get(0).endsWith(","), "broken at a bracket or comma: " + lines);
        assertEquals(List.of("gradient"), Overlay.wrap("gradient", 128, fm));
        g.dispose();
        // in a grid the tiles move down by the extra lines, and no title ends with an ellipsis
        float[] grey = new float[64 * 64];
        BufferedImage one = Overlay.grid("t", grey, 64, 64, List.of(), List.of(new Overlay.Tile("gradient", grey)), 2);
        BufferedImage two = Overlay.grid("t", grey, 64, 64, List.of(), List.of(new Overlay.Tile(spec, grey)), 2);
        assertEquals(one.getHeight() + (lines.size() - 1) * 14, two.getHeight());
    }

    /**
     * Under each tile its colour bar: jet from dark blue (0) to dark red (the map's scale) for magnitude, the
     * diverging scale blue, white at 0, red for signed maps; its labels are the map values at the ends.
     */
    @Test
    void everyTileHasAColourBarWithItsValueRange() {
        float[] grey = new float[8 * 8];
        float[] map = new float[64];
        for (int i = 0; i < 64; i++) {
            map[i] = (i - 32) / 16f; // -2 .. 1.94
        }
        assertEquals(1.9375f, Overlay.scale(map), 1e-6, "the 99th percentile of |map|");
        assertEquals(List.of("0", "1.94"), Overlay.barLabels(Overlay.scale(map), Overlay.Colors.MAGNITUDE));
        assertEquals(List.of("-1.94", "0", "1.94"), Overlay.barLabels(Overlay.scale(map), Overlay.Colors.SIGNED));
        int tile = 8 * 8; // scale 8: 64 pixels wide
        for (Overlay.Colors c : List.of(Overlay.Colors.MAGNITUDE, Overlay.Colors.SIGNED)) {
            BufferedImage img = Overlay.grid("t", grey, 8, 8, List.of(), List.of(new Overlay.Tile("m", map)), 8, c);
            int x0 = 4 + tile + 4;
            int y = 28 + tile + 3 + 2; // the bar's second row, under the tile
            int left = img.getRGB(x0, y) & 0xffffff;
            int middle = img.getRGB(x0 + tile / 2, y) & 0xffffff;
            int right = img.getRGB(x0 + tile - 1, y) & 0xffffff;
            if (c == Overlay.Colors.MAGNITUDE) {
                assertEquals(Colormap.jet(0), left);
                assertEquals(Colormap.jet(1), right);
            } else {
                assertEquals(Colormap.diverging(-1), left);
                assertEquals(Colormap.diverging(1), right);
                assertTrue((middle & 0xff) > 240 && ((middle >> 16) & 0xff) > 240, Integer.toHexString(middle));
            }
        }
    }
}
