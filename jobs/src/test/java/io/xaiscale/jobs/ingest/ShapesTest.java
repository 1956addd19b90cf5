package io.xaiscale.jobs.ingest;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.node.TextNode;
import io.xaiscale.image.DecodeException;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.zip.CRC32;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

/** COCO polygons and run-length encodings become the label map at the image's size. */
public class ShapesTest {
    /** pycocotools' rleToString (maskApi.c), written out to check the decoder against its own encoding. */
    static String encode(int[] counts) {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < counts.length; i++) {
            long x = counts[i];
            if (i > 2) {
                x -= counts[i - 2];
            }
            boolean more = true;
            while (more) {
                long c = x & 0x1f;
                x >>= 5;
                more = (c & 0x10) != 0 ? x != -1 : x != 0;
                if (more) {
                    c |= 0x20;
                }
                s.append((char) (c + 48));
            }
        }
        return s.toString();
    }

    public static int count(byte[] png, int value) throws Exception {
        BufferedImage img = ImageIO.read(new ByteArrayInputStream(png));
        int n = 0;
        for (int y = 0; y < img.getHeight(); y++) {
            for (int x = 0; x < img.getWidth(); x++) {
                n += img.getRaster().getSample(x, y, 0) == value ? 1 : 0;
            }
        }
        return n;
    }

    @Test
    void compressedCountsDecodeAsPycocotoolsEncodesThem() {
        int[] counts = {0, 5, 59, 5, 59, 5, 1000, 3, 17, 250, 2};
        assertArrayEquals(counts, Shapes.counts(new TextNode(encode(counts))));
    }

    @Test
    void polygonsAndRunLengthsPaintTheirClassIntoTheLabelMap() throws Exception {
        String shapes = "[{\"label\": 1, \"polygons\": [[10, 20, 25, 20, 25, 30, 10, 30]]},"
                + " {\"label\": 4, \"rle\": {\"counts\": [0, 5, 59, 5, 59, 5, 3963], \"size\": [64, 64]}},"
                + " {\"label\": 6, \"rle\": {\"counts\": \""
                + encode(new int[] {64 * 63, 4, 60}).replace("\"", "\\\"")
                + "\", \"size\": [64, 64]}}]";
        byte[] png = Shapes.rasterise(shapes, 64, 64);
        assertEquals(15 * 10, count(png, 2), "pixel centres inside the rectangle (10..25) x (20..30)");
        assertEquals(3 * 5, count(png, 5), "column-major runs: columns 0..2, rows 0..4");
        assertEquals(4, count(png, 7), "the last column's first 4 rows");
    }

    static String refused(String shapes) {
        return assertThrows(DecodeException.class, () -> Shapes.rasterise(shapes, 64, 64))
                .getMessage();
    }

    /** A shape that cannot be rasterised faithfully is that image's error, named; never a wrong map. */
    @Test
    void malformedRunLengthsClassesBeyondTheMapAndTooManyShapesAreTheImagesError() {
        assertEquals(
                "annotation: shape 0 has malformed run-length counts (StringIndexOutOfBoundsException)",
                refused("[{\"label\": 1, \"rle\": {\"counts\": \"P\", \"size\": [64, 64]}}]"));
        assertEquals(
                "annotation: shape 0 has run lengths summing to 133, not the image's 64x64 = 4096 pixels",
                refused("[{\"label\": 1, \"rle\": {\"counts\": [0, 5, 59, 5, 59, 5], \"size\": [64, 64]}}]"));
        assertEquals(
                "annotation: shape 0 is a run-length encoding of size [32,64] (height, width) on a 64x64 image",
                refused("[{\"label\": 1, \"rle\": {\"counts\": [2048], \"size\": [32, 64]}}]"));
        assertEquals(
                "annotation: shape 0 has a negative run length -5",
                refused("[{\"label\": 1, \"rle\": {\"counts\": [4101, -5], \"size\": [64, 64]}}]"));
        assertEquals(
                "annotation: shape 1 has class 254, beyond the label map's range 0..253",
                refused("[{\"label\": 3, \"polygons\": []}, {\"label\": 254, \"polygons\": [[0, 0, 4, 0, 4, 4]]}]"));
        StringBuilder many = new StringBuilder("[");
        for (int i = 0; i <= Shapes.MAX_SHAPES; i++) {
            many.append(i == 0 ? "" : ",").append("{\"label\": 1, \"polygons\": []}");
        }
        assertEquals(
                "annotation: 10001 shapes (at most 10000 per image)",
                refused(many.append("]").toString()));
    }

    /** A polygon far outside the image, or huge, costs its clipped bounding box only. */
    @Test
    void polygonsAreScannedWithinTheirBoundingBoxClippedToTheImage() throws Exception {
        byte[] png = Shapes.rasterise(
                "[{\"label\": 2, \"polygons\": [[-1e9, -1e9, 1e9, -1e9, 1e9, 1e9, -1e9, 1e9], [5000, 5000, 6000, 5000, 6000, 6000]]}]",
                64,
                64);
        assertEquals(64 * 64, count(png, 3), "the whole image, and nothing outside it drawn");
    }

    /** A PNG header claiming {@code w x h} pixels, with no pixel data (a decompression bomb's header). */
    static byte[] pngHeader(int w, int h) {
        ByteBuffer ihdr = ByteBuffer.allocate(17);
        ihdr.put("IHDR".getBytes(StandardCharsets.US_ASCII)).putInt(w).putInt(h);
        ihdr.put((byte) 8).put((byte) 3).put((byte) 0).put((byte) 0).put((byte) 0);
        CRC32 crc = new CRC32();
        crc.update(ihdr.array());
        ByteBuffer png = ByteBuffer.allocate(8 + 4 + 17 + 4);
        png.put(new byte[] {(byte) 0x89, 'P', 'N', 'G', 13, 10, 26, 10})
                .putInt(13)
                .put(ihdr.array());
        png.putInt((int) crc.getValue());
        return png.array();
    }

    /** A VOC SegmentationClass PNG is decoded on the driver: its header's size is checked first. */
    @Test
    void aVocMaskAboveThePixelLimitIsRefusedFromItsHeader() {
        IOException e = assertThrows(
                IOException.class,
                () -> Layout.vocSegmentation(pngHeader(100_000, 100_000), List.of("cat"), 1_000_000));
        assertEquals(
                "SegmentationClass PNG: png image of 100000x100000 = 10000000000 pixels is above the limit of 1000000"
                        + " pixels (raise it with --max-pixels)",
                e.getMessage());
    }
}
