package io.xaiscale.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.xaiscale.metric.EvalBatch;
import io.xaiscale.metric.Metric;
import io.xaiscale.metric.Metrics;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Boxes follow the pixels: the same geometry moves both, for every policy and aspect ratio. */
class GeometryTest {
    static final Geometry CROP = new Geometry(Geometry.Mode.RESIZE_CENTER_CROP, Resampler.Filter.BILINEAR, true, 73, 0);
    static final Geometry LETTERBOX = new Geometry(Geometry.Mode.LETTERBOX, Resampler.Filter.BILINEAR, true, 0, 0);

    @Test
    void transformsAreTorchvisionsArithmetic() {
        // Resize(256) + CenterCrop(224) of a 500x375 photo: 341x256 (int(256 * 500 / 375)), crop at 58 (round(58.5) =
        // 58), 16
        Geometry imagenet = new Geometry(Geometry.Mode.RESIZE_CENTER_CROP, Resampler.Filter.BILINEAR, true, 256, 0);
        assertEquals(
                new Geometry.Transform(500, 375, 341, 256, -58, -16, 224, 224), imagenet.transform(500, 375, 224, 224));
        assertEquals(
                new Geometry.Transform(375, 500, 256, 341, -16, -58, 224, 224), imagenet.transform(375, 500, 224, 224));
        // a crop larger than the resized image is padded by (crop - size) // 2 first, as CenterCrop does
        assertEquals(
                new Geometry.Transform(10, 10, 256, 256, -16, -16, 224, 224), imagenet.transform(10, 10, 224, 224));
        assertEquals(4, Geometry.cropOffset(56, 64));
        assertEquals(new Geometry.Transform(500, 375, 64, 48, 0, 8, 64, 64), LETTERBOX.transform(500, 375, 64, 64));
        assertTrue(Geometry.STRETCH.transform(64, 64, 64, 64).identity());
        assertTrue(
                !CROP.transform(64, 64, 64, 64).identity(),
                "Resize(73) then CenterCrop(64) changes even a 64x64 image");
    }

    @Test
    void aBoxIsScaledPlacedRoundedOutwardsAndClippedOrDroppedWhenCroppedAway() {
        Geometry.Transform t = new Geometry.Transform(100, 50, 200, 100, -50, 0, 100, 100);
        assertEquals(new Box(10, 20, 50, 62), t.box(new Box(30, 10, 50, 31)));
        assertEquals(new Box(0, 0, 10, 10), t.box(new Box(0, 0, 30, 5)), "partly cropped: clipped");
        assertNull(t.box(new Box(0, 0, 20, 10)), "cropped away: no box, never a box at the edge");
        assertEquals(
                "invalid field 'preprocessing.geometry': crop (valid: stretch, resize_center_crop, letterbox)",
                problems("crop", "bilinear", null).get(0));
        assertEquals(
                "invalid field 'preprocessing.resize_to': null (resize_center_crop needs the shorter side's length"
                        + " before the crop, e.g. 256)",
                problems("resize_center_crop", "bilinear", null).get(0));
        assertEquals(
                "invalid field 'preprocessing.resize': lanczos (valid: bilinear, bicubic, nearest)",
                problems("stretch", "lanczos", null).get(0));
    }

    static List<String> problems(String geometry, String resize, Integer resizeTo) {
        List<String> p = new ArrayList<>();
        Geometry.of(geometry, resize, null, resizeTo, null, null, p);
        return p;
    }

