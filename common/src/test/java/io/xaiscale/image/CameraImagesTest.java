package io.xaiscale.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Images as cameras write them (fixtures of {@code common/src/test/python/make_camera_fixtures.py},
 * checked there against Pillow): EXIF orientation turns the picture upright, CMYK JPEGs decode to
 * their colours, 12-bit JPEGs fail naming the cause.
 */
class CameraImagesTest {
    static final Path DIR = Path.of("src/test/resources/fixtures/camera");
    static final int W = 48;
    static final int H = 32;
    static final Map<String, int[]> UPRIGHT = Map.of(
            "top_left", new int[] {255, 0, 0},
            "top_right", new int[] {0, 255, 0},
            "bottom_left", new int[] {0, 0, 255},
            "bottom_right", new int[] {255, 255, 255});

    static byte[] fixture(String name) throws Exception {
        return Files.readAllBytes(DIR.resolve(name));
    }

    /** The RGB bytes of a {@code [3, h, w]} tensor at (x, y). */
    static int[] rgb(float[] t, int w, int h, int x, int y) {
        int plane = w * h;
        return new int[] {
            Math.round(255 * t[y * w + x]),
            Math.round(255 * t[plane + y * w + x]),
            Math.round(255 * t[2 * plane + y * w + x])
        };
    }

    static void assertColour(int[] expected, int[] actual, int tolerance, String where) {
        for (int c = 0; c < 3; c++) {
            assertTrue(
                    Math.abs(expected[c] - actual[c]) <= tolerance,
                    where + ": expected " + Arrays.toString(expected) + ", got " + Arrays.toString(actual));
        }
    }

    static void assertUpright(float[] t, String name) {
        assertColour(UPRIGHT.get("top_left"), rgb(t, W, H, W / 4, H / 4), 10, name + " top left");
        assertColour(UPRIGHT.get("top_right"), rgb(t, W, H, 3 * W / 4, H / 4), 10, name + " top right");
        assertColour(UPRIGHT.get("bottom_left"), rgb(t, W, H, W / 4, 3 * H / 4), 10, name + " bottom left");
        assertColour(UPRIGHT.get("bottom_right"), rgb(t, W, H, 3 * W / 4, 3 * H / 4), 10, name + " bottom right");
    }

    /**
     * A TIFF's orientation, read from its first IFD in either byte order; a header cut short, an IFD
     * offset past the end and bytes of no known format state none.
     */
    @Test
    void aTiffStatesItsOrientationAndBrokenHeadersStateNone() {
        for (java.nio.ByteOrder order : List.of(java.nio.ByteOrder.LITTLE_ENDIAN, java.nio.ByteOrder.BIG_ENDIAN)) {
            java.nio.ByteBuffer t = java.nio.ByteBuffer.allocate(8 + 2 + 12 + 4).order(order);
            t.put(order == java.nio.ByteOrder.LITTLE_ENDIAN ? new byte[] {'I', 'I'} : new byte[] {'M', 'M'});
            t.putShort((short) 42).putInt(8).putShort((short) 1);
            t.putShort((short) 0x0112)
                    .putShort((short) 3)
                    .putInt(1)
                    .putShort((short) 3)
                    .putShort((short) 0);
            t.putInt(0);
            byte[] tiff = t.array();
            assertEquals(Orientation.ROTATE_180, Orientation.read(tiff), order.toString());
            assertEquals(Orientation.NORMAL, Orientation.read(Arrays.copyOf(tiff, 14)), order + ", cut in its IFD");
            byte[] far = tiff.clone();
            java.nio.ByteBuffer.wrap(far).order(order).putInt(4, 1 << 20);
            assertEquals(Orientation.NORMAL, Orientation.read(far), order + ", an IFD past the end");
        }
        byte[] noise = new byte[64];
        new java.util.Random(3).nextBytes(noise);
        noise[0] = 'x';
        assertEquals(Orientation.NORMAL, Orientation.read(noise));
    }

    @Test
    void everyExifOrientationIsTurnedUpright() throws Exception {
        for (int n = 1; n <= 8; n++) {
            for (String name :
                    n == 6 ? List.of("orientation-6.jpg", "orientation-6.png") : List.of("orientation-" + n + ".jpg")) {
                byte[] bytes = fixture(name);
                assertEquals(Orientation.of(n), Orientation.read(bytes), name);
                ImageCodec.Info info = ImageCodec.info(bytes);
                assertEquals(W, info.width(), name + " width is the upright one");
                assertEquals(H, info.height(), name + " height is the upright one");
                assertEquals(n, info.orientation(), name);
                float[] t = new float[3 * W * H];
                ImageCodec.toTensor(bytes, 3, H, W, Geometry.STRETCH, t, 0);
                assertUpright(t, name);
            }
        }
    }