    /** A black canvas with a white object filling {@code box}. */
    static byte[] canvas(int w, int h, Box box) {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = box.y0(); y < box.y1(); y++) {
            for (int x = box.x0(); x < box.x1(); x++) {
                img.setRGB(x, y, 0xffffff);
            }
        }
        return ImageCodec.png(img);
    }

    /**
     * The "pixel oracle": the map is the input itself (bright where the object is). Its top pixels are
     * the object's, so against the box moved by the same geometry IoU is 1 up to the antialiased rim,
     * and the pointing game hits; against the box left in the original coordinates it misses.
     */
    @Test
    void aMapGoesBackOntoTheSourceImageThroughTheInverseTransform() {
        // a ramp map u (the input column) comes back as the input column of each source pixel's centre
        float[] ramp = new float[64 * 64];
        for (int i = 0; i < ramp.length; i++) {
            ramp[i] = i % 64;
        }
        for (Geometry g : List.of(Geometry.STRETCH, CROP, LETTERBOX)) {
            for (int[] size : new int[][] {{500, 375}, {375, 500}, {64, 64}}) {
                Geometry.Transform t = g.transform(size[0], size[1], 64, 64);
                int dw = size[0] / 2; // a display grid of half the size
                int dh = size[1] / 2;
                float[] back = t.toSource(ramp, dw, dh);
                int cropped = 0;
                for (int y = 0; y < dh; y++) {
                    for (int x = 0; x < dw; x++) {
                        double u = ((x + 0.5) * size[0] / dw) * t.scaleX() + t.left();
                        double v = ((y + 0.5) * size[1] / dh) * t.scaleY() + t.top();
                        float got = back[y * dw + x];
                        if (u < 0 || u >= 64 || v < 0 || v >= 64) {
                            assertTrue(Float.isNaN(got), g.spec() + " " + x + "," + y);
                            cropped++;
                        } else {
                            double expected = Math.max(0, Math.min(63, u - 0.5));
                            assertEquals(expected, got, 1e-4, g.spec() + " " + x + "," + y);
                        }
                    }
                }
                // only the centre crop (shorter side to 73, then 64) loses margins; stretch and letterbox keep all
                boolean crops = g == CROP;
                assertEquals(crops, cropped > 0, g.spec() + " " + size[0] + "x" + size[1]);
            }
        }
    }

    @Test
    void thePixelsAndTheBoxAgreeUnderEveryGeometryAndAspect() throws Exception {
        Metric iou = Metrics.fromString("iou[threshold=fraction_of_max,value=0.5]");
        Metric pointing = Metrics.fromString("pointing_game");
        for (Geometry g : List.of(Geometry.STRETCH, CROP, LETTERBOX)) {
            for (int[] size : new int[][] {{500, 375}, {375, 500}, {64, 64}}) {
                int w = size[0];
                int h = size[1];
                Box object = new Box(w / 2, h / 3, w / 2 + w / 4, h / 3 + h / 4);
                float[] map = new float[64 * 64];
                ImageCodec.toTensor(canvas(w, h, object), 1, 64, 64, g, map, 0);
                Geometry.Transform t = g.transform(w, h, 64, 64);
                Box moved = t.box(object);
                String where = g.spec() + " " + w + "x" + h;
                double[][] v = iou.evaluateAll(EvalBatch.mapsOnly(new float[][] {map}, new Box[] {moved}, 64, 64));
                assertTrue(v[0][0] > 0.8, where + ": IoU " + v[0][0] + " with the moved box " + moved);
                assertEquals(
                        1.0,
                        pointing.evaluateAll(EvalBatch.mapsOnly(new float[][] {map}, new Box[] {moved}, 64, 64))[0][0],
                        where);
                if (w != 64) {
                    // what evaluate did before: the box in the original image's coordinates, clipped by the mask
                    double wrong =
                            iou.evaluateAll(EvalBatch.mapsOnly(new float[][] {map}, new Box[] {object}, 64, 64))[0][0];
                    assertTrue(wrong < 0.3, where + ": the box in original coordinates misses (" + wrong + ")");
                }
            }
        }
        // the object entirely in the margin that the centre crop removes: no box, not a box on the edge
        assertNull(CROP.transform(500, 375, 64, 64).box(new Box(0, 100, 40, 200)));
    }
}