    @Test
    void ignoringOrientationGivesTheStoredPixels() throws Exception {
        Geometry ignore = Geometry.of(null, null, null, null, null, "ignore", new ArrayList<>());
        assertTrue(!ignore.upright());
        // orientation 6: stored 32x48 and turned clockwise to be shown, so the stored top-left is the
        // upright top-right (green) and the stored top-right the upright bottom-right (white)
        float[] t = new float[3 * H * W];
        ImageCodec.toTensor(fixture("orientation-6.jpg"), 3, W, H, ignore, t, 0);
        assertColour(UPRIGHT.get("top_right"), rgb(t, H, W, H / 4, W / 4), 10, "stored top left");
        assertColour(UPRIGHT.get("bottom_right"), rgb(t, H, W, 3 * H / 4, W / 4), 10, "stored top right");
        assertColour(UPRIGHT.get("top_left"), rgb(t, H, W, H / 4, 3 * W / 4), 10, "stored bottom left");
        List<String> problems = new ArrayList<>();
        Geometry.of(null, null, null, null, null, "rotate", problems);
        assertEquals(
                List.of("invalid field 'preprocessing.exif_orientation': rotate (valid: apply, ignore)"), problems);
    }

    @Test
    void boxesAndPlanesGoBackToTheStoredFrameExactly() {
        Random random = new Random(3);
        int dw = 7;
        int dh = 5;
        byte[] upright = new byte[dw * dh];
        random.nextBytes(upright);
        for (Orientation o : Orientation.values()) {
            int w = o.swapsAxes() ? dh : dw;
            int h = o.swapsAxes() ? dw : dh;
            byte[] stored = o.toStored(upright, dw, dh);
            // applying the orientation to the stored plane gives the upright one back
            BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_BYTE_GRAY);
            img.getRaster().setDataElements(0, 0, w, h, stored);
            BufferedImage turned = o.apply(img);
            assertEquals(dw, turned.getWidth(), o.name());
            byte[] back = new byte[dw * dh];
            turned.getRaster().getDataElements(0, 0, dw, dh, back);
            assertArrayEquals(upright, back, o.name());
            // a box holds exactly the stored pixels of the upright box
            Box b = new Box(1, 2, 5, 4);
            Box s = o.toStored(b, dw, dh);
            assertEquals(b.area(), s.area(), o.name());
            for (int y = b.y0(); y < b.y1(); y++) {
                for (int x = b.x0(); x < b.x1(); x++) {
                    int[] p = o.stored(x, y, w, h);
                    assertTrue(s.contains(p[0], p[1]), o + ": " + x + "," + y + " -> " + s);
                    assertEquals(upright[y * dw + x], stored[p[1] * w + p[0]], o.name());
                }
            }
        }
    }

    @Test
    void cmykJpegsDecodeToPillowsColours() throws Exception {
        JsonNode index = new ObjectMapper().readTree(DIR.resolve("index.json").toFile());
        JsonNode pil = index.get("files").get("cmyk.jpg").get("pil_rgb");
        byte[] bytes = fixture("cmyk.jpg");
        assertEquals(3, ImageCodec.info(bytes).channels());
        float[] t = new float[3 * W * H];
        ImageCodec.toTensor(bytes, 3, H, W, Geometry.STRETCH, t, 0);
        int[][] at = {{W / 4, H / 4}, {3 * W / 4, H / 4}, {W / 4, 3 * H / 4}, {3 * W / 4, 3 * H / 4}};
        String[] names = {"top_left", "top_right", "bottom_left", "bottom_right"};
        for (int i = 0; i < 4; i++) {
            JsonNode e = pil.get(names[i]);
            int[] expected = {e.get(0).asInt(), e.get(1).asInt(), e.get(2).asInt()};
            assertColour(expected, rgb(t, W, H, at[i][0], at[i][1]), 12, "cmyk " + names[i]);
        }
    }

    @Test
    void twelveBitJpegsFailNamingTheCause() throws Exception {
        DecodeException e = assertThrows(DecodeException.class, () -> ImageCodec.info(fixture("precision-12.jpg")));
        assertTrue(e.getMessage().contains("12-bit samples: only 8-bit lossy JPEGs are read"), e.getMessage());
    }
}
